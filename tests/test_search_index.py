"""The search table (schedule.SearchKey) follows every change that makes someone findable or not.

PostgreSQL only: its triggers keep the table; SQLite leaves it empty and searches the people
tables directly (tests/test_schedule_search.py covers both).
"""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from referrals.models import PersonAddress, PersonAlias, PersonEmail, PersonPhone
from referrals.services import person_create, referral_link_person
from schedule import services
from schedule.models import Entry, SearchKey
from schedule.search_index import search_keys_rebuild
from ubpanel.entry_status import LIVE_STATUSES, EntryStatus
from ubpanel.roles import Role

from .factories import (
    ActiveEntryFactory,
    EntryFactory,
    PersonFactory,
    SubmittedReferralFactory,
    UserFactory,
    emergency_incidents,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("The search table is kept by PostgreSQL triggers (set DATABASE_URL)")


def keys(person) -> set[tuple[str, str]]:
    return set(SearchKey.objects.filter(person=person).values_list("kind", "value"))


@pytest.fixture
def chair(make_user):
    return make_user(Role.PANEL_CHAIR, username="chair")


@pytest.fixture
def zoe(chair):
    return person_create(
        actor=chair,
        given_names="Zoë",
        family_name="Whitlock-Jones",
        aliases=["Zed Jones"],
        addresses=[("14 Acland Road\nDorchester", "dt1 1aa")],
        emails=["Zoe.WJ@example.com"],
        phones=["+44 7700 900123"],
    )


ZOE_KEYS = {
    ("name", "zoe whitlock jones"),
    ("alias", "zed jones"),
    ("address", "14 Acland Road\nDorchester"),
    ("postcode", "DT11AA"),
    ("email", "zoe.wj@example.com"),
    ("phone", "07700900123"),
}


def test_someone_known_but_not_on_the_schedule_has_no_keys(zoe):
    assert keys(zoe) == set()


def test_an_emergency_addition_makes_them_findable_at_once(chair, zoe):
    services.entry_add_emergency(
        actor=chair,
        person=zoe,
        reason="Threatened staff.",
        guidance="Do not visit alone.",
        incidents=emergency_incidents(),
        record_owner=UserFactory(roles=[Role.REFERRING_MANAGER]),
    )

    assert keys(zoe) == ZOE_KEYS
    assert SearchKey.objects.get(person=zoe, kind="alias").written == "Zed Jones"


@pytest.mark.parametrize(
    ("status", "transition", "arguments"),
    [
        ("pending_ratification", services.entry_end_emergency, {"reason": "Not ratified."}),
        ("active", services.entry_remove, {"reason": "Reviewed."}),
        ("under_appeal", services.entry_appeal_decided, {"upheld": True, "reason": "Upheld."}),
    ],
)
def test_coming_off_the_schedule_removes_their_keys(make_user, zoe, status, transition, arguments):
    entry = EntryFactory(person=zoe, status=status)
    assert keys(zoe) == ZOE_KEYS
    actor = make_user(Role.PANEL_CHAIR, Role.MONITORING_OFFICER, username="decider")

    transition(actor=actor, entry=entry, **arguments)

    assert keys(zoe) == set()


def test_staying_on_the_schedule_keeps_their_keys(make_user, zoe):
    entry = EntryFactory(person=zoe, status="under_appeal")
    officer = make_user(Role.MONITORING_OFFICER, username="mo")

    services.entry_appeal_decided(actor=officer, entry=entry, upheld=False, reason="Stands.")

    assert keys(zoe) == ZOE_KEYS


def test_new_details_of_someone_on_the_schedule_are_findable(make_user, zoe):
    ActiveEntryFactory(person=zoe)
    referral = SubmittedReferralFactory(
        subject_aliases="Zoe Jones",
        subject_address="2 Mill Lane",
        subject_postcode="DT2 9ZZ",
        subject_email="zwj@example.org",
        subject_phone="01305 123456",
    )

    # Linking a referral to a person is the Assurance team's.
    assurance = make_user(Role.ASSURANCE_OFFICER, username="assurance")
    referral_link_person(actor=assurance, referral=referral, person=zoe)

    assert keys(zoe) >= {
        ("alias", "zoe jones"),
        ("address", "2 Mill Lane"),
        ("postcode", "DT29ZZ"),
        ("email", "zwj@example.org"),
        ("phone", "01305123456"),
    }


def test_changed_and_deleted_details_are_followed(zoe):
    ActiveEntryFactory(person=zoe)

    zoe.given_names, zoe.search_name = "Zoey", "zoey whitlock jones"
    zoe.save()
    PersonAlias.objects.filter(person=zoe).delete()
    PersonAddress.objects.filter(person=zoe).update(postcode_normalised="DT11AB")
    PersonEmail.objects.filter(person=zoe).delete()
    PersonPhone.objects.create(person=zoe, number="07700 900999", number_normalised="07700900999")

    assert keys(zoe) == {
        ("name", "zoey whitlock jones"),
        ("address", "14 Acland Road\nDorchester"),
        ("postcode", "DT11AB"),
        ("phone", "07700900123"),
        ("phone", "07700900999"),
    }


def test_details_moved_to_another_person_follow_them(zoe):
    """As a merge of two records of the same individual would do."""
    ActiveEntryFactory(person=zoe)
    duplicate = PersonFactory(given_names="Zoe", family_name="Jones")

    PersonAlias.objects.filter(person=zoe).update(person=duplicate)
    PersonPhone.objects.filter(person=zoe).update(person=duplicate)
    assert ("alias", "zed jones") not in keys(zoe)
    assert keys(duplicate) == set()  # not on the schedule

    ActiveEntryFactory(person=duplicate)
    PersonEmail.objects.filter(person=zoe).update(person=duplicate)

    assert keys(duplicate) == {
        ("name", "zoe jones"),
        ("alias", "zed jones"),
        ("email", "zoe.wj@example.com"),
        ("phone", "07700900123"),
    }
    assert {kind for kind, _ in keys(zoe)} == {"name", "address", "postcode"}


def test_a_bulk_load_is_indexed(zoe):
    people = PersonFactory.create_batch(3)
    Entry.objects.bulk_create(
        [EntryFactory.build(person=person, status="active", record_owner=None) for person in people]
    )

    assert SearchKey.objects.filter(kind="name", person__in=people).count() == 3


def test_the_rebuild_command_restores_the_table(zoe):
    ActiveEntryFactory(person=zoe)
    ActiveEntryFactory(status="removed")
    expected = set(SearchKey.objects.values_list("person_id", "kind", "value", "written"))
    SearchKey.objects.all().delete()
    SearchKey.objects.create(person_id=zoe.pk + 1000, kind="name", value="stale")
    out = io.StringIO()

    call_command("search_index_rebuild", stdout=out)

    assert set(SearchKey.objects.values_list("person_id", "kind", "value", "written")) == expected
    assert "6 keys" in out.getvalue()
    assert search_keys_rebuild() == 6


@pytest.mark.parametrize("status", EntryStatus.values)
def test_the_triggers_know_which_statuses_are_live(status):
    """Migration 0005 writes LIVE_STATUSES into SQL: this fails if the two part."""
    entry = EntryFactory(status=status)

    assert bool(keys(entry.person)) == (status in LIVE_STATUSES)
