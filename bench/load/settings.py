"""ubpanel's own settings for the load benchmark's gunicorn, with one change: the static files
are collected into a folder of the run's own (BENCH_STATIC_ROOT), not the checkout's var/static,
and not compressed (whitenoise's gzip and brotli copies took minutes on a busy machine, and the
benchmark asks for pages, not static files). The pages name the same hashed files from the same
manifest; nothing else differs."""

import os
from pathlib import Path

from ubpanel.settings import *  # noqa: F403

STATIC_ROOT = Path(os.environ["BENCH_STATIC_ROOT"])
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
