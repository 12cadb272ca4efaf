"""The letter as a PDF: it says everything the protocol asks, large print is larger, what staff
type is printed as text and fetches nothing, and each version's PDFs are made once.

The text is read back out of the PDF with poppler's ``pdftotext``, as a person would read it;
every page is also turned into a PNG (``pdftoppm``) in artifacts/screenshots/ to look at.
"""

import hashlib
import http.server
import logging
import os
import shutil
import statistics
import subprocess
import threading
import urllib.request
from pathlib import Path

import pytest
from django.core.files.storage import storages

from correspondence.models import Characteristic, LetterPdf, PdfVariant
from correspondence.pdf import STATIC_PREFIX, STYLESHEET, StaticOnlyFetcher, letter_pdf
from correspondence.services import letter_approve, letter_pdf_make, letter_update
from correspondence.variants import ALWAYS_MADE
from ubpanel.roles import Role

from .factories import ApprovedLetterFactory, LetterFactory

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
pytestmark = pytest.mark.django_db

if not (shutil.which("pdftotext") and shutil.which("pdftoppm")):
    # CI installs it (.ci/run) and must not skip; elsewhere say what is missing.
    if os.environ.get("UBPANEL_REQUIRE_SERVICES") == "1":
        raise RuntimeError(
            "poppler-utils (pdftotext, pdftoppm) is not installed: .ci/run installs it"
        )
    pytest.skip("poppler-utils (pdftotext, pdftoppm) is not installed", allow_module_level=True)

KINDS = {
    "low_medium": {"low_medium": True},
    "high": {},
    "expected_behaviour": {"of_expected_behaviour": True},
}
# What the protocol says each kind of letter must tell the individual, as fields of the letter.
_EVERY_LETTER = [
    "incident_description",
    "incident_location",
    "incident_when",
    "why_unreasonable",
    "spoc",
    "contact_restrictions",
    "service_restrictions",
    "consequences_of_breach",
]
ELEMENTS = {
    "low_medium": [*_EVERY_LETTER, "logging_statement", "review_or_appeal", "ombudsman"],
    "high": [
        *_EVERY_LETTER,
        "cease_and_desist",
        "logging_statement",
        "review_or_appeal",
        "ombudsman",
    ],
    "expected_behaviour": [*_EVERY_LETTER, "expected_behaviour"],
}
HEADINGS = {
    "low_medium": ["How to ask for a review", "The Local Government and Social Care Ombudsman"],
    "high": [
        "You must cease and desist",
        "How to appeal",
        "The Local Government and Social Care Ombudsman",
    ],
    "expected_behaviour": ["What the council expects of you"],
}
QUESTIONNAIRE_STARTS = "Equalities and Diversity questionnaire Reference:"


def _squash(text: str) -> str:
    """Without any white space: a line may wrap anywhere in the PDF."""
    return "".join(text.split())


def _write(pdf: bytes, folder: Path, name="letter.pdf") -> Path:
    path = folder / name
    path.write_bytes(pdf)
    return path


def _pages(pdf: bytes, folder: Path) -> list[str]:
    """The text of each page, as ``pdftotext`` reads it (pages end with a form feed)."""
    path = _write(pdf, folder)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def _letter_and_questionnaire(pages: list[str]) -> tuple[str, str]:
    """The letter's pages and the questionnaire's pages, as two texts."""
    starts = [i for i, page in enumerate(pages) if _squash(QUESTIONNAIRE_STARTS) in _squash(page)]
    if not starts:
        return "\n".join(pages), ""
    return "\n".join(pages[: starts[0]]), "\n".join(pages[starts[0] :])


@pytest.mark.parametrize("kind", KINDS)
def test_the_pdf_says_everything_the_protocol_requires_of_its_kind(kind, tmp_path):
    letter = LetterFactory(**KINDS[kind])

    pages = _pages(letter_pdf(letter, PdfVariant.STANDARD).pdf, tmp_path)

    body, _ = _letter_and_questionnaire(pages)
    squashed = _squash(body)
    for field in ELEMENTS[kind]:
        value = getattr(letter, field)
        assert value.strip(), f"the factory leaves {field} empty"
        assert _squash(value) in squashed, f"{field} is not in the {kind} letter"
    assert _squash(f"Where: {letter.incident_location}") in squashed
    assert _squash(f"When: {letter.incident_when}") in squashed
    for heading in HEADINGS[kind]:
        assert _squash(heading) in squashed
    assert _squash(f"Our reference: {letter.reference}") in squashed
    assert _squash(f"Dear {letter.recipient_name},") in squashed
    assert _squash(letter.sender_name) in squashed
    if kind == "expected_behaviour":
        assert "12months" not in squashed
    else:
        assert "12months" in squashed
    if kind != "high":
        assert "ceaseanddesist" not in squashed.lower()
        assert "Howtoappeal" not in squashed
    if kind == "high":
        assert "Howtoaskforareview" not in squashed
    if kind == "expected_behaviour":
        assert "Ombudsman" not in squashed


