"""The permission pattern on the sample object (Person): allowed roles see it, others get 404,
and both outcomes land in the audit trail."""

from html import escape

import pytest
from django.urls import reverse

from referrals.models import Person
from ubpanel.roles import CASE_ROLES, Role

from .factories import PersonFactory, ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", sorted(CASE_ROLES))
def test_case_roles_see_a_person_and_the_view_is_audited(role_client, role, person, audit_entries):
    client = role_client(role)

    response = client.get(reverse("referrals:person_detail", args=[person.pk]))

    assert response.status_code == 200
    assert escape(person.family_name) in response.content.decode()
    [entry] = audit_entries(event="view", object_pk=str(person.pk))
    assert entry.actor == client.user
    assert entry.content_type.model_class() is Person
    assert entry.additional_data["path"] == f"/referrals/people/{person.pk}/"
    assert entry.remote_addr == "127.0.0.1"


@pytest.mark.parametrize("role", [Role.FRONTLINE, Role.AUDITOR, None])
def test_it_returns_404_to_roles_without_access_and_audits_the_refusal(
    role_client, role, audit_entries
):
    # A surname no generated staff name has: the page's header names the signed-in user.
    person = PersonFactory(family_name="Quarrington-Vale")
    client = role_client(role)

    response = client.get(reverse("referrals:person_detail", args=[person.pk]))

    assert response.status_code == 404
    assert escape(person.family_name) not in response.content.decode()
    assert audit_entries(event="view") == []
    [denied] = audit_entries(event="denied")
    assert denied.actor == client.user
    assert denied.object_pk == str(person.pk)
    assert denied.content_type.model_class() is Person


def test_a_referring_manager_sees_their_own_services_people_only(role_client, audit_entries):
    housing = ServiceFactory(name="Housing")
    theirs = PersonFactory(recorded_by_service=housing)
    other = PersonFactory(recorded_by_service=ServiceFactory(name="Waste"))
    client = role_client(Role.REFERRING_MANAGER, service=housing)

    assert client.get(reverse("referrals:person_detail", args=[theirs.pk])).status_code == 200
    assert client.get(reverse("referrals:person_detail", args=[other.pk])).status_code == 404
    assert [e.object_pk for e in audit_entries(event="denied")] == [str(other.pk)]


def test_a_missing_person_is_a_404_like_a_forbidden_one_and_is_audited(
    assurance_client, audit_entries
):
    response = assurance_client.get(reverse("referrals:person_detail", args=[999999]))

    assert response.status_code == 404
    [denied] = audit_entries(event="denied")
    assert denied.object_pk == "999999"


@pytest.mark.parametrize(
    ("role", "sees_health"),
    [
        (Role.PANEL_MEMBER, True),
        (Role.PANEL_CHAIR, True),
        (Role.ASSURANCE_OFFICER, True),
        (Role.ASC_REPRESENTATIVE, True),
        (Role.LEGAL_SERVICES, False),
        (Role.MONITORING_OFFICER, False),
        (Role.DIRECTOR_LEGAL, False),
    ],
)
def test_special_category_data_is_shown_only_to_the_panel_assurance_and_asc(
    role_client, role, sees_health, person
):
    client = role_client(role)

    page = client.get(reverse("referrals:person_detail", args=[person.pk])).content.decode()

    assert (person.health_and_disability in page) is sees_health


def test_special_category_values_never_reach_the_audit_trail(assurance_client, audit_entries):
    from referrals.services import person_create

    person_create(
        actor=assurance_client.user,
        given_names="Ann",
        family_name="Example",
        health_and_disability="Diagnosed with a specific condition",
    )

    [created] = audit_entries(action=0, content_type__model="person")
    assert created.actor == assurance_client.user
    assert "specific condition" not in str(created.changes)
    assert "condition" not in str(created.changes)


def test_the_people_list_audits_every_row_shown(assurance_client, audit_entries):
    people = PersonFactory.create_batch(3)

    response = assurance_client.get(reverse("referrals:person_list"))

    assert response.status_code == 200
    listed = audit_entries(event="list")
    assert sorted(e.object_pk for e in listed) == sorted(str(p.pk) for p in people)
    assert {e.actor for e in listed} == {assurance_client.user}


@pytest.mark.parametrize("rows", [3, 25])
def test_the_people_list_uses_a_constant_number_of_queries(
    assurance_client, rows, django_assert_max_num_queries
):
    PersonFactory.create_batch(rows)
    assurance_client.get(reverse("referrals:person_list"))  # warm the content-type cache

    with django_assert_max_num_queries(12):
        response = assurance_client.get(reverse("referrals:person_list"))

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == rows


@pytest.mark.parametrize("role", [Role.FRONTLINE, Role.AUDITOR, None])
def test_the_people_list_is_forbidden_to_roles_without_case_work(role_client, role, person):
    response = role_client(role).get(reverse("referrals:person_list"))

    assert response.status_code == 403
