"""The access register: requests from any member of staff, the chair's decisions, the register."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from schedule.models import AccessGrant
from ubpanel.roles import CASE_ROLES, Role

from .factories import AccessGrantFactory, ServiceFactory

pytestmark = pytest.mark.django_db
ROLES = [*Role, None]


def role_id(role):
    return role.value if role else "no-role"


@pytest.fixture
def request_grant(make_user):
    return AccessGrantFactory(
        service=ServiceFactory(name="Environmental Health"),
        low=False,
        status="requested",
        recertify_by=None,
        rationale="Officers visit homes to inspect.",
        requested_by=make_user(Role.FRONTLINE),
    )


def test_a_member_of_staff_requests_access_for_their_service(frontline_client, audit_entries):
    response = frontline_client.post(
        reverse("schedule:access_request"),
        {"grantee": "service", "tiers": ["medium", "high"], "rationale": "We visit homes."},
    )

    assert response.status_code == 302
    grant = AccessGrant.objects.get()
    assert grant.service == frontline_client.user.service
    assert grant.user is None
    assert grant.tiers == ["medium", "high"]
    assert grant.status == "requested"
    assert grant.requested_by == frontline_client.user
    assert audit_entries(action=0, object_pk=str(grant.pk))  # auditlog CREATE


def test_a_member_of_staff_may_ask_for_access_for_themselves(outsider_client):
    response = outsider_client.post(
        reverse("schedule:access_request"),
        {"grantee": "user", "tiers": ["low"], "rationale": "I answer the front desk phone."},
    )

    assert response.status_code == 302
    assert AccessGrant.objects.get().user == outsider_client.user


def test_a_request_without_tiers_or_rationale_is_shown_again_with_errors(frontline_client):
    response = frontline_client.post(
        reverse("schedule:access_request"), {"grantee": "service", "rationale": ""}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_tiers-error"' in html
    assert "Choose one or more risk tiers" in html
    assert "Give the risk-based rationale for the access" in html
    assert not AccessGrant.objects.exists()


def test_the_request_form_needs_csrf(make_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.FRONTLINE))

    response = client.post(
        reverse("schedule:access_request"),
        {"grantee": "service", "tiers": ["low"], "rationale": "x"},
    )

    assert response.status_code == 403
    assert not AccessGrant.objects.exists()


def test_the_chair_approves_a_request_until_a_recertification_date(
    chair_client, request_grant, audit_entries
):
    until = timezone.localdate() + timedelta(days=200)

    response = chair_client.post(
        reverse("schedule:access_decide", args=[request_grant.pk]),
        {"action": "approve", "approve-recertify_by": until.isoformat()},
    )

    assert response.status_code == 302
    request_grant.refresh_from_db()
    assert request_grant.status == "approved"
    assert request_grant.approved_by == chair_client.user
    assert request_grant.recertify_by == until
    assert audit_entries(event="view", object_pk=str(request_grant.pk))


def test_a_recertification_date_in_the_past_is_refused_beside_the_field(
    chair_client, request_grant
):
    response = chair_client.post(
        reverse("schedule:access_decide", args=[request_grant.pk]),
        {"action": "approve", "approve-recertify_by": "2020-01-01"},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_approve-recertify_by-error"' in html
    assert "must be in the future" in html
    request_grant.refresh_from_db()
    assert request_grant.status == "requested"


def test_the_chair_declines_a_request_with_a_reason(chair_client, request_grant):
    response = chair_client.post(
        reverse("schedule:access_decide", args=[request_grant.pk]),
        {"action": "decline", "decline-reason": "Visits are accompanied already."},
    )

    assert response.status_code == 302
    request_grant.refresh_from_db()
    assert request_grant.status == "declined"
    assert request_grant.closed_reason == "Visits are accompanied already."


def test_declining_without_a_reason_keeps_the_request_open(chair_client, request_grant):
    response = chair_client.post(
        reverse("schedule:access_decide", args=[request_grant.pk]),
        {"action": "decline", "decline-reason": ""},
    )

    assert response.status_code == 400
    assert 'id="id_decline-reason-error"' in response.content.decode()
    request_grant.refresh_from_db()
    assert request_grant.status == "requested"


@pytest.mark.parametrize("role", [r for r in ROLES if r != Role.PANEL_CHAIR], ids=role_id)
def test_no_one_but_the_chair_can_decide(role_client, request_grant, role):
    client = role_client(role)
    url = reverse("schedule:access_decide", args=[request_grant.pk])

    assert client.get(url).status_code == 404
    response = client.post(url, {"action": "approve", "approve-recertify_by": "2099-01-01"})

    assert response.status_code == 404
    request_grant.refresh_from_db()
    assert request_grant.status == "requested"


def test_deciding_an_unknown_grant_is_an_audited_404(chair_client, audit_entries):
    assert chair_client.get(reverse("schedule:access_decide", args=[99999])).status_code == 404
    assert audit_entries(event="denied", object_pk="99999")


@pytest.mark.parametrize("role", ROLES, ids=role_id)
def test_the_register_opens_for_the_case_roles_only(
    role_client, request_grant, role, audit_entries
):
    client = role_client(role)

    response = client.get(reverse("schedule:access_register"))

    if role in CASE_ROLES:
        assert response.status_code == 200
        assert audit_entries(event="list", object_pk=str(request_grant.pk), actor=client.user)
    else:
        assert response.status_code == 403


def test_the_register_says_who_has_access_and_why(chair_client, request_grant, make_user):
    chair = chair_client.user
    approved = AccessGrantFactory(
        service=ServiceFactory(name="Complaints"),
        rationale="Handles complaints from known individuals.",
        approved_by=chair,
        approved_at=timezone.now(),
    )

    response = chair_client.get(reverse("schedule:access_register"))

    html = response.content.decode()
    assert "Complaints" in html
    assert "Handles complaints from known individuals." in html
    assert f"Approved by {chair}" in html
    assert "Re-certify by" in html
    assert "Environmental Health" in html
    assert "Officers visit homes to inspect." in html
    assert reverse("schedule:access_decide", args=[request_grant.pk]) in html
    assert reverse("schedule:access_decide", args=[approved.pk]) in html


def test_only_the_chair_is_offered_the_decision_links(panel_client, request_grant):
    html = panel_client.get(reverse("schedule:access_register")).content.decode()

    assert "Officers visit homes to inspect." in html
    assert reverse("schedule:access_decide", args=[request_grant.pk]) not in html


def test_frontline_staff_find_the_request_access_link_on_the_search_page(frontline_client):
    page = frontline_client.get(reverse("schedule:index")).content.decode()

    assert reverse("schedule:access_request") in page
