"""Re-certifying access: the chair records the panel's new date; the register flags access that is
overdue or nearly due."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from schedule import services
from schedule.models import AccessGrantStatus
from schedule.selectors import tiers_visible_to
from ubpanel.roles import Role

from .factories import AccessGrantFactory, ServiceFactory

G = AccessGrantStatus
pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
NEXT_YEAR = TODAY + timedelta(days=365)


@pytest.fixture
def chair(make_user):
    return make_user(Role.PANEL_CHAIR)


@pytest.mark.parametrize("status", list(G))
def test_every_grant_status_against_recertification(chair, status):
    grant = AccessGrantFactory(status=status, recertify_by=TODAY + timedelta(days=10))

    if status == G.APPROVED:
        services.access_grant_recertify(actor=chair, grant=grant, recertify_by=NEXT_YEAR)
        grant.refresh_from_db()
        assert (grant.status, grant.recertify_by) == (G.APPROVED, NEXT_YEAR)
    else:
        with pytest.raises(services.ScheduleTransitionError, match="cannot be re-certified"):
            services.access_grant_recertify(actor=chair, grant=grant, recertify_by=NEXT_YEAR)
        grant.refresh_from_db()
        assert (grant.status, grant.recertify_by) == (status, TODAY + timedelta(days=10))


def test_lapsed_access_is_current_again_once_re_certified(make_user, chair):
    service = ServiceFactory(name="Complaints")
    grant = AccessGrantFactory(service=service, low=False, recertify_by=TODAY - timedelta(days=3))
    officer = make_user(Role.FRONTLINE, service=service)
    assert tiers_visible_to(officer) == set()

    services.access_grant_recertify(actor=chair, grant=grant, recertify_by=NEXT_YEAR)

    officer = type(officer).objects.get(pk=officer.pk)
    assert tiers_visible_to(officer) == {"medium", "high"}
    grant.refresh_from_db()
    assert grant.approved_by == chair
    assert grant.approved_at is not None


@pytest.mark.parametrize("role", [r for r in Role if r != Role.PANEL_CHAIR])
def test_only_the_chair_re_certifies(make_user, role):
    grant = AccessGrantFactory(recertify_by=TODAY + timedelta(days=5))

    with pytest.raises(PermissionDenied, match="chair"):
        services.access_grant_recertify(actor=make_user(role), grant=grant, recertify_by=NEXT_YEAR)

    grant.refresh_from_db()
    assert grant.recertify_by == TODAY + timedelta(days=5)


@pytest.mark.parametrize("days", [0, -1])
def test_the_new_date_must_be_in_the_future(chair, days):
    grant = AccessGrantFactory(recertify_by=TODAY + timedelta(days=5))

    with pytest.raises(ValidationError, match="future"):
        services.access_grant_recertify(
            actor=chair, grant=grant, recertify_by=TODAY + timedelta(days=days)
        )


# --- The pages ---------------------------------------------------------------------------------


def test_the_chair_re_certifies_from_the_decide_page(chair_client):
    grant = AccessGrantFactory(recertify_by=TODAY + timedelta(days=5))

    response = chair_client.post(
        reverse("schedule:access_decide", args=[grant.pk]),
        {"action": "approve", "approve-recertify_by": NEXT_YEAR.isoformat()},
        follow=True,
    )

    assert response.status_code == 200
    assert f"re-certified until {NEXT_YEAR.day} {NEXT_YEAR:%B %Y}" in response.content.decode()
    grant.refresh_from_db()
    assert (grant.status, grant.recertify_by) == (G.APPROVED, NEXT_YEAR)
    [change] = LogEntry.objects.get_for_object(grant).filter(action=LogEntry.Action.UPDATE)
    assert change.actor == chair_client.user


def test_a_past_date_is_refused_beside_the_field_and_kept(chair_client):
    grant = AccessGrantFactory(recertify_by=TODAY + timedelta(days=5))

    response = chair_client.post(
        reverse("schedule:access_decide", args=[grant.pk]),
        {"action": "approve", "approve-recertify_by": "2020-01-01"},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_approve-recertify_by-error"' in html
    assert 'name="approve-recertify_by_year" value="2020"' in html
    grant.refresh_from_db()
    assert grant.recertify_by == TODAY + timedelta(days=5)


def test_the_register_flags_overdue_and_nearly_due_access(chair_client):
    overdue = AccessGrantFactory(
        service=ServiceFactory(name="Libraries"), recertify_by=TODAY - timedelta(days=1)
    )
    soon = AccessGrantFactory(
        service=ServiceFactory(name="Waste"), recertify_by=TODAY + timedelta(days=20)
    )
    AccessGrantFactory(
        service=ServiceFactory(name="Parking"), recertify_by=TODAY + timedelta(days=200)
    )

    html = chair_client.get(reverse("schedule:access_register")).content.decode()

    lapsed_section = html.split('data-testid="grants-lapsed"')[1].split("</table>")[0]
    current_section = html.split('data-testid="grants-current"')[1].split("</table>")[0]
    assert "Libraries" in lapsed_section
    assert "Re-certification overdue" in lapsed_section
    assert reverse("schedule:access_decide", args=[overdue.pk]) in lapsed_section
    assert reverse("schedule:access_revoke", args=[overdue.pk]) in lapsed_section
    assert "Waste" in current_section
    assert "Parking" in current_section
    assert current_section.count('data-testid="recertify-soon"') == 1
    assert reverse("schedule:access_revoke", args=[soon.pk]) in current_section


def test_without_lapsed_access_the_register_has_no_overdue_section(chair_client):
    AccessGrantFactory(recertify_by=TODAY + timedelta(days=200))

    html = chair_client.get(reverse("schedule:access_register")).content.decode()

    assert "Re-certification overdue" not in html
