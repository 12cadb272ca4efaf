"""Subject access exports do not outlive their purpose: the file is deleted
``SUBJECT_ACCESS_EXPORT_DAYS`` after it was made (README, "Subject access export")."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from rights.models import ExportStatus, SubjectAccessExport
from ubpanel import audit
from ubpanel.services import service

# An export still waiting or being made after this long was lost with a worker: it is failed, so
# its page says so instead of polling for ever.
ABANDONED_AFTER = timedelta(hours=6)
ABANDONED_TEXT = "The export was not finished: the job making it stopped. Ask for a new one."


@service
def subject_access_exports_expire(*, actor=None) -> list[int]:
    """Delete every export file past its expiry date: the row stays, EXPIRED, with when the file
    went (audited as a change of each export, attributed to the system). Also fail exports lost
    with a worker. Returns the ids of the exports expired."""
    now = timezone.now()
    storage = SubjectAccessExport._meta.get_field("file").storage
    expired = []
    due = SubjectAccessExport.objects.select_for_update(skip_locked=True).filter(
        status=ExportStatus.READY, expires_at__lte=now
    )
    for export in due.select_related("person"):
        name = export.file.name
        export.status = ExportStatus.EXPIRED
        export.stage = "Deleted after its time"
        export.file = ""
        export.deleted_at = now
        export.save()
        audit.record(
            audit.Event.EXPORT,
            objects=[export],
            step="expired",
            deleted_file=name,
        )
        if name:
            # After the commit: a rollback must not leave a READY row without its file.
            transaction.on_commit(lambda name=name: storage.delete(name))
        expired.append(export.pk)
    stuck = SubjectAccessExport.objects.select_for_update(skip_locked=True).filter(
        status__in=(ExportStatus.QUEUED, ExportStatus.RUNNING),
        requested_at__lte=now - ABANDONED_AFTER,
    )
    for export in stuck:
        export.status = ExportStatus.FAILED
        export.stage = "Failed"
        export.failure = ABANDONED_TEXT
        export.finished_at = now
        export.save()
    return expired
