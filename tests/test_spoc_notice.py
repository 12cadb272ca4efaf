"""The single point of contact is told to the individual (issue 18, point 4).

The protocol: "The individual subject to the SPOC should be provided with the contact details of
the SPOC", also where the panel appoints one without an unreasonable finding. A decision that
appoints a SPOC waits for a letter until one giving the SPOC's name and contact details has gone:
its own letter, or the SPOC notice.
"""

import shutil
import subprocess
from datetime import date

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from correspondence import services
from correspondence.models import Letter, LetterKind, LetterStatus, PdfVariant
from correspondence.pdf import letter_pdf
from correspondence.selectors import letters_waiting_for_decisions, waiting_letter_work
from correspondence.spoc import needs_spoc_notice, spoc_told, spoc_untold_words
from panel import services as panel_services
from panel.models import Seat
from panel.services import decision_problems
from referrals.models import PersonAddress, PersonEmail
from ubpanel.roles import Role

from .factories import AgendaItemFactory, IncidentFactory, ServiceFactory, UserFactory
from .panel_setup import carry, open_meeting, propose, seat_holders

pytestmark = pytest.mark.django_db

C = Seat.CHAIR
SPOC = {
    "spoc_name": "Sam Carter",
    "spoc_contact_details": "sam.carter@council.example\n01305 221133",
}
SPOC_ONLY = {
    "outcome": "spoc_only",
    "tier": "",
    "meets_criteria": False,
    "how_to_respond": "",
    "record_owner": None,
    "letter_route": "none",
    "reasons": "Contact is spread across five services: one officer will coordinate it.",
}


@pytest.fixture
def assurance():
    return UserFactory(username="assurance", roles=[Role.ASSURANCE_OFFICER])


@pytest.fixture
def approve(django_capture_on_commit_callbacks):
    """Approve, and run what the approval queued on commit (the PDF task runs eagerly in tests)."""

    def run(letter, by):
        with django_capture_on_commit_callbacks(execute=True):
            return services.letter_approve(actor=by, letter=letter)

    return run


def _decide(**fields):
    """A new referral the panel decided on, about someone with a postal and an email address;
    the decision appoints Sam Carter of Adult Social Care as SPOC unless ``fields`` say else."""
    holders = seat_holders()
    item = AgendaItemFactory(meeting=open_meeting(holders))
    IncidentFactory(
        referral=item.referral,
        occurred_on=date(2026, 11, 2),
        location="Housing office, Dorchester",
        description="Phoned five services in one morning about the same repair.",
    )
    person = item.referral.person
    PersonAddress.objects.create(
        person=person,
        address="1 High West Street, Dorchester",
        postcode="DT1 1AA",
        postcode_normalised="DT11AA",
    )
    PersonEmail.objects.create(person=person, email="resident@example.org")
    fields = {**SPOC, "spoc_service": ServiceFactory(name="Adult Social Care"), **fields}
    carry(holders, item, **fields)
    item.refresh_from_db()
    return item


def _spoc_only():
    return _decide(**SPOC_ONLY)


def _sender(item):
    """The Operations Manager of the referring service: the notice is theirs to send."""
    return UserFactory(
        username="opsmanager",
        roles=[Role.REFERRING_MANAGER],
        service=item.referral.service,
        job_title="Operations Manager",
    )


def _send(letter, by, approve):
    approve(letter, by)
    return services.letter_send(actor=by, letter=letter, method="post")


# --- The rule -------------------------------------------------------------------------------


def test_a_spoc_only_decision_waits_for_a_spoc_notice(assurance):
    item = _spoc_only()

    assert item.decision.letter_route == "none"
    assert needs_spoc_notice(item.decision)
    assert list(letters_waiting_for_decisions(assurance)) == [item.decision]
    assert waiting_letter_work(assurance)["to_draft"] == 1
    assert not spoc_told(item.decision)
    assert "Sam Carter" in spoc_untold_words(item.decision)


