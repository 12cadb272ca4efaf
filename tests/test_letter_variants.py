"""Letters offer the large-print or easy-read version when the person needs it (issue 14, point 4).

Standard and large print are made for every approved letter; the easy-read version when the
person's current adjustments call for it (dyslexia, a learning disability). The letter page and
the approve and send steps say which version to send - the need behind it (health) only to those
who may see special-category data; the email attaches it beside the standard letter; the
easy-read PDF carries every item the protocol requires of its kind."""

import re
import shutil
import statistics
import subprocess
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from correspondence import services
from correspondence.letter_pdfs import letter_pdf_make
from correspondence.models import PdfVariant
from correspondence.pdf import letter_pdf
from correspondence.variants import VARIANT_FOR_NEED, variants_to_make
from referrals.models import Adjustment, AdjustmentNeed, AdjustmentSource, PersonEmail
from ubpanel.roles import Role

from .factories import ApprovedLetterFactory, LetterFactory, UserFactory
from .test_letter_pdf import ELEMENTS, KINDS, QUESTIONNAIRE_STARTS, _word_heights
from .test_letter_workflow import _decided, _manager_owning

pytestmark = pytest.mark.django_db

NEEDS_EASY_READ = "This person needs an easy-read letter (recorded reasonable adjustment)"
SEND_EASY_READ = "Send the easy-read version."


def _needs(person, need, **fields):
    return Adjustment.objects.create(
        person=person, need=need, source=AdjustmentSource.PANEL, **fields
    )


def _client(user):
    client = Client()
    client.force_login(user)
    return client


# --- Which versions are made ----------------------------------------------------------------------


def test_the_mapping_sends_sight_to_large_print_and_reading_to_easy_read():
    assert VARIANT_FOR_NEED == {
        AdjustmentNeed.VISUAL_IMPAIRMENT: PdfVariant.LARGE_PRINT,
        AdjustmentNeed.DYSLEXIA: PdfVariant.EASY_READ,
        AdjustmentNeed.LEARNING_DISABILITY: PdfVariant.EASY_READ,
    }


@pytest.mark.parametrize(
    ("needs", "made"),
    [
        ([], {"standard", "large_print"}),
        ([AdjustmentNeed.VISUAL_IMPAIRMENT], {"standard", "large_print"}),
        ([AdjustmentNeed.DYSLEXIA], {"standard", "large_print", "easy_read"}),
        ([AdjustmentNeed.LEARNING_DISABILITY], {"standard", "large_print", "easy_read"}),
        ([AdjustmentNeed.HEARING_IMPAIRMENT, AdjustmentNeed.BSL], {"standard", "large_print"}),
    ],
)
def test_the_versions_made_follow_the_persons_needs(needs, made):
    letter = ApprovedLetterFactory()
    for need in needs:
        _needs(letter.person, need)

    letter_pdf_make(letter_id=letter.pk, version=1)

    assert set(letter.pdfs.values_list("variant", flat=True)) == made


def test_an_ended_adjustment_no_longer_calls_for_the_easy_read_version():
    letter = ApprovedLetterFactory()
    _needs(letter.person, AdjustmentNeed.DYSLEXIA, ended_at=timezone.now(), end_reason="Moved.")

    assert variants_to_make(letter) == ["standard", "large_print"]


def test_the_sweeper_makes_the_easy_read_version_for_a_need_recorded_after_approval(
    monkeypatch, django_assert_num_queries
):
    from correspondence import tasks

    letter = ApprovedLetterFactory()
    letter_pdf_make(letter_id=letter.pk, version=1)
    done = ApprovedLetterFactory()
    letter_pdf_make(letter_id=done.pk, version=1)
    _needs(letter.person, AdjustmentNeed.LEARNING_DISABILITY)
    queued = []
    monkeypatch.setattr(tasks.letter_render_pdf, "delay", lambda **kwargs: queued.append(kwargs))

    with django_assert_num_queries(1):
        assert tasks.letters_render_missing() == 1

    assert queued == [{"letter_id": letter.pk, "version": 1}]
    assert [pdf.variant for pdf in letter_pdf_make(letter_id=letter.pk, version=1)] == ["easy_read"]


