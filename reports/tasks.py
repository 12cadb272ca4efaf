"""Committee reports' Celery tasks: making one, and deleting those past their time."""

from celery import shared_task

from ubpanel.jobs import scheduled_job

from .build import report_build
from .expire import committee_reports_expire as expire


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1500)
def committee_report_build(*, report_id: int) -> str | None:
    """Make one report (a failure is recorded on the report, not retried: the requester asks
    again). Returns its status, or None when it was not waiting to be made."""
    report = report_build(report_id)
    return report.status if report is not None else None


@scheduled_job
def committee_reports_expire() -> int:
    """Delete the files of reports past their expiry date (beat: daily at 03:50)."""
    return len(expire())
