"""The access register: services ask, the chair records the panel's decision, defaults are kept."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone

from schedule import services
from schedule.models import AccessGrant, AccessGrantStatus
from schedule.selectors import tiers_visible_to
from ubpanel.models import Service
from ubpanel.roles import Role

from .factories import AccessGrantFactory, ServiceFactory

G = AccessGrantStatus
pytestmark = pytest.mark.django_db

NEXT_YEAR = timezone.localdate() + timedelta(days=365)

TRANSITIONS = {
    "approve": (services.access_grant_approve, {"recertify_by": NEXT_YEAR}, G.APPROVED),
    "decline": (services.access_grant_decline, {"reason": "No contact expected."}, G.DECLINED),
    "revoke": (services.access_grant_revoke, {"reason": "Service restructured."}, G.REVOKED),
}
ALLOWED = {
    "approve": {G.REQUESTED, G.APPROVED},  # approving again re-certifies
    "decline": {G.REQUESTED},
    "revoke": {G.APPROVED},
}


@pytest.fixture
def chair(make_user):
    return make_user(Role.PANEL_CHAIR)


def test_a_service_requests_medium_and_high_access(make_user):
    manager = make_user(Role.REFERRING_MANAGER)
    visiting = ServiceFactory(name="Environmental Health")

    grant = services.access_grant_request(
        actor=manager,
        service_or_user=visiting,
        tiers=services.VISITING_SERVICE_TIERS,
        rationale="Officers visit customers' addresses.",
    )

    grant.refresh_from_db()
    assert (grant.service, grant.user, grant.status) == (visiting, None, G.REQUESTED)
    assert grant.tiers == ["medium", "high"]
    assert grant.requested_by == manager
    assert tiers_visible_to(make_user(Role.FRONTLINE, service=visiting)) == set()


def test_a_named_officer_can_be_granted_access(make_user, chair):
    officer = make_user(Role.FRONTLINE)
    grant = services.access_grant_request(
        actor=officer, service_or_user=officer, tiers=["high"], rationale="Lone working."
    )

    services.access_grant_approve(actor=chair, grant=grant, recertify_by=NEXT_YEAR)

    grant.refresh_from_db()
    assert (grant.user, grant.service, grant.approved_by) == (officer, None, chair)
    assert grant.approved_at is not None
    assert tiers_visible_to(officer) == {"high"}


@pytest.mark.parametrize(
    ("tiers", "rationale"), [([], "Why"), (["extreme"], "Why"), (["low"], "  ")]
)
def test_a_request_needs_known_tiers_and_a_rationale(make_user, tiers, rationale):
    with pytest.raises(ValidationError):
        services.access_grant_request(
            actor=make_user(Role.FRONTLINE),
            service_or_user=ServiceFactory(),
            tiers=tiers,
            rationale=rationale,
        )
    assert not AccessGrant.objects.exists()


def test_a_grant_is_to_a_service_or_a_user_never_both(make_user):
    with pytest.raises(IntegrityError):
        AccessGrant.objects.create(
            service=ServiceFactory(), user=make_user(), low=True, rationale="Both"
        )


def test_a_grant_is_to_somebody(make_user):
    with pytest.raises(IntegrityError):
        AccessGrant.objects.create(low=True, rationale="Nobody")


def test_a_grant_covers_at_least_one_tier():
    with pytest.raises(IntegrityError):
        AccessGrant.objects.create(service=ServiceFactory(), rationale="No tiers")


@pytest.mark.parametrize("status", list(G))
@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_every_grant_status_against_every_decision(chair, status, name):
    grant = AccessGrantFactory(status=status)
    service, kwargs, to = TRANSITIONS[name]

    if status in ALLOWED[name]:
        service(actor=chair, grant=grant, **kwargs)
        grant.refresh_from_db()
        assert grant.status == to
    else:
        with pytest.raises(services.ScheduleTransitionError, match="cannot be"):
            service(actor=chair, grant=grant, **kwargs)
        grant.refresh_from_db()
        assert grant.status == status


@pytest.mark.parametrize(
    "role",
    [
        Role.PANEL_MEMBER,
        Role.ASSURANCE_OFFICER,
        Role.DIRECTOR_LEGAL,
        Role.MONITORING_OFFICER,
        Role.REFERRING_MANAGER,
        Role.FRONTLINE,
        Role.AUDITOR,
    ],
)
@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_only_the_chair_decides_on_access(make_user, role, name):
    grant = AccessGrantFactory(status=G.REQUESTED if name != "revoke" else G.APPROVED)
    before = grant.status
    service, kwargs, _ = TRANSITIONS[name]

    with pytest.raises(PermissionDenied, match="chair"):
        service(actor=make_user(role), grant=grant, **kwargs)

    grant.refresh_from_db()
    assert grant.status == before


def test_a_revoked_grant_stops_at_once_and_says_why(make_user, chair):
    service = ServiceFactory(name="Housing")
    grant = AccessGrantFactory(service=service)
    officer = make_user(Role.FRONTLINE, service=service)
    assert tiers_visible_to(officer) == {"low", "medium", "high"}

    services.access_grant_revoke(actor=chair, grant=grant, reason="No longer visits.")

    grant.refresh_from_db()
    assert (grant.closed_by, grant.closed_reason) == (chair, "No longer visits.")
    officer = type(officer).objects.get(pk=officer.pk)
    assert tiers_visible_to(officer) == set()


def test_approval_needs_a_future_recertification_date(chair):
    grant = AccessGrantFactory(status=G.REQUESTED, recertify_by=None)

    with pytest.raises(ValidationError, match="future"):
        services.access_grant_approve(actor=chair, grant=grant, recertify_by=timezone.localdate())


def test_the_protocol_defaults_are_approved_once(make_user, chair):
    with time_machine.travel(date(2026, 11, 24)):
        created = services.access_grants_ensure_defaults(actor=chair)
        again = services.access_grants_ensure_defaults(actor=chair)

    assert again == []
    assert sorted(g.service.name for g in created) == sorted(services.DEFAULT_SERVICES_ALL_TIERS)
    for grant in created:
        assert grant.status == G.APPROVED
        assert grant.tiers == ["low", "medium", "high"]
        assert grant.recertify_by == date(2027, 11, 24)
        assert grant.rationale
    assert AccessGrant.objects.count() == 4
    assert Service.objects.filter(name="Elected councillors").exists()


def test_an_expired_default_is_approved_afresh(chair):
    with time_machine.travel(date(2026, 11, 24)):
        services.access_grants_ensure_defaults(actor=chair)
    with time_machine.travel(date(2027, 11, 25)):
        renewed = services.access_grants_ensure_defaults(actor=None)

    assert len(renewed) == 4
    assert {g.recertify_by for g in renewed} == {date(2028, 11, 25)}
