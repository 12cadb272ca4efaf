"""The committee report as a PDF, made by WeasyPrint as letters are (``correspondence.pdf``): the
app's own stylesheet is the only thing it may fetch, and every label in it is escaped text. Each
table is the statistics page's own (``reports/_table.html``), with its chart as inline SVG.

It names nobody: every figure is a count, small equalities counts are withheld
(``reports.tables.suppress``), and not even who asked for it is printed.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from correspondence.pdf import BASE_URL, STATIC_PREFIX, StaticOnlyFetcher

from .models import CommitteeReport
from .periods import Period
from .statistics import Section

STYLESHEET = "reports/committee-report.css"
TITLE = "Unreasonable Behaviours Panel: report to the Audit and Governance Committee"


def committee_report_html(report: CommitteeReport, period: Period, sections: list[Section]) -> str:
    """``sections`` with each table's ``drawing`` set (``reports.charts.drawing``)."""
    return render_to_string(
        "reports/committee_report_pdf.html",
        {
            "title": TITLE,
            "report": report,
            "period": period,
            "sections": sections,
            "made_at": timezone.localtime(),
            "council_name": settings.COUNCIL_NAME,
            "stylesheet": STATIC_PREFIX + STYLESHEET,
        },
    )


def committee_report_pdf(report: CommitteeReport, period: Period, sections: list[Section]) -> bytes:
    html = committee_report_html(report, period, sections)
    fetcher = StaticOnlyFetcher()
    return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf(pdf_tags=True)
