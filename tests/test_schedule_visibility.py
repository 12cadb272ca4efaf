"""Who sees which entries: the case roles all of them, everyone else what their grants allow."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from guardian.shortcuts import assign_perm

from schedule.models import (
    AddressWarning,
    AddressWarningStatus,
    EntryGroupObjectPermission,
    EntryUserObjectPermission,
)
from schedule.selectors import (
    can_see_narrative,
    tiers_visible_to,
    visible_address_warnings,
    visible_entries,
)
from ubpanel.entry_status import EntryStatus
from ubpanel.roles import CASE_ROLES, Role

from .factories import AccessGrantFactory, ActiveEntryFactory, ServiceFactory

pytestmark = pytest.mark.django_db

TIERS = ["low", "medium", "high"]


@pytest.fixture
def entries():
    return {tier: ActiveEntryFactory(tier=tier) for tier in TIERS}


def seen(user):
    return {entry.tier for entry in visible_entries(user)}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("tier", TIERS)
def test_every_role_without_a_grant_against_every_tier(make_user, entries, role, tier):
    user = make_user(role)

    visible = visible_entries(user).filter(pk=entries[tier].pk).exists()

    assert visible is (role in CASE_ROLES)


@pytest.mark.parametrize("role", [Role.FRONTLINE, Role.REFERRING_MANAGER, Role.AUDITOR])
@pytest.mark.parametrize(
    "granted", [("low",), ("medium", "high"), ("low", "medium", "high"), ("high",)]
)
def test_a_service_grant_shows_its_tiers_to_everyone_in_the_service(
    make_user, entries, role, granted
):
    service = ServiceFactory(name="Customer Services")
    AccessGrantFactory(service=service, **{tier: tier in granted for tier in TIERS})

    user = make_user(role, service=service)

    assert seen(user) == set(granted)
    assert tiers_visible_to(user) == set(granted)


def test_a_visiting_service_with_medium_and_high_cannot_see_low(make_user, entries):
    visiting = ServiceFactory(name="Environmental Health")
    AccessGrantFactory(service=visiting, low=False)

    officer = make_user(Role.FRONTLINE, service=visiting)

    assert not visible_entries(officer).filter(pk=entries["low"].pk).exists()
    assert seen(officer) == {"medium", "high"}


def test_a_grant_to_a_named_officer_is_theirs_alone(make_user, entries):
    housing = ServiceFactory(name="Housing")
    officer = make_user(Role.FRONTLINE, service=housing)
    colleague = make_user(Role.FRONTLINE, service=housing)
    AccessGrantFactory(service=None, user=officer, low=False, medium=False)

    assert seen(officer) == {"high"}
    assert seen(colleague) == set()


@pytest.mark.parametrize(
    "grant",
    [
        {"recertify_by": timezone.localdate() - timedelta(days=1)},
        {"status": "declined"},
        {"status": "revoked"},
        {"status": "requested", "recertify_by": None},
    ],
    ids=["expired", "declined", "revoked", "requested"],
)
def test_grants_that_are_not_current_give_nothing(make_user, entries, grant):
    service = ServiceFactory(name="Complaints")
    AccessGrantFactory(service=service, **grant)

    user = make_user(Role.FRONTLINE, service=service)

    assert seen(user) == set()
    assert tiers_visible_to(user) == set()


def test_a_grant_is_current_on_its_recertification_day(make_user, entries):
    service = ServiceFactory(name="Complaints")
    AccessGrantFactory(service=service, recertify_by=timezone.localdate())

    assert seen(make_user(Role.FRONTLINE, service=service)) == set(TIERS)


def test_a_guardian_exception_shows_one_entry_to_a_named_officer(make_user, entries):
    officer = make_user(Role.FRONTLINE)

    assign_perm("schedule.view_entry", officer, entries["low"])

    assert EntryUserObjectPermission.objects.filter(
        user=officer, content_object=entries["low"]
    ).exists()
    assert list(visible_entries(officer)) == [entries["low"]]


def test_a_guardian_group_exception_shows_one_entry_to_the_group(make_user, entries):
    group = Group.objects.create(name="Estate officers, North")
    officer = make_user(Role.FRONTLINE)
    officer.groups.add(group)

    assign_perm("schedule.view_entry", group, entries["medium"])

    assert EntryGroupObjectPermission.objects.filter(group=group).exists()
    assert list(visible_entries(officer)) == [entries["medium"]]


def test_another_object_permission_is_not_an_exception(make_user, entries):
    officer = make_user(Role.FRONTLINE)

    assign_perm("schedule.change_entry", officer, entries["low"])

    assert seen(officer) == set()


def test_a_removed_entry_is_hidden_from_grant_holders_but_not_from_the_panel(make_user):
    removed = ActiveEntryFactory(status=EntryStatus.REMOVED, tier="high")
    service = ServiceFactory(name="Customer Services")
    AccessGrantFactory(service=service)
    frontline = make_user(Role.FRONTLINE, service=service)
    assign_perm("schedule.view_entry", frontline, removed)

    assert not visible_entries(frontline).exists()
    assert list(visible_entries(make_user(Role.PANEL_MEMBER))) == [removed]


def test_the_record_owner_sees_their_record(make_user):
    owner = make_user(Role.REFERRING_MANAGER)
    owned = ActiveEntryFactory(record_owner=owner, status=EntryStatus.REMOVED)
    ActiveEntryFactory()

    assert list(visible_entries(owner)) == [owned]


def test_an_inactive_user_sees_nothing(make_user, entries):
    user = make_user(Role.PANEL_CHAIR, is_active=False)

    assert not visible_entries(user).exists()


def test_only_the_case_roles_see_the_narrative(make_user):
    assert can_see_narrative(make_user(Role.LEGAL_SERVICES))
    assert can_see_narrative(make_user(Role.ASC_REPRESENTATIVE))
    assert not can_see_narrative(make_user(Role.FRONTLINE))
    assert not can_see_narrative(make_user(Role.AUDITOR))


def test_address_warnings_follow_the_same_tiers(make_user):
    warnings = {
        tier: AddressWarning.objects.create(
            address="1 High Street", postcode="DT1 1AA", postcode_normalised="DT11AA", tier=tier
        )
        for tier in TIERS
    }
    AddressWarning.objects.create(
        address="2 High Street", tier="high", status=AddressWarningStatus.REMOVED
    )
    visiting = ServiceFactory(name="Environmental Health")
    AccessGrantFactory(service=visiting, low=False)

    officer = make_user(Role.FRONTLINE, service=visiting)

    assert set(visible_address_warnings(officer)) == {warnings["medium"], warnings["high"]}
    assert not visible_address_warnings(make_user(Role.FRONTLINE)).exists()
    assert visible_address_warnings(make_user(Role.PANEL_CHAIR)).count() == 4


@pytest.mark.parametrize(
    ("role", "queries"),
    # The user's roles, then their grants (frontline only), then the entries: one query each.
    [(Role.FRONTLINE, 3), (Role.PANEL_MEMBER, 2)],
)
@pytest.mark.parametrize("count", [5, 100])
def test_listing_takes_the_same_queries_however_long_the_schedule(
    make_user, django_assert_num_queries, role, queries, count
):
    service = ServiceFactory(name="Customer Services")
    AccessGrantFactory(service=service, low=False)
    AccessGrantFactory(service=None, user=make_user(), low=True)  # someone else's
    user = make_user(role, service=service)
    entries = ActiveEntryFactory.create_batch(count, tier="high")
    assign_perm("schedule.view_entry", user, ActiveEntryFactory(tier="low"))
    fresh = type(user).objects.get(pk=user.pk)  # roles are cached per user object

    with django_assert_num_queries(queries):
        listed = list(visible_entries(fresh).select_related("person"))

    assert len(listed) == len(entries) + 1
