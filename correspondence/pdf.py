"""Letters as HTML (the browser preview) and as PDF (WeasyPrint).

WeasyPrint may fetch only the app's own static files, and only through ``StaticOnlyFetcher``:
no network, no ``file://``. What staff type into a letter is escaped by the template, so a name
like ``<img src=http://...>`` is printed as text and fetches nothing.
"""

from __future__ import annotations

import mimetypes
import os
import threading
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from schedule.dates import appeal_deadline

from . import content
from .models import Characteristic, Letter, LetterKind, PdfVariant

# A reserved name (RFC 2606) that can never resolve: the base of every URL in a letter.
BASE_URL = "https://ubpanel.invalid/"
STATIC_PREFIX = BASE_URL + "static/"
STYLESHEET = "correspondence/letter.css"


class StaticOnlyFetcher(URLFetcher):
    """Serves ``https://ubpanel.invalid/static/<path>`` from the app's static files; refuses the
    rest and remembers what it refused."""

    def __init__(self):
        super().__init__(allowed_protocols=["https"])
        self.served: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if url.startswith(STATIC_PREFIX):
            path = _static_file(url.removeprefix(STATIC_PREFIX).split("?")[0])
            if path:
                with open(path, "rb") as file:
                    body = file.read()
                self.served.append(url)
                mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})
        self.refused.append(url)
        raise ValueError(f"Letters may use the app's own static files only, not {url}")


def _static_file(relative: str) -> str | None:
    """The file a static path names, or None: nothing outside the static folders, no folder."""
    if not relative or relative.startswith("/") or ".." in relative or "\\" in relative:
        return None
    try:
        path = finders.find(relative)
    except SuspiciousFileOperation:
        return None
    return path if path and os.path.isfile(path) else None


@dataclass
class Rendered:
    pdf: bytes
    served: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def letter_context(letter: Letter, *, variant: str = PdfVariant.STANDARD, for_pdf: bool) -> dict:
    """What the letter template needs, for the PDF and for the browser preview alike.

    ``body``: the letter itself for the variant - the easy-read version says the same things, one
    sentence to a line under plain headings; the removal letter has its own.

    ``appeal_by``: the last day to ask for a review or appeal, 28 working days after the letter's
    date (England and Wales bank holidays excluded), printed beside the paragraph that says so.
    """
    dated = letter.sent_on or timezone.localdate()
    has_deadline = letter.kind in (LetterKind.LOW_MEDIUM, LetterKind.HIGH)
    return {
        "letter": letter,
        "large_print": variant == PdfVariant.LARGE_PRINT,
        "easy_read": variant == PdfVariant.EASY_READ,
        "variant": variant,
        "stylesheet": STATIC_PREFIX + STYLESHEET if for_pdf else None,
        "for_pdf": for_pdf,
        "body": _body(letter, variant),
        "dated": dated,
        "appeal_by": appeal_deadline(dated) if has_deadline else None,
        "spoc_introduction": content.SPOC_NOTICE_INTRODUCTION,
        "characteristics": Characteristic.choices,
        "council_name": settings.COUNCIL_NAME,
        "return_address": settings.LETTER_RETURN_ADDRESS,
    }


def _body(letter: Letter, variant: str) -> str:
    if letter.kind == LetterKind.REMOVAL:
        return "correspondence/_letter_body_removal.html"  # every variant, one template
    if letter.kind == LetterKind.SPOC_NOTICE:
        return "correspondence/_letter_body_spoc_notice.html"  # every variant, one template
    if variant == PdfVariant.EASY_READ:
        return "correspondence/_letter_body_easy_read.html"
    return "correspondence/_letter_body.html"


def letter_html(letter: Letter, *, variant: str = PdfVariant.STANDARD, for_pdf: bool) -> str:
    return render_to_string(
        "correspondence/letter_document.html",
        letter_context(letter, variant=variant, for_pdf=for_pdf),
    )


_fonts = threading.local()


def _font_config() -> FontConfiguration:
    """One font configuration per thread and process, kept between letters.

    WeasyPrint would otherwise make a new one (a new Pango font map, cold caches) for every PDF:
    about 30 ms a letter (bench/letters: p50 223 -> 193 ms, p95 331 -> 294 ms). Letters declare
    no @font-face, so nothing is ever added to it. Not shared across threads (Pango's maps are not thread-safe) or
    across a fork (a prefork child makes its own).
    """
    if getattr(_fonts, "pid", None) != os.getpid():
        _fonts.config = FontConfiguration()
        _fonts.pid = os.getpid()
    return _fonts.config


def letter_pdf(letter: Letter, variant: str) -> Rendered:
    fetcher = StaticOnlyFetcher()
    html = letter_html(letter, variant=variant, for_pdf=True)
    # Tagged PDF: headings and reading order for screen readers (it costs nothing measurable).
    pdf = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf(
        font_config=_font_config(), pdf_tags=True
    )
    return Rendered(pdf=pdf, served=fetcher.served, refused=fetcher.refused)
