"""What happens to schedule entries and the access register. Views, tasks and commands call these.

Each transition names the protocol's step in its docstring and refuses, with
ScheduleTransitionError, an entry or grant that is not in a status it can act on. Acting without the
authority the protocol gives (an emergency addition by someone other than the chair) raises
PermissionDenied; bad input raises ValidationError.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from referrals import normalise
from referrals.models import Person, Referral
from schedule.dates import appeal_deadline
from ubpanel import hooks
from ubpanel.audit import acting_as
from ubpanel.models import Service, User
from ubpanel.roles import Role, has_role
from ubpanel.tasks import email_send
from ubpanel.tiers import RiskTier

from .models import (
    LIVE_STATUSES,
    AccessGrant,
    AccessGrantStatus,
    AddressWarning,
    AddressWarningStatus,
    Appeal,
    AppealDecider,
    AppealGround,
    AppealOutcome,
    ContactCheck,
    Entry,
    EntryEvent,
    EntryEventKind,
    EntryIncident,
    EntryStatus,
    StaffGuidance,
)
from .selectors import appeal_decided_as, appeal_deciders, current_grants


class ScheduleTransitionError(Exception):
    """The entry, access grant or address warning is not in a status where that can happen."""


class AccessAlreadyRequested(ScheduleTransitionError):
    """The service or officer already has a request waiting for the panel's decision."""


class AccessAlreadyHeld(ScheduleTransitionError):
    """Every tier asked for is covered by access the service or officer holds now."""


S = EntryStatus
G = AccessGrantStatus

# The protocol: customer services, Directors' PAs, the complaints team and elected councillors are
# "anticipated to have likely contact" and see every tier.
DEFAULT_SERVICES_ALL_TIERS = (
    "Customer Services",
    "Directors' PAs",
    "Complaints",
    "Elected councillors",
)
DEFAULT_RATIONALE = (
    "The protocol names this service as one anticipated to have likely contact with known "
    "individuals: it sees every risk tier."
)
# Services visiting customers' addresses "may require access to Medium/High risk data only". The
# protocol names no such service, so they are not granted by default: each requests access with
# access_grant_request (the form suggests these tiers) and the panel decides.
VISITING_SERVICE_TIERS = (RiskTier.MEDIUM, RiskTier.HIGH)


