"""Every entry URL against every role; the frontline view against the full case view."""

import pytest
from django.urls import reverse

from schedule.services import entry_record_repeat_behaviour
from ubpanel.roles import CASE_ROLES, Role

from .factories import (
    AccessGrantFactory,
    ActiveEntryFactory,
    EntryFactory,
    PersonFactory,
    ServiceFactory,
    SubmittedReferralFactory,
)

pytestmark = pytest.mark.django_db
ROLES = [*Role, None]
NARRATIVE = "Threatened a housing officer with a knife at the front door."
REASON = "Violence towards staff."
GUIDANCE = "Do not visit alone. End the call if they become abusive."
HEALTH = "Severe anxiety; uses a hearing aid."


def role_id(role):
    return role.value if role else "no-role"


@pytest.fixture
def entry():
    return EntryFactory(person=PersonFactory(health_and_disability=HEALTH))


# name, url args, who may open it (others: 403 from the role check, or the audited 404)
ENTRY_URLS = [
    ("schedule:entry_list", False, CASE_ROLES),
    ("schedule:entry_detail", True, CASE_ROLES),
    ("schedule:emergency_add", False, {Role.PANEL_CHAIR, Role.DIRECTOR_LEGAL}),
]


@pytest.mark.parametrize(
    ("name", "takes_pk", "allowed"), ENTRY_URLS, ids=[u[0] for u in ENTRY_URLS]
)
@pytest.mark.parametrize("role", ROLES, ids=role_id)
def test_each_entry_page_opens_only_for_those_with_access_and_audits_both(
    role_client, entry, name, takes_pk, allowed, role, audit_entries
):
    client = role_client(role)
    url = reverse(name, args=[entry.pk] if takes_pk else [])

    response = client.get(url)

    if role in allowed:
        assert response.status_code == 200
        if name == "schedule:entry_detail":
            assert audit_entries(event="view", object_pk=str(entry.pk), actor=client.user)
        if name == "schedule:entry_list":
            assert audit_entries(event="list", object_pk=str(entry.pk), actor=client.user)
    else:
        assert response.status_code in (403, 404)
        assert NARRATIVE not in response.content.decode()
        if response.status_code == 404:
            assert audit_entries(event="denied", object_pk=str(entry.pk), actor=client.user)


@pytest.mark.parametrize("role", [Role.FRONTLINE, Role.REFERRING_MANAGER, Role.AUDITOR, None])
def test_it_returns_an_audited_404_to_staff_without_a_grant(
    role_client, entry, role, audit_entries
):
    client = role_client(role)

    response = client.get(reverse("schedule:entry_detail", args=[entry.pk]))

    assert response.status_code == 404
    assert audit_entries(event="denied", object_pk=str(entry.pk), actor=client.user)


def test_a_missing_entry_is_the_same_audited_404(chair_client, audit_entries):
    response = chair_client.get(reverse("schedule:entry_detail", args=[999999]))

    assert response.status_code == 404
    assert audit_entries(event="denied", object_pk="999999")


