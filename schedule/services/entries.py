"""What happens to a live entry between panel decisions: its record owner changes, the letters sent
about it are recorded, an underlying issue is flagged, repeat behaviour restarts its clock."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from referrals.models import Referral
from schedule.models import ENTRY_GRAPH, Entry, EntryEventKind
from schedule.selectors import may_change_record_owner
from ubpanel import hooks
from ubpanel.models import User
from ubpanel.services import lock_in_status, service

from ._common import (
    ScheduleTransitionError,
    entry_event,
    lock_for,
    long_date,
    require_record_owner,
    twelve_months_after,
)
from .emergency import entry_incidents_copy


@service
def entry_record_owner_set(*, actor: User, entry: Entry, owner: User, reason: str) -> Entry:
    """The record passed to another Operations Manager, who is now responsible for it (recorded by
    the chair, the Information Asset Owner, or the Assurance team)."""
    if not may_change_record_owner(actor):
        raise PermissionDenied("Only the chair and the Assurance team change a record's owner.")
    require_record_owner(owner)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the record owner changes"})
    entry = lock_for(
        entry,
        ENTRY_GRAPH,
        "entry_record_owner_set",
        lambda entry: (
            f"{entry.reference} is {entry.get_status_display().lower()}: it has no owner to change."
        ),
    )
    old = entry.record_owner
    entry.record_owner = owner
    entry.save()
    entry_event(
        entry,
        actor=actor,
        kind=EntryEventKind.RECORD_OWNER,
        message=f"Record owner changed from {old or 'nobody'} to {owner}. {reason.strip()}",
    )
    return entry


def _not_after_removal(doing: str):
    def refusal(entry: Entry) -> str:
        return (
            f"{entry.reference} has been removed from the schedule: {doing}. Removal is never "
            "communicated to the individual."
        )

    return refusal


@service
def entry_record_notification(
    *, actor: User, entry: Entry, notified_on: date, letter: str = ""
) -> Entry:
    """The individual was sent the letter: the date sent is the date of notification, from which
    the 28 working days for an appeal run. Never for a removed entry: removal is never
    communicated."""
    entry = lock_for(
        entry,
        ENTRY_GRAPH,
        "entry_record_notification",
        _not_after_removal("no notification is recorded"),
    )
    entry.notified_on = notified_on
    entry.save()
    entry_event(
        entry,
        actor=actor,
        kind=EntryEventKind.NOTIFIED,
        message=f"Letter {letter} sent {long_date(notified_on)}: the individual is notified.".strip(),
    )
    return entry


@service
def entry_record_divert_told(
    *, actor: User, entry: Entry, told_on: date, letter: str = ""
) -> Entry:
    """The letter telling the individual their emails are diverted to the SPOC was sent: the
    protocol's "The customer will be advised where a divert has been applied" is done."""
    entry = lock_for(
        entry,
        ENTRY_GRAPH,
        "entry_record_divert_told",
        _not_after_removal("nothing more is sent to the individual"),
    )
    entry.customer_told_of_divert = True
    entry.save()
    entry_event(
        entry,
        actor=actor,
        kind=EntryEventKind.DIVERT_TOLD,
        message=(
            f"Letter {letter} sent {long_date(told_on)} tells the individual their emails are "
            "diverted to the single point of contact."
        ),
    )
    return entry


@service
def entry_flag_underlying_issue(*, actor: User, entry: Entry, note: str) -> Entry:
    """An underlying health issue, condition or disability not known before came to light (from a
    returned equalities questionnaire): the panel refers it to specialist colleagues. The entry is
    flagged and goes on the next panel agenda."""
    entry = lock_in_status(entry)
    entry.underlying_issue_flagged_on = timezone.localdate()
    entry.save()
    entry_event(entry, actor=actor, kind=EntryEventKind.UNDERLYING_ISSUE, message=note)
    hooks.panel_work_waiting(actor=actor)
    return entry


@service
def entry_record_repeat_behaviour(
    *, actor: User, entry: Entry, referral: Referral, incident_on: date | None = None
) -> Entry:
    """Repeat behaviour on a live entry: the record stays for 12 months from the new incident, not
    from the first decision (the protocol: removed after 12 months "as long as there is no repeat
    behaviour"). The referral is linked to the entry and its incidents copied onto it.

    ``incident_on`` is the new incident's date; by default the referral's latest incident, or today
    when it records none. The review is never brought forward: when 12 months from the incident is
    earlier than the review already due, the date stays and the history says why.
    """
    entry = lock_for(
        entry,
        ENTRY_GRAPH,
        "entry_record_repeat_behaviour",
        lambda entry: (
            f"{entry.reference} is {entry.get_status_display().lower()}: repeat "
            "behaviour restarts the clock only on a live entry. Refer the individual to the panel "
            "afresh."
        ),
    )
    if referral.person_id is not None and referral.person_id != entry.person_id:
        raise ScheduleTransitionError(
            f"{referral.reference} is about someone else, not the individual on {entry.reference}."
        )
    if incident_on is None:
        latest = referral.incidents.order_by("-occurred_on").first()
        incident_on = latest.occurred_on if latest else timezone.localdate()
    previous = entry.review_due_on
    restarted = twelve_months_after(incident_on)
    if previous is not None and restarted < previous:
        message = (
            f"Repeat behaviour reported in {referral.reference} (the incident of "
            f"{long_date(incident_on)}). Twelve months from it is {long_date(restarted)}, earlier "
            f"than the review already due, so the review stays due {long_date(previous)}."
        )
    else:
        entry.review_due_on = restarted
        was = f" (it was due {long_date(previous)})" if previous else ""
        message = (
            f"Repeat behaviour reported in {referral.reference}: the 12-month clock restarts "
            f"from the incident of {long_date(incident_on)}. Review now due "
            f"{long_date(restarted)}{was}."
        )
    entry.save()
    entry.referrals.add(referral)
    entry_incidents_copy(entry=entry, referral=referral)
    entry_event(entry, actor=actor, kind=EntryEventKind.REPEAT_BEHAVIOUR, message=message)
    return entry