def twelve_months_after(day: date) -> date:
    """The same date a year on; 29 February becomes 28 February, so a review is never late."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _event(entry: Entry, *, actor, kind, message="", from_status="", to_status="") -> EntryEvent:
    return EntryEvent.objects.create(
        entry=entry,
        actor=actor,
        kind=kind,
        message=message,
        from_status=from_status,
        to_status=to_status,
    )


def _lock(entry: Entry) -> Entry:
    return Entry.objects.select_for_update().get(pk=entry.pk)


def _move(entry: Entry, *, actor, to: EntryStatus, allowed, kind, message="") -> Entry:
    entry = _lock(entry)
    if entry.status not in allowed:
        raise ScheduleTransitionError(
            f"{entry.reference} is {entry.get_status_display().lower()}: "
            f"it cannot be moved to “{to.label.lower()}” from there."
        )
    from_status = entry.status
    entry.status = to
    entry.save()
    _event(entry, actor=actor, kind=kind, message=message, from_status=from_status, to_status=to)
    return entry


# --- Emergency additions ----------------------------------------------------------------------


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


def _require_record_owner(owner: User | None) -> None:
    """The protocol: "the responsibility for individual records will rest with the identified
    Operations Manager". No entry goes live without one."""
    if owner is None:
        raise ValidationError(
            {"record_owner": "Choose the record owner: the Operations Manager responsible"}
        )


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
    raises ValidationError keyed by the field at fault.
    """
    if has_role(actor, Role.PANEL_CHAIR):
        by = "the chair"
    elif has_role(actor, Role.DIRECTOR_LEGAL) and chair_absent:
        by = "the Director for Legal and Democratic, the chair being absent"
    elif has_role(actor, Role.DIRECTOR_LEGAL):
        raise PermissionDenied(
            "The Director for Legal and Democratic makes emergency additions only when the chair "
            "is absent."
        )
    else:
        raise PermissionDenied(
            "Only the panel chair (or, in the chair's absence, the Director for Legal and "
            "Democratic) can add someone to the schedule in an emergency."
        )
    errors = {}
    if not reason.strip():
        errors["reason"] = "Say why the behaviour is unreasonable and must be dealt with at once"
    if not guidance.strip():
        errors["guidance"] = "Say how staff should respond"
    try:
        _require_record_owner(record_owner)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        rows = _clean_incidents(incidents)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        # Serialise additions for one person so two emergency additions cannot race.
        Person.objects.select_for_update().get(pk=person.pk)
        live = person.schedule_entries.filter(status__in=LIVE_STATUSES).first()
        if live is not None:
            raise ScheduleTransitionError(
                f"{person} is on the schedule already ({live.reference}, "
                f"{live.get_tier_display().lower()}): record repeat behaviour on that entry and "
                "list it for the panel instead."
            )
        today = timezone.localdate()
        entry = Entry.objects.create(
            person=person,
            tier=RiskTier.HIGH,
            status=S.PENDING_RATIFICATION,
            how_to_respond=guidance.strip(),
            permitted_contact=permitted_contact.strip(),
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
        _event(
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
    email_send.delay_on_commit(
        to=[settings.LEGAL_SERVICES_EMAIL],
        subject=f"Emergency addition {entry.reference}: a high-risk letter to draft",
        body=(
            f"Entry {entry.reference} was added to the Unreasonable Behaviours schedule as high risk "
            f"by {by}, pending ratification at the next panel meeting.\n\n"
            "The protocol asks Legal Services to draft and send the letter, with a cease and "
            f"desist requirement.\n\nOpen the entry in ubpanel: {link}\n"
        ),
    )


def entry_ratify(
    *, actor: User, entry: Entry, note: str = "", record_owner: User | None = None
) -> Entry:
    """The panel ratified the chair's emergency addition: the entry stands as an active entry.
    The panel may name the record owner (the Operations Manager responsible) as it does so; an
    entry with none cannot stand.

    The authority is the panel's vote, which the panel app checks before calling this.
    """
    with acting_as(actor), transaction.atomic():
        entry = _lock(entry)
        if record_owner is not None and entry.status == S.PENDING_RATIFICATION:
            entry.record_owner = record_owner
            entry.save(update_fields=["record_owner", "updated_at"])
        _require_record_owner(entry.record_owner)
        return _move(
            entry,
            actor=actor,
            to=S.ACTIVE,
            allowed={S.PENDING_RATIFICATION},
            kind=EntryEventKind.RATIFIED,
            message=f"The panel ratified the emergency addition. {note}".strip(),
        )


def entry_end_emergency(*, actor: User, entry: Entry, reason: str) -> Entry:
    """The panel did not ratify the emergency addition: the individual comes off the schedule.

    The authority is the panel's vote, which the panel app checks before calling this.
    """
    with acting_as(actor), transaction.atomic():
        return _move(
            entry,
            actor=actor,
            to=S.REMOVED,
            allowed={S.PENDING_RATIFICATION},
            kind=EntryEventKind.EMERGENCY_ENDED,
            message=f"The panel did not ratify the emergency addition. {reason}".strip(),
        )


# --- Panel decisions --------------------------------------------------------------------------

# What a panel decision sets on the entry (the panel app's Decision has the same fields).
PANEL_DECISION_FIELDS = (
    "tier",
    *(field.name for field in StaffGuidance._meta.fields),
    "record_owner",
)


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

    The authority is the panel's vote, which the panel app checks before calling this.
    """
    unknown = set(details) - set(PANEL_DECISION_FIELDS)
    if unknown:
        raise TypeError(f"Not entry fields: {', '.join(sorted(unknown))}")
    if details.get("tier") not in RiskTier.values:
        raise ValidationError("The panel's decision must give the tier.")
    with acting_as(actor), transaction.atomic():
        Person.objects.select_for_update().get(pk=person.pk)
        entry = person.schedule_entries.filter(status__in=LIVE_STATUSES).first()
        from_status = ""
        if entry is None:
            entry = Entry(person=person, status=S.ACTIVE)
        else:
            entry = _lock(entry)
            from_status = entry.status
            if entry.status == S.PENDING_RATIFICATION:
                # A full panel decision on the same individual stands in for ratification.
                entry.status = S.ACTIVE
        for name, value in details.items():
            if name == "record_owner" and value is None:
                continue  # the decision names none: the entry keeps its owner
            setattr(entry, name, value)
        _require_record_owner(entry.record_owner)
        if reasons.strip():
            entry.reason = reasons.strip()
        entry.decided_on = decided_on
        entry.review_due_on = twelve_months_after(decided_on)
        entry.save()
        if referral is not None:
            entry.referrals.add(referral)
            entry_incidents_copy(entry=entry, referral=referral)
        _event(
            entry,
            actor=actor,
            kind=EntryEventKind.PANEL_DECISION,
            from_status=from_status,
            to_status=entry.status,
            message=(
                f"{note} Tier: {entry.get_tier_display().lower()}. Review due "
                f"{_long(entry.review_due_on)}."
            ).strip(),
        )
        return entry


