"""Subject access exports' Celery tasks: making one, and deleting those past their time."""

from celery import shared_task

from rights.exports.build import export_build
from rights.exports.expire import subject_access_exports_expire as expire
from ubpanel.jobs import scheduled_job


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1500)
def subject_access_export_build(*, export_id: int) -> str | None:
    """Make one export (a failure is recorded on the export, not retried: the requester asks
    again). Returns its status, or None when it was not waiting to be made."""
    export = export_build(export_id)
    return export.status if export is not None else None


@scheduled_job
def subject_access_exports_expire() -> int:
    """Delete the files of exports past their expiry date (beat: daily at 03:45)."""
    return len(expire())