@pytest.mark.parametrize("kind", ["low_medium", "high"])
def test_low_medium_and_high_letters_enclose_the_questionnaire_with_all_nine_characteristics(
    kind, tmp_path
):
    letter = LetterFactory(**KINDS[kind])

    pages = _pages(letter_pdf(letter, PdfVariant.STANDARD).pdf, tmp_path)

    body, questionnaire = _letter_and_questionnaire(pages)
    assert questionnaire, "no Equalities and Diversity questionnaire pages"
    assert _squash("An Equalities and Diversity questionnaire is enclosed") in _squash(body)
    # Its own pages: it starts on a fresh page, after the signature.
    assert "Yourssincerely" in _squash(body)
    assert "Yourssincerely" not in _squash(questionnaire)
    assert _squash(f"Reference: {letter.reference}.") in _squash(questionnaire)
    assert len(Characteristic.choices) == 9  # Appendix A; the Equality Act 2010
    for _, label in Characteristic.choices:
        assert _squash(label) in _squash(questionnaire), f"{label} is not on the questionnaire"


def test_a_letter_of_expected_behaviour_has_no_questionnaire(tmp_path):
    letter = LetterFactory(of_expected_behaviour=True)

    pages = _pages(letter_pdf(letter, PdfVariant.STANDARD).pdf, tmp_path)

    text = _squash("\n".join(pages))
    assert "EqualitiesandDiversity" not in text
    for label in ("Gender reassignment", "Sexual orientation", "Religion or belief"):
        assert _squash(label) not in text


@pytest.mark.parametrize("variant", PdfVariant.values)
@pytest.mark.parametrize("kind", KINDS)
def test_each_page_of_each_letter_is_turned_into_a_png_to_look_at(kind, variant, tmp_path):
    letter = LetterFactory(**KINDS[kind])
    path = _write(letter_pdf(letter, variant).pdf, tmp_path)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    prefix = f"test_each_page_of_each_letter_is_turned_into_a_png_to_look_at--{kind}-{variant}"
    for old in SCREENSHOTS.glob(f"{prefix}-*.png"):
        old.unlink()

    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(path), str(SCREENSHOTS / prefix)], check=True
    )

    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    page_count = int(
        next(line for line in info.stdout.splitlines() if line.startswith("Pages:"))[6:]
    )
    pngs = list(SCREENSHOTS.glob(f"{prefix}-*.png"))
    assert len(pngs) == page_count
    assert all(png.stat().st_size > 1000 for png in pngs)


def _word_heights(pdf: bytes, folder: Path) -> list[float]:
    """The height of every word's box (``pdftotext -bbox``): it follows the font size."""
    path = _write(pdf, folder, "bbox.pdf")
    html = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    heights = []
    for line in html.splitlines():
        if "<word " in line:
            attributes = dict(
                part.split("=") for part in line.split(">")[0].split()[1:] if "=" in part
            )
            heights.append(
                float(attributes["yMax"].strip('"')) - float(attributes["yMin"].strip('"'))
            )
    return heights


def test_the_large_print_letter_is_printed_larger(tmp_path):
    letter = LetterFactory()

    standard = letter_pdf(letter, PdfVariant.STANDARD).pdf
    large = letter_pdf(letter, PdfVariant.LARGE_PRINT).pdf

    standard_height = statistics.median(_word_heights(standard, tmp_path))
    large_height = statistics.median(_word_heights(large, tmp_path))
    # 17 pt against 11 pt.
    assert large_height >= 1.4 * standard_height
    assert len(_pages(large, tmp_path)) > len(_pages(standard, tmp_path))


# --- Nothing is fetched ---------------------------------------------------------------------------