# What a recorded correction to a panel decision may change on the entry: what the entry holds
# from the decision (the tier, what staff must do, the record owner) and the reasons.
CORRECTABLE_ON_ENTRY = (*PANEL_DECISION_FIELDS, "reason")


def entry_correct(*, actor: User, entry: Entry, field: str, value, note: str) -> Entry:
    """The chair corrected the panel's decision record, and what the entry holds follows it: the
    entry's history says what changed, from what to what, and why.

    The authority is the chair's recorded correction, which the panel app checks before calling
    this. A removed entry is history: it does not change.
    """
    if field not in CORRECTABLE_ON_ENTRY:
        raise ValidationError(f"{field} is not something the entry holds.")
    if field == "tier" and value not in RiskTier.values:
        raise ValidationError("Choose the risk tier: low, medium or high.")
    with acting_as(actor), transaction.atomic():
        entry = _lock(entry)
        if not entry.is_live:
            raise ScheduleTransitionError(
                f"{entry.reference} is {entry.get_status_display().lower()}: a correction to the "
                "decision no longer changes it."
            )
        if field == "record_owner":
            _require_record_owner(value)
        label = Entry._meta.get_field(field).verbose_name
        old = getattr(entry, field)
        setattr(entry, field, value)
        entry.save()
        _event(
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


def entry_record_owner_set(*, actor: User, entry: Entry, owner: User, reason: str) -> Entry:
    """The record passed to another Operations Manager, who is now responsible for it (recorded by
    the chair, the Information Asset Owner, or the Assurance team)."""
    if not has_role(actor, Role.PANEL_CHAIR, Role.ASSURANCE_OFFICER):
        raise PermissionDenied("Only the chair and the Assurance team change a record's owner.")
    _require_record_owner(owner)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the record owner changes"})
    with acting_as(actor), transaction.atomic():
        entry = _lock(entry)
        if not entry.is_live:
            raise ScheduleTransitionError(
                f"{entry.reference} is {entry.get_status_display().lower()}: it has no owner to "
                "change."
            )
        old = entry.record_owner
        entry.record_owner = owner
        entry.save()
        _event(
            entry,
            actor=actor,
            kind=EntryEventKind.RECORD_OWNER,
            message=f"Record owner changed from {old or 'nobody'} to {owner}. {reason.strip()}",
        )
        return entry


def entry_note_panel_step(*, actor: User, entry: Entry, kind: str, message: str) -> EntryEvent:
    """The panel considered the entry and its decision changes nothing the entry holds (deferred,
    referred to Legal Services, an underlying issue weighed): the history still says so."""
    if kind not in (EntryEventKind.DEFERRED, EntryEventKind.REFERRED_TO_LEGAL):
        raise ValueError(f"Not a panel step: {kind}")
    with acting_as(actor), transaction.atomic():
        return _event(_lock(entry), actor=actor, kind=kind, message=message)


def entry_underlying_issue_considered(*, actor: User, entry: Entry, note: str) -> Entry:
    """The panel, with Adult Social Care, considered the underlying issue an equalities
    questionnaire revealed: the flag comes off, and the history records what was decided."""
    with acting_as(actor), transaction.atomic():
        entry = _lock(entry)
        entry.underlying_issue_flagged_on = None
        entry.save()
        _event(entry, actor=actor, kind=EntryEventKind.UNDERLYING_ISSUE_CONSIDERED, message=note)
        return entry


def entry_review_keep(*, actor: User, entry: Entry, decided_on: date, note: str = "") -> Entry:
    """The panel reviewed the record after 12 months and kept the individual on the schedule: the
    next review is due 12 months after this decision.

    The authority is the panel's vote, which the panel app checks before calling this.
    """
    with acting_as(actor), transaction.atomic():
        entry = _lock(entry)
        if entry.status != S.ACTIVE:
            raise ScheduleTransitionError(
                f"{entry.reference} is {entry.get_status_display().lower()}: only an active entry "
                "is reviewed."
            )
        entry.decided_on = decided_on
        entry.review_due_on = twelve_months_after(decided_on)
        entry.save()
        _event(
            entry,
            actor=actor,
            kind=EntryEventKind.REVIEWED,
            message=f"{note} Kept on the schedule; next review due {_long(entry.review_due_on)}.".strip(),
        )
        return entry


def _refuse_removed(entry: Entry, doing: str) -> None:
    if entry.status == S.REMOVED:
        raise ScheduleTransitionError(
            f"{entry.reference} has been removed from the schedule: {doing}. Removal is never "
            "communicated to the individual."
        )


def entry_record_notification(
    *, actor: User, entry: Entry, notified_on: date, letter: str = ""
) -> Entry:
    """The individual was sent the letter: the date sent is the date of notification, from which
    the 28 working days for an appeal run. Never for a removed entry: removal is never
    communicated."""
    with acting_as(actor), transaction.atomic():
        entry = _lock(entry)
        _refuse_removed(entry, "no notification is recorded")
        entry.notified_on = notified_on
        entry.save()
        _event(
            entry,
            actor=actor,
            kind=EntryEventKind.NOTIFIED,
            message=f"Letter {letter} sent {_long(notified_on)}: the individual is notified.".strip(),
        )
        return entry


def entry_record_divert_told(
    *, actor: User, entry: Entry, told_on: date, letter: str = ""
) -> Entry:
    """The letter telling the individual their emails are diverted to the SPOC was sent: the
    protocol's "The customer will be advised where a divert has been applied" is done."""
    with acting_as(actor), transaction.atomic():
        entry = _lock(entry)
        _refuse_removed(entry, "nothing more is sent to the individual")
        entry.customer_told_of_divert = True
        entry.save()
        _event(
            entry,
            actor=actor,
            kind=EntryEventKind.DIVERT_TOLD,
            message=(
                f"Letter {letter} sent {_long(told_on)} tells the individual their emails are "
                "diverted to the single point of contact."
            ),
        )
        return entry


def entry_flag_underlying_issue(*, actor: User, entry: Entry, note: str) -> Entry:
    """An underlying health issue, condition or disability not known before came to light (from a
    returned equalities questionnaire): the panel refers it to specialist colleagues. The entry is
    flagged and goes on the next panel agenda."""
    with acting_as(actor), transaction.atomic():
        entry = _lock(entry)
        entry.underlying_issue_flagged_on = timezone.localdate()
        entry.save()
        _event(entry, actor=actor, kind=EntryEventKind.UNDERLYING_ISSUE, message=note)
        hooks.panel_work_waiting(actor=actor)
        return entry


def reviews_remind(*, actor: User | None = None, today: date | None = None) -> list[Entry]:
    """Reminders go out ahead of each entry's 12-month review (DESIGN: "reminders go out ahead;
    the item lands on the agenda"): Assurance and the record owner are emailed
    ``REVIEW_REMINDER_DAYS`` before the review is due. One reminder per review date, however often
    this runs; repeat behaviour moves the date, and the new date gets its own reminder. The email
    names the entry and the date, never the individual.
    """
    today = today or timezone.localdate()
    horizon = today + timedelta(days=settings.REVIEW_REMINDER_DAYS)
    due = (
        Entry.objects.filter(status__in=LIVE_STATUSES, review_due_on__lte=horizon)
        .exclude(review_reminder_sent_for=F("review_due_on"))
        .exclude(status=S.PENDING_RATIFICATION)
        .values_list("pk", flat=True)
    )
    reminded = []
    for pk in list(due):
        with acting_as(actor), transaction.atomic():
            entry = (
                Entry.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("record_owner")
                .filter(pk=pk)
                .first()
            )
            if entry is None or entry.review_reminder_sent_for == entry.review_due_on:
                continue  # another run has it
            entry.review_reminder_sent_for = entry.review_due_on
            entry.save(update_fields=["review_reminder_sent_for", "updated_at"])
            _event(
                entry,
                actor=actor,
                kind=EntryEventKind.REVIEW_REMINDER,
                message=f"Review reminder sent: the review is due {_long(entry.review_due_on)}.",
            )
            recipients = [settings.ASSURANCE_EMAIL]
            if entry.record_owner is not None and entry.record_owner.email:
                recipients.append(entry.record_owner.email)
            link = settings.SITE_URL + reverse("schedule:entry_detail", args=[entry.pk])
            email_send.delay_on_commit(
                to=recipients,
                subject=f"{entry.reference}: 12-month review due {_long(entry.review_due_on)}",
                body=(
                    f"Schedule entry {entry.reference} is due for its 12-month review by the "
                    f"Unreasonable Behaviours Panel on {_long(entry.review_due_on)}. It goes on "
                    "the agenda of the panel meeting arranged before that date; the record owner "
                    "may be invited to inform the decision.\n\n"
                    f"Open the entry in ubpanel: {link}\n"
                ),
            )
            reminded.append(entry)
    return reminded


# --- Maintenance ------------------------------------------------------------------------------


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
    with acting_as(actor), transaction.atomic():
        entry = _lock(entry)
        if entry.status not in LIVE_STATUSES:
            raise ScheduleTransitionError(
                f"{entry.reference} is {entry.get_status_display().lower()}: repeat behaviour "
                "restarts the clock only on a live entry. Refer the individual to the panel afresh."
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
                f"{_long(incident_on)}). Twelve months from it is {_long(restarted)}, earlier than "
                f"the review already due, so the review stays due {_long(previous)}."
            )
        else:
            entry.review_due_on = restarted
            was = f" (it was due {_long(previous)})" if previous else ""
            message = (
                f"Repeat behaviour reported in {referral.reference}: the 12-month clock restarts "
                f"from the incident of {_long(incident_on)}. Review now due "
                f"{_long(restarted)}{was}."
            )
        entry.save()
        entry.referrals.add(referral)
        entry_incidents_copy(entry=entry, referral=referral)
        _event(entry, actor=actor, kind=EntryEventKind.REPEAT_BEHAVIOUR, message=message)
        return entry


def entry_remove(*, actor: User, entry: Entry, reason: str) -> Entry:
    """The panel removed the individual from the schedule (at its 12-month review, usually).

    Removal is never communicated to the individual: nothing is sent from here.
    """
    with acting_as(actor), transaction.atomic():
        return _move(
            entry,
            actor=actor,
            to=S.REMOVED,
            allowed={S.ACTIVE},
            kind=EntryEventKind.REMOVED,
            message=reason,
        )


def entry_appeal_lodged(*, actor: User, entry: Entry, note: str = "") -> Entry:
    """The individual asked the Monitoring Officer to review the panel's decision. The entry stays
    on the schedule until the outcome."""
    with acting_as(actor), transaction.atomic():
        return _move(
            entry,
            actor=actor,
            to=S.UNDER_APPEAL,
            allowed={S.ACTIVE},
            kind=EntryEventKind.APPEAL_LODGED,
            message=note,
        )


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
    with acting_as(actor), transaction.atomic():
        return _move(
            entry,
            actor=actor,
            to=S.REMOVED if upheld else S.ACTIVE,
            allowed={S.UNDER_APPEAL},
            kind=EntryEventKind.APPEAL_DECIDED,
            message=f"Appeal {outcome}, {by}. {reason}".strip(),
        )


# --- Appeals: the protocol's review of panel decisions ----------------------------------------

# Who records the individual's written request: the Assurance team (the spocassurance mailbox) and
# Legal Services, who advise the Monitoring Officer. The Monitoring Officer, their Deputy or the
# legal services representative the Monitoring Officer identifies decides (may_decide_appeal).
APPEAL_RECORD_ROLES = frozenset({Role.ASSURANCE_OFFICER, Role.LEGAL_SERVICES})
_ONLY_DECIDERS = (
    "Only the Monitoring Officer, their Deputy or the legal services representative the "
    "Monitoring Officer identified for this appeal decides it."
)


class AppealAlreadyOpen(ScheduleTransitionError):
    """The entry has an appeal waiting for the Monitoring Officer's decision."""


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
    if not has_role(actor, *APPEAL_RECORD_ROLES):
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
    with acting_as(actor), transaction.atomic():
        # The entry's row is the lock: two officers recording the same letter cannot both succeed.
        entry = _lock(entry)
        waiting = entry.appeals.filter(outcome="").first()
        if waiting is not None:
            raise AppealAlreadyOpen(
                f"{entry.reference} has an appeal already, received {_long(waiting.received_on)} "
                "and waiting for the Monitoring Officer's decision: add what has arrived to that "
                "appeal's papers rather than recording another."
            )
        if entry.status != S.ACTIVE:
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
        note = f"Appeal received {_long(received_on)}. Grounds: {grounds_text}."
        if late:
            note += f" It arrived after the deadline of {_long(deadline)}: recorded as late."
        entry_appeal_lodged(actor=actor, entry=entry, note=note)
        _notify_appeal_deciders(appeal)
        return appeal


def _appeal_link(appeal: Appeal) -> str:
    return settings.SITE_URL + reverse("schedule:appeal_detail", args=[appeal.pk])


def _notify_appeal_deciders(appeal: Appeal) -> None:
    """Everyone who may decide a new appeal hears of it: the Monitoring Officer and their Deputies.
    The email names the entry, never the individual: email is not a safe place for their data."""
    recipients = sorted({user.email for user in appeal_deciders() if user.email})
    if not recipients:
        return
    reference = appeal.entry.reference
    email_send.delay_on_commit(
        to=recipients,
        subject=f"Appeal on {reference}: waiting for a decision",
        body=(
            f"An appeal against the panel's decision on schedule entry {reference} has been "
            "recorded. The protocol asks the Monitoring Officer, their Deputy or their identified "
            "legal services representative to review the decision; the entry stays on the "
            f"schedule until the outcome.\n\nOpen the appeal in ubpanel: {_appeal_link(appeal)}\n"
        ),
    )


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
    with acting_as(actor), transaction.atomic():
        # The entry first, as appeal_record locks it: the two never wait on each other in turn.
        _lock(appeal.entry)
        appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
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
            f"{_long(timezone.localdate(appeal.decided_at))}."
        )


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
    if not has_role(actor, Role.MONITORING_OFFICER):
        raise PermissionDenied(
            "Only the Monitoring Officer identifies a legal services representative for an appeal."
        )
    if user is None or not user.is_active or not has_role(user, Role.LEGAL_SERVICES):
        raise ValidationError({"user": "Choose someone in Legal Services whose account is active"})
    with acting_as(actor), transaction.atomic():
        # The entry first, then the appeal, as appeal_decide locks them.
        _lock(appeal.entry)
        appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
        _refuse_decided(appeal)
        if appeal.nominated_representative_id == user.pk:
            return appeal
        appeal.nominated_representative = user
        appeal.nominated_by = actor
        appeal.nominated_at = timezone.now()
        appeal.save()
        if user.email:
            reference = appeal.entry.reference
            email_send.delay_on_commit(
                to=[user.email],
                subject=f"Appeal on {reference}: you are asked to decide it",
                body=(
                    "The Monitoring Officer has identified you as their legal services "
                    "representative to review the panel's decision on schedule entry "
                    f"{reference}, which is under appeal.\n\nRead the appeal and record your "
                    f"decision in ubpanel: {_appeal_link(appeal)}\n"
                ),
            )
        return appeal


