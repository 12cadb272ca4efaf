"""Removal not communicated, made visible (issue 14, point 5).

The protocol: "Removal from the list will not be communicated to the perpetrator as this may
re-oxygenate the issues." The ICO's guidance on warning markers is to tell people. Where removal is
decided the app says so, with the setting that applies (NOTIFY_ON_REMOVAL, off by default); each
removal decision records, as it becomes final, whether the individual is told; and with the
setting on the entry's record owner sends a removal letter, which a removal never cancels."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from correspondence import services as letters
from correspondence.models import Letter, LetterKind, LetterStatus, PdfVariant
from correspondence.pdf import letter_pdf
from correspondence.selectors import decisions_waiting_for_letters
from panel.models import ItemKind, Outcome, Seat
from panel.models.decisions import RemovalCommunication
from referrals.models import PersonAddress
from ubpanel.entry_status import EntryStatus
from ubpanel.roles import Role

from .factories import (
    ActiveEntryFactory,
    AgendaItemFactory,
    EntryFactory,
    LetterFactory,
    UserFactory,
)
from .panel_setup import carry, open_meeting, propose, seat_holders

pytestmark = pytest.mark.django_db

PROTOCOL = "Removal from the list will not be communicated to the perpetrator"
ICO = "guidance on warning markers is to tell people"
NOTIFY_ON = override_settings(NOTIFY_ON_REMOVAL=True)


@pytest.fixture
def holders():
    return seat_holders()


@pytest.fixture
def meeting(holders):
    return open_meeting(holders)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _review(meeting):
    entry = ActiveEntryFactory()
    PersonAddress.objects.create(
        person=entry.person, address="2 North Square, Dorchester", postcode="DT1 1HZ"
    )
    return AgendaItemFactory(meeting=meeting, kind=ItemKind.REVIEW, referral=None, entry=entry)


def _removed(holders, meeting, outcome=Outcome.REMOVE):
    if outcome == Outcome.NOT_RATIFY:
        item = AgendaItemFactory(
            meeting=meeting, kind=ItemKind.RATIFICATION, referral=None, entry=EntryFactory()
        )
    else:
        item = _review(meeting)
    _, decision = carry(holders, item, outcome=outcome, reasons="No repeat in twelve months.")
    item.refresh_from_db()
    return item, decision


# --- Recorded in the decision ---------------------------------------------------------------------


@pytest.mark.parametrize("outcome", [Outcome.REMOVE, Outcome.NOT_RATIFY])
def test_a_removal_decision_records_that_it_is_not_communicated_by_default(
    holders, meeting, outcome
):
    item, decision = _removed(holders, meeting, outcome)

    assert item.entry.status == EntryStatus.REMOVED
    assert decision.removal_communication == RemovalCommunication.NOT_COMMUNICATED


@pytest.mark.parametrize("outcome", [Outcome.REMOVE, Outcome.NOT_RATIFY])
def test_with_notify_on_removal_a_removal_decision_records_that_it_is_communicated(
    holders, meeting, outcome
):
    with NOTIFY_ON:
        _, decision = _removed(holders, meeting, outcome)

    assert decision.removal_communication == RemovalCommunication.COMMUNICATED


def test_a_decision_that_removes_no_one_records_nothing_about_removal(holders, meeting):
    with NOTIFY_ON:
        _, decision = carry(holders, _review(meeting), outcome=Outcome.KEEP)

    assert decision.removal_communication == ""


def test_the_setting_is_read_when_the_decision_becomes_final_not_when_it_is_proposed(
    holders, meeting
):
    item = _review(meeting)
    with NOTIFY_ON:
        propose(holders[Seat.CHAIR], item, outcome=Outcome.REMOVE)
    _, decision = carry(holders, item, outcome=Outcome.REMOVE)

    assert decision.removal_communication == RemovalCommunication.NOT_COMMUNICATED


# --- Shown where removal is decided ---------------------------------------------------------------


def test_the_proposal_for_a_review_shows_the_protocols_departure_and_the_setting(holders, meeting):
    item = _review(meeting)
    chair = _client(holders[Seat.CHAIR])

    page = chair.get(reverse("panel:proposal", args=[item.pk])).content.decode()

    assert 'data-testid="removal-communication"' in page
    assert PROTOCOL in page
    assert ICO in page
    assert "NOTIFY_ON_REMOVAL is off" in page
    assert "they will not be told" in page

    with NOTIFY_ON:
        page = chair.get(reverse("panel:proposal", args=[item.pk])).content.decode()
    assert "NOTIFY_ON_REMOVAL is on" in page
    assert "they will be told by letter" in page
    assert "removal letter from the record owner" in page  # beside the Remove outcome


def test_the_proposal_for_a_new_referral_says_nothing_about_removal(holders, meeting):
    item = AgendaItemFactory(meeting=meeting)

    page = (
        _client(holders[Seat.CHAIR]).get(reverse("panel:proposal", args=[item.pk])).content.decode()
    )

    assert 'data-testid="removal-communication"' not in page


def test_the_item_page_and_the_minutes_show_what_the_removal_decision_recorded(holders, meeting):
    item, decision = _removed(holders, meeting)
    chair = _client(holders[Seat.CHAIR])

    page = chair.get(reverse("panel:item_detail", args=[item.pk])).content.decode()
    minutes = chair.get(reverse("panel:minutes", args=[meeting.pk])).content.decode()

    assert 'data-testid="removal-communication"' in page
    assert PROTOCOL in page
    assert ICO in page
    assert "Recorded in the decision: Not communicated to the individual (the protocol)" in page
    for text in (page, minutes):
        assert 'data-testid="removal-communication-recorded"' in text
        assert "Not communicated to the individual (the protocol)" in text


def test_the_item_page_of_a_communicated_removal_says_the_record_owner_sends_the_letter(
    holders, meeting
):
    with NOTIFY_ON:
        item, _ = _removed(holders, meeting)
        page = (
            _client(holders[Seat.CHAIR])
            .get(reverse("panel:item_detail", args=[item.pk]))
            .content.decode()
        )

    assert "Communicated to the individual by letter (NOTIFY_ON_REMOVAL)" in page
    assert "record owner drafts and sends the removal letter" in page


def test_the_item_page_of_a_decision_that_keeps_them_says_nothing_about_removal(holders, meeting):
    item = _review(meeting)
    carry(holders, item, outcome=Outcome.KEEP)

    page = (
        _client(holders[Seat.CHAIR])
        .get(reverse("panel:item_detail", args=[item.pk]))
        .content.decode()
    )

    assert 'data-testid="removal-communication"' not in page


def test_the_appeal_decision_says_beside_upheld_that_the_removal_is_not_communicated():
    from schedule.appeal_forms import AppealDecisionForm

    hint = AppealDecisionForm().fields["outcome"].choice_hints["upheld"]

    assert PROTOCOL in hint
    assert "ICO's guidance on warning markers is to tell people" in hint
    assert "NOTIFY_ON_REMOVAL is off" in hint
    with NOTIFY_ON:
        assert (
            "NOTIFY_ON_REMOVAL is on"
            in AppealDecisionForm().fields["outcome"].choice_hints["upheld"]
        )


# --- No letter by default; the removal letter with the setting on -------------------------------


@pytest.fixture
def assurance():
    return UserFactory(username="assurance", roles=[Role.ASSURANCE_OFFICER])


def test_by_default_no_letter_of_any_kind_follows_a_removal(holders, meeting, assurance):
    item, decision = _removed(holders, meeting)
    owner = item.entry.record_owner

    with pytest.raises(letters.LetterError, match="never communicated"):
        letters.letter_draft_from_decision(actor=assurance, decision=decision)
    for kind in LetterKind.values:
        with pytest.raises(letters.LetterError, match="removed from the schedule"):
            letters.letter_draft(
                actor=assurance, kind=kind, person=item.entry.person, entry=item.entry
            )
    assert list(decisions_waiting_for_letters(owner)) == []
    assert list(decisions_waiting_for_letters(assurance)) == []
    assert not Letter.objects.exists()


def test_a_decision_recorded_as_not_communicated_gets_no_letter_when_the_setting_comes_on_later(
    holders, meeting, assurance
):
    item, decision = _removed(holders, meeting)

    with NOTIFY_ON:
        assert list(decisions_waiting_for_letters(item.entry.record_owner)) == []
        with pytest.raises(letters.LetterError, match="recorded that the removal is not"):
            letters.letter_draft(
                actor=assurance,
                kind=LetterKind.REMOVAL,
                person=item.entry.person,
                entry=item.entry,
                decision=decision,
            )


@NOTIFY_ON
def test_with_the_setting_on_the_record_owner_drafts_approves_and_sends_the_removal_letter(
    holders, meeting, django_capture_on_commit_callbacks
):
    item, decision = _removed(holders, meeting)
    owner = item.entry.record_owner
    client = _client(owner)

    assert list(decisions_waiting_for_letters(owner)) == [decision]
    index = client.get(reverse("correspondence:index")).content.decode()
    assert f'data-testid="draft-{decision.pk}"' in index
    assert "Removal letter from the record owner" in index
    response = client.post(
        reverse("correspondence:letter_from_decision", args=[decision.pk]), follow=True
    )
    assert response.status_code == 200
    letter = Letter.objects.get(decision=decision)
    assert letter.kind == LetterKind.REMOVAL
    assert letter.entry == item.entry
    assert "no longer on the council's unreasonable behaviour schedule" in letter.logging_statement
    assert "normal contact arrangements apply" in letter.contact_restrictions
    # Nothing about the behaviour, no appeal, no questionnaire.
    assert (letter.incident_description, letter.why_unreasonable, letter.review_or_appeal) == (
        "",
        "",
        "",
    )
    assert not letter.has_questionnaire
    edit = client.get(reverse("correspondence:letter_edit", args=[letter.pk])).content.decode()
    assert 'name="incident_description"' not in edit
    assert 'name="review_or_appeal"' not in edit
    assert list(decisions_waiting_for_letters(owner)) == []

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("correspondence:letter_approve", args=[letter.pk]))
    letter.refresh_from_db()
    assert letter.status == LetterStatus.APPROVED
    assert set(letter.pdfs.values_list("variant", flat=True)) == {"standard", "large_print"}
    client.post(reverse("correspondence:letter_send", args=[letter.pk]), {"method": "post"})

    letter.refresh_from_db()
    item.entry.refresh_from_db()
    assert letter.status == LetterStatus.SENT
    assert letter.appeal_deadline is None
    assert item.entry.status == EntryStatus.REMOVED
    assert item.entry.notified_on is None


@NOTIFY_ON
def test_with_the_setting_on_only_the_removal_letter_goes_after_a_removal(
    holders, meeting, assurance
):
    item, _ = _removed(holders, meeting)

    for kind in (LetterKind.LOW_MEDIUM, LetterKind.HIGH, LetterKind.EXPECTED_BEHAVIOUR):
        with pytest.raises(letters.LetterError, match="removed from the schedule"):
            letters.letter_draft(
                actor=assurance, kind=kind, person=item.entry.person, entry=item.entry
            )


@NOTIFY_ON
def test_a_removal_letter_is_only_for_an_entry_that_has_been_removed(assurance):
    entry = ActiveEntryFactory()

    with pytest.raises(letters.LetterError, match="still on the schedule"):
        letters.letter_draft(
            actor=assurance, kind=LetterKind.REMOVAL, person=entry.person, entry=entry
        )


@NOTIFY_ON
def test_the_removal_letter_survives_the_cancelling_of_the_entrys_unsent_letters(
    holders, meeting, assurance
):
    item, decision = _removed(holders, meeting)
    removal = letters.letter_draft_from_decision(actor=assurance, decision=decision)
    # A letter drafted before the removal (as the data stood then).
    other = LetterFactory(person=item.entry.person, entry=item.entry, low_medium=True)

    cancelled = letters.letters_cancel_for_entry(
        actor=holders[Seat.CHAIR], entry=item.entry, reason="Removed at review."
    )

    assert [letter.pk for letter in cancelled] == [other.pk]
    removal.refresh_from_db()
    other.refresh_from_db()
    assert removal.status == LetterStatus.DRAFT
    assert other.status == LetterStatus.CANCELLED


# --- The removal letter's words ---------------------------------------------------------------------


needs_poppler = pytest.mark.skipif(
    not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed"
)


def _text(pdf: bytes, folder: Path) -> str:
    path = folder / "letter.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(out.split())


@needs_poppler
@pytest.mark.parametrize("variant", PdfVariant.values)
def test_the_removal_letter_says_they_are_off_the_schedule_and_nothing_about_the_behaviour(
    variant, tmp_path
):
    from correspondence import content

    letter = LetterFactory(
        kind=LetterKind.REMOVAL,
        logging_statement=content.REMOVAL_STATEMENT,
        contact_restrictions=content.REMOVAL_CONTACT,
        cease_and_desist="",
        review_or_appeal="",
        ombudsman="",
    )

    text = _text(letter_pdf(letter, variant).pdf, tmp_path)

    assert "You are no longer on the schedule" in text
    assert "no longer on the council's unreasonable behaviour schedule" in text
    assert "normal contact arrangements apply" in text
    assert f"Dear {letter.recipient_name}" in text
    assert letter.sender_name in text
    # The factory's incident, reasons, restrictions and SPOC are never printed.
    for said in (
        letter.incident_description,
        letter.why_unreasonable,
        letter.service_restrictions,
        letter.consequences_of_breach,
    ):
        assert said[:30] not in text
    for absent in ("appeal", "Equalities and Diversity", "Ombudsman", "12 months"):
        assert absent not in text
