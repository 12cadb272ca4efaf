"""Making one committee report: count every table for its period, draw the charts, and write the
PDF, saying how far it has got. How the row is claimed, the file stored whole and the row made
READY or FAILED is ``ubpanel.made_files.build``'s, as for every file made in the background."""

from __future__ import annotations

from django.conf import settings

from ubpanel import made_files
from ubpanel.made_files import progress

from . import charts
from .models import CommitteeReport
from .pdf import committee_report_pdf
from .statistics import all_tables, statistics

FAILED_TEXT = (
    "The report could not be made ({kind}). Ask for a new one; if that fails too, tell the "
    "service desk."
)


def file_name(report: CommitteeReport) -> str:
    """``committee-report-2025-04-01-to-2026-03-31.pdf``: the period, as the committee knows it."""
    return f"committee-report-{report.period.slug}.pdf"


def report_build(report_id: int) -> CommitteeReport | None:
    """Make the report, once: None when it is not waiting to be made (made, failed or taken)."""
    return made_files.build(
        CommitteeReport,
        report_id,
        write=_write,
        stored_name=lambda report: f"committee-reports/{report.pk}/{file_name(report)}",
        days=settings.COMMITTEE_REPORT_DAYS,
        failed_text=FAILED_TEXT,
    )


def _write(report: CommitteeReport, temporary) -> None:
    period = report.period
    progress(report, 10, "Counting the figures")
    sections = statistics(period)
    progress(report, 40, "Drawing the charts")
    charts.draw(all_tables(sections))
    progress(report, 50, "Writing the PDF")
    temporary.write(committee_report_pdf(report, period, sections))