# --- The access register ----------------------------------------------------------------------


def _require_chair(actor: User) -> None:
    if not has_role(actor, Role.PANEL_CHAIR):
        raise PermissionDenied("Only the panel chair records the panel's decisions on access.")


def _clean_tiers(tiers: Iterable[str]) -> set[str]:
    chosen = set(tiers)
    unknown = chosen - set(RiskTier.values)
    if unknown or not chosen:
        raise ValidationError("Choose one or more risk tiers: low, medium or high.")
    return chosen


def access_grant_request(
    *, actor: User, service_or_user: Service | User, tiers: Iterable[str], rationale: str
) -> AccessGrant:
    """A service (or a named officer) asked the panel for access to the schedule, on a risk
    assessed, need-to-know basis, giving its rationale."""
    chosen = _clean_tiers(tiers)
    if not rationale.strip():
        raise ValidationError("Give the risk-based rationale for the access.")
    if isinstance(service_or_user, Service):
        grantee = {"service": service_or_user}
    elif isinstance(service_or_user, User):
        grantee = {"user": service_or_user}
    else:
        raise TypeError("Access is granted to a Service or a User.")
    with acting_as(actor), transaction.atomic():
        # Two requests at once would each find no waiting request: the grantee's row is the lock.
        (Service if "service" in grantee else User).objects.select_for_update().get(
            pk=service_or_user.pk
        )
        _refuse_a_second_request(service_or_user, grantee, chosen)
        grant = AccessGrant.objects.create(
            **grantee,
            **{tier: tier in chosen for tier in RiskTier.values},
            rationale=rationale.strip(),
            requested_by=actor,
        )
        # The protocol: the panel grants access on request. It goes on the next agenda.
        hooks.panel_work_waiting(actor=actor)
        return grant


