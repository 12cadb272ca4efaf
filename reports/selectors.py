"""Who may read the committee statistics and their reports. The figures name nobody, so every
committee report is open to everyone who reads the statistics, whoever asked for it."""

from django.db.models import QuerySet

from ubpanel.roles import STATISTICS_ROLES, has_role

from .models import CommitteeReport


def may_read_statistics(user) -> bool:
    """The chair (the Information Asset Owner) and auditors."""
    return has_role(user, *STATISTICS_ROLES)


def visible_committee_reports(user) -> QuerySet[CommitteeReport]:
    """Every committee report, for those who read the statistics; none for anyone else."""
    if not may_read_statistics(user):
        return CommitteeReport.objects.none()
    return CommitteeReport.objects.select_related("requested_by")


def may_download_committee_report(user, report: CommitteeReport) -> bool:
    """Anyone who reads the statistics, while the file is there."""
    return may_read_statistics(user) and report.downloadable
