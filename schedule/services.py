"""What happens to schedule entries and the access register. Views, tasks and commands call these.

Each transition names the protocol's step in its docstring and refuses, with
ScheduleTransitionError, an entry or grant that is not in a status it can act on. Acting without the
authority the protocol gives (an emergency addition by someone other than the chair) raises
PermissionDenied; bad input raises ValidationError.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from referrals.models import Person, Referral, RiskTier
from ubpanel.audit import acting_as
from ubpanel.models import Service, User
from ubpanel.roles import Role, has_role
from ubpanel.tasks import email_send

from .models import (
    LIVE_STATUSES,
    AccessGrant,
    AccessGrantStatus,
    ContactCheck,
    Entry,
    EntryEvent,
    EntryEventKind,
    EntryStatus,
)


class ScheduleTransitionError(Exception):
    """The entry or access grant is not in a status where that can happen."""


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


def entry_add_emergency(
    *,
    actor: User,
    person: Person,
    reason: str,
    guidance: str,
    incident: str = "",
    permitted_contact: str = "",
    chair_absent: bool = False,
    record_owner: User | None = None,
    referral: Referral | None = None,
) -> Entry:
    """The chair added a high-risk individual to the schedule at once, for ratification at the next
    available panel meeting. When the chair is absent the decision is escalated to the Director for
    Legal and Democratic.

    The entry is live immediately, pending ratification; Legal Services are asked to draft the
    letter. (The panel issue puts every entry pending ratification on the next agenda and will
    read the chair's absence from the attendance record rather than ``chair_absent``.)
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
    if not reason.strip() or not guidance.strip():
        raise ValidationError("Say why the individual is high risk and how staff should respond.")
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
            incident_summary=incident.strip(),
            record_owner=record_owner,
            emergency_added_at=timezone.now(),
            decided_on=today,
            review_due_on=twelve_months_after(today),
        )
        if referral is not None:
            entry.referrals.add(referral)
        _event(
            entry,
            actor=actor,
            kind=EntryEventKind.EMERGENCY_ADDITION,
            to_status=S.PENDING_RATIFICATION,
            message=f"Emergency addition by {by}. {reason.strip()}",
        )
        _notify_legal_services_of_emergency(entry, by=by)
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


def entry_ratify(*, actor: User, entry: Entry, note: str = "") -> Entry:
    """The panel ratified the chair's emergency addition: the entry stands as an active entry.

    The authority is the panel's vote, which the panel app checks before calling this.
    """
    with acting_as(actor), transaction.atomic():
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


# --- Maintenance ------------------------------------------------------------------------------


def entry_record_repeat_behaviour(*, actor: User, entry: Entry, referral: Referral) -> Entry:
    """A new incident on a live entry: the record stays for 12 months from now, not from the first
    decision (the protocol: removed after 12 months "as long as there is no repeat behaviour")."""
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
        previous = entry.review_due_on
        entry.review_due_on = twelve_months_after(timezone.localdate())
        entry.save()
        entry.referrals.add(referral)
        was = f" (it was due {_long(previous)})" if previous else ""
        _event(
            entry,
            actor=actor,
            kind=EntryEventKind.REPEAT_BEHAVIOUR,
            message=(
                f"Repeat behaviour reported in {referral.reference}: the 12-month clock restarts. "
                f"Review now due {_long(entry.review_due_on)}{was}."
            ),
        )
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


def entry_appeal_decided(*, actor: User, entry: Entry, upheld: bool, reason: str) -> Entry:
    """The Monitoring Officer decided the appeal: upheld, the individual comes off the schedule;
    dismissed, the panel's decision stands and the entry is active again."""
    if not has_role(actor, Role.MONITORING_OFFICER):
        raise PermissionDenied("Only the Monitoring Officer decides appeals.")
    outcome = "upheld: the entry is removed" if upheld else "dismissed: the decision stands"
    with acting_as(actor), transaction.atomic():
        return _move(
            entry,
            actor=actor,
            to=S.REMOVED if upheld else S.ACTIVE,
            allowed={S.UNDER_APPEAL},
            kind=EntryEventKind.APPEAL_DECIDED,
            message=f"Appeal {outcome}. {reason}".strip(),
        )


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
        return AccessGrant.objects.create(
            **grantee,
            **{tier: tier in chosen for tier in RiskTier.values},
            rationale=rationale.strip(),
            requested_by=actor,
        )


def _grant_lock(grant: AccessGrant, allowed: set, doing: str) -> AccessGrant:
    grant = AccessGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.status not in allowed:
        raise ScheduleTransitionError(
            f"The access grant for {grant.grantee} is {grant.get_status_display().lower()}: "
            f"it cannot be {doing}."
        )
    return grant


def access_grant_approve(*, actor: User, grant: AccessGrant, recertify_by: date) -> AccessGrant:
    """The panel approved the access (recorded by the chair) until its re-certification date.

    Approving an approved grant again re-certifies it with a new date.
    """
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


def access_grant_decline(*, actor: User, grant: AccessGrant, reason: str) -> AccessGrant:
    """The panel declined the request for access (recorded by the chair), with its reason."""
    _require_chair(actor)
    with acting_as(actor), transaction.atomic():
        grant = _grant_lock(grant, {G.REQUESTED}, "declined")
        return _close(grant, actor=actor, to=G.DECLINED, reason=reason)


def access_grant_revoke(*, actor: User, grant: AccessGrant, reason: str) -> AccessGrant:
    """The panel withdrew an approved access (recorded by the chair): it stops at once."""
    _require_chair(actor)
    with acting_as(actor), transaction.atomic():
        grant = _grant_lock(grant, {G.APPROVED}, "revoked")
        return _close(grant, actor=actor, to=G.REVOKED, reason=reason)


def _close(grant: AccessGrant, *, actor, to: AccessGrantStatus, reason: str) -> AccessGrant:
    grant.status = to
    grant.closed_by = actor
    grant.closed_at = timezone.now()
    grant.closed_reason = reason
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
