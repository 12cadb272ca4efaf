"""Recording and ending a person's reasonable adjustments (issue 14, point 4): the services, who
may do it, who sees them, and what the audit trail keeps of them."""

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.utils import timezone

from referrals.models import Adjustment, AdjustmentNeed, AdjustmentSource
from referrals.selectors import (
    current_adjustments,
    may_end_adjustment,
    may_record_adjustment,
    visible_adjustments,
)
from referrals.services import AdjustmentError, adjustment_end, adjustment_record
from ubpanel.roles import ADJUSTMENT_ROLES, Role

from .factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

ALLOWED = [Role.PANEL_CHAIR, Role.PANEL_MEMBER, Role.ASSURANCE_OFFICER, Role.ASC_REPRESENTATIVE]


def record(actor, person, **overrides):
    fields = {
        "need": AdjustmentNeed.VISUAL_IMPAIRMENT,
        "details": "Letters in 18 point large print.",
        "source": AdjustmentSource.REFERRAL,
        "source_reference": "REF-00012",
        **overrides,
    }
    return adjustment_record(actor=actor, person=person, **fields)


def test_the_roles_that_record_adjustments_are_the_panel_assurance_and_adult_social_care():
    assert set(ADJUSTMENT_ROLES) == set(ALLOWED)


@pytest.mark.parametrize("role", list(Role))
def test_each_role_may_record_an_adjustment_only_if_it_is_one_of_them(role):
    assert may_record_adjustment(UserFactory(roles=[role]), PersonFactory()) is (role in ALLOWED)


@override_settings(SPECIAL_CATEGORY_ROLES=["panel_chair"])
def test_a_role_that_may_not_see_health_may_not_record_one_either():
    person = PersonFactory()

    assert may_record_adjustment(UserFactory(roles=[Role.PANEL_CHAIR]), person)
    assert not may_record_adjustment(UserFactory(roles=[Role.ASSURANCE_OFFICER]), person)


@pytest.mark.parametrize("role", ALLOWED)
def test_an_allowed_role_records_an_adjustment(role):
    actor, person = UserFactory(roles=[role]), PersonFactory()

    adjustment = record(actor, person)

    assert adjustment.person == person
    assert adjustment.need == AdjustmentNeed.VISUAL_IMPAIRMENT
    assert adjustment.source_reference == "REF-00012"
    assert adjustment.recorded_by == actor
    assert list(current_adjustments(person)) == [adjustment]


@pytest.mark.parametrize(
    "role", [Role.REFERRING_MANAGER, Role.FRONTLINE, Role.AUDITOR, Role.LEGAL_SERVICES]
)
def test_anyone_else_is_refused(role):
    with pytest.raises(PermissionDenied):
        record(UserFactory(roles=[role]), PersonFactory())
    assert not Adjustment.objects.exists()


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("need", {"need": "telepathy"}),
        ("source", {"source": "rumour"}),
        ("details", {"details": "   "}),
    ],
)
def test_bad_input_is_refused_beside_the_field(field, overrides):
    with pytest.raises(AdjustmentError) as refused:
        record(UserFactory(roles=[Role.PANEL_CHAIR]), PersonFactory(), **overrides)
    assert refused.value.field == field


def test_the_same_adjustment_is_not_recorded_twice():
    chair, person = UserFactory(roles=[Role.PANEL_CHAIR]), PersonFactory()
    record(chair, person)

    with pytest.raises(AdjustmentError, match="recorded for them already"):
        record(chair, person)


def test_nothing_more_is_recorded_for_an_anonymised_person():
    person = PersonFactory(anonymised_at=timezone.now())

    with pytest.raises(PermissionDenied):
        record(UserFactory(roles=[Role.PANEL_CHAIR]), person)


def test_an_ended_adjustment_is_kept_with_the_reason_and_is_no_longer_current():
    chair, person = UserFactory(roles=[Role.PANEL_CHAIR]), PersonFactory()
    adjustment = record(chair, person)
    asc = UserFactory(roles=[Role.ASC_REPRESENTATIVE])

    adjustment_end(actor=asc, adjustment=adjustment, reason="Sight restored after surgery.")

    adjustment.refresh_from_db()
    assert adjustment.ended_by == asc
    assert adjustment.ended_at is not None
    assert adjustment.end_reason == "Sight restored after surgery."
    assert list(current_adjustments(person)) == []
    assert not may_end_adjustment(asc, adjustment)


def test_ending_needs_a_reason_and_happens_once():
    chair = UserFactory(roles=[Role.PANEL_CHAIR])
    adjustment = record(chair, PersonFactory())
    with pytest.raises(AdjustmentError) as refused:
        adjustment_end(actor=chair, adjustment=adjustment, reason=" ")
    assert refused.value.field == "reason"

    adjustment_end(actor=chair, adjustment=adjustment, reason="Recorded in error.")
    with pytest.raises(AdjustmentError, match="ended already"):
        adjustment_end(actor=chair, adjustment=adjustment, reason="Again.")


def test_a_referring_manager_cannot_end_one():
    adjustment = record(UserFactory(roles=[Role.PANEL_CHAIR]), PersonFactory())

    with pytest.raises(PermissionDenied):
        adjustment_end(
            actor=UserFactory(roles=[Role.REFERRING_MANAGER]), adjustment=adjustment, reason="No."
        )


@pytest.mark.parametrize("role", list(Role))
def test_adjustments_are_visible_only_to_those_who_may_see_health(role):
    adjustment = record(UserFactory(roles=[Role.PANEL_CHAIR]), PersonFactory())
    sees = role in ALLOWED  # the default SPECIAL_CATEGORY_ROLES, all of whom see every person

    assert (adjustment in visible_adjustments(UserFactory(roles=[role]))) is sees


def test_the_audit_trail_records_the_change_but_never_the_need():
    adjustment = record(UserFactory(roles=[Role.PANEL_CHAIR]), PersonFactory())

    [entry] = LogEntry.objects.get_for_object(adjustment)
    trail = f"{entry.object_repr} {entry.changes}"
    assert entry.action == LogEntry.Action.CREATE
    assert entry.object_repr == f"Reasonable adjustment {adjustment.pk}"
    assert "Visual" not in trail
    assert "18 point" not in trail
    assert "REF-00012" in trail  # the source is not health data
