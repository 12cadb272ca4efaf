"""Letters: drafted from the decision, approved by the sender the protocol names, sent, and the
appeal deadline (issue 6)."""

from datetime import date

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from correspondence import services
from correspondence.models import LetterKind, LetterPdf, LetterStatus
from panel import services as panel_services
from panel.models import Seat
from referrals.models import PersonAddress, PersonEmail
from schedule.dates import appeal_deadline, working_days_after
from ubpanel.roles import Role

from .factories import AgendaItemFactory, IncidentFactory, UserFactory
from .panel_setup import open_meeting, propose, seat_holders, vote_all

pytestmark = pytest.mark.django_db

C, COMPLAINTS, HS, CS, ASC, EQ = Seat.values


def _decided(tier="medium", *, more_incidents=(), **fields):
    holders = seat_holders()
    item = AgendaItemFactory(meeting=open_meeting(holders))
    IncidentFactory(
        referral=item.referral,
        occurred_on=date(2026, 11, 2),
        location="Housing office, Dorchester",
        description="Shouted at the duty officer and threatened to come back with a knife.",
    )
    for incident in more_incidents:
        IncidentFactory(referral=item.referral, **incident)
    PersonAddress.objects.create(
        person=item.referral.person,
        address="1 High West Street, Dorchester",
        postcode="DT1 1AA",
        postcode_normalised="DT11AA",
    )
    # No entry goes live without its record owner, the Operations Manager (``_manager_owning``).
    fields.setdefault(
        "record_owner", UserFactory(username="opsmanager", roles=[Role.REFERRING_MANAGER])
    )
    propose(holders[C], item, tier=tier, **fields)
    panel_services.ballot_open(actor=holders[C], item=item)
    vote_all(holders, item, {C: "for", COMPLAINTS: "for", HS: "for", CS: "for"})
    panel_services.ballot_close(actor=holders[C], item=item)
    item.refresh_from_db()
    return item


@pytest.fixture
def approve(django_capture_on_commit_callbacks):
    """Approve, and run what the approval queued on commit (the PDF task runs eagerly in tests)."""

    def run(letter, by):
        with django_capture_on_commit_callbacks(execute=True):
            return services.letter_approve(actor=by, letter=letter)

    return run


@pytest.fixture
def assurance():
    return UserFactory(username="assurance", roles=[Role.ASSURANCE_OFFICER])


@pytest.fixture
def legal():
    return UserFactory(username="legal", roles=[Role.LEGAL_SERVICES])


def _manager_owning(item):
    manager = UserFactory(username="opsmanager", roles=[Role.REFERRING_MANAGER])
    item.entry.record_owner = manager
    item.entry.save()
    return manager


def test_the_letter_is_prefilled_from_the_decision_and_the_referral(assurance):
    item = _decided()
    letter = services.letter_draft_from_decision(actor=assurance, decision=item.decision)

    assert letter.kind == LetterKind.LOW_MEDIUM
    assert letter.entry == item.entry
    assert "threatened to come back with a knife" in letter.incident_description
    assert letter.incident_location == "Housing office, Dorchester"
    assert letter.incident_when == "2 November 2026"
    assert "Pat Spoc" in letter.spoc
    assert "12 months" in letter.logging_statement
    assert letter.review_or_appeal
    assert not letter.cease_and_desist


def test_a_high_risk_decision_drafts_a_cease_and_desist_letter_from_legal_services(legal):
    item = _decided(tier="high")
    letter = services.letter_draft_from_decision(actor=legal, decision=item.decision)

    assert letter.kind == LetterKind.HIGH
    assert "cease and desist" in letter.cease_and_desist
    assert "appeal" in letter.review_or_appeal


def test_a_letter_missing_an_element_cannot_be_approved_and_says_which(assurance):
    item = _decided()
    manager = _manager_owning(item)
    letter = services.letter_draft_from_decision(actor=assurance, decision=item.decision)
    services.letter_update(
        actor=assurance,
        letter=letter,
        fields={"consequences_of_breach": "", "spoc": "Someone else"},
    )

    with pytest.raises(ValidationError) as refused:
        services.letter_approve(actor=manager, letter=letter)

    message = refused.value.message
    assert "the consequences of a breach" in message
    assert "the single point of contact (Pat Spoc)" in message
    letter.refresh_from_db()
    assert letter.status == LetterStatus.DRAFT


