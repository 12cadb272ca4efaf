"""The customer is told of an email divert by the letter, and the entry records it when that letter
is sent (issue 10, point 14). The protocol: "The customer will be advised where a divert has been
applied."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from correspondence import services
from correspondence.models import LetterKind
from referrals.models import PersonAddress
from schedule.models import EntryEventKind, EntryIncident
from ubpanel.roles import Role

from .factories import ActiveEntryFactory, UserFactory
from .test_letter_workflow import _decided

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return UserFactory(username="opsmanager", roles=[Role.REFERRING_MANAGER])


@pytest.fixture
def approve(django_capture_on_commit_callbacks):
    def run(letter, by):
        with django_capture_on_commit_callbacks(execute=True):
            return services.letter_approve(actor=by, letter=letter)

    return run


def _entry(manager, *, email_divert=True):
    entry = ActiveEntryFactory(
        record_owner=manager,
        spoc_name="Sam Spoc",
        spoc_contact_details="sam.spoc@council.example",
        email_divert=email_divert,
        ward_councillors_consulted=email_divert,
        ward_councillors_asked="Cllr Jones, Cllr Patel" if email_divert else "",
        ward_councillors_response="Both asked for the divert" if email_divert else "",
    )
    PersonAddress.objects.create(
        person=entry.person, address="9 Trinity Street, Dorchester", postcode="DT1 1TT"
    )
    EntryIncident.objects.create(
        entry=entry,
        occurred_on=date(2026, 9, 14),
        location="Email to the planning team",
        description="Sent forty abusive emails to planning officers in one week.",
    )
    return entry


def test_the_letter_tells_the_individual_their_emails_are_diverted_to_the_spoc(manager):
    entry = _entry(manager)

    letter = services.letter_draft(
        actor=manager, kind=LetterKind.LOW_MEDIUM, person=entry.person, entry=entry
    )

    assert "diverted to your single point of contact, Sam Spoc" in letter.email_divert_notice
    assert letter.closing == ""


def test_a_letter_from_a_decision_with_a_divert_says_so():
    assurance = UserFactory(username="assurance", roles=[Role.ASSURANCE_OFFICER])
    item = _decided(
        email_divert=True,
        ward_councillors_consulted=True,
        ward_councillors_asked="Cllr Jones",
        ward_councillors_response="Cllr Jones asked for the divert.",
    )

    letter = services.letter_draft_from_decision(actor=assurance, decision=item.decision)

    assert "diverted to your single point of contact, Pat Spoc" in letter.email_divert_notice


def test_no_divert_no_paragraph(manager):
    entry = _entry(manager, email_divert=False)
    letter = services.letter_draft(
        actor=manager, kind=LetterKind.LOW_MEDIUM, person=entry.person, entry=entry
    )
    assert letter.email_divert_notice == ""


def test_a_letter_that_does_not_tell_them_of_the_divert_cannot_be_approved(manager):
    entry = _entry(manager)
    letter = services.letter_draft(
        actor=manager, kind=LetterKind.LOW_MEDIUM, person=entry.person, entry=entry
    )
    services.letter_update(actor=manager, letter=letter, fields={"email_divert_notice": ""})

    with pytest.raises(ValidationError, match="emails are diverted to the single point of contact"):
        services.letter_approve(actor=manager, letter=letter)


def test_sending_the_letter_records_that_the_individual_was_told_of_the_divert(manager, approve):
    entry = _entry(manager)
    assert not entry.customer_told_of_divert
    letter = services.letter_draft(
        actor=manager, kind=LetterKind.LOW_MEDIUM, person=entry.person, entry=entry
    )
    approve(letter, manager)

    with time_machine.travel(date(2026, 11, 23)):
        services.letter_send(actor=manager, letter=letter, method="post")

    entry.refresh_from_db()
    assert entry.customer_told_of_divert is True
    told = entry.events.get(kind=EntryEventKind.DIVERT_TOLD)
    assert told.actor == manager
    assert letter.reference in told.message
    assert "23 November 2026" in told.message


def test_approving_alone_does_not_record_the_individual_as_told(manager, approve):
    entry = _entry(manager)
    letter = services.letter_draft(
        actor=manager, kind=LetterKind.LOW_MEDIUM, person=entry.person, entry=entry
    )
    approve(letter, manager)

    entry.refresh_from_db()
    assert entry.customer_told_of_divert is False
    assert not entry.events.filter(kind=EntryEventKind.DIVERT_TOLD).exists()


def test_a_letter_without_a_divert_records_nothing_about_one(manager, approve):
    entry = _entry(manager, email_divert=False)
    letter = services.letter_draft(
        actor=manager, kind=LetterKind.LOW_MEDIUM, person=entry.person, entry=entry
    )
    approve(letter, manager)
    services.letter_send(actor=manager, letter=letter, method="post")

    entry.refresh_from_db()
    assert entry.customer_told_of_divert is False
    assert not entry.events.filter(kind=EntryEventKind.DIVERT_TOLD).exists()


def test_the_preview_shows_the_divert_paragraph(manager):
    entry = _entry(manager)
    letter = services.letter_draft(
        actor=manager, kind=LetterKind.LOW_MEDIUM, person=entry.person, entry=entry
    )
    client = Client()
    client.force_login(manager)

    page = client.get(reverse("correspondence:letter_preview", args=[letter.pk])).content.decode()

    assert "Your emails to the council" in page
    assert "diverted to your single point of contact, Sam Spoc" in page
