"""The export's readable summary: a PDF made by WeasyPrint, as letters are (correspondence.pdf):
the app's own stylesheet is the only thing it may fetch, and everything in it is escaped text."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML

from correspondence.pdf import BASE_URL, STATIC_PREFIX, StaticOnlyFetcher

STYLESHEET = "rights/export-summary.css"


def summary_html(data: dict) -> str:
    return render_to_string(
        "rights/export_summary.html",
        {**data, "stylesheet": STATIC_PREFIX + STYLESHEET, "council_name": settings.COUNCIL_NAME},
    )


def summary_pdf(data: dict) -> bytes:
    """``data`` as the JSON holds it (before encoding: dates are dates)."""
    fetcher = StaticOnlyFetcher()
    return HTML(string=summary_html(data), base_url=BASE_URL, url_fetcher=fetcher).write_pdf(
        pdf_tags=True
    )