def _tiers_text(tiers: Iterable[str]) -> str:
    names = [tier for tier in RiskTier.values if tier in tiers]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _refuse_a_second_request(
    service_or_user: Service | User, grantee: dict, chosen: set[str]
) -> None:
    """A request waiting for the panel, or access already held for every tier asked for, makes a
    new request pointless: say which, and when it was asked or until when it is held."""
    waiting = AccessGrant.objects.filter(**grantee, status=G.REQUESTED).order_by("pk").first()
    if waiting is not None:
        raise AccessAlreadyRequested(
            f"{service_or_user} asked for access on {_long(timezone.localdate(waiting.requested_at))}"
            " and the request is waiting for the panel's decision: there is no need to send "
            "another. If it needs to change, tell the Assurance team (spocassurance mailbox)."
        )
    if isinstance(service_or_user, Service):
        held = AccessGrant.objects.filter(
            service=service_or_user, status=G.APPROVED, recertify_by__gte=timezone.localdate()
        )
    else:
        held = current_grants(service_or_user)  # their own grants and their service's
    held = list(held)
    covered = {tier for grant in held for tier in grant.tiers}
    if chosen <= covered:
        until = min(g.recertify_by for g in held if chosen & set(g.tiers))
        raise AccessAlreadyHeld(
            f"{service_or_user} can already see {_tiers_text(covered)} risk entries (until "
            f"{_long(until)} at least, when the panel re-certifies the access): there is "
            "nothing to request."
        )


