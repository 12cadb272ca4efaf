"""A person's reasonable adjustments (Equality Act 2010, s.20): recorded by the panel, Assurance or
Adult Social Care from the referral's health information, a returned equalities questionnaire or
the panel's consideration of health, and ended when they no longer apply.

The need behind an adjustment is special-category data (health, disability): who may record and
see adjustments is ``referrals.selectors.may_record_adjustment`` / ``visible_adjustments``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from referrals.models import Adjustment, AdjustmentNeed, AdjustmentSource, Person
from referrals.selectors import may_end_adjustment, may_record_adjustment
from ubpanel.errors import DomainError
from ubpanel.models import User
from ubpanel.services import lock_in_status, service

ADJUSTMENT_ROLES_ONLY = (
    "Only the panel, the Assurance team and Adult Social Care record a person's reasonable "
    "adjustments."
)


class AdjustmentError(DomainError):
    """The adjustment cannot be recorded or ended as asked."""


@service
def adjustment_record(
    *,
    actor: User,
    person: Person,
    need: str,
    details: str,
    source: str,
    source_reference: str = "",
) -> Adjustment:
    """A reasonable adjustment was recorded for the individual: the need the council learnt of
    (from the referral's health information, a returned equalities questionnaire or the panel's
    consideration of health) and what the council will do differently. Restrictions the panel
    sets are checked against it (``schedule.adjustments``)."""
    if not may_record_adjustment(actor, person):
        raise PermissionDenied(ADJUSTMENT_ROLES_ONLY)
    if need not in AdjustmentNeed.values:
        raise AdjustmentError("Choose the person's need", field="need")
    if source not in AdjustmentSource.values:
        raise AdjustmentError("Choose where the council learnt of it", field="source")
    details = details.strip()
    if not details:
        raise AdjustmentError("Say what the council will do differently for them", field="details")
    person = lock_in_status(person)
    if person.anonymised_at is not None:
        raise AdjustmentError("The person's details were anonymised: nothing more is recorded.")
    duplicate = person.adjustments.filter(
        need=need, details=details, ended_at__isnull=True
    ).exists()
    if duplicate:
        raise AdjustmentError("This adjustment is recorded for them already.", field="details")
    return Adjustment.objects.create(
        person=person,
        need=need,
        details=details,
        source=source,
        source_reference=source_reference.strip(),
        recorded_by=actor,
    )


@service
def adjustment_end(*, actor: User, adjustment: Adjustment, reason: str) -> Adjustment:
    """A reasonable adjustment no longer applies (the need changed, or it was recorded in error):
    it is ended with the reason, and kept."""
    adjustment = lock_in_status(adjustment)
    if adjustment.ended_at is not None:
        raise AdjustmentError("This adjustment has ended already.")
    if not may_end_adjustment(actor, adjustment):
        raise PermissionDenied(ADJUSTMENT_ROLES_ONLY)
    if not reason.strip():
        raise AdjustmentError("Say why the adjustment no longer applies", field="reason")
    adjustment.ended_at = timezone.now()
    adjustment.ended_by = actor
    adjustment.end_reason = reason.strip()
    adjustment.save(update_fields=["ended_at", "ended_by", "end_reason"])
    return adjustment