def test_the_spoc_only_decision_drafts_the_spoc_notice_with_the_spocs_details(assurance):
    item = _spoc_only()

    letter = services.letter_draft_from_decision(actor=assurance, decision=item.decision)

    assert letter.kind == LetterKind.SPOC_NOTICE
    assert letter.decision == item.decision
    assert letter.recipient_name == str(item.referral.person)
    assert letter.recipient_address == "1 High West Street, Dorchester\nDT1 1AA"
    assert letter.recipient_email == "resident@example.org"
    assert letter.spoc == (
        "Sam Carter, Adult Social Care\nsam.carter@council.example\n01305 221133"
    )
    assert letter.contact_restrictions
    # A SPOC without an unreasonable finding: nothing about behaviour, no questionnaire.
    assert letter.incident_description == letter.why_unreasonable == ""
    assert letter.logging_statement == letter.review_or_appeal == ""
    assert not letter.has_questionnaire
    # Drafted, it no longer waits to be drafted; sent, the SPOC is told.
    assert not needs_spoc_notice(item.decision)
    assert not spoc_told(item.decision)


def test_the_decision_is_complete_only_once_the_notice_is_sent(
    assurance, approve, django_capture_on_commit_callbacks
):
    item = _spoc_only()
    manager = _sender(item)
    letter = services.letter_draft_from_decision(actor=assurance, decision=item.decision)

    approve(letter, manager)
    assert not spoc_told(item.decision)
    with django_capture_on_commit_callbacks(execute=True):
        letter = services.letter_send(actor=manager, letter=letter, method="email")

    # By email, with the PDF attached, like every other letter.
    (email,) = mail.outbox
    assert email.to == ["resident@example.org"]
    assert f"{letter.reference}.pdf" in [name for name, _, _ in email.attachments]

    assert letter.status == LetterStatus.SENT
    assert spoc_told(item.decision)
    assert spoc_untold_words(item.decision) == ""
    # Not a notification of a schedule entry: no appeal clock.
    assert letter.appeal_deadline is None
    assert waiting_letter_work(assurance)["to_draft"] == 0


def test_a_notice_without_the_contact_details_cannot_be_approved_and_says_what_is_missing(
    assurance,
):
    item = _spoc_only()
    manager = _sender(item)
    letter = services.letter_draft_from_decision(actor=assurance, decision=item.decision)
    services.letter_update(actor=assurance, letter=letter, fields={"spoc": "Sam Carter"})

    with pytest.raises(ValidationError) as refused:
        services.letter_approve(actor=manager, letter=letter)

    assert refused.value.messages == [
        "The letter cannot be approved: it does not say how to reach the single point of "
        "contact (sam.carter@council.example, 01305 221133)."
    ]
    # And it waits for its notice again: no letter on its way gives the details.
    assert needs_spoc_notice(item.decision)


def test_a_notice_without_the_spocs_name_cannot_be_approved(assurance):
    item = _spoc_only()
    manager = _sender(item)
    letter = services.letter_draft_from_decision(actor=assurance, decision=item.decision)
    services.letter_update(actor=assurance, letter=letter, fields={"spoc": ""})

    with pytest.raises(ValidationError, match=r"the single point of contact and how to reach"):
        services.letter_approve(actor=manager, letter=letter)


def test_the_decisions_own_letter_gives_the_spoc_so_no_notice_is_needed(assurance, approve):
    item = _decide()
    manager = UserFactory(username="owner", roles=[Role.REFERRING_MANAGER])
    item.entry.record_owner = manager
    item.entry.save()

    letter = services.letter_draft_from_decision(actor=assurance, decision=item.decision)

    assert letter.kind == LetterKind.LOW_MEDIUM
    assert "sam.carter@council.example" in letter.spoc
    assert not needs_spoc_notice(item.decision)
    assert not spoc_told(item.decision)
    _send(letter, manager, approve)
    assert spoc_told(item.decision)
    with pytest.raises(services.LetterError, match="no letter goes out"):
        # Nothing more to draft: drafting again gives nothing new (the page shows the letter).
        services.letter_draft_from_decision(
            actor=assurance, decision=_with_route(item.decision, "none")
        )


