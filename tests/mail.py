"""Helpers for the mailbox tests: the .eml fixtures, and private files kept in a temporary folder."""

from pathlib import Path

from django.core.files.storage import storages

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "mail"


def eml(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def keep_private_files_in(monkeypatch, folder: Path) -> None:
    """Evidence and raw emails go to ``folder`` instead of var/media for the test.

    The models' FileFields hold the "private" storage itself (chosen once, at import), so its
    location is changed rather than the STORAGES setting.
    """
    storage = storages["private"]
    # location first: monkeypatch reads the old value to restore it, and location is computed
    # from base_location the first time it is read.
    monkeypatch.setattr(storage, "location", str(folder))
    monkeypatch.setattr(storage, "base_location", str(folder))