def _grant_lock(grant: AccessGrant, allowed: set, doing: str) -> AccessGrant:
    grant = AccessGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.status not in allowed:
        raise ScheduleTransitionError(
            f"The access grant for {grant.grantee} is {grant.get_status_display().lower()}: "
            f"it cannot be {doing}."
        )
    return grant


def access_grant_approve(
    *, actor: User, grant: AccessGrant, recertify_by: date, panel_decision=None
) -> AccessGrant:
    """The panel approved the access (recorded by the chair, or carried by the panel's vote,
    ``panel_decision``) until its re-certification date.

    Approving an approved grant again re-certifies it with a new date.
    """
    if panel_decision is None:
        _require_chair(actor)
    if recertify_by <= timezone.localdate():
        raise ValidationError("The re-certification date must be in the future.")
    with acting_as(actor), transaction.atomic():
        grant = _grant_lock(grant, {G.REQUESTED, G.APPROVED}, "approved")
        grant.status = G.APPROVED
        grant.approved_by = actor
        grant.approved_at = timezone.now()
        grant.recertify_by = recertify_by
        grant.save()
        return grant


def access_grant_decline(
    *, actor: User, grant: AccessGrant, reason: str, panel_decision=None
) -> AccessGrant:
    """The panel declined the request for access (recorded by the chair, or carried by the
    panel's vote, ``panel_decision``), with its reason."""
    if panel_decision is None:
        _require_chair(actor)
    with acting_as(actor), transaction.atomic():
        grant = _grant_lock(grant, {G.REQUESTED}, "declined")
        return _close(grant, actor=actor, to=G.DECLINED, reason=reason)


