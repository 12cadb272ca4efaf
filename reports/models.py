"""Committee reports: the statistics for a period as a PDF, made by a Celery task."""

from django.db import models

from ubpanel.made_files import MadeFile

from .periods import Period


class CommitteeReport(MadeFile):
    """The committee statistics for a period as one PDF for the Audit and Governance Committee.
    It names nobody; it is kept for ``COMMITTEE_REPORT_DAYS`` and downloaded by those who read the
    statistics."""

    period_start = models.DateField()
    period_end = models.DateField()

    def __str__(self):
        return f"{self.reference}: {self.period_start} to {self.period_end}"

    @property
    def period(self) -> Period:
        return Period(start=self.period_start, end=self.period_end)

    @property
    def reference(self) -> str:
        return f"CR-{self.pk:05d}" if self.pk else "CR-new"
