"""Letter pages: who may open them, what they audit, CSRF, and the questionnaire return (issue 6)."""

import re
from datetime import date

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.test import Client
from django.urls import reverse

from correspondence import services
from correspondence.models import LetterStatus, QuestionnaireReturn
from panel.models import AgendaItem, ItemKind
from ubpanel.roles import Role

from .factories import MeetingFactory, ServiceFactory, UserFactory
from .test_letter_workflow import _decided, _manager_owning

pytestmark = pytest.mark.django_db

LETTER_URLS = ("letter_detail", "letter_edit", "letter_preview", "questionnaire_return")


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Approve (running the queued PDF task) and send by post."""

    def run(letter):
        with django_capture_on_commit_callbacks(execute=True):
            services.letter_approve(actor=letter.manager, letter=letter)
        services.letter_send(actor=letter.manager, letter=letter, method="post")

    return run


@pytest.fixture
def letter():
    item = _decided()
    manager = _manager_owning(item)
    assurance = UserFactory(username="assurance", roles=[Role.ASSURANCE_OFFICER])
    letter = services.letter_draft_from_decision(actor=assurance, decision=item.decision)
    letter.manager = manager
    letter.assurance = assurance
    return letter


def _client(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user)
    return client


def _url(name, letter, *args):
    return reverse(f"correspondence:{name}", args=[letter.pk, *args])


@pytest.mark.parametrize(
    "role", [Role.FRONTLINE, Role.PANEL_MEMBER, Role.AUDITOR, Role.REFERRING_MANAGER, None]
)
def test_letters_return_404_to_those_without_access(role, letter, audit_entries):
    # A manager of another service: not the record owner, not the referring service.
    client = _client(
        UserFactory(roles=[role] if role else [], service=ServiceFactory(name="Waste"))
    )
    for name in LETTER_URLS:
        assert client.get(_url(name, letter)).status_code == 404, name
    assert client.get(_url("letter_pdf", letter, "standard")).status_code == 404
    assert client.post(_url("letter_approve", letter)).status_code == 404
    assert len(audit_entries(event="denied")) == len(LETTER_URLS) + 2


def test_the_owner_opens_the_letter_and_the_view_is_audited(letter, audit_entries):
    response = _client(letter.manager).get(_url("letter_detail", letter))

    assert response.status_code == 200
    assert b"Approve the letter" in response.content
    assert audit_entries(event="view")[-1].object_pk == str(letter.pk)


def test_the_preview_shows_the_letter_as_it_will_print(letter, audit_entries):
    response = _client(letter.assurance).get(_url("letter_preview", letter))

    assert b"Equalities and Diversity questionnaire" in response.content
    assert b"correspondence/letter.css" in response.content
    assert audit_entries(event="view")[-1].additional_data["preview"] is True


def test_editing_keeps_what_was_typed_and_makes_a_new_version(letter):
    client = _client(letter.assurance)
    data = {name: getattr(letter, name) for name in services.LETTER_FIELDS}
    data.pop("cease_and_desist")
    data.pop("expected_behaviour")
    data["why_unreasonable"] = "Threats of violence towards a housing officer."

    response = client.post(_url("letter_edit", letter), data)

    assert response.status_code == 302
    letter.refresh_from_db()
    assert (letter.version, letter.why_unreasonable) == (
        2,
        "Threats of violence towards a housing officer.",
    )


def test_approving_needs_the_csrf_token(letter):
    client = _client(letter.manager, enforce_csrf_checks=True)
    assert client.post(_url("letter_approve", letter)).status_code == 403
    letter.refresh_from_db()
    assert letter.status == LetterStatus.DRAFT


def test_the_sender_approves_downloads_and_sends_and_each_step_is_audited(
    letter, audit_entries, django_capture_on_commit_callbacks
):
    client = _client(letter.manager)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url("letter_approve", letter))
    download = client.get(_url("letter_pdf", letter, "standard"))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    sent = client.post(_url("letter_send", letter), {"method": "post"}, follow=True)

    assert b"Appeal deadline" in sent.content
    letter.refresh_from_db()
    assert letter.status == LetterStatus.SENT
    changes = [
        entry.changes.get("status")
        for entry in audit_entries(
            object_pk=str(letter.pk), content_type__model="letter", action=LogEntry.Action.UPDATE
        )
        if entry.changes and "status" in entry.changes
    ]
    assert changes == [["draft", "approved"], ["approved", "sent"]]
    assert audit_entries(event="download")[-1].additional_data["letter"] == letter.reference


def test_a_return_revealing_a_new_issue_flags_the_entry_for_the_panel(
    sent, letter, audit_entries, django_capture_on_commit_callbacks
):
    sent(letter)
    meeting = MeetingFactory()
    form = {
        "received_on": "2026-11-20",
        "underlying_issue": "on",
        "issue_details": "Has a diagnosis of dementia.",
        "answer_disability": "Dementia, diagnosed this year.",
        "answer_age": "78",
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = _client(letter.assurance).post(_url("questionnaire_return", letter), form)

    assert response.status_code == 302
    returned = QuestionnaireReturn.objects.get()
    assert returned.raises_new_issue
    letter.entry.refresh_from_db()
    assert letter.entry.underlying_issue_flagged_on is not None
    item = AgendaItem.objects.get(meeting=meeting)
    assert (item.kind, item.entry) == (ItemKind.UNDERLYING_ISSUE, letter.entry)
    # Assurance and Adult Social Care, one email each (one outbox row per recipient).
    (told,) = [
        m
        for m in mail.outbox
        if "underlying issue" in m.subject and m.to == ["asc@council.example"]
    ]
    assert "dementia" not in told.body.lower()
    # Adult Social Care cannot open letters; the link they can follow is the entry's.
    entry_link = re.search(r"Open the entry in ubpanel: \S+(/schedule/\S+)", told.body)[1]
    asc = Client()
    asc.force_login(UserFactory(roles=[Role.ASC_REPRESENTATIVE]))
    assert asc.get(entry_link).status_code == 200
    created = audit_entries(content_type__model="questionnairereturn")[-1]
    assert "Dementia" not in str(created.changes)


def test_a_return_with_a_known_issue_does_not_flag_the_entry(sent, letter):
    sent(letter)

    services.questionnaire_return_record(
        actor=letter.assurance,
        letter=letter,
        answers={"disability": "Hearing impairment"},
        underlying_issue=True,
        previously_known=True,
        issue_details="Hearing impairment, already on the file.",
        received_on=date(2026, 11, 20),
    )

    letter.entry.refresh_from_db()
    assert letter.entry.underlying_issue_flagged_on is None


def test_the_answers_are_hidden_from_the_manager_and_shown_to_the_chair(sent, letter):
    sent(letter)
    services.questionnaire_return_record(
        actor=letter.assurance,
        letter=letter,
        answers={"religion": "Quaker"},
        underlying_issue=False,
        previously_known=False,
        issue_details="",
        received_on=date(2026, 11, 20),
    )

    assert b"Quaker" not in _client(letter.manager).get(_url("letter_detail", letter)).content
    chair = UserFactory(roles=[Role.PANEL_CHAIR])
    assert b"Quaker" in _client(chair).get(_url("letter_detail", letter)).content


def test_the_letters_list_reads_a_constant_number_of_queries(letter, django_assert_max_num_queries):
    client = _client(letter.assurance)
    client.get(reverse("correspondence:index"))
    with django_assert_max_num_queries(25) as first:
        client.get(reverse("correspondence:index"))
    for _ in range(4):
        services.letter_draft(
            actor=letter.assurance, kind="expected_behaviour", person=letter.person
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("correspondence:index"))


def test_decisions_waiting_for_a_letter_are_listed_for_drafting(letter):
    other = _decided()
    response = _client(letter.assurance).get(reverse("correspondence:index"))
    assert f'data-testid="draft-{other.decision.pk}"'.encode() in response.content
    assert f'data-testid="draft-{letter.decision.pk}"'.encode() not in response.content


def test_legal_services_draft_the_letter_for_an_emergency_addition_from_the_entry():
    from .factories import EntryFactory

    entry = EntryFactory()
    legal = UserFactory(username="legal", roles=[Role.LEGAL_SERVICES])
    client = _client(legal)
    assert (
        b"draft-emergency-letter"
        in client.get(reverse("schedule:entry_detail", args=[entry.pk])).content
    )

    response = client.post(reverse("correspondence:letter_for_emergency", args=[entry.pk]))

    letter = entry.letters.get()
    assert response["Location"] == reverse("correspondence:letter_edit", args=[letter.pk])
    assert (letter.kind, letter.person) == ("high", entry.person)
    assert "cease and desist" in letter.cease_and_desist


def test_assurance_draft_the_recommended_letter_of_expected_behaviour_from_triage():
    from referrals.models import ReferralStatus

    from .factories import PersonFactory, SubmittedReferralFactory

    referral = SubmittedReferralFactory(
        status=ReferralStatus.LETTER_RECOMMENDED, person=PersonFactory()
    )
    assurance = UserFactory(username="assurance", roles=[Role.ASSURANCE_OFFICER])
    client = _client(assurance)
    assert (
        b"draft-expected-behaviour"
        in client.get(reverse("referrals:triage_detail", args=[referral.pk])).content
    )

    client.post(reverse("correspondence:letter_for_referral", args=[referral.pk]))

    letter = referral.letters.get()
    assert letter.kind == "expected_behaviour"
    assert letter.expected_behaviour


def test_an_invalid_email_address_is_refused_beside_the_field_and_the_letter_kept(letter):
    data = {name: getattr(letter, name) for name in services.LETTER_FIELDS}
    data.pop("cease_and_desist")
    data.pop("expected_behaviour")
    data["recipient_email"] = "not an address"
    data["why_unreasonable"] = "Typed before the mistake."

    response = _client(letter.assurance).post(_url("letter_edit", letter), data)

    assert response.status_code == 400
    assert b"Enter a valid email address" in response.content
    assert b"Typed before the mistake." in response.content
    letter.refresh_from_db()
    assert letter.version == 1


def test_a_return_with_an_issue_but_no_details_keeps_the_answers(sent, letter):
    sent(letter)
    form = {"received_on": "2026-11-20", "underlying_issue": "on", "answer_age": "78"}

    response = _client(letter.assurance).post(_url("questionnaire_return", letter), form)

    assert response.status_code == 400
    assert b"Say what the return says about the underlying issue" in response.content
    assert b'value="78"' in response.content
    assert not QuestionnaireReturn.objects.exists()
