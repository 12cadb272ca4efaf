"""Appeals: the protocol's review of panel decisions. The Assurance team or Legal Services record
the individual's written request (``may_record_appeal``); the Monitoring Officer, their Deputy or
the legal services representative the Monitoring Officer identifies decides it
(``may_decide_appeal``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from schedule.dates import appeal_deadline
from schedule.models import (
    ENTRY_GRAPH,
    Appeal,
    AppealDecider,
    AppealGround,
    AppealOutcome,
    Entry,
    EntryEventKind,
    EntryStatus,
)
from schedule.removal import RemovedBy
from schedule.selectors import (
    appeal_decided_as,
    appeal_deciders,
    is_appeal_representative,
    may_nominate_appeal_representative,
    may_record_appeal,
)
from ubpanel import hooks
from ubpanel.models import User
from ubpanel.outbox import notify
from ubpanel.services import lock_in_status, service

from ._common import AppealAlreadyOpen, ScheduleTransitionError, entry_move, long_date

S = EntryStatus
_ONLY_DECIDERS = (
    "Only the Monitoring Officer, their Deputy or the legal services representative the "
    "Monitoring Officer identified for this appeal decides it."
)


@service
def entry_appeal_lodged(*, actor: User, entry: Entry, note: str = "") -> Entry:
    """The individual asked the Monitoring Officer to review the panel's decision. The entry stays
    on the schedule until the outcome."""
    return entry_move(
        entry,
        actor=actor,
        service="entry_appeal_lodged",
        to=S.UNDER_APPEAL,
        kind=EntryEventKind.APPEAL_LODGED,
        message=note,
    )


@service
def entry_appeal_decided(
    *, actor: User, entry: Entry, upheld: bool, reason: str, appeal: Appeal | None = None
) -> Entry:
    """The Monitoring Officer (or their Deputy, or their identified legal services representative)
    decided the appeal: upheld, the individual comes off the schedule; dismissed, the panel's
    decision stands and the entry is active again. The history says in which capacity.

    ``appeal`` is the appeal decided; without it, the entry's open appeal, if it has one.
    """
    if appeal is None:
        appeal = entry.appeals.filter(outcome="").first()
    decided_as = appeal_decided_as(actor, appeal)
    if decided_as is None:
        raise PermissionDenied(_ONLY_DECIDERS)
    outcome = "upheld: the entry is removed" if upheld else "dismissed: the decision stands"
    by = f"decided by {actor} as the {AppealDecider(decided_as).label}"
    return entry_move(
        entry,
        actor=actor,
        service="entry_appeal_decided",
        to=S.REMOVED if upheld else S.ACTIVE,
        kind=EntryEventKind.APPEAL_DECIDED,
        message=f"Appeal {outcome}, {by}. {reason}".strip(),
        removed_by=RemovedBy.APPEAL_UPHELD if upheld else "",
    )


@service
def appeal_record(
    *,
    actor: User,
    entry: Entry,
    received_on: date | None,
    grounds: Iterable[str],
    statement: str,
) -> Appeal:
    """The individual asked, in writing, that the decision of the panel be reviewed by the
    Monitoring Officer, believing that the protocol has not been followed, that the decision was
    unreasonable, or that a circumstance or evidence since the panel's decision may necessitate a
    further review. The Assurance team or Legal Services record the request; the individual
    remains on the database until the outcome of the appeal is determined (the entry is under
    appeal, still live, and staff keep seeing it).

    The request "must be made in writing within 28 working days of the notification": one that
    arrived later is recorded all the same, flagged late, and the Monitoring Officer may still
    decide it. Bad input raises ValidationError keyed by the field at fault (received_on, grounds,
    statement).
    """
    if not may_record_appeal(actor):
        raise PermissionDenied("Only the Assurance team and Legal Services record appeals.")
    chosen = set(grounds)
    errors = {}
    if not chosen or chosen - set(AppealGround.values):
        errors["grounds"] = "Choose the grounds the individual gives: one or more of the three"
    if received_on is None:
        errors["received_on"] = "Enter the date the written request arrived"
    elif received_on > timezone.localdate():
        errors["received_on"] = "The date the request arrived must be today or in the past"
    if not statement.strip():
        errors["statement"] = "Enter what the individual says in their request"
    if errors:
        raise ValidationError(errors)
    # The entry's row is the lock: two officers recording the same letter cannot both succeed.
    entry = lock_in_status(entry)
    waiting = entry.appeals.filter(outcome="").first()
    if waiting is not None:
        raise AppealAlreadyOpen(
            f"{entry.reference} has an appeal already, received {long_date(waiting.received_on)} "
            "and waiting for the Monitoring Officer's decision: add what has arrived to that "
            "appeal's papers rather than recording another."
        )
    if not ENTRY_GRAPH.allows(entry.status, "entry_appeal_lodged"):
        raise ScheduleTransitionError(
            f"{entry.reference} is {entry.get_status_display().lower()}: only an active "
            "entry, one the panel has decided, can be appealed."
        )
    deadline = appeal_deadline(entry.notified_on) if entry.notified_on else None
    late = deadline is not None and received_on > deadline
    appeal = Appeal.objects.create(
        entry=entry,
        received_on=received_on,
        **{ground: ground in chosen for ground in AppealGround.values},
        statement=statement.strip(),
        deadline=deadline,
        late=late,
        recorded_by=actor,
    )
    grounds_text = "; ".join(label.lower() for label in appeal.ground_labels)
    note = f"Appeal received {long_date(received_on)}. Grounds: {grounds_text}."
    if late:
        note += f" It arrived after the deadline of {long_date(deadline)}: recorded as late."
    entry_appeal_lodged(actor=actor, entry=entry, note=note)
    _notify_appeal_deciders(appeal)
    return appeal


def _appeal_link(appeal: Appeal) -> str:
    return settings.SITE_URL + reverse("schedule:appeal_detail", args=[appeal.pk])


def _notify_appeal_deciders(appeal: Appeal) -> None:
    """Everyone who may decide a new appeal hears of it: the Monitoring Officer and their Deputies.
    The email names the entry, never the individual: email is not a safe place for their data."""
    reference = appeal.entry.reference
    notify(
        kind="appeal-received",
        users=appeal_deciders(),
        link=_appeal_link(appeal),
        reference=reference,
        subject=f"Appeal on {reference}: waiting for a decision",
        body=(
            f"An appeal against the panel's decision on schedule entry {reference} has been "
            "recorded. The protocol asks the Monitoring Officer, their Deputy or their identified "
            "legal services representative to review the decision; the entry stays on the "
            f"schedule until the outcome.\n\nOpen the appeal in ubpanel: {_appeal_link(appeal)}\n"
        ),
    )


@service
def appeal_decide(*, actor: User, appeal: Appeal, upheld: bool, reason: str) -> Appeal:
    """The Monitoring Officer (or their Deputy, or their identified legal services representative)
    determined the outcome of the appeal. Upheld: the individual comes off the schedule, and the
    removal is not communicated to them, as it may re-oxygenate the issues (nothing is sent from
    here). Dismissed: the panel's decision stands and the entry is active again.

    Who decided, and as what (``decided_as``), is recorded; anyone but those three
    (``may_decide_appeal``) is refused with PermissionDenied. A late appeal is decided like any
    other. Bad input raises ValidationError keyed by the field at fault (outcome, reason).
    """
    # The nomination as stored now, not as the caller's copy of the appeal remembers it.
    current = Appeal.objects.only("nominated_representative").get(pk=appeal.pk)
    if appeal_decided_as(actor, current) is None:
        raise PermissionDenied(_ONLY_DECIDERS)
    errors = {}
    if not isinstance(upheld, bool):
        errors["outcome"] = "Choose whether the appeal is upheld or dismissed"
    if not reason.strip():
        errors["reason"] = "Give the reasons for the decision"
    if errors:
        raise ValidationError(errors)
    # The entry first, as appeal_record locks it: the two never wait on each other in turn.
    lock_in_status(appeal.entry)
    appeal = lock_in_status(appeal)
    _refuse_decided(appeal)
    # Read again under the lock: the Monitoring Officer may have nominated someone else since.
    decided_as = appeal_decided_as(actor, appeal)
    if decided_as is None:
        raise PermissionDenied(_ONLY_DECIDERS)
    entry_appeal_decided(
        actor=actor, entry=appeal.entry, upheld=upheld, reason=reason.strip(), appeal=appeal
    )
    if upheld:
        # Removal is not communicated: a letter not yet sent about the entry never goes.
        hooks.entry_letters_cancel(
            actor=actor,
            entry=appeal.entry,
            reason="The appeal was upheld and the entry removed: removal is not "
            "communicated to the individual.",
        )
    appeal.outcome = AppealOutcome.UPHELD if upheld else AppealOutcome.DISMISSED
    appeal.decided_by = actor
    appeal.decided_as = decided_as
    appeal.decided_at = timezone.now()
    appeal.reason = reason.strip()
    appeal.save()
    return appeal


def _refuse_decided(appeal: Appeal) -> None:
    if not appeal.is_open:
        raise ScheduleTransitionError(
            f"The appeal on {appeal.entry.reference} was decided already: "
            f"{appeal.get_outcome_display().lower()} on "
            f"{long_date(timezone.localdate(appeal.decided_at))}."
        )


@service
def appeal_nominate_representative(*, actor: User, appeal: Appeal, user: User | None) -> Appeal:
    """The Monitoring Officer identified a legal services representative to review the panel's
    decision on this appeal. The representative may then decide it (and only it, beyond what Legal
    Services see anyway); the Monitoring Officer and their Deputies still may. Naming someone else
    later replaces the first. Who nominated, and when, is recorded; the representative is told by
    email, which names the entry and never the individual.

    Only the Monitoring Officer nominates (PermissionDenied); the representative must be an active
    Legal Services user (ValidationError keyed ``user``); a decided appeal is refused
    (ScheduleTransitionError).
    """
    if not may_nominate_appeal_representative(actor):
        raise PermissionDenied(
            "Only the Monitoring Officer identifies a legal services representative for an appeal."
        )
    if user is None or not is_appeal_representative(user):
        raise ValidationError({"user": "Choose someone in Legal Services whose account is active"})
    # The entry first, then the appeal, as appeal_decide locks them.
    lock_in_status(appeal.entry)
    appeal = lock_in_status(appeal)
    _refuse_decided(appeal)
    if appeal.nominated_representative_id == user.pk:
        return appeal
    appeal.nominated_representative = user
    appeal.nominated_by = actor
    appeal.nominated_at = timezone.now()
    appeal.save()
    reference = appeal.entry.reference
    notify(
        kind="appeal-representative",
        users=[user],
        subject=f"Appeal on {reference}: you are asked to decide it",
        body=(
            "The Monitoring Officer has identified you as their legal services "
            "representative to review the panel's decision on schedule entry "
            f"{reference}, which is under appeal.\n\nRead the appeal and record your "
            f"decision in ubpanel: {_appeal_link(appeal)}\n"
        ),
        link=_appeal_link(appeal),
        reference=reference,
    )
    return appeal
