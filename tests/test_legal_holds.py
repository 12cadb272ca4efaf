"""A legal hold suspends the retention schedule for one person, with a reason; lifting it (with a
reason) lets the schedule run again. Only the chair and the data protection officer place and
lift holds; the pages keep what was typed and say what is wrong beside the field."""

import datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from referrals.models import Evidence, Person
from rights.models import LegalHold
from rights.services.retention import (
    RetentionError,
    legal_hold_lift,
    legal_hold_place,
    retention_apply,
)
from ubpanel.roles import Role

from .factories import PersonFactory
from .factories_retention import removed_case

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
REMOVED_AT = datetime.datetime(2018, 5, 1, 10, tzinfo=UTC)
TODAY = datetime.date(2025, 1, 6)


def run(today=TODAY):
    with time_machine.travel(datetime.datetime.combine(today, datetime.time(3, 30), UTC)):
        return retention_apply(today=today)


@pytest.fixture
def chair(make_user):
    return make_user(Role.PANEL_CHAIR)


@pytest.fixture
def removed():
    return removed_case(REMOVED_AT)


def test_a_hold_suspends_the_schedule_and_lifting_it_lets_it_run(chair, removed):
    hold = legal_hold_place(actor=chair, person=removed.person, reason="Ombudsman complaint")

    run()
    person = Person.objects.get(pk=removed.person.pk)
    assert person.anonymised_at is None
    assert person.family_name == "Quarrington"
    evidence = Evidence.objects.get(pk=removed.evidence.pk)
    assert evidence.file_removed_at is None

    legal_hold_lift(actor=chair, hold=hold, reason="The Ombudsman closed the complaint")
    run()

    assert Person.objects.get(pk=removed.person.pk).anonymised_at is not None
    hold.refresh_from_db()
    assert hold.lifted_by == chair
    assert hold.reason == "[anonymised]"  # the person's records, hold included, are anonymised


def test_a_hold_keeps_the_raw_email_too(chair, removed):
    legal_hold_place(actor=chair, person=removed.person, reason="Police matter")

    run()

    removed.email.refresh_from_db()
    assert removed.email.raw_removed_at is None


def test_placing_and_lifting_are_audited(chair, removed):
    hold = legal_hold_place(actor=chair, person=removed.person, reason="Police matter")
    legal_hold_lift(actor=chair, hold=hold, reason="Matter closed")

    rows = LogEntry.objects.filter(content_type__model="legalhold", object_id=hold.pk)
    assert [row.action for row in rows.order_by("pk")] == [
        LogEntry.Action.CREATE,
        LogEntry.Action.UPDATE,
    ]
    assert {row.actor for row in rows} == {chair}


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_hold_needs_a_reason(chair, reason):
    with pytest.raises(ValidationError):
        legal_hold_place(actor=chair, person=PersonFactory(), reason=reason)


def test_one_hold_stands_at_a_time(chair):
    person = PersonFactory()
    legal_hold_place(actor=chair, person=person, reason="Police")

    with pytest.raises(RetentionError):
        legal_hold_place(actor=chair, person=person, reason="Again")


def test_a_lifted_hold_cannot_be_lifted_again(chair):
    hold = legal_hold_place(actor=chair, person=PersonFactory(), reason="Police")
    legal_hold_lift(actor=chair, hold=hold, reason="Done")

    with pytest.raises(RetentionError):
        legal_hold_lift(actor=chair, hold=hold, reason="Again")


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ASSURANCE_OFFICER, Role.PANEL_MEMBER])
def test_only_the_chair_and_the_data_protection_officer_place_holds(make_user, role):
    with pytest.raises(PermissionDenied):
        legal_hold_place(actor=make_user(role), person=PersonFactory(), reason="Police")

    legal_hold_place(actor=make_user(Role.DATA_PROTECTION), person=PersonFactory(), reason="Ok")


# --- The pages ---------------------------------------------------------------------------------


def place_url(person):
    return reverse("rights:legal_hold_place", args=[person.pk])


def test_the_chair_places_a_hold_from_its_page(chair_client):
    person = PersonFactory()

    page = chair_client.get(place_url(person))
    response = chair_client.post(place_url(person), {"reason": "Judicial review intimated"})

    assert page.status_code == 200
    assert response.status_code == 302
    assert LegalHold.objects.get(person=person).reason == "Judicial review intimated"
    viewed = LogEntry.objects.filter(
        additional_data__event="view", content_type__model="person", object_id=person.pk
    )
    assert viewed.exists()


def test_a_missing_reason_is_said_beside_the_field(chair_client):
    person = PersonFactory()

    response = chair_client.post(place_url(person), {"reason": ""})

    assert response.status_code == 400
    assert "Say why the records must be kept" in response.content.decode()
    assert not LegalHold.objects.exists()


def test_a_second_hold_is_refused_beside_the_field_and_the_input_kept(chair_client):
    person = PersonFactory()
    legal_hold_place(actor=chair_client.user, person=person, reason="Police")

    response = chair_client.post(place_url(person), {"reason": "Typed again, kept"})

    # The page says one stands (and offers to lift it) rather than showing the form.
    assert response.status_code == 400
    assert LegalHold.objects.count() == 1


def test_the_chair_lifts_a_hold_from_its_page(chair_client):
    hold = legal_hold_place(actor=chair_client.user, person=PersonFactory(), reason="Police")
    url = reverse("rights:legal_hold_lift", args=[hold.pk])

    missing = chair_client.post(url, {"reason": ""})
    response = chair_client.post(url, {"reason": "Police have finished"})

    assert missing.status_code == 400
    assert "Say why the hold is lifted" in missing.content.decode()
    assert response.status_code == 302
    hold.refresh_from_db()
    assert hold.lift_reason == "Police have finished"


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ASSURANCE_OFFICER, None])
def test_others_get_404_for_a_hold_page_and_the_refusal_is_audited(role_client, make_user, role):
    hold = legal_hold_place(
        actor=make_user(Role.PANEL_CHAIR), person=PersonFactory(), reason="Police"
    )
    client = role_client(role)

    placing = client.get(place_url(hold.person))
    lifting = client.post(reverse("rights:legal_hold_lift", args=[hold.pk]), {"reason": "x"})

    assert (placing.status_code, lifting.status_code) == (404, 404)
    assert LogEntry.objects.filter(additional_data__event="denied").count() >= 2
    hold.refresh_from_db()
    assert hold.lifted_at is None


def test_placing_a_hold_needs_csrf(make_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.PANEL_CHAIR))
    person = PersonFactory()

    response = client.post(place_url(person), {"reason": "Police"})

    assert response.status_code == 403
    assert not LegalHold.objects.exists()
