"""Missed steps fail safe (issue 13, points 4 and 5): a 12-month review left undecided past its
grace period, and an emergency addition left unratified.

A review overdue by more than ``REVIEW_GRACE_DAYS`` is escalated to the chair (the Information
Asset Owner) and the Assurance team once a week until the panel decides it
(``REVIEW_OVERDUE_DEFAULT = "keep_and_escalate"``), or the entry comes off the schedule as the
letter promised (``"remove"``). An emergency addition that missed its meeting is told to the chair,
the Director for Legal and Democratic and the Monitoring Officer when that meeting closes
(``entry_ratification_missed``, called by the panel); one live unratified for more than
``EMERGENCY_RATIFICATION_LIMIT_DAYS`` is escalated to them weekly
(``EMERGENCY_UNRATIFIED_DEFAULT = "escalate"``) or ends (``"end"``). Each telling is a link and a
reference through ``ubpanel.outbox.notify``, never the individual's details.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from schedule.models import Entry, EntryEventKind, EntryStatus
from schedule.removal import RemovedBy, told_words
from schedule.selectors import escalation_recipients
from ubpanel import hooks
from ubpanel.models import User
from ubpanel.outbox import notify
from ubpanel.roles import Role
from ubpanel.services import lock_in_status, service

from ._common import entry_event, entry_move, long_date

# "Weekly": a second telling waits at least this long after the last one.
ESCALATION_INTERVAL = timedelta(days=7)
REVIEW_TOLD = (Role.PANEL_CHAIR,)
RATIFICATION_TOLD = (Role.PANEL_CHAIR, Role.DIRECTOR_LEGAL, Role.MONITORING_OFFICER)


def _link(entry: Entry) -> str:
    return settings.SITE_URL + reverse("schedule:entry_detail", args=[entry.pk])


def _not_told_this_week(field: str, today: date) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lte": today - ESCALATION_INTERVAL})


def _each_in_its_own_transaction(entries, step, *, actor, today: date) -> list[Entry]:
    """Run ``step`` (a @service that locks the entry and may find it decided meanwhile) on each
    entry, one transaction each, so one failure or lock wait does not hold the others."""
    done = []
    for pk in list(entries.values_list("pk", flat=True)):
        entry = step(actor=actor, entry=Entry(pk=pk), today=today)
        if entry is not None:
            done.append(entry)
    return done


def reviews_escalate_overdue(*, actor: User | None = None, today: date | None = None) -> list:
    """The 12-month review is overdue by more than the grace period and the panel has not decided
    it. With ``keep_and_escalate`` the entry stays live, flagged overdue, and the chair and the
    Assurance team are told, once a week, until the panel decides; with ``remove`` the entry comes
    off the schedule and they are told it has, and whether the individual is told
    (``schedule.removal``: not, as the protocol says, unless NOTIFY_ON_REMOVAL is on). Returns the
    entries acted on. A decision (kept: a new review date; removed) stops the tellings."""
    today = today or timezone.localdate()
    passed = today - timedelta(days=settings.REVIEW_GRACE_DAYS)
    overdue = Entry.objects.filter(status=EntryStatus.ACTIVE, review_due_on__lt=passed)
    if settings.REVIEW_OVERDUE_DEFAULT == "keep_and_escalate":
        # A telling for an earlier review date does not count for this one.
        overdue = overdue.filter(
            _not_told_this_week("review_escalated_on", today)
            | Q(review_escalated_on__lt=F("review_due_on"))
        )
    return _each_in_its_own_transaction(
        overdue.order_by("review_due_on", "pk"), _review_overdue, actor=actor, today=today
    )


@service
def _review_overdue(*, actor: User | None, entry: Entry, today: date) -> Entry | None:
    entry = lock_in_status(entry)
    since = entry.review_due_on
    if entry.status != EntryStatus.ACTIVE or since is None or since >= today:
        return None  # decided meanwhile
    if settings.REVIEW_OVERDUE_DEFAULT == "remove":
        reason = (
            f"Removed: the 12-month review due {long_date(since)} was not decided within "
            f"{settings.REVIEW_GRACE_DAYS} days, and the letter promised removal after 12 months."
        )
        entry = entry_move(
            entry,
            actor=actor,
            service="entry_remove",
            to=EntryStatus.REMOVED,
            kind=EntryEventKind.REMOVED,
            message=reason,
            removed_by=RemovedBy.REVIEW_OVERDUE,
        )
        hooks.entry_letters_cancel(actor=actor, entry=entry, reason=reason)
        subject = f"{entry.reference}: removed, its 12-month review was not decided"
        body = (
            f"Schedule entry {entry.reference} was due for its 12-month review on "
            f"{long_date(since)} and the panel had not decided it {settings.REVIEW_GRACE_DAYS} "
            "days later, so it has come off the schedule as the letter promised. If the "
            f"behaviour has repeated, refer the individual again. {told_words()}"
        )
    else:
        told = entry.review_escalated_on
        if told and told >= since and told > today - ESCALATION_INTERVAL:
            return None  # told this week already, by another run
        entry.review_escalated_on = today
        entry.save(update_fields=["review_escalated_on", "updated_at"])
        entry_event(
            entry,
            actor=actor,
            kind=EntryEventKind.REVIEW_OVERDUE,
            message=f"Review overdue since {long_date(since)}: the chair and Assurance told.",
        )
        subject = f"{entry.reference}: 12-month review overdue since {long_date(since)}"
        body = (
            f"Schedule entry {entry.reference} was due for its 12-month review on "
            f"{long_date(since)}. The letter promised removal after 12 months unless the "
            "behaviour repeated; the entry stays live, marked overdue, and is first on the next "
            "meeting's agenda. You will be told weekly until the panel decides it."
        )
    notify(
        kind="review-overdue",
        subject=subject,
        body=body,
        link=_link(entry),
        reference=entry.reference,
        users=escalation_recipients(*REVIEW_TOLD),
        addresses=[settings.ASSURANCE_EMAIL],
    )
    return entry


def _tell_unratified(entry: Entry, *, subject: str, body: str) -> None:
    notify(
        kind="emergency-unratified",
        subject=subject,
        body=body,
        link=_link(entry),
        reference=entry.reference,
        users=escalation_recipients(*RATIFICATION_TOLD),
    )


def _since(entry: Entry) -> str:
    added = timezone.localdate(entry.emergency_added_at)
    return f"{entry.days_live_unratified} days, since {long_date(added)}"


@service
def entry_ratification_missed(*, actor: User | None, entry: Entry, meeting: str) -> Entry:
    """The meeting that should have ratified the emergency addition closed without deciding it
    (not reached, or deferred): it is carried, first, to the next meeting, and the chair, the
    Director for Legal and Democratic and the Monitoring Officer are told. ``meeting`` is the
    closed meeting's reference; the panel calls this once per missed meeting."""
    entry = lock_in_status(entry)
    if entry.status != EntryStatus.PENDING_RATIFICATION:
        return entry
    entry.ratification_escalated_on = timezone.localdate()
    entry.save(update_fields=["ratification_escalated_on", "updated_at"])
    entry_event(
        entry,
        actor=actor,
        kind=EntryEventKind.RATIFICATION_OVERDUE,
        message=f"Not ratified at {meeting}: carried to the next meeting, first on its agenda.",
    )
    _tell_unratified(
        entry,
        subject=f"{entry.reference}: emergency addition not ratified at {meeting}",
        body=(
            f"The emergency addition {entry.reference} was not ratified at {meeting}. It stays "
            f"live (live without ratification for {_since(entry)}) and goes first on the next "
            "meeting's agenda."
        ),
    )
    return entry