class _Listener(http.server.ThreadingHTTPServer):
    """Counts every connection made to it, whether or not a whole request follows."""

    def __init__(self):
        self.connections = []
        self.requests = []
        listener = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                listener.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/css")
                self.end_headers()
                self.wfile.write(b"body { color: red }")

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    def verify_request(self, request, client_address):
        self.connections.append(client_address)
        return True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def listener():
    """A tiny HTTP server on a free port of this machine, to show nobody calls it."""
    server = _Listener()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _hostile(url: str) -> dict[str, str]:
    """What someone might paste into a letter, meaning harm or not."""
    return {
        "recipient_name": f"<script>fetch('{url}/script')</script>Jo",
        "recipient_address": f"1 High Street\n<link rel=stylesheet href={url}/address.css>",
        "incident_description": f"<img src={url}/x.png> Threw a chair.",
        "incident_location": "<link rel=stylesheet href=file:///etc/passwd>",
        "incident_when": "file:///etc/passwd",
        "why_unreasonable": f'<iframe src="{url}/frame"></iframe> It frightened staff.',
        "spoc": f"Sam Spoc <style>body {{ background: url({url}/style.png) }}</style>",
        "contact_restrictions": f"background-image: url({url}/bare.png); @import url({url}/import.css);",
        "service_restrictions": f'<object data="{url}/object"></object><svg><image href="{url}/svg.png"/></svg>',
        "closing": f'<base href="{url}/"><a href="{url}/link">a link</a>',
    }


@pytest.mark.parametrize("variant", PdfVariant.values)
def test_hostile_input_is_printed_as_text_and_nothing_is_fetched(
    variant, listener, tmp_path, caplog
):
    hostile = _hostile(listener.url)
    letter = LetterFactory(**hostile)

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        rendered = letter_pdf(letter, variant)

    # The fetcher served the letter's stylesheet and was asked for nothing else.
    assert rendered.served == [STATIC_PREFIX + STYLESHEET]
    assert rendered.refused == []
    assert [r for r in caplog.records if r.name.startswith("weasyprint")] == []
    assert listener.connections == []
    text = _squash("\n".join(_pages(rendered.pdf, tmp_path)))
    for field, value in hostile.items():
        assert _squash(value) in text, f"{field} is not printed as it was typed"
    # The listener does answer: a request made on purpose is seen.
    with urllib.request.urlopen(f"{listener.url}/control", timeout=5) as response:  # noqa: S310
        assert response.status == 200
    assert listener.requests == ["/control"]


@pytest.mark.parametrize(
    "url",
    [
        "{listener}/letter.css",
        "https://example.com/static/correspondence/letter.css",
        "file:///etc/passwd",
        f"file://{ROOT}/correspondence/static/correspondence/letter.css",
        "data:text/css,body%7Bbackground:url(x)%7D",
        "https://ubpanel.invalid/static/../settings.py",
        "https://ubpanel.invalid/static/correspondence/../../ubpanel/settings.py",
        "https://ubpanel.invalid/static/%2e%2e/ubpanel/settings.py",
        "https://ubpanel.invalid/static//etc/passwd",
        "https://ubpanel.invalid/static/",
        "https://ubpanel.invalid/static/correspondence/",
        "https://ubpanel.invalid/letters/1/LET-00001-v1-standard.pdf",
    ],
)
def test_the_fetcher_refuses_everything_but_the_apps_static_files(url, listener):
    url = url.format(listener=listener.url)
    fetcher = StaticOnlyFetcher()

    with pytest.raises(ValueError, match="static files only"):
        fetcher.fetch(url)

    assert fetcher.refused == [url]
    assert fetcher.served == []
    assert listener.connections == []


def test_the_fetcher_serves_the_letter_stylesheet_from_the_static_files():
    fetcher = StaticOnlyFetcher()

    response = fetcher.fetch(STATIC_PREFIX + STYLESHEET)

    expected = (ROOT / "correspondence" / "static" / STYLESHEET).read_bytes()
    assert response.read() == expected
    assert response.headers.get_content_type() == "text/css"
    assert fetcher.served == [STATIC_PREFIX + STYLESHEET]
    assert fetcher.refused == []


# --- Made once --------------------------------------------------------------------------------


def _folder(letter) -> Path:
    return Path(storages["private"].location) / "letters" / str(letter.pk)


def _name(letter, version, variant) -> str:
    return f"{letter.reference}-v{version}-{variant}.pdf"


def _stored(letter) -> set[tuple[int, str]]:
    return set(LetterPdf.objects.filter(letter=letter).values_list("version", "variant"))


def _assert_files_match_their_rows(letter):
    for pdf in LetterPdf.objects.filter(letter=letter):
        body = (_folder(letter) / Path(pdf.file.name).name).read_bytes()
        assert pdf.file.name == f"letters/{letter.pk}/{_name(letter, pdf.version, pdf.variant)}"
        assert body.startswith(b"%PDF-")
        assert pdf.sha256 == hashlib.sha256(body).hexdigest()
        assert pdf.size == len(body)