# --- The offer on the letter page ---------------------------------------------------------------


@pytest.fixture
def letter():
    item = _decided()
    manager = _manager_owning(item)
    assurance = UserFactory(username="assurance", roles=[Role.ASSURANCE_OFFICER])
    letter = services.letter_draft_from_decision(actor=assurance, decision=item.decision)
    letter.manager = manager
    letter.assurance = assurance
    return letter


def _page(user, letter) -> str:
    return (
        _client(user)
        .get(reverse("correspondence:letter_detail", args=[letter.pk]))
        .content.decode()
    )


def test_those_who_may_see_health_are_told_the_person_needs_the_easy_read_letter(letter):
    _needs(letter.person, AdjustmentNeed.DYSLEXIA, details="Easy-read letters.")

    page = _page(letter.assurance, letter)

    assert NEEDS_EASY_READ + ": send the easy-read version." in page


def test_the_sender_who_may_not_see_health_is_told_only_which_version_to_send(letter):
    _needs(letter.person, AdjustmentNeed.LEARNING_DISABILITY, details="Easy-read letters.")

    page = _page(letter.manager, letter)

    # Above the approve button.
    offer = page.split('data-testid="letter-offer"')[1].split("</div>")[0]
    assert SEND_EASY_READ in offer
    for health in ("needs", "adjustment", "Learning disability", "Easy-read letters."):
        assert health not in offer
    assert page.index('data-testid="letter-offer"') < page.index('data-testid="approve"')
    assert "Learning disability" not in page
    assert "recorded reasonable adjustment" not in page


def test_no_offer_is_made_when_the_person_needs_no_other_version(letter):
    page = _page(letter.manager, letter)

    assert "letter-offer" not in page


def test_the_send_step_offers_the_version_and_the_downloads_list_every_one_made(
    letter, django_capture_on_commit_callbacks
):
    _needs(letter.person, AdjustmentNeed.DYSLEXIA)
    with django_capture_on_commit_callbacks(execute=True):
        services.letter_approve(actor=letter.manager, letter=letter)
    client = _client(letter.manager)

    page = client.get(reverse("correspondence:letter_detail", args=[letter.pk])).content.decode()

    assert 'data-testid="letter-offer-send"' in page
    assert SEND_EASY_READ in page
    for testid in ("download-pdf", "download-large_print", "download-easy_read"):
        assert f'data-testid="{testid}"' in page
    assert "Download the easy read PDF" in page
    assert "Send this version" in page
    download = client.get(reverse("correspondence:letter_pdf", args=[letter.pk, "easy_read"]))
    assert download.status_code == 200
    assert f"{letter.reference}-v1-easy-read.pdf" in download["Content-Disposition"]
    preview = client.get(
        reverse("correspondence:letter_preview", args=[letter.pk]) + "?variant=easy_read"
    ).content.decode()
    assert "letter--easy-read" in preview
    assert "What you need to do" in preview


def test_the_letter_page_asks_the_database_nothing_more_to_make_the_offer(letter):
    client = _client(letter.manager)
    url = reverse("correspondence:letter_detail", args=[letter.pk])
    client.get(url)  # the session settled

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries.captured_queries)

    without = count()
    _needs(letter.person, AdjustmentNeed.DYSLEXIA)
    _needs(letter.person, AdjustmentNeed.VISUAL_IMPAIRMENT)
    with_needs = count()

    assert with_needs == without
    # As many as before the offer (measured on the commit before it: 10 on a first visit):
    # the session, the user and their roles, the letter with its needs, its PDFs, its returns,
    # the audit row.
    assert without <= 10
    assert "Send the large-print and easy-read versions." in _page(letter.manager, letter)