@pytest.mark.parametrize("role", [Role.ASSURANCE_OFFICER, Role.LEGAL_SERVICES, Role.PANEL_CHAIR])
def test_only_the_operations_manager_approves_a_low_or_medium_letter(role, assurance):
    item = _decided()
    _manager_owning(item)
    letter = services.letter_draft_from_decision(actor=assurance, decision=item.decision)
    with pytest.raises(PermissionDenied):
        services.letter_approve(actor=UserFactory(roles=[role]), letter=letter)


def test_only_legal_services_approve_a_high_risk_letter(legal):
    item = _decided(tier="high")
    manager = _manager_owning(item)
    letter = services.letter_draft_from_decision(actor=legal, decision=item.decision)
    with pytest.raises(PermissionDenied):
        services.letter_approve(actor=manager, letter=letter)
    services.letter_approve(actor=legal, letter=letter)


def test_approval_makes_the_pdfs_and_sending_by_post_starts_the_appeal_clock(assurance, approve):
    item = _decided()
    manager = _manager_owning(item)
    letter = services.letter_draft_from_decision(actor=assurance, decision=item.decision)
    approve(letter, manager)
    assert LetterPdf.objects.filter(letter=letter, version=1).count() == 2  # eager in tests

    with time_machine.travel(date(2026, 11, 23)):
        sent = services.letter_send(actor=manager, letter=letter, method="post")

    assert sent.status == LetterStatus.SENT
    assert sent.sent_on == date(2026, 11, 23)
    # 28 working days: Christmas Day, the Boxing Day substitute and New Year's Day don't count.
    assert sent.appeal_deadline == date(2027, 1, 5)
    item.entry.refresh_from_db()
    assert item.entry.notified_on == date(2026, 11, 23)
    assert item.entry.events.filter(kind="notified").count() == 1


def test_an_emailed_letter_goes_as_an_attachment(
    assurance, approve, django_capture_on_commit_callbacks
):
    item = _decided()
    manager = _manager_owning(item)
    PersonEmail.objects.create(
        person=item.referral.person, email="gary@example.com", email_normalised="gary@example.com"
    )
    letter = services.letter_draft_from_decision(actor=assurance, decision=item.decision)
    approve(letter, manager)

    with django_capture_on_commit_callbacks(execute=True):
        services.letter_send(actor=manager, letter=letter, method="email")

    sent = [m for m in mail.outbox if m.to == ["gary@example.com"]]
    assert len(sent) == 1
    names = [name for name, _, _ in sent[0].attachments]
    assert names == [f"{letter.reference}.pdf", f"{letter.reference}-large-print.pdf"]
    assert sent[0].attachments[0][1].startswith(b"%PDF")


def test_changing_an_approved_letter_makes_a_new_version_to_approve_again(assurance, approve):
    item = _decided()
    manager = _manager_owning(item)
    letter = services.letter_draft_from_decision(actor=assurance, decision=item.decision)
    approve(letter, manager)

    changed = services.letter_update(
        actor=assurance, letter=letter, fields={"closing": "Please keep this letter."}
    )

    assert (changed.version, changed.status) == (2, LetterStatus.DRAFT)
    with pytest.raises(services.LetterError, match="Approve the letter"):
        services.letter_send(actor=manager, letter=changed, method="post")


def test_a_sent_letter_cannot_change(assurance, approve):
    item = _decided()
    manager = _manager_owning(item)
    letter = services.letter_draft_from_decision(actor=assurance, decision=item.decision)
    approve(letter, manager)
    services.letter_send(actor=manager, letter=letter, method="post")

    with pytest.raises(services.LetterError):
        services.letter_update(actor=assurance, letter=letter, fields={"closing": "x"})
    with pytest.raises(services.LetterError):
        services.letter_send(actor=manager, letter=letter, method="post")
    with pytest.raises(services.LetterError):
        services.letter_approve(actor=manager, letter=letter)


def test_no_letter_goes_for_a_decision_that_needs_none(assurance):
    item = _decided(outcome="no_action", tier="", meets_criteria=False)
    with pytest.raises(services.LetterError):
        services.letter_draft_from_decision(actor=assurance, decision=item.decision)


@pytest.mark.parametrize(
    ("notified", "deadline"),
    [
        (date(2026, 11, 23), date(2027, 1, 5)),  # over Christmas and New Year
        (date(2027, 3, 15), date(2027, 4, 26)),  # over Easter (Good Friday, Easter Monday)
        (date(2026, 6, 1), date(2026, 7, 9)),  # no bank holiday
    ],
)
def test_the_appeal_deadline_is_28_working_days_after_notification(notified, deadline):
    assert appeal_deadline(notified) == deadline


def test_a_friday_notification_counts_from_monday():
    assert working_days_after(date(2026, 6, 5), 1) == date(2026, 6, 8)
