"""The retention schedule's page: what the daily task will do in the next
RETENTION_LOOKAHEAD_DAYS days (exactly that), standing legal holds and the latest acts; for the
chair and the data protection officer only; audited naming each person listed; constant queries.
And the line on the person's page."""

import datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.urls import reverse

from referrals.models import Person
from referrals.statuses import ReferralStatus
from rights.models import Anonymisation, LegalHold
from rights.retention import due_within
from rights.services.retention import retention_apply
from ubpanel.roles import Role

from .factories_retention import at, person_with_details, referral_for, removed_case

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
URL = reverse("rights:retention")
TODAY = datetime.date(2025, 6, 2)


def now(day=TODAY):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(12), UTC), tick=False)


def closed_on(day: datetime.date, family: str) -> Person:
    with at(datetime.datetime.combine(day, datetime.time(9), UTC)):
        person = person_with_details("Cora", family)
    referral_for(
        person,
        status=ReferralStatus.CLOSED,
        ended_at=datetime.datetime.combine(day, datetime.time(9), UTC),
    )
    return person


@pytest.fixture
def soon_and_later():
    """One person due in ten days, one in sixty: only the first is in the window."""
    soon = closed_on(TODAY - datetime.timedelta(days=2 * 365 - 10), "Soonfield")
    later = closed_on(TODAY - datetime.timedelta(days=2 * 365 - 60), "Laterby")
    return soon, later


def test_the_page_lists_what_will_be_anonymised_in_the_window_and_nothing_beyond(
    chair_client, soon_and_later
):
    soon, later = soon_and_later
    with now():
        response = chair_client.get(URL)

    assert response.status_code == 200
    text = response.content.decode()
    assert "Cora Soonfield" in text
    assert "Laterby" not in text
    assert "Referral closed without inclusion long enough ago" in text


def test_the_page_lists_exactly_what_the_task_will_do_in_the_window(chair_client, soon_and_later):
    soon, later = soon_and_later
    with now():
        listed = {(due.rule, due.person.pk if due.person else None) for due in due_within(30)}
        chair_client.get(URL)
    end = TODAY + datetime.timedelta(days=30)
    done = set()
    day = TODAY
    while day <= end:
        with now(day):
            before = set(Anonymisation.objects.values_list("pk", flat=True))
            retention_apply(today=day)
            done |= {(a.rule, a.person_id) for a in Anonymisation.objects.exclude(pk__in=before)}
        day += datetime.timedelta(days=1)

    assert listed == done
    assert ("closed", soon.pk) in done
    assert Person.objects.get(pk=later.pk).anonymised_at is None


def test_the_data_protection_officer_sees_it_too(role_client, soon_and_later):
    client = role_client(Role.DATA_PROTECTION)
    with now():
        response = client.get(URL)

    assert response.status_code == 200
    assert "Cora Soonfield" in response.content.decode()


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ASSURANCE_OFFICER, Role.FRONTLINE, None])
def test_anyone_else_is_refused_and_the_refusal_audited(role_client, role):
    client = role_client(role)

    response = client.get(URL)

    assert response.status_code == 403
    refusal = LogEntry.objects.filter(additional_data__event="denied").last()
    assert refusal.additional_data["path"] == URL


def test_the_view_is_audited_naming_each_person_listed(chair_client, soon_and_later):
    soon, _later = soon_and_later
    with now():
        chair_client.get(URL)

    rows = LogEntry.objects.filter(
        additional_data__event="list", content_type__model="person", actor=chair_client.user
    )
    assert [row.object_id for row in rows] == [soon.pk]
    assert rows[0].additional_data["people"] == [soon.pk]


def test_an_empty_page_is_audited_all_the_same(chair_client):
    chair_client.get(URL)

    assert LogEntry.objects.filter(
        additional_data__event="list", content_type__model="anonymisation"
    ).exists()


def test_standing_holds_and_recent_acts_are_listed(chair_client, soon_and_later):
    soon, _later = soon_and_later
    LegalHold.objects.create(person=soon, reason="Ombudsman complaint", placed_by=chair_client.user)
    removed = removed_case(datetime.datetime(2018, 1, 1, tzinfo=UTC))
    with now():
        retention_apply(today=TODAY)
        response = chair_client.get(URL)

    text = response.content.decode()
    assert "Ombudsman complaint" in text
    assert f"Anonymised person {removed.person.pk}" in text
    # Held: not listed as due.
    assert 'data-testid="due-closed-' not in text


def test_the_page_makes_the_same_number_of_queries_however_many_are_due(
    chair_client, django_assert_max_num_queries
):
    closed_on(TODAY - datetime.timedelta(days=2 * 365 - 5), "Onely")
    with now(), django_assert_max_num_queries(20) as one:
        chair_client.get(URL)
    for n in range(6):
        closed_on(TODAY - datetime.timedelta(days=2 * 365 - 5 - n), f"Many{n}")
        removed_case(datetime.datetime(2018, 1, 1 + n, tzinfo=UTC), given="Rita", family=f"R{n}")
    with now(), django_assert_max_num_queries(len(one.captured_queries)):
        response = chair_client.get(URL)
    assert response.content.decode().count('data-testid="due-') >= 13


# --- The person's page -----------------------------------------------------------------------


def test_the_person_page_says_when_the_records_are_due_and_offers_a_hold(chair_client):
    person = closed_on(TODAY - datetime.timedelta(days=100), "Pageley")
    with now():
        response = chair_client.get(reverse("referrals:person_detail", args=[person.pk]))

    text = response.content.decode()
    due = TODAY - datetime.timedelta(days=100) + datetime.timedelta(days=2 * 365)
    assert f"anonymises these records on {due:%-d %B %Y}" in text
    assert reverse("rights:legal_hold_place", args=[person.pk]) in text


def test_the_person_page_offers_to_lift_a_standing_hold(chair_client):
    person = closed_on(TODAY, "Heldwell")
    hold = LegalHold.objects.create(person=person, reason="Police", placed_by=chair_client.user)

    response = chair_client.get(reverse("referrals:person_detail", args=[person.pk]))

    assert reverse("rights:legal_hold_lift", args=[hold.pk]) in response.content.decode()


def test_the_person_page_says_nothing_of_retention_to_others(assurance_client):
    person = closed_on(TODAY, "Quietly")

    response = assurance_client.get(reverse("referrals:person_detail", args=[person.pk]))

    assert 'data-testid="retention"' not in response.content.decode()