def test_frontline_staff_with_a_grant_see_what_to_do_but_not_the_narrative(
    make_user, client, entry, audit_entries
):
    service = ServiceFactory(name="Customer Services")
    AccessGrantFactory(service=service)
    entry.email_divert = True
    entry.ward_councillors_response = "Cllr Jones agreed"
    entry.contact_restrictions = "No phone calls."
    entry.save()
    frontline = make_user(Role.FRONTLINE, service=service)
    client.force_login(frontline)

    response = client.get(reverse("schedule:entry_detail", args=[entry.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert GUIDANCE in html
    assert "In writing to the SPOC only." in html
    assert "Sam Spoc" in html
    assert "No phone calls." in html
    assert "forward it to them and do not reply" in html
    assert entry.review_due_on.strftime("%B %Y") in html
    assert NARRATIVE not in html
    assert REASON not in html
    assert HEALTH not in html
    assert "Cllr Jones agreed" not in html
    assert 'data-testid="history"' not in html
    [view] = audit_entries(event="view", object_pk=str(entry.pk))
    assert view.actor == frontline
    assert view.additional_data["view"] == "frontline"


def test_a_grant_for_medium_and_high_does_not_open_a_low_entry(make_user, client, audit_entries):
    service = ServiceFactory(name="Environmental Health")
    AccessGrantFactory(service=service, low=False)
    low = ActiveEntryFactory(tier="low")
    client.force_login(make_user(Role.FRONTLINE, service=service))

    assert client.get(reverse("schedule:entry_detail", args=[low.pk])).status_code == 404
    assert audit_entries(event="denied", object_pk=str(low.pk))


@pytest.mark.parametrize("role", sorted(CASE_ROLES), ids=role_id)
def test_case_roles_see_the_narrative_and_health_only_if_special_category(
    role_client, entry, role, settings
):
    response = role_client(role).get(reverse("schedule:entry_detail", args=[entry.pk]))

    html = response.content.decode()
    assert GUIDANCE in html
    assert NARRATIVE in html
    assert REASON in html
    assert reverse("referrals:person_detail", args=[entry.person.pk]) in html
    assert (HEALTH in html) == (role.value in settings.SPECIAL_CATEGORY_ROLES)


def test_legal_services_see_the_narrative_but_not_health(legal_client, entry):
    html = legal_client.get(reverse("schedule:entry_detail", args=[entry.pk])).content.decode()

    assert NARRATIVE in html
    assert HEALTH not in html


def test_the_history_shows_repeat_behaviour_and_the_clock_restarting(
    assurance_client, make_user, audit_entries
):
    entry = ActiveEntryFactory()
    referral = SubmittedReferralFactory(person=entry.person)
    entry_record_repeat_behaviour(
        actor=make_user(Role.ASSURANCE_OFFICER), entry=entry, referral=referral
    )

    response = assurance_client.get(reverse("schedule:entry_detail", args=[entry.pk]))

    html = response.content.decode()
    assert "Repeat behaviour" in html
    assert f"Repeat behaviour reported in {referral.reference}" in html
    assert "the 12-month clock restarts" in html
    # Assurance may open the referral, so it is linked.
    assert reverse("referrals:detail", args=[referral.pk]) in html


def test_the_list_audits_each_row_it_shows(panel_client, audit_entries):
    entries = ActiveEntryFactory.create_batch(3)

    response = panel_client.get(reverse("schedule:entry_list"))

    html = response.content.decode()
    for entry in entries:
        assert entry.reference in html
        assert audit_entries(event="list", object_pk=str(entry.pk), actor=panel_client.user)
    assert NARRATIVE not in html


def test_the_list_is_paginated(panel_client):
    ActiveEntryFactory.create_batch(27)

    first = panel_client.get(reverse("schedule:entry_list")).content.decode()
    second = panel_client.get(reverse("schedule:entry_list") + "?page=2").content.decode()

    assert "Page 1 of 2" in first
    assert "Page 2 of 2" in second


@pytest.mark.parametrize("rows", [2, 20])
def test_the_list_uses_a_constant_number_of_queries(
    panel_client, rows, django_assert_max_num_queries
):
    ActiveEntryFactory.create_batch(rows)

    with django_assert_max_num_queries(10):
        assert panel_client.get(reverse("schedule:entry_list")).status_code == 200


def test_a_removed_entry_is_hidden_from_frontline_staff_even_with_a_grant(
    make_user, client, audit_entries
):
    service = ServiceFactory(name="Customer Services")
    AccessGrantFactory(service=service)
    removed = ActiveEntryFactory(status="removed")
    client.force_login(make_user(Role.FRONTLINE, service=service))

    assert client.get(reverse("schedule:entry_detail", args=[removed.pk])).status_code == 404
    assert audit_entries(event="denied", object_pk=str(removed.pk))
