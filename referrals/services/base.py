"""What every referral service shares: its error, the timeline, and the one way a status changes."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied

from referrals.models import EventKind, Referral, ReferralEvent, ReferralStatus
from referrals.notifications import notify_referrer
from referrals.statuses import referral_sources
from ubpanel.errors import DomainError
from ubpanel.services import lock_in_status


class ReferralTransitionError(DomainError):
    """The referral is not in a status where that can happen."""


S = ReferralStatus


def event(referral, *, actor, kind, message="", from_status="", to_status="") -> ReferralEvent:
    return ReferralEvent.objects.create(
        referral=referral,
        actor=actor,
        kind=kind,
        message=message,
        from_status=from_status,
        to_status=to_status,
    )


def lock(
    referral: Referral,
    service: str | None = None,
    *,
    to=None,
    refusal: Callable[[Referral], str] | None = None,
) -> Referral:
    """The referral's row as it is now, held for the rest of the transaction; refused unless its
    status lets ``service`` move it (``REFERRAL_GRAPH``), in ``refusal``'s words when given."""
    allowed = referral_sources(referral, service) if service else None
    return lock_in_status(referral, allowed, to=to, error=ReferralTransitionError, refusal=refusal)


# Who may do what is in referrals.selectors; this is what a refusal says.
TRIAGE_IS_ASSURANCES = "Only the Assurance team triage referrals."


def refuse_unless(
    may: Callable[[object, Referral], bool], actor, referral: Referral | None, why: str = ""
) -> None:
    """PermissionDenied unless the predicate ``may`` lets ``actor`` act on ``referral``."""
    if not may(actor, referral):
        raise PermissionDenied(why or "You cannot do that to this referral.")


def move(
    referral: Referral,
    *,
    actor,
    service: str,
    to: ReferralStatus,
    kind: EventKind,
    may: Callable[[object, Referral], bool] | None = None,
    why: str = TRIAGE_IS_ASSURANCES,
    message: str = "",
    changes: dict | None = None,
) -> Referral:
    """Move the referral, locked, from a status ``service`` may start from to ``to``: refused with
    ReferralTransitionError from any other status, and with PermissionDenied unless ``may`` allows
    ``actor``. ``why`` is what a refusal says. ``changes`` are made on the locked row with the move. Returns the locked row."""
    referral = lock(referral, service, to=to)
    if may is not None:
        refuse_unless(may, actor, referral, why)
    from_status = referral.status
    for name, value in (changes or {}).items():
        setattr(referral, name, value)
    referral.status = to
    referral.save()
    event(referral, actor=actor, kind=kind, message=message, from_status=from_status, to_status=to)
    notify_referrer(referral)
    return referral