def _with_route(decision, route):
    decision.letter_route = route
    return decision


def test_the_decisions_own_letter_cannot_go_without_the_spocs_contact_details(assurance):
    item = _decide()
    manager = UserFactory(username="owner", roles=[Role.REFERRING_MANAGER])
    item.entry.record_owner = manager
    item.entry.save()
    letter = services.letter_draft_from_decision(actor=assurance, decision=item.decision)
    services.letter_update(
        actor=assurance, letter=letter, fields={"spoc": "Sam Carter, Adult Social Care"}
    )

    with pytest.raises(ValidationError) as refused:
        services.letter_approve(actor=manager, letter=letter)

    assert "how to reach the single point of contact (sam.carter@council.example" in str(
        refused.value
    )


def test_a_spoc_changed_by_a_correction_after_the_letter_went_needs_a_new_notice(
    assurance, approve
):
    item = _spoc_only()
    manager = _sender(item)
    first = services.letter_draft_from_decision(actor=assurance, decision=item.decision)
    _send(first, manager, approve)
    assert spoc_told(item.decision)

    chair = seat_holders()[C]
    panel_services.decision_correct(
        actor=chair,
        decision=item.decision,
        field="spoc_contact_details",
        value="sam.carter@council.example\n01305 229900",
        reason="Sam moved office.",
    )
    item.decision.refresh_from_db()

    assert not spoc_told(item.decision)
    assert needs_spoc_notice(item.decision)
    second = services.letter_draft_from_decision(actor=assurance, decision=item.decision)
    assert second.kind == LetterKind.SPOC_NOTICE
    assert "01305 229900" in second.spoc
    _send(second, manager, approve)
    assert spoc_told(item.decision)


def test_a_deferred_or_no_action_decision_appoints_no_spoc(assurance):
    deferred = _decide(outcome="defer", letter_route="none")
    no_action = _decide(outcome="no_action", tier="", meets_criteria=False, letter_route="none")

    assert not needs_spoc_notice(deferred.decision)
    assert not needs_spoc_notice(no_action.decision)
    assert spoc_told(no_action.decision)
    assert list(letters_waiting_for_decisions(assurance)) == []


def test_a_spoc_only_proposal_must_name_the_spoc():
    holders = seat_holders()
    item = AgendaItemFactory(meeting=open_meeting(holders))
    decision = propose(holders[C], item, **SPOC_ONLY, spoc_name="", spoc_contact_details="")

    assert "A single point of contact only: name the SPOC." in decision_problems(item, decision)


def test_a_spoc_notice_needs_the_decision_or_entry_that_appoints_the_spoc(assurance):
    item = _spoc_only()
    with pytest.raises(services.LetterError, match="drafted from the decision"):
        services.letter_draft(
            actor=assurance, kind=LetterKind.SPOC_NOTICE, person=item.referral.person
        )


# --- Who may act, and the audit trail -------------------------------------------------------


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_only_the_operations_manager_approves_and_sends_the_notice(assurance):
    item = _spoc_only()
    letter = services.letter_draft_from_decision(actor=assurance, decision=item.decision)
    other = UserFactory(
        username="elsewhere", roles=[Role.REFERRING_MANAGER], service=ServiceFactory(name="Waste")
    )

    for user in (assurance, other, UserFactory(username="legal", roles=[Role.LEGAL_SERVICES])):
        with pytest.raises(PermissionDenied, match="Operations Manager"):
            services.letter_approve(actor=user, letter=letter)


@pytest.mark.parametrize("role", [Role.FRONTLINE, Role.PANEL_MEMBER, Role.AUDITOR, None])
def test_those_who_draft_no_letters_get_an_audited_404(role, audit_entries):
    item = _spoc_only()
    user = UserFactory(username="outsider", roles=[role] if role else [])
    url = reverse("correspondence:letter_from_decision", args=[item.decision.pk])

    assert _client(user).post(url).status_code == 404

    assert not Letter.objects.exists()
    denied = audit_entries(event="denied")
    assert len(denied) == 1
    assert denied[0].actor == user


