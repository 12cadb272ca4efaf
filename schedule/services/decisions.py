"""What the panel's decisions do to the schedule: an entry decided, kept at review, corrected,
removed, or a step noted in its history. The authority is the panel's vote (or the chair's recorded
correction), which the panel app checks before calling these."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError

from referrals.models import Person, Referral
from schedule.models import (
    ENTRY_GRAPH,
    LIVE_STATUSES,
    Entry,
    EntryEvent,
    EntryEventKind,
    EntryStatus,
    StaffGuidance,
)
from schedule.removal import RemovedBy
from ubpanel.models import User
from ubpanel.services import lock_in_status, service
from ubpanel.tiers import RiskTier

from ._common import (
    entry_event,
    entry_move,
    lock_for,
    long_date,
    require_record_owner,
    twelve_months_after,
)
from .emergency import entry_incidents_copy

S = EntryStatus

# What a panel decision sets on the entry (the panel app's Decision has the same fields).
PANEL_DECISION_FIELDS = (
    "tier",
    *(field.name for field in StaffGuidance._meta.fields),
    "record_owner",
)
# What a recorded correction to a panel decision may change on the entry: what the entry holds
# from the decision (the tier, what staff must do, the record owner) and the reasons.
CORRECTABLE_ON_ENTRY = (*PANEL_DECISION_FIELDS, "reason")


@service
def entry_panel_decide(
    *,
    actor: User,
    person: Person,
    decided_on: date,
    details: dict,
    reasons: str = "",
    referral: Referral | None = None,
    note: str = "",
) -> Entry:
    """The panel decided, by majority vote, that the individual's behaviour meets the criteria:
    they go on the schedule at the tier decided - or, already on it, their entry takes the new
    tier and guidance - with the review due 12 months after the decision.

    The entry carries the case: the panel's reasons, and every incident of the referral behind
    the decision. Every live entry has a record owner: the decision names one, or the entry keeps
    the one it has.
    """
    unknown = set(details) - set(PANEL_DECISION_FIELDS)
    if unknown:
        raise TypeError(f"Not entry fields: {', '.join(sorted(unknown))}")
    if details.get("tier") not in RiskTier.values:
        raise ValidationError("The panel's decision must give the tier.")
    lock_in_status(person)
    entry = person.schedule_entries.filter(status__in=LIVE_STATUSES).first()
    from_status = ""
    if entry is None:
        entry = Entry(person=person, status=S.ACTIVE)
    else:
        entry = lock_in_status(entry)
        from_status = entry.status
        if entry.status == S.PENDING_RATIFICATION:
            # A full panel decision on the same individual stands in for ratification.
            entry.status = S.ACTIVE
    for name, value in details.items():
        if name == "record_owner" and value is None:
            continue  # the decision names none: the entry keeps its owner
        setattr(entry, name, value)
    require_record_owner(entry.record_owner)
    if reasons.strip():
        entry.reason = reasons.strip()
    entry.decided_on = decided_on
    entry.review_due_on = twelve_months_after(decided_on)
    entry.save()
    if referral is not None:
        entry.referrals.add(referral)
        entry_incidents_copy(entry=entry, referral=referral)
    entry_event(
        entry,
        actor=actor,
        kind=EntryEventKind.PANEL_DECISION,
        from_status=from_status,
        to_status=entry.status,
        message=(
            f"{note} Tier: {entry.get_tier_display().lower()}. Review due "
            f"{long_date(entry.review_due_on)}."
        ).strip(),
    )
    return entry


@service
def entry_correct(*, actor: User, entry: Entry, field: str, value, note: str) -> Entry:
    """The chair corrected the panel's decision record, and what the entry holds follows it: the
    entry's history says what changed, from what to what, and why.

    A removed entry is history: it does not change.
    """
    if field not in CORRECTABLE_ON_ENTRY:
        raise ValidationError(f"{field} is not something the entry holds.")
    if field == "tier" and value not in RiskTier.values:
        raise ValidationError("Choose the risk tier: low, medium or high.")
    entry = lock_for(
        entry,
        ENTRY_GRAPH,
        "entry_correct",
        lambda entry: (
            f"{entry.reference} is {entry.get_status_display().lower()}: a correction "
            "to the decision no longer changes it."
        ),
    )
    if field == "record_owner":
        require_record_owner(value)
    label = Entry._meta.get_field(field).verbose_name
    old = getattr(entry, field)
    setattr(entry, field, value)
    entry.save()
    entry_event(
        entry,
        actor=actor,
        kind=EntryEventKind.CORRECTED,
        message=(
            f"{str(label)[:1].upper()}{str(label)[1:]} corrected from "
            f"“{_shown(entry, field, old)}” to “{_shown(entry, field, value)}”. {note}"
        ).strip(),
    )
    return entry


def _shown(entry: Entry, field: str, value) -> str:
    if value in (None, ""):
        return "nothing"
    if field == "tier":
        return RiskTier(value).label.lower()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


@service
def entry_note_panel_step(*, actor: User, entry: Entry, kind: str, message: str) -> EntryEvent:
    """The panel considered the entry and its decision changes nothing the entry holds (deferred,
    referred to Legal Services, an underlying issue weighed): the history still says so."""
    if kind not in (EntryEventKind.DEFERRED, EntryEventKind.REFERRED_TO_LEGAL):
        raise ValueError(f"Not a panel step: {kind}")
    return entry_event(lock_in_status(entry), actor=actor, kind=kind, message=message)


@service
def entry_underlying_issue_considered(*, actor: User, entry: Entry, note: str) -> Entry:
    """The panel, with Adult Social Care, considered the underlying issue an equalities
    questionnaire revealed: the flag comes off, and the history records what was decided."""
    entry = lock_in_status(entry)
    entry.underlying_issue_flagged_on = None
    entry.save()
    entry_event(entry, actor=actor, kind=EntryEventKind.UNDERLYING_ISSUE_CONSIDERED, message=note)
    return entry


@service
def entry_review_keep(*, actor: User, entry: Entry, decided_on: date, note: str = "") -> Entry:
    """The panel reviewed the record after 12 months and kept the individual on the schedule: the
    next review is due 12 months after this decision."""
    entry = lock_for(
        entry,
        ENTRY_GRAPH,
        "entry_review_keep",
        lambda entry: (
            f"{entry.reference} is {entry.get_status_display().lower()}: only an "
            "active entry is reviewed."
        ),
    )
    entry.decided_on = decided_on
    entry.review_due_on = twelve_months_after(decided_on)
    entry.save()
    entry_event(
        entry,
        actor=actor,
        kind=EntryEventKind.REVIEWED,
        message=(
            f"{note} Kept on the schedule; next review due {long_date(entry.review_due_on)}."
        ).strip(),
    )
    return entry


@service
def entry_remove(*, actor: User, entry: Entry, reason: str) -> Entry:
    """The panel removed the individual from the schedule (at its 12-month review, usually).

    Removal is never communicated to the individual: nothing is sent from here.
    """
    return entry_move(
        entry,
        actor=actor,
        service="entry_remove",
        to=S.REMOVED,
        kind=EntryEventKind.REMOVED,
        message=reason,
        removed_by=RemovedBy.PANEL_DECISION,
    )
