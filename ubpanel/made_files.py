"""Files made in the background for one row: a subject access export (``rights``), a committee
report (``reports``). Each app says what goes in its file; how the file is made, kept, downloaded
and deleted is said once, here.

A row is asked for (waiting). A Celery task claims it (waiting -> being made) in a short transaction
of its own; each stage then saves ``progress`` and ``stage`` at once, so the page polling it sees
them. The file is written to a temporary file and reaches the private storage only whole; the row
becomes READY in the same transaction that records the file's size and SHA-256. Anything that goes
wrong leaves no file and a FAILED row saying so. A daily job deletes each file once its
``expires_at`` has passed (the row stays, EXPIRED), and fails the rows lost with a worker.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import PurePosixPath
from typing import Any, TypeVar

from django.conf import settings
from django.core.files import File
from django.db import models, transaction
from django.http import FileResponse
from django.utils import timezone

from . import audit
from .audit import acting_as
from .storage import private_storage

logger = logging.getLogger(__name__)
CHUNK = 1024 * 1024
# How often the row's page asks how far it has got, while it is being made (htmx).
POLL_SECONDS = 2
# A row still waiting or being made after this long was lost with a worker: it is failed, so its
# page says so instead of polling for ever.
ABANDONED_AFTER = timedelta(hours=6)


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being made"
    READY = "ready", "Ready to download"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Deleted after its time"


class MadeFile(models.Model):
    """A file made by a Celery task for the person who asked for it, kept in the private storage
    until ``expires_at``."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)  # per cent
    stage = models.CharField(max_length=200, blank=True)
    file = models.FileField(storage=private_storage, max_length=300, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    failure = models.TextField(blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-requested_at", "-pk"]

    @property
    def working(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)

    @property
    def downloadable(self) -> bool:
        return self.status == ExportStatus.READY and bool(self.file)


M = TypeVar("M", bound=MadeFile)


# --- Making one ----------------------------------------------------------------------------------
def build(
    model: type[M],
    pk: int,
    *,
    write: Callable[[M, Any], Any],
    stored_name: Callable[[M], str],
    days: int,
    failed_text: str,
    finish: Callable[[M, Any], None] | None = None,
    related: tuple[str, ...] = (),
) -> M | None:
    """Make the row's file, once: None when it is not waiting to be made (made, failed or taken).

    ``write(row, temporary)`` writes the file into the open temporary file, saving progress as it
    goes (``progress``), and returns what ``finish(row, written)`` needs: ``finish`` runs in the
    transaction that makes the row READY (to audit what was made). ``failed_text`` is what the
    row's page says on failure; ``{kind}`` is replaced by the kind of error.
    """
    row = _claim(model, pk, related)
    if row is None:
        return None
    names = {stored_name(row)}
    try:
        with acting_as(row.requested_by), tempfile.TemporaryFile() as temporary:
            written = write(row, temporary)
            progress(row, 95, "Saving the file")
            size, sha256 = _measure(temporary)
            storage = model._meta.get_field("file").storage
            name = stored_name(row)
            if storage.exists(name):
                storage.delete(name)
            saved = storage.save(name, File(temporary, name=PurePosixPath(name).name))
            names.add(saved)
            with transaction.atomic():
                _ready(row, saved, size, sha256, days)
                if finish is not None:
                    finish(row, written)
    except Exception as error:
        logger.exception("Making %s %s failed", model.__name__, pk)
        _fail(row, failed_text.format(kind=type(error).__name__), names)
    row.refresh_from_db()
    return row


def _claim(model: type[M], pk: int, related: tuple[str, ...]) -> M | None:
    with transaction.atomic():
        row = (
            model.objects.select_for_update(skip_locked=True)
            .select_related("requested_by", *related)
            .filter(pk=pk, status=ExportStatus.QUEUED)
            .first()
        )
        if row is None:
            return None
        row.status = ExportStatus.RUNNING
        row.progress = 1
        row.stage = "Starting"
        row.save(update_fields=["status", "progress", "stage"])
    return row


def progress(row: MadeFile, percent: int, stage: str) -> None:
    """Saved at once (not in a transaction), so the page shows it while the task runs."""
    row.progress = percent
    row.stage = stage
    row.save(update_fields=["progress", "stage"])


def _measure(temporary) -> tuple[int, str]:
    temporary.seek(0)
    digest, size = hashlib.sha256(), 0
    while chunk := temporary.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    temporary.seek(0)
    return size, digest.hexdigest()


def _ready(row: MadeFile, saved: str, size: int, sha256: str, days: int) -> None:
    type(row).objects.select_for_update().filter(pk=row.pk).exists()  # lock the row
    finished = timezone.now()
    row.status = ExportStatus.READY
    row.progress = 100
    row.stage = "Ready to download"
    row.file = saved
    row.size = size
    row.sha256 = sha256
    row.finished_at = finished
    row.expires_at = finished + timedelta(days=days)
    row.failure = ""
    row.save()


def _fail(row: MadeFile, text: str, names: set[str]) -> None:
    storage = type(row)._meta.get_field("file").storage
    # Never a half file: whatever reached the storage (all of it, or part) goes.
    for name in names:
        if storage.exists(name):
            storage.delete(name)
    with acting_as(row.requested_by), transaction.atomic():
        locked = type(row).objects.select_for_update().get(pk=row.pk)
        locked.status = ExportStatus.FAILED
        locked.stage = "Failed"
        locked.failure = text
        locked.file = ""
        locked.size = None
        locked.sha256 = ""
        locked.finished_at = timezone.now()
        locked.save()


# --- Deleting it after its time ------------------------------------------------------------------
def expire(model: type[MadeFile], *, abandoned_text: str) -> list[int]:
    """Delete every file of ``model`` past its expiry date: the row stays, EXPIRED, with when the
    file went (audited as a change of each row). Also fail the rows lost with a worker, saying
    ``abandoned_text``. Returns the ids of the rows expired. Run it in a service (one
    transaction, its actor)."""
    now = timezone.now()
    storage = model._meta.get_field("file").storage
    expired = []
    due = model.objects.select_for_update(skip_locked=True).filter(
        status=ExportStatus.READY, expires_at__lte=now
    )
    for row in due:
        name = row.file.name
        row.status = ExportStatus.EXPIRED
        row.stage = "Deleted after its time"
        row.file = ""
        row.deleted_at = now
        row.save()
        audit.record(audit.Event.EXPORT, objects=[row], step="expired", deleted_file=name)
        if name:
            # After the commit: a rollback must not leave a READY row without its file.
            transaction.on_commit(lambda name=name: storage.delete(name))
        expired.append(row.pk)
    stuck = model.objects.select_for_update(skip_locked=True).filter(
        status__in=(ExportStatus.QUEUED, ExportStatus.RUNNING),
        requested_at__lte=now - ABANDONED_AFTER,
    )
    for row in stuck:
        row.status = ExportStatus.FAILED
        row.stage = "Failed"
        row.failure = abandoned_text
        row.finished_at = now
        row.save()
    return expired


# --- Its page and its download -------------------------------------------------------------------
def progress_context(row: MadeFile) -> dict:
    """What ``includes/_made_file_progress.html`` needs besides its URLs and words."""
    return {"working": row.working, "poll_seconds": POLL_SECONDS}


def file_response(row: MadeFile, *, filename: str, content_type: str, **detail) -> FileResponse:
    """The file as a download, audited (with its checksum: which file was handed out)."""
    audit.record(audit.Event.DOWNLOAD, objects=[row], sha256=row.sha256, **detail)
    response = FileResponse(
        row.file.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
