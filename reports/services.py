"""Committee reports: asking for one. The PDF is made by a Celery task (``reports.tasks``) and
deleted after ``COMMITTEE_REPORT_DAYS`` by a daily job."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from ubpanel import audit
from ubpanel.services import service

from .models import CommitteeReport
from .periods import Period
from .selectors import may_read_statistics
from .tasks import committee_report_build


@service
def committee_report_request(*, actor, period: Period) -> CommitteeReport:
    """The chair or an auditor asked for the committee statistics for the period as one PDF, to
    put before the Audit and Governance Committee. It is made in the background."""
    if not may_read_statistics(actor):
        raise PermissionDenied("Only the panel chair or an auditor may make the committee report.")
    report = CommitteeReport.objects.create(
        period_start=period.start, period_end=period.end, requested_by=actor
    )
    audit.record(
        audit.Event.EXPORT,
        objects=[report],
        step="requested",
        period_start=period.start.isoformat(),
        period_end=period.end.isoformat(),
    )
    committee_report_build.delay_on_commit(report_id=report.pk)
    return report