def emergencies_escalate_unratified(
    *, actor: User | None = None, today: date | None = None
) -> list:
    """An emergency addition live without ratification for more than
    ``EMERGENCY_RATIFICATION_LIMIT_DAYS``. With ``escalate`` the chair, the Director for Legal and
    Democratic and the Monitoring Officer are told once a week until the panel decides; with
    ``end`` the emergency addition ends and the individual comes off the schedule (the panel may
    list them again from a referral). Returns the entries acted on."""
    today = today or timezone.localdate()
    limit = today - timedelta(days=settings.EMERGENCY_RATIFICATION_LIMIT_DAYS)
    waiting = Entry.objects.filter(
        status=EntryStatus.PENDING_RATIFICATION, emergency_added_at__date__lt=limit
    )
    if settings.EMERGENCY_UNRATIFIED_DEFAULT == "escalate":
        waiting = waiting.filter(_not_told_this_week("ratification_escalated_on", today))
    return _each_in_its_own_transaction(
        waiting.order_by("emergency_added_at", "pk"), _unratified, actor=actor, today=today
    )


@service
def _unratified(*, actor: User | None, entry: Entry, today: date) -> Entry | None:
    entry = lock_in_status(entry)
    if entry.status != EntryStatus.PENDING_RATIFICATION:
        return None  # decided meanwhile
    limit = settings.EMERGENCY_RATIFICATION_LIMIT_DAYS
    if settings.EMERGENCY_UNRATIFIED_DEFAULT == "end":
        since = _since(entry)
        reason = (
            f"The emergency addition ended: not ratified within {limit} days (live without "
            f"ratification for {since})."
        )
        entry = entry_move(
            entry,
            actor=actor,
            service="entry_end_emergency",
            to=EntryStatus.REMOVED,
            kind=EntryEventKind.EMERGENCY_ENDED,
            message=reason,
            removed_by=RemovedBy.EMERGENCY_UNRATIFIED,
        )
        hooks.entry_letters_cancel(actor=actor, entry=entry, reason=reason)
        _tell_unratified(
            entry,
            subject=f"{entry.reference}: emergency addition ended, not ratified in {limit} days",
            body=f"{reason} The individual is no longer on the schedule. {told_words()}",
        )
        return entry
    told = entry.ratification_escalated_on
    if told and told > today - ESCALATION_INTERVAL:
        return None  # told this week already, by another run
    entry.ratification_escalated_on = today
    entry.save(update_fields=["ratification_escalated_on", "updated_at"])
    entry_event(
        entry,
        actor=actor,
        kind=EntryEventKind.RATIFICATION_OVERDUE,
        message=f"Live without ratification for {_since(entry)}: escalated.",
    )
    _tell_unratified(
        entry,
        subject=f"{entry.reference}: emergency addition unratified for over {limit} days",
        body=(
            f"The emergency addition {entry.reference} has been live without ratification for "
            f"{_since(entry)}. The protocol asks the panel to ratify it at its next meeting; it "
            "is first on that meeting's agenda. You will be told weekly until it is decided."
        ),
    )
    return entry