def test_making_the_pdfs_twice_makes_one_of_each_variant():
    # Standard and large print: the easy-read version is made only on need
    # (tests/test_letter_variants.py).
    letter = ApprovedLetterFactory()

    first = letter_pdf_make(letter_id=letter.pk, version=1)
    second = letter_pdf_make(letter_id=letter.pk, version=1)

    assert {pdf.variant for pdf in first} == set(ALWAYS_MADE)
    assert second == []
    assert _stored(letter) == {(1, variant) for variant in ALWAYS_MADE}
    assert sorted(p.name for p in _folder(letter).iterdir()) == sorted(
        _name(letter, 1, variant) for variant in ALWAYS_MADE
    )
    _assert_files_match_their_rows(letter)


def test_a_stale_version_makes_nothing_and_each_version_gets_its_own_pdfs(
    make_user, django_capture_on_commit_callbacks
):
    legal = make_user(Role.LEGAL_SERVICES)
    letter = ApprovedLetterFactory()
    letter_pdf_make(letter_id=letter.pk, version=1)

    letter = letter_update(
        actor=legal, letter=letter, fields={"incident_when": "4 March 2026 at 09:30"}
    )
    assert letter.version == 2
    assert letter_pdf_make(letter_id=letter.pk, version=1) == []  # stale
    assert letter_pdf_make(letter_id=letter.pk, version=2) == []  # a draft: not yet
    with django_capture_on_commit_callbacks(execute=True):
        letter_approve(actor=legal, letter=letter)  # queues version 2's PDFs (run in-process)
    assert letter_pdf_make(letter_id=letter.pk, version=1) == []
    assert letter_pdf_make(letter_id=letter.pk, version=2) == []

    assert _stored(letter) == {(v, variant) for v in (1, 2) for variant in ALWAYS_MADE}
    assert sorted(p.name for p in _folder(letter).iterdir()) == sorted(
        _name(letter, v, variant) for v in (1, 2) for variant in ALWAYS_MADE
    )
    _assert_files_match_their_rows(letter)


def test_a_file_left_by_a_run_that_died_is_replaced_not_kept_beside_a_second_copy():
    letter = ApprovedLetterFactory()
    folder = _folder(letter)
    folder.mkdir(parents=True)
    for variant in ALWAYS_MADE:
        (folder / _name(letter, 1, variant)).write_bytes(b"half a PDF from a worker that died")

    made = letter_pdf_make(letter_id=letter.pk, version=1)

    assert len(made) == len(ALWAYS_MADE)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        _name(letter, 1, variant) for variant in ALWAYS_MADE
    )
    _assert_files_match_their_rows(letter)


def test_the_sweeper_queues_each_letter_whose_current_version_lacks_a_pdf_in_one_query(
    monkeypatch, django_assert_num_queries
):
    from correspondence import tasks

    done = ApprovedLetterFactory()
    letter_pdf_make(letter_id=done.pk, version=1)
    half_done = ApprovedLetterFactory()
    letter_pdf_make(letter_id=half_done.pk, version=1)
    LetterPdf.objects.filter(letter=half_done, variant=PdfVariant.LARGE_PRINT).delete()
    never_made = ApprovedLetterFactory(version=3)
    LetterFactory()  # a draft has no PDFs yet, and needs none
    queued = []
    monkeypatch.setattr(tasks.letter_render_pdf, "delay", lambda **kwargs: queued.append(kwargs))

    with django_assert_num_queries(1):
        assert tasks.letters_render_missing() == 2

    assert sorted(queued, key=lambda q: q["letter_id"]) == [
        {"letter_id": half_done.pk, "version": 1},
        {"letter_id": never_made.pk, "version": 3},
    ]


def test_the_pdf_is_tagged_for_screen_readers_and_says_where_to_send_the_questionnaire(
    settings, tmp_path
):
    from correspondence.pdf import letter_pdf

    from .factories import LetterFactory

    settings.LETTER_RETURN_ADDRESS = "Assurance Team, County Hall, Dorchester, DT1 1XJ"
    rendered = letter_pdf(LetterFactory.build(), "standard")

    info = subprocess.run(
        ["pdfinfo", str(_write(rendered.pdf, tmp_path))], capture_output=True, text=True, check=True
    ).stdout
    assert "Tagged:          yes" in info
    text = _squash(" ".join(_pages(rendered.pdf, tmp_path)))
    assert _squash("Assurance Team, County Hall, Dorchester, DT1 1XJ") in text
