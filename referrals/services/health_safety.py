"""The Health and Safety route. The protocol: "All incidents of violence, aggression and harassment,
regardless of severity must be reported on the accident incident report form. The Health and
Safety Team will escalate to the Unreasonable Behaviours Panel, where appropriate."

Health and Safety escalate a report as a referral through the referral form (``drafts``, source
HEALTH_SAFETY). Here: which managers' referrals Health and Safety are told of, telling them once,
and their linking of their own report to such a referral.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.utils import timezone

from referrals.models import BehaviourCategory, EventKind, Referral, ReferralSource
from referrals.notifications import notify_health_safety
from referrals.selectors import may_link_health_safety_report
from ubpanel.errors import DomainError
from ubpanel.services import service

from .base import event, lock, refuse_unless

# A reference as the accident/incident report form gives it: letters and numbers, with hyphens,
# slashes, full stops or single spaces between them, and at least one number (AIR-2026-0142).
_REFERENCE = re.compile(r"[A-Z0-9]+(?:[-/. ][A-Z0-9]+)*")
REFERENCE_MAX = 40
REFERENCE_REQUIRED = "Enter the accident/incident report reference"
REFERENCE_TOO_LONG = (
    f"The accident/incident report reference must be {REFERENCE_MAX} characters or fewer"
)
REFERENCE_INVALID = (
    "Enter the accident/incident report reference as it is on the form, like AIR-2026-0142: "
    "letters and numbers, with hyphens or slashes"
)


def report_reference_clean(value: str) -> tuple[str, str]:
    """(the reference as kept, the problem with it or ""). Kept in capitals, spaces tidied."""
    reference = " ".join((value or "").split()).upper()
    if not reference:
        return "", REFERENCE_REQUIRED
    if len(reference) > REFERENCE_MAX:
        return reference, REFERENCE_TOO_LONG
    if not _REFERENCE.fullmatch(reference) or not any(c.isdigit() for c in reference):
        return reference, REFERENCE_INVALID
    return reference, ""


def escalated_already(reference: str, *, besides: Referral | None = None) -> Referral | None:
    """The sent escalation of the same accident/incident report, if there is one."""
    found = Referral.objects.filter(
        source=ReferralSource.HEALTH_SAFETY, health_safety_reference__iexact=reference
    ).exclude(status="draft")
    if besides is not None and besides.pk:
        found = found.exclude(pk=besides.pk)
    return found.order_by("pk").first()


def violent_categories() -> frozenset[str]:
    """The behaviour categories that make a manager's referral one Health and Safety are told of:
    actual violence, and threats of violence when ``HEALTH_SAFETY_NOTIFY_THREATS`` is on."""
    categories = {BehaviourCategory.ACTUAL_VIOLENCE}
    if settings.HEALTH_SAFETY_NOTIFY_THREATS:
        categories.add(BehaviourCategory.THREATS_OF_VIOLENCE)
    return frozenset(categories)


def records_violence(referral: Referral) -> bool:
    """The referral says there was violence or aggression (its flag, which asks for the
    accident/incident report), or names a violent behaviour category (``violent_categories``)."""
    return referral.violence or bool(violent_categories() & set(referral.behaviour_categories))


def health_safety_tell_of_violence(referral: Referral, *, actor) -> bool:
    """Health and Safety were told that a manager's referral records violence: a link to the
    notice page and the reference, nothing about the individual. Once per referral, whoever calls
    and however often (the row is locked and marked). Inside the caller's transaction. True if
    told now."""
    if referral.source == ReferralSource.HEALTH_SAFETY or not records_violence(referral):
        return False
    referral = lock(referral)
    if referral.health_safety_notified_at is not None:
        return False
    referral.health_safety_notified_at = timezone.now()
    referral.save(update_fields=["health_safety_notified_at", "updated_at"])
    event(
        referral,
        actor=actor,
        kind=EventKind.HEALTH_SAFETY_NOTIFIED,
        message="The referral records violence: Health and Safety were sent a link to it.",
    )
    notify_health_safety(referral)
    return True


@service
def referral_link_health_safety_report(*, actor, referral: Referral, reference: str) -> Referral:
    """Health and Safety linked their accident/incident report to a manager's referral that
    records violence (a later link replaces it; the timeline keeps both)."""
    referral = lock(referral)
    refuse_unless(
        may_link_health_safety_report,
        actor,
        referral,
        "Only Health and Safety link a report, to a violent referral they were told of.",
    )
    reference, problem = report_reference_clean(reference)
    if problem:
        raise DomainError(problem, field="reference")
    if referral.health_safety_reference == reference:
        return referral
    referral.health_safety_reference = reference
    referral.save(update_fields=["health_safety_reference", "updated_at"])
    event(
        referral,
        actor=actor,
        kind=EventKind.HEALTH_SAFETY_REPORT,
        message=f"Health and Safety linked accident/incident report {reference}.",
    )
    return referral