def access_grant_revoke(*, actor: User, grant: AccessGrant, reason: str) -> AccessGrant:
    """The panel withdrew an approved access (recorded by the chair): it stops at once."""
    _require_chair(actor)
    if not reason.strip():
        raise ValidationError(
            "Give the panel's reason for revoking the access: the register keeps it."
        )
    with acting_as(actor), transaction.atomic():
        grant = _grant_lock(grant, {G.APPROVED}, "revoked")
        return _close(grant, actor=actor, to=G.REVOKED, reason=reason)


def access_grant_recertify(*, actor: User, grant: AccessGrant, recertify_by: date) -> AccessGrant:
    """The panel re-certified the access (recorded by the chair): the service or officer keeps it
    until the new date. Access that lapsed on its old date is current again.

    The approval shown in the register becomes this decision; the audit trail keeps the earlier
    ones.
    """
    _require_chair(actor)
    if recertify_by <= timezone.localdate():
        raise ValidationError("The re-certification date must be in the future.")
    with acting_as(actor), transaction.atomic():
        grant = _grant_lock(grant, {G.APPROVED}, "re-certified")
        grant.approved_by = actor
        grant.approved_at = timezone.now()
        grant.recertify_by = recertify_by
        grant.save()
        return grant


def _close(grant: AccessGrant, *, actor, to: AccessGrantStatus, reason: str) -> AccessGrant:
    grant.status = to
    grant.closed_by = actor
    grant.closed_at = timezone.now()
    grant.closed_reason = reason.strip()
    grant.save()
    return grant


def access_grants_ensure_defaults(*, actor: User | None, recertify_by: date | None = None) -> list:
    """The protocol's default access is in the register: every tier for customer services,
    Directors' PAs, the complaints team and elected councillors. Safe to run again: a service that
    already holds a current all-tier grant gets no second one.

    Visiting services (medium and high only) are not defaults: see VISITING_SERVICE_TIERS.
    Returns the grants created.
    """
    today = timezone.localdate()
    until = recertify_by or twelve_months_after(today)
    created = []
    with acting_as(actor), transaction.atomic():
        for name in DEFAULT_SERVICES_ALL_TIERS:
            service, _ = Service.objects.get_or_create(name=name)
            current = AccessGrant.objects.filter(
                service=service,
                status=G.APPROVED,
                recertify_by__gte=today,
                low=True,
                medium=True,
                high=True,
            )
            if current.exists():
                continue
            created.append(
                AccessGrant.objects.create(
                    service=service,
                    low=True,
                    medium=True,
                    high=True,
                    rationale=DEFAULT_RATIONALE,
                    status=G.APPROVED,
                    requested_by=actor,
                    approved_by=actor,
                    approved_at=timezone.now(),
                    recertify_by=until,
                )
            )
    return created


