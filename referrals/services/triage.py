"""Triage by the Assurance team: ask for more information, recommend a letter, find it out of scope,
list it for the panel (a new referral, or repeat behaviour by someone on the schedule), merge a
duplicate, close it; and what the panel's decision does to it.

Each service moves the referral along ``REFERRAL_GRAPH`` (``referrals.models``) and refuses, with
``ReferralTransitionError``, a referral in any other status; the triage services refuse anyone but
the Assurance team with ``PermissionDenied`` (``referrals.selectors``).
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from referrals.models import EventKind, Evidence, Referral, ReferralEvent
from referrals.selectors import (
    can_move,
    live_entry_for,
    may_close,
    may_confirm_repeat_behaviour,
    may_mark_out_of_scope,
    may_mark_ready_for_panel,
    may_merge,
    may_recommend_letter,
    may_request_information,
)
from ubpanel import hooks
from ubpanel.audit import update_audited
from ubpanel.services import service

from .base import ReferralTransitionError, S, event, lock, move, refuse_unless


@service
def referral_request_information(*, actor, referral: Referral, question: str) -> Referral:
    """Assurance asked the referrer for more information before an assessment can be made."""
    return move(
        referral,
        actor=actor,
        service="referral_request_information",
        to=S.MORE_INFORMATION,
        kind=EventKind.INFORMATION_REQUESTED,
        may=may_request_information,
        message=question,
    )


@service
def referral_recommend_letter(*, actor, referral: Referral, reason: str) -> Referral:
    """Assurance recommended that the service sends a letter setting out expected behaviours
    instead: inclusion on the schedule is for exceptional circumstances."""
    return move(
        referral,
        actor=actor,
        service="referral_recommend_letter",
        to=S.LETTER_RECOMMENDED,
        kind=EventKind.STATUS_CHANGED,
        may=may_recommend_letter,
        message=reason,
    )


@service
def referral_mark_out_of_scope(*, actor, referral: Referral, reason: str) -> Referral:
    """Assurance found the referral outside the protocol (for example purely FOI or SAR contact)."""
    return move(
        referral,
        actor=actor,
        service="referral_mark_out_of_scope",
        to=S.OUT_OF_SCOPE,
        kind=EventKind.STATUS_CHANGED,
        may=may_mark_out_of_scope,
        message=reason,
    )


@service
def referral_mark_ready_for_panel(*, actor, referral: Referral, note: str = "") -> Referral:
    """Assurance listed the referral for the Unreasonable Behaviours Panel; it joins the next
    arranged meeting's agenda at once (a new referral, or a referral back for someone on the
    schedule)."""
    if referral.person_id is None:
        raise ReferralTransitionError(
            f"Link {referral.reference} to a person (an existing one or a new one) before "
            "listing it for the panel."
        )
    if referral.status == S.AWAITING_LEGAL_ADVICE:
        # The protocol: "advice should be sought from legal services before the protocol is
        # applied". The panel applies it: the referral waits for the advice.
        raise ReferralTransitionError(
            f"{referral.reference} is waiting for Legal Services' advice: the protocol asks "
            "for it before the protocol is applied. List it for the panel once they have "
            "advised."
        )
    referral = move(
        referral,
        actor=actor,
        service="referral_mark_ready_for_panel",
        to=S.READY_FOR_PANEL,
        kind=EventKind.STATUS_CHANGED,
        may=may_mark_ready_for_panel,
        message=note,
    )
    hooks.panel_work_waiting(actor=actor)
    return referral


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


@service
def referral_confirm_repeat_behaviour(*, actor, referral: Referral) -> Referral:
    """Assurance confirmed the referral as repeat behaviour by someone on the schedule.

    The protocol keeps a record for 12 months "as long as there is no repeat behaviour", so the
    entry's review moves to 12 months after the new incident (never earlier than it was); the
    referral and its incidents join the entry; and, the behaviour not having improved, the referral
    goes back to the panel.
    """
    referral = lock(referral)
    if referral.status == S.AWAITING_LEGAL_ADVICE:
        raise ReferralTransitionError(
            f"{referral.reference} is waiting for Legal Services: their advice comes before "
            "the protocol is applied."
        )
    if not can_move(referral, "referral_confirm_repeat_behaviour"):
        raise ReferralTransitionError(
            f"{referral.reference} is {referral.get_status_display().lower()}: only a "
            "referral waiting for triage can be confirmed as repeat behaviour."
        )
    if referral.person_id is None:
        raise ReferralTransitionError(
            f"Link {referral.reference} to the person on the schedule first."
        )
    entry = live_entry_for(referral)
    if entry is None:
        raise ReferralTransitionError(
            f"{referral.person} has no live entry on the schedule: list {referral.reference} "
            "for the panel as a new referral."
        )
    refuse_unless(
        lambda user, referral: may_confirm_repeat_behaviour(user, referral, entry),
        actor,
        referral,
        "Only the Assurance team confirms repeat behaviour.",
    )
    latest = referral.incidents.order_by("-occurred_on").first()
    today = timezone.localdate()
    if latest is not None:
        incident_on = min(latest.occurred_on, today)
        counted = f"the incident of {_long(incident_on)}"
    else:
        received = referral.submitted_at or referral.created_at
        incident_on = timezone.localdate(received) if received else today
        counted = f"the day it was received, {_long(incident_on)} (it records no incident)"
    entry = hooks.repeat_behaviour_confirmed(
        actor=actor, entry=entry, referral=referral, incident_on=incident_on
    )
    referral.repeat_behaviour = True
    referral.save()
    event(
        referral,
        actor=actor,
        kind=EventKind.REPEAT_BEHAVIOUR,
        message=(
            f"Confirmed as repeat behaviour by {referral.person}, on the schedule as "
            f"{entry.reference}. The 12-month clock counts from {counted}: the review is "
            f"due {_long(entry.review_due_on)}."
        ),
    )
    return referral_mark_ready_for_panel(
        actor=actor,
        referral=referral,
        note=f"Repeat behaviour on {entry.reference}: referred back to the panel.",
    )


@service
def referral_close(*, actor, referral: Referral, reason: str) -> Referral:
    """Assurance closed the referral with no further action."""
    return move(
        referral,
        actor=actor,
        service="referral_close",
        to=S.CLOSED,
        kind=EventKind.STATUS_CHANGED,
        may=may_close,
        message=reason,
    )


@service
def referral_merge(*, actor, referral: Referral, into: Referral, reason: str = "") -> Referral:
    """Assurance merged a duplicate referral into another about the same behaviour."""
    if into.pk == referral.pk or into.status in {S.MERGED, S.CLOSED}:
        raise ReferralTransitionError(
            f"{referral.reference} can only be merged into another open referral."
        )
    referral = move(
        referral,
        actor=actor,
        service="referral_merge",
        to=S.MERGED,
        kind=EventKind.MERGED,
        may=may_merge,
        message=f"Merged into {into.reference}. {reason}".strip(),
        changes={"merged_into": into},
    )
    update_audited(Evidence.objects.filter(referral=referral), referral=into)
    event(
        into,
        actor=actor,
        kind=EventKind.MERGED,
        message=f"{referral.reference} merged into this referral. {reason}".strip(),
    )
    return referral


# --- What the panel's decision does to the referral ------------------------------------------


@service
def referral_decided_by_panel(*, actor, referral: Referral, message: str) -> Referral:
    """The Unreasonable Behaviours Panel decided the referral; the decision record is the panel's.

    The authority is the panel's vote, which the panel app checks before calling this.
    """
    return move(
        referral,
        actor=actor,
        service="referral_decided_by_panel",
        to=S.DECIDED,
        kind=EventKind.STATUS_CHANGED,
        message=message,
    )


@service
def referral_panel_deferred(*, actor, referral: Referral, message: str) -> ReferralEvent:
    """The panel deferred its decision on the referral to a later meeting: it stays ready for the
    panel, and its timeline says so."""
    return event(referral, actor=actor, kind=EventKind.STATUS_CHANGED, message=message)
