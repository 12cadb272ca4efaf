"""The chair's emergency addition page: live at once, pending ratification, Legal Services told."""

import pytest
from django.test import Client
from django.urls import reverse

from referrals.models import Person
from schedule.models import Entry, EntryEventKind
from ubpanel.roles import Role

from .factories import ActiveEntryFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = reverse("schedule:emergency_add")


def details(**extra):
    owner = UserFactory(username="ops-manager", roles=[Role.REFERRING_MANAGER])
    return {
        "given_names": "Rory",
        "family_name": "Blackmore",
        "incidents-TOTAL_FORMS": "1",
        "incidents-INITIAL_FORMS": "0",
        "incidents-MIN_NUM_FORMS": "1",
        "incidents-MAX_NUM_FORMS": "20",
        "incidents-0-occurred_on": "2026-03-02",
        "incidents-0-occurred_at": "07:40",
        "incidents-0-location": "Collection round, Weymouth Avenue",
        "incidents-0-description": "Struck a refuse collector with a bin lid.",
        "incidents-0-categories": ["actual_violence"],
        "reason": "Violence towards staff.",
        "internal_notes": "Police reference DP-2026-0042.",
        "record_owner": str(owner.pk),
        "guidance": "Do not approach. Call the police if they are aggressive.",
        "permitted_contact": "Letters to the SPOC only.",
        "person": "new",
        "add": "1",
        **extra,
    }


def test_the_chair_adds_a_new_person_who_is_live_at_once_pending_ratification(
    chair_client, mailoutbox, django_capture_on_commit_callbacks, settings, audit_entries
):
    with django_capture_on_commit_callbacks(execute=True):
        response = chair_client.post(URL, details())

    entry = Entry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("schedule:entry_detail", args=[entry.pk])
    assert entry.status == "pending_ratification"
    assert entry.is_live
    assert entry.tier == "high"
    assert entry.person.family_name == "Blackmore"
    assert entry.permitted_contact == "Letters to the SPOC only."
    assert entry.events.get().kind == EntryEventKind.EMERGENCY_ADDITION
    [mail] = mailoutbox
    assert mail.to == [settings.LEGAL_SERVICES_EMAIL]
    assert entry.reference in mail.subject
    assert "Blackmore" not in mail.body

    page = chair_client.get(response["Location"])
    html = page.content.decode()
    assert "is on the schedule now as high risk" in html
    assert "Pending ratification" in html
    assert audit_entries(event="view", object_pk=str(entry.pk))


def test_find_matches_shows_known_people_to_choose_from(chair_client, audit_entries):
    known = PersonFactory(given_names="Rory", family_name="Blackmore")

    response = chair_client.post(
        URL, {"given_names": "Rory", "family_name": "Blackmoor", "find": "1"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert f'value="{known.pk}"' in html
    assert "govuk-error-message" not in html
    assert audit_entries(event="search", object_pk=str(known.pk))


def test_the_chair_adds_a_known_person_chosen_from_the_matches(chair_client):
    known = PersonFactory(given_names="Rory", family_name="Blackmore")

    response = chair_client.post(URL, details(person=str(known.pk)))

    assert response.status_code == 302
    assert Entry.objects.get().person == known
    assert Person.objects.count() == 1


def test_a_person_already_on_the_schedule_is_refused_beside_the_choice(chair_client):
    live = ActiveEntryFactory(person=PersonFactory(given_names="Rory", family_name="Blackmore"))

    response = chair_client.post(URL, details(person=str(live.person.pk)))

    assert response.status_code == 400
    assert "is on the schedule already" in response.content.decode()
    assert Entry.objects.count() == 1


def test_the_director_is_refused_unless_the_chair_is_absent(role_client):
    client = role_client(Role.DIRECTOR_LEGAL)

    response = client.post(URL, details())

    assert response.status_code == 400
    html = response.content.decode()
    assert "only when the chair is absent" in html
    assert 'id="id_chair_absent-error"' in html
    assert not Entry.objects.exists()
    assert not Person.objects.exists()  # the new person is not left behind

    response = client.post(URL, details(chair_absent="on"))

    assert response.status_code == 302
    entry = Entry.objects.get()
    assert "the chair being absent" in entry.events.get().message


def test_the_chair_is_not_asked_about_the_chairs_absence(chair_client):
    assert "The chair is absent" not in chair_client.get(URL).content.decode()


@pytest.mark.parametrize(
    "role",
    [r for r in Role if r not in (Role.PANEL_CHAIR, Role.DIRECTOR_LEGAL)] + [None],
    ids=lambda r: r.value if r else "no-role",
)
def test_no_one_else_can_make_an_emergency_addition(role_client, role):
    client = role_client(role)

    assert client.get(URL).status_code == 403
    assert client.post(URL, details()).status_code == 403
    assert not Entry.objects.exists()


def test_missing_answers_are_shown_beside_the_fields_and_what_was_typed_is_kept(chair_client):
    response = chair_client.post(
        URL,
        details(
            reason="",
            guidance="",
            person="",
            record_owner="",
            **{"incidents-0-description": "Kicked the door in.", "incidents-0-location": ""},
        ),
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Say why the behaviour is unreasonable and they must be added at once" in html
    assert "Choose the record owner: the Operations Manager responsible" in html
    assert "Incident 1: Enter where it happened" in html
    assert 'id="id_incidents-0-location-error"' in html
    assert "Say how staff should respond" in html
    assert "Choose who this is, or record a new person" in html
    assert 'id="id_reason-error"' in html
    assert "Kicked the door in." in html
    assert 'value="Blackmore"' in html
    assert not Entry.objects.exists()


def test_a_new_person_needs_both_names(chair_client):
    response = chair_client.post(URL, details(given_names=""))

    assert response.status_code == 400
    assert 'id="id_family_name-error"' in response.content.decode()
    assert not Entry.objects.exists()


def test_the_page_refuses_a_post_without_csrf(make_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.PANEL_CHAIR))

    assert client.post(URL, details()).status_code == 403
    assert not Entry.objects.exists()
