"""Where personal files live: outside the web root, served only through checked views."""

from django.core.files.storage import storages


def private_storage():
    """Evidence, raw emails and letter PDFs: the ``private`` storage, never ``MEDIA_URL``."""
    return storages["private"]