def contact_check_record(*, actor: User, entry: Entry, purpose: str = "") -> ContactCheck:
    """A member of staff checked the schedule before visiting or contacting the individual.

    The caller has already fetched ``entry`` through ``visible_entries(actor)``.
    """
    with acting_as(actor), transaction.atomic():
        return ContactCheck.objects.create(entry=entry, user=actor, purpose=purpose.strip()[:200])


# --- Address warnings -------------------------------------------------------------------------

# The protocol makes the "anticipated risk levels" of "specific addresses" available to staff. The
# chair (the Service Manager for Assurance, who owns the database) and the Assurance team keep
# those warnings; the other case roles read them, and frontline staff find them by searching.
ADDRESS_WARNING_ROLES = frozenset({Role.PANEL_CHAIR, Role.ASSURANCE_OFFICER})
# A UK postcode with the spaces taken out: the outward code (area and district), then the inward.
_UK_POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}")


def _require_address_warning_role(actor: User) -> None:
    if not has_role(actor, *ADDRESS_WARNING_ROLES):
        raise PermissionDenied(
            "Only the panel chair and the Assurance team add, change or end address warnings."
        )


def _warning_errors(*, tier: str, guidance: str) -> dict[str, str]:
    errors = {}
    if tier not in RiskTier.values:
        errors["tier"] = "Choose the risk tier: low, medium or high"
    if not guidance.strip():
        errors["guidance"] = "Say what staff should do at this address"
    return errors


def _warning_lock(warning: AddressWarning, doing: str) -> AddressWarning:
    warning = AddressWarning.objects.select_for_update().get(pk=warning.pk)
    if warning.status != AddressWarningStatus.LIVE:
        raise ScheduleTransitionError(
            f"The warning for {warning} has ended: it cannot be {doing}. Add a new warning if "
            "the address carries a risk again."
        )
    return warning


def address_warning_add(
    *, actor: User, address: str, postcode: str, tier: str, guidance: str
) -> AddressWarning:
    """A specific address carries an anticipated risk level: staff who search the address or its
    postcode before contact see its tier and what to do there, if their access covers the tier.

    Bad input raises ValidationError keyed by the field at fault (address, postcode, tier,
    guidance).
    """
    _require_address_warning_role(actor)
    errors = _warning_errors(tier=tier, guidance=guidance)
    # One line per part, whatever line endings the browser sent: it is shown joined with commas.
    address = "\n".join(line.strip() for line in address.splitlines() if line.strip())
    if not address:
        errors["address"] = "Enter the address"
    key = normalise.postcode(postcode)
    if key and not _UK_POSTCODE.fullmatch(key):
        errors["postcode"] = "Enter a real postcode, like DT1 1XJ"
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        return AddressWarning.objects.create(
            address=address,
            postcode=normalise.postcode_display(key),
            postcode_normalised=key,
            tier=tier,
            guidance=guidance.strip(),
            created_by=actor,
        )


def address_warning_update(
    *, actor: User, warning: AddressWarning, tier: str, guidance: str
) -> AddressWarning:
    """The risk at the address was assessed again: its tier, or what staff should do there, changed.

    Only a live warning changes; the audit trail keeps what it said before.
    """
    _require_address_warning_role(actor)
    errors = _warning_errors(tier=tier, guidance=guidance)
    if errors:
        raise ValidationError(errors)
    with acting_as(actor), transaction.atomic():
        warning = _warning_lock(warning, "changed")
        warning.tier = tier
        warning.guidance = guidance.strip()
        warning.save()
        return warning


def address_warning_end(*, actor: User, warning: AddressWarning, reason: str) -> AddressWarning:
    """The address no longer carries the risk: the warning comes off the schedule and staff who
    search the address stop seeing it. The case roles still see it, ended, with the reason.
    """
    _require_address_warning_role(actor)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the warning is ending"})
    with acting_as(actor), transaction.atomic():
        warning = _warning_lock(warning, "ended")
        warning.status = AddressWarningStatus.REMOVED
        warning.ended_by = actor
        warning.ended_at = timezone.now()
        warning.ended_reason = reason.strip()
        warning.save()
        return warning
