"""The chair's emergency addition of a high-risk individual, and the panel's ratification (or not)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from referrals.models import Person, Referral
from schedule.adjustments import needs_of, refuse_unexplained_clash
from schedule.models import LIVE_STATUSES, Entry, EntryEventKind, EntryIncident, EntryStatus
from schedule.models.entries import ContactRestriction
from schedule.removal import RemovedBy
from schedule.selectors import emergency_needs_chair_absent, may_add_emergency
from ubpanel import hooks
from ubpanel.models import User
from ubpanel.outbox import notify, role_holders
from ubpanel.roles import Role
from ubpanel.services import lock_in_status, service
from ubpanel.tiers import RiskTier

from ._common import (
    ScheduleTransitionError,
    entry_event,
    entry_move,
    require_record_owner,
    twelve_months_after,
)

S = EntryStatus

# What an incident on an entry holds (as on the referral form), and what each must say.
INCIDENT_FIELDS = ("occurred_on", "occurred_at", "location", "description", "categories")
_INCIDENT_REQUIRED = {
    "occurred_on": "Enter the date of the incident",
    "location": "Enter where it happened",
    "description": "Describe what happened",
}


def _clean_incidents(incidents: Iterable[dict]) -> list[dict]:
    """The incidents typed on an emergency addition, each with its date, place and what happened.
    Raises ValidationError keyed ``incidents`` naming the first one that is incomplete."""
    rows = [
        {name: incident.get(name) for name in INCIDENT_FIELDS}
        for incident in incidents
        if any(incident.get(name) for name in INCIDENT_FIELDS)
    ]
    if not rows:
        raise ValidationError(
            {"incidents": "Enter the date, place and what happened for at least one incident"}
        )
    for number, row in enumerate(rows, start=1):
        for name, message in _INCIDENT_REQUIRED.items():
            value = row[name]
            if not (value.strip() if isinstance(value, str) else value):
                raise ValidationError({"incidents": f"Incident {number}: {message.lower()}"})
        if row["occurred_on"] > timezone.localdate():
            raise ValidationError(
                {"incidents": f"Incident {number}: the date must be today or in the past"}
            )
        row["location"] = row["location"].strip()
        row["description"] = row["description"].strip()
        row["categories"] = list(row["categories"] or [])
    return rows


def entry_incidents_copy(*, entry: Entry, referral: Referral) -> list[EntryIncident]:
    """The entry keeps the case the panel decided on: each incident of ``referral`` is copied onto
    it once (date, time, place, what happened and the referral's behaviour categories), however
    often this runs. Call it inside the caller's transaction."""
    copied = set(
        entry.incidents.filter(source_incident__referral=referral).values_list(
            "source_incident_id", flat=True
        )
    )
    made = [
        EntryIncident(
            entry=entry,
            source_incident=incident,
            occurred_on=incident.occurred_on,
            occurred_at=incident.occurred_at,
            location=incident.location,
            description=incident.description,
            categories=list(referral.behaviour_categories or []),
        )
        for incident in referral.incidents.all()
        if incident.pk not in copied
    ]
    for incident in made:
        # One save each, not bulk_create: the audit trail records every incident added.
        incident.save()
    return made


def _added_by(actor: User, chair_absent: bool) -> str:
    """In what capacity ``actor`` makes the addition, as the history says it; PermissionDenied
    when they may not (``may_add_emergency``)."""
    if not may_add_emergency(actor):
        raise PermissionDenied(
            "Only the panel chair (or, in the chair's absence, the Director for Legal and "
            "Democratic) can add someone to the schedule in an emergency."
        )
    if not emergency_needs_chair_absent(actor):
        return "the chair"
    if not chair_absent:
        raise PermissionDenied(
            "The Director for Legal and Democratic makes emergency additions only when the chair "
            "is absent."
        )
    return "the Director for Legal and Democratic, the chair being absent"


@service
def entry_add_emergency(
    *,
    actor: User,
    person: Person,
    reason: str,
    guidance: str,
    incidents: Iterable[dict],
    record_owner: User | None,
    internal_notes: str = "",
    permitted_contact: str = "",
    chair_absent: bool = False,
    referral: Referral | None = None,
    restriction_kinds: Iterable[str] = (),
    adjustment_clash_reason: str = "",
) -> Entry:
    """The chair added a high-risk individual to the schedule at once, for ratification at the next
    available panel meeting. When the chair is absent the decision is escalated to the Director for
    Legal and Democratic.

    The entry is live immediately, pending ratification; Legal Services are asked to draft the
    letter, and the ratification goes on the next arranged panel meeting's agenda (or on the next
    one scheduled). An emergency addition is usually made between meetings, so the chair's absence
    is what the Director records (``chair_absent``), not a meeting's attendance.

    ``incidents`` are the structured incidents (date, time, place, what happened, categories) the
    letter describes; ``reason`` is why the behaviour is unreasonable, as the letter may say it;
    ``internal_notes`` (police references, notes for the panel) never go into a letter. Bad input
    raises ValidationError keyed by the field at fault. ``restriction_kinds`` that clash with the
    person's reasonable adjustments go ahead only with ``adjustment_clash_reason``.
    """
    by = _added_by(actor, chair_absent)
    errors = {}
    if not reason.strip():
        errors["reason"] = "Say why the behaviour is unreasonable and must be dealt with at once"
    if not guidance.strip():
        errors["guidance"] = "Say how staff should respond"
    try:
        require_record_owner(record_owner)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        rows = _clean_incidents(incidents)
    except ValidationError as error:
        errors.update(error.message_dict)
    kinds = list(dict.fromkeys(restriction_kinds))
    if set(kinds) - set(ContactRestriction.values):
        errors["restriction_kinds"] = "Choose kinds of restriction from the list"
    if errors:
        raise ValidationError(errors)
    # Serialise additions for one person so two emergency additions cannot race.
    lock_in_status(person)
    refuse_unexplained_clash(
        kinds, needs_of(person), adjustment_clash_reason, error=ScheduleTransitionError
    )
    live = person.schedule_entries.filter(status__in=LIVE_STATUSES).first()
    if live is not None:
        raise ScheduleTransitionError(
            f"{person} is on the schedule already ({live.reference}, "
            f"{live.get_tier_display().lower()}): record repeat behaviour on that entry and "
            "list it for the panel instead.",
            field="person",
        )
    today = timezone.localdate()
    entry = Entry.objects.create(
        person=person,
        tier=RiskTier.HIGH,
        status=S.PENDING_RATIFICATION,
        how_to_respond=guidance.strip(),
        permitted_contact=permitted_contact.strip(),
        restriction_kinds=kinds,
        adjustment_clash_reason=adjustment_clash_reason.strip(),
        reason=reason.strip(),
        internal_notes=internal_notes.strip(),
        record_owner=record_owner,
        emergency_added_at=timezone.now(),
        decided_on=today,
        review_due_on=twelve_months_after(today),
    )
    for row in rows:
        EntryIncident.objects.create(entry=entry, **row)
    if referral is not None:
        entry.referrals.add(referral)
        entry_incidents_copy(entry=entry, referral=referral)
    entry_event(
        entry,
        actor=actor,
        kind=EntryEventKind.EMERGENCY_ADDITION,
        to_status=S.PENDING_RATIFICATION,
        message=f"Emergency addition by {by}. {reason.strip()}",
    )
    _notify_legal_services_of_emergency(entry, by=by)
    hooks.panel_work_waiting(actor=actor)
    return entry


def _notify_legal_services_of_emergency(entry: Entry, *, by: str) -> None:
    """The email names the entry, never the individual: email is not a safe place for their data."""
    link = settings.SITE_URL + reverse("schedule:entry_detail", args=[entry.pk])
    notify(
        kind="letter-to-draft",
        users=role_holders(Role.LEGAL_SERVICES),
        addresses=[settings.LEGAL_SERVICES_EMAIL],
        link=link,
        reference=entry.reference,
        subject=f"Emergency addition {entry.reference}: a high-risk letter to draft",
        body=(
            f"Entry {entry.reference} was added to the Unreasonable Behaviours schedule as high risk "
            f"by {by}, pending ratification at the next panel meeting.\n\n"
            "The protocol asks Legal Services to draft and send the letter, with a cease and "
            f"desist requirement.\n\nOpen the entry in ubpanel: {link}\n"
        ),
    )


@service
def entry_ratify(
    *, actor: User, entry: Entry, note: str = "", record_owner: User | None = None
) -> Entry:
    """The panel ratified the chair's emergency addition: the entry stands as an active entry.
    The panel may name the record owner (the Operations Manager responsible) as it does so; an
    entry with none cannot stand.

    The authority is the panel's vote, which the panel app checks before calling this.
    """
    entry = lock_in_status(entry)
    if record_owner is not None and entry.status == S.PENDING_RATIFICATION:
        entry.record_owner = record_owner
        entry.save(update_fields=["record_owner", "updated_at"])
    require_record_owner(entry.record_owner)
    return entry_move(
        entry,
        actor=actor,
        service="entry_ratify",
        to=S.ACTIVE,
        kind=EntryEventKind.RATIFIED,
        message=f"The panel ratified the emergency addition. {note}".strip(),
    )


@service
def entry_end_emergency(*, actor: User, entry: Entry, reason: str) -> Entry:
    """The panel did not ratify the emergency addition: the individual comes off the schedule.

    The authority is the panel's vote, which the panel app checks before calling this.
    """
    return entry_move(
        entry,
        actor=actor,
        service="entry_end_emergency",
        to=S.REMOVED,
        kind=EntryEventKind.EMERGENCY_ENDED,
        message=f"The panel did not ratify the emergency addition. {reason}".strip(),
        removed_by=RemovedBy.PANEL_DECISION,
    )