def test_drafting_approving_and_sending_the_notice_are_audited(assurance, approve):
    item = _spoc_only()
    manager = _sender(item)
    response = _client(assurance).post(
        reverse("correspondence:letter_from_decision", args=[item.decision.pk])
    )
    letter = Letter.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("correspondence:letter_edit", args=[letter.pk])

    _send(letter, manager, approve)

    changes = LogEntry.objects.get_for_object(letter).order_by("pk")
    assert [entry.action for entry in changes][:1] == [LogEntry.Action.CREATE]
    assert changes[0].actor == assurance
    statuses = [
        entry.changes_dict["status"][1] for entry in changes if "status" in entry.changes_dict
    ]
    assert statuses[-2:] == ["approved", "sent"]
    assert {entry.actor for entry in changes[1:]} == {manager}


# --- The pages ------------------------------------------------------------------------------


def test_the_letters_page_lists_the_decision_waiting_for_its_spoc_notice(assurance):
    item = _spoc_only()
    page = _client(assurance).get(reverse("correspondence:index")).content.decode()

    assert f'data-testid="letter-due-{item.decision.pk}">SPOC notice' in page
    assert "Draft the SPOC notice" in page


def test_the_work_page_counts_the_notice_to_draft(assurance):
    _spoc_only()
    page = _client(assurance).get(reverse("home")).content.decode()

    assert '<span data-testid="count">1</span> letter to draft' in page


def test_the_notice_page_and_edit_form_show_only_what_a_notice_says(assurance):
    item = _spoc_only()
    letter = services.letter_draft_from_decision(actor=assurance, decision=item.decision)
    client = _client(assurance)

    detail = client.get(reverse("correspondence:letter_detail", args=[letter.pk]))
    edit = client.get(reverse("correspondence:letter_edit", args=[letter.pk]))
    preview = client.get(reverse("correspondence:letter_preview", args=[letter.pk]))

    assert "giving the single point of contact" in detail.content.decode()
    assert set(edit.context["form"].fields) == {
        "recipient_name",
        "recipient_address",
        "recipient_email",
        "spoc",
        "contact_restrictions",
        "email_divert_notice",
        "closing",
        "sender_name",
        "sender_title",
    }
    assert "sam.carter@council.example" in preview.content.decode()


def test_the_letter_page_says_what_is_missing_until_the_spoc_is_told(assurance, approve):
    item = _spoc_only()
    manager = _sender(item)
    letter = services.letter_draft_from_decision(actor=assurance, decision=item.decision)
    url = reverse("correspondence:letter_detail", args=[letter.pk])

    page = _client(manager).get(url).content.decode()
    assert 'data-testid="spoc-untold"' in page
    assert "has not been sent the contact details of their single point of contact" in page

    _send(letter, manager, approve)
    assert 'data-testid="spoc-untold"' not in _client(manager).get(url).content.decode()


# --- The PDF --------------------------------------------------------------------------------

needs_poppler = pytest.mark.skipif(
    not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed"
)


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "notice.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return "".join(out.split())


@needs_poppler
@pytest.mark.parametrize("variant", PdfVariant.values)
def test_the_pdf_gives_the_spocs_name_service_and_contact_details(assurance, variant, tmp_path):
    item = _spoc_only()
    letter = services.letter_draft_from_decision(actor=assurance, decision=item.decision)

    text = _text(letter_pdf(letter, variant).pdf, tmp_path)

    for words in (
        "Your single point of contact",
        "Sam Carter, Adult Social Care",
        "sam.carter@council.example",
        "01305 221133",
        f"Our reference: {letter.reference}",
        f"Dear {letter.recipient_name},",
        "1 High West Street, Dorchester",
    ):
        assert "".join(words.split()) in text, words
    # No finding, no record, no appeal and no questionnaire.
    for words in ("unreasonable", "12 months", "Equalities and Diversity", "appeal"):
        assert "".join(words.split()).lower() not in text.lower(), words