# --- The email ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("need", "attached"),
    [
        (None, ["", "-large-print"]),
        (AdjustmentNeed.DYSLEXIA, ["", "-large-print", "-easy-read"]),
    ],
)
def test_the_emailed_letter_attaches_the_standard_letter_and_the_version_needed(
    letter, need, attached, django_capture_on_commit_callbacks
):
    manager = letter.manager
    if need:
        _needs(letter.person, need)
    PersonEmail.objects.create(
        person=letter.person, email="gary@example.com", email_normalised="gary@example.com"
    )
    letter = services.letter_update(
        actor=letter.assurance, letter=letter, fields={"recipient_email": "gary@example.com"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.letter_approve(actor=manager, letter=letter)
    with django_capture_on_commit_callbacks(execute=True):
        services.letter_send(actor=manager, letter=letter, method="email")

    (sent,) = [m for m in mail.outbox if m.to == ["gary@example.com"]]
    assert [name for name, _, _ in sent.attachments] == [
        f"{letter.reference}{suffix}.pdf" for suffix in attached
    ]
    assert all(body.startswith(b"%PDF") for _, body, _ in sent.attachments)


# --- The easy-read PDF carries everything ---------------------------------------------------------

needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdftoppm")),
    reason="poppler-utils (pdftotext) is not installed",
)


def _squash(text: str) -> str:
    return "".join(text.split())


def _text(pdf: bytes, folder: Path) -> str:
    """The text as a person reads it, without the page numbers a page break puts mid-paragraph."""
    path = folder / "easy.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return "\n".join(
        line for line in text.splitlines() if not re.fullmatch(r"\s*Page \d+ of \d+\s*", line)
    )


EASY_READ_HEADINGS = {
    "low_medium": ["What happened", "What we will do", "What you need to do", "Who to contact"],
    "high": ["What happened", "What we will do", "What you need to do", "How to appeal"],
    "expected_behaviour": ["What happened", "What you need to do", "Who to contact"],
}


@needs_poppler
@pytest.mark.parametrize("kind", KINDS)
def test_the_easy_read_pdf_carries_every_item_the_protocol_requires_of_its_kind(kind, tmp_path):
    letter = LetterFactory(**KINDS[kind], email_divert_notice="Your emails go to Sam Spoc.")

    text = _text(letter_pdf(letter, PdfVariant.EASY_READ).pdf, tmp_path)

    squashed = _squash(text)
    for field in [*ELEMENTS[kind], "email_divert_notice"]:
        assert _squash(getattr(letter, field)) in squashed, f"{field} is not in the easy read"
    assert _squash(f"Where: {letter.incident_location}") in squashed
    assert _squash(f"When: {letter.incident_when}") in squashed
    for heading in EASY_READ_HEADINGS[kind]:
        assert _squash(heading) in squashed
    assert _squash(f"Our reference: {letter.reference}") in squashed
    assert _squash(f"Dear {letter.recipient_name},") in squashed
    assert _squash(letter.sender_name) in squashed
    if kind == "expected_behaviour":
        assert _squash(QUESTIONNAIRE_STARTS) not in squashed
    else:
        assert "28workingdays" in squashed
        assert "Yourlettermustreachusby" in squashed  # the date worked out
        assert _squash(QUESTIONNAIRE_STARTS) in squashed
    if kind == "high":
        assert "ceaseanddesist" in squashed


@needs_poppler
def test_the_easy_read_letter_is_printed_larger_than_the_standard_one(tmp_path):
    letter = LetterFactory()

    standard = statistics.median(_word_heights(letter_pdf(letter, "standard").pdf, tmp_path))
    easy = statistics.median(_word_heights(letter_pdf(letter, "easy_read").pdf, tmp_path))

    # 16 pt against 11 pt: at least 14 pt, like large print's scale.
    assert easy >= 1.3 * standard


@needs_poppler
def test_the_easy_read_letter_puts_one_sentence_on_each_line(tmp_path):
    letter = LetterFactory(
        incident_description="You shouted at the receptionist. You threw a chair.",
    )

    lines = [
        line.strip()
        for line in _text(letter_pdf(letter, PdfVariant.EASY_READ).pdf, tmp_path).splitlines()
    ]

    assert "You shouted at the receptionist." in lines
    assert "You threw a chair." in lines
