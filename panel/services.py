"""What happens at and around panel meetings. Views, tasks and commands call these.

Each function is one step the protocol names, with an explicit ``actor`` and one transaction.
Acting without the authority the protocol gives raises PermissionDenied; a step the item or
meeting is not ready for raises PanelError with words a person can act on; bad input raises
ValidationError.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef
from django.urls import reverse
from django.utils import timezone

from referrals.models import Referral, ReferralStatus
from referrals.services import referral_decided_by_panel, referral_panel_deferred
from schedule import services as schedule_services
from schedule.models import AccessGrant, AccessGrantStatus, Entry, EntryEventKind
from ubpanel import hooks
from ubpanel.audit import acting_as
from ubpanel.entry_status import LIVE_STATUSES, EntryStatus
from ubpanel.models import User
from ubpanel.roles import Role, has_role
from ubpanel.tasks import email_send
from ubpanel.tiers import RiskTier

from .models import (
    DECISION_FIELDS,
    NO_LETTER_OUTCOMES,
    OUTCOMES_FOR,
    PERSON_KINDS,
    REMOVAL_NOT_COMMUNICATED,
    UNDECIDED,
    AgendaItem,
    Attendance,
    Ballot,
    Decision,
    DecisionCorrection,
    DecisionStatus,
    Declaration,
    Invitee,
    InviteeRole,
    ItemKind,
    ItemStatus,
    LetterRoute,
    Meeting,
    MeetingStatus,
    Outcome,
    Ruling,
    Seat,
    SeatAttendance,
    SeatMember,
    Vote,
    VoteChoice,
    VotingRule,
)
from .selectors import (
    briefing_refusal,
    can_manage_agenda,
    chair_holder,
    chair_is_absent,
    eligibility,
    presides,
    sitting,
)

# "Not passed" for arguments whose meaningful values include None.
UNSET = object()


class PanelError(Exception):
    """The meeting or item is not in a state where that can happen."""


def _lock_item(item: AgendaItem) -> AgendaItem:
    return AgendaItem.objects.select_for_update().select_related("meeting").get(pk=item.pk)


def _lock_meeting(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


def _require_agenda_role(actor: User) -> None:
    if not can_manage_agenda(actor):
        raise PermissionDenied("Only Assurance and the chair prepare the panel's agenda.")


def _require_chairing(actor: User, meeting: Meeting) -> None:
    """Whoever presides runs the meeting: the person in the chair's seat (the chair, or a briefed
    deputy in their absence), or the member the members present chose to chair."""
    if not presides(actor, meeting):
        raise PermissionDenied("Only the person chairing the meeting runs it.")


def _require_open(meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.OPEN:
        raise PanelError(f"The meeting is {meeting.get_status_display().lower()}, not in progress.")


# --- Meetings and agendas ---------------------------------------------------------------------


def meeting_schedule(
    *, actor: User, kind: str, format: str, starts_at: datetime, location: str = ""
) -> Meeting:
    """Assurance arranged a panel meeting (monthly, or extraordinary when business dictates).

    Everything waiting for the panel goes on its agenda at once: referrals ready for panel,
    emergency additions awaiting ratification, access requests and reviews falling due.
    """
    _require_agenda_role(actor)
    with acting_as(actor), transaction.atomic():
        meeting = Meeting.objects.create(
            kind=kind, format=format, starts_at=starts_at, location=location, created_by=actor
        )
        agenda_add_pending(actor=actor, meeting=meeting)
        return meeting


def next_meeting() -> Meeting | None:
    """The next meeting still to be held: the earliest scheduled one from now on."""
    return (
        Meeting.objects.filter(status=MeetingStatus.SCHEDULED, starts_at__gte=timezone.now())
        .order_by("starts_at", "pk")
        .first()
    )


# Why an item is withdrawn when the meeting closes before reaching it.
NOT_REACHED = "Not reached at the meeting: carried forward to the next meeting."


def _listed(**subject) -> bool:
    return AgendaItem.objects.filter(status__in=UNDECIDED, **subject).exists()


def _append(meeting: Meeting, *, actor, kind, **subject) -> AgendaItem:
    last = meeting.items.aggregate(last=Max("position"))["last"] or 0
    return AgendaItem.objects.create(
        meeting=meeting, kind=kind, position=last + 1, added_by=actor, **subject
    )


def agenda_add_pending(*, actor: User | None, meeting: Meeting) -> list[AgendaItem]:
    """Put on ``meeting``'s agenda everything waiting for the panel that is not on an agenda yet.

    The protocol: emergency additions are ratified "at the next available panel meeting"; access
    is granted by the panel on request; records are reviewed after 12 months. Something Assurance
    withdrew from this very meeting is not put back on it (they may add it again by hand).
    """
    if meeting.status == MeetingStatus.CLOSED:
        raise PanelError("The meeting is closed: nothing more goes on its agenda.")
    added = []
    with acting_as(actor), transaction.atomic():
        _lock_meeting(meeting)
        on_agenda = AgendaItem.objects.filter(status__in=UNDECIDED) | AgendaItem.objects.filter(
            meeting=meeting, status=ItemStatus.WITHDRAWN
        )
        referrals = Referral.objects.filter(status=ReferralStatus.READY_FOR_PANEL).exclude(
            pk__in=on_agenda.filter(referral__isnull=False).values("referral_id")
        )
        for referral in referrals.order_by("submitted_at", "pk"):
            live = referral.person.schedule_entries.filter(status__in=LIVE_STATUSES).first()
            kind = ItemKind.REFERRAL_BACK if live else ItemKind.NEW_REFERRAL
            added.append(_append(meeting, actor=actor, kind=kind, referral=referral, entry=live))
        entries_listed = on_agenda.filter(entry__isnull=False).values("entry_id")
        pending = Entry.objects.filter(status=EntryStatus.PENDING_RATIFICATION).exclude(
            pk__in=entries_listed
        )
        for entry in pending.order_by("emergency_added_at", "pk"):
            added.append(_append(meeting, actor=actor, kind=ItemKind.RATIFICATION, entry=entry))
        due = Entry.objects.filter(
            status=EntryStatus.ACTIVE, review_due_on__lte=meeting.starts_at.date()
        ).exclude(pk__in=entries_listed)
        for entry in due.order_by("review_due_on", "pk"):
            added.append(_append(meeting, actor=actor, kind=ItemKind.REVIEW, entry=entry))
        # A decided underlying-issue item clears the flag; one not reached leaves it, and the entry
        # comes back. Only an item still waiting holds its place.
        flagged = Entry.objects.filter(
            status__in=LIVE_STATUSES, underlying_issue_flagged_on__isnull=False
        ).exclude(pk__in=on_agenda.filter(kind=ItemKind.UNDERLYING_ISSUE).values("entry_id"))
        for entry in flagged.order_by("underlying_issue_flagged_on", "pk"):
            added.append(_append(meeting, actor=actor, kind=ItemKind.UNDERLYING_ISSUE, entry=entry))
        # Items not reached whose subject has no waiting state of its own (a review listed before
        # it fell due, an entry referred back without a new referral) come back as they were.
        not_reached = (
            AgendaItem.objects.filter(
                meeting__status=MeetingStatus.CLOSED,
                status=ItemStatus.WITHDRAWN,
                withdrawn_reason=NOT_REACHED,
                kind__in=(ItemKind.REVIEW, ItemKind.REFERRAL_BACK),
                referral__isnull=True,
                entry__status=EntryStatus.ACTIVE,
            )
            .exclude(entry_id__in=entries_listed)
            .exclude(
                Exists(AgendaItem.objects.filter(entry=OuterRef("entry"), pk__gt=OuterRef("pk")))
            )
        )
        for old in not_reached.select_related("entry").order_by("pk"):
            if not _listed(entry=old.entry):
                item = _append(meeting, actor=actor, kind=old.kind, entry=old.entry)
                if old.statement:
                    item.statement = old.statement
                    item.save(update_fields=["statement"])
                added.append(item)
        requests = AccessGrant.objects.filter(status=AccessGrantStatus.REQUESTED).exclude(
            pk__in=on_agenda.filter(access_grant__isnull=False).values("access_grant_id")
        )
        for grant in requests.order_by("requested_at", "pk"):
            added.append(
                _append(meeting, actor=actor, kind=ItemKind.ACCESS_REQUEST, access_grant=grant)
            )
    return added


def agenda_fill_next_meeting(*, actor: User | None) -> list[AgendaItem]:
    """Whatever is waiting for the panel joins the next arranged meeting at once: a referral made
    ready for panel, an emergency addition (ratified "at the next available panel meeting"), an
    access request, an entry flagged with an underlying issue, a review falling due before the
    meeting, items not reached at the last meeting. With no meeting arranged, nothing happens:
    ``meeting_schedule`` picks them all up. Beat runs it daily for reviews that fall due."""
    meeting = next_meeting()
    if meeting is None:
        return []
    return agenda_add_pending(actor=actor, meeting=meeting)


def agenda_item_add(
    *,
    actor: User,
    meeting: Meeting,
    kind: str,
    referral: Referral | None = None,
    entry: Entry | None = None,
    access_grant: AccessGrant | None = None,
    statement: str = "",
) -> AgendaItem:
    """Assurance put an item on the agenda: a referral, an entry to review or referred back
    because the behaviour has not improved, or a request for access."""
    _require_agenda_role(actor)
    kind = ItemKind(kind)
    if kind in (ItemKind.NEW_REFERRAL,) and referral is None:
        raise ValidationError("Choose the referral the panel is to decide.")
    if kind in (ItemKind.RATIFICATION, ItemKind.REVIEW, ItemKind.REFERRAL_BACK) and entry is None:
        raise ValidationError("Choose the schedule entry the panel is to consider.")
    if kind == ItemKind.ACCESS_REQUEST and access_grant is None:
        raise ValidationError("Choose the access request the panel is to decide.")
    if kind == ItemKind.NEW_REFERRAL and referral.status != ReferralStatus.READY_FOR_PANEL:
        raise PanelError(f"{referral.reference} is not ready for the panel.")
    if kind == ItemKind.RATIFICATION and entry.status != EntryStatus.PENDING_RATIFICATION:
        raise PanelError(f"{entry.reference} is not an emergency addition awaiting ratification.")
    if kind in (ItemKind.REVIEW, ItemKind.REFERRAL_BACK) and entry.status != EntryStatus.ACTIVE:
        raise PanelError(f"{entry.reference} is {entry.get_status_display().lower()}.")
    if kind == ItemKind.ACCESS_REQUEST and access_grant.status != AccessGrantStatus.REQUESTED:
        raise PanelError("That access request has been decided already.")
    with acting_as(actor), transaction.atomic():
        meeting = _lock_meeting(meeting)
        if meeting.status == MeetingStatus.CLOSED:
            raise PanelError("The meeting is closed: nothing more goes on its agenda.")
        subject = {
            key: value
            for key, value in (
                ("referral", referral),
                ("entry", entry),
                ("access_grant", access_grant),
            )
            if value is not None
        }
        if kind == ItemKind.NEW_REFERRAL:
            duplicate = _listed(referral=referral)
        elif kind == ItemKind.ACCESS_REQUEST:
            duplicate = _listed(access_grant=access_grant)
        else:
            duplicate = _listed(entry=entry, kind=kind)
        if duplicate:
            raise PanelError("That is already on an agenda waiting for the panel.")
        item = _append(meeting, actor=actor, kind=kind, **subject)
        if statement.strip():
            item.statement = statement.strip()
            item.save(update_fields=["statement"])
        return item


def agenda_item_move(*, actor: User, item: AgendaItem, up: bool) -> AgendaItem:
    """Assurance moved an item up or down the agenda."""
    _require_agenda_role(actor)
    with acting_as(actor), transaction.atomic():
        meeting = _lock_meeting(item.meeting)
        if meeting.status == MeetingStatus.CLOSED:
            raise PanelError("The meeting is closed: its agenda is part of the minutes.")
        items = list(meeting.items.order_by("position", "pk"))
        index = next(i for i, other in enumerate(items) if other.pk == item.pk)
        swap = index - 1 if up else index + 1
        if 0 <= swap < len(items):
            items[index], items[swap] = items[swap], items[index]
        for position, other in enumerate(items, start=1):
            if other.position != position:
                other.position = position
                other.save(update_fields=["position"])
        return next(other for other in items if other.pk == item.pk)


def agenda_item_statement_save(*, actor: User, item: AgendaItem, statement: str) -> AgendaItem:
    """The Operations Manager's statement, where papers are not available (the protocol)."""
    is_presenter = Invitee.objects.filter(
        item=item, user=actor, role=InviteeRole.OPERATIONS_MANAGER
    ).exists()
    if not (can_manage_agenda(actor) or is_presenter):
        raise PermissionDenied(
            "Only Assurance or the Operations Manager presenting add a statement."
        )
    with acting_as(actor), transaction.atomic():
        item = _lock_item(item)
        if item.status not in UNDECIDED:
            raise PanelError("The item has been decided: its papers are closed.")
        item.statement = statement.strip()
        item.save(update_fields=["statement"])
        return item


def agenda_item_withdraw(*, actor: User, item: AgendaItem, reason: str) -> AgendaItem:
    """Assurance took an item off the agenda before it was decided."""
    _require_agenda_role(actor)
    if not reason.strip():
        raise ValidationError("Say why the item is withdrawn.")
    with acting_as(actor), transaction.atomic():
        item = _lock_item(item)
        if item.status != ItemStatus.LISTED:
            raise PanelError(
                f"The item is {item.get_status_display().lower()}: it cannot be withdrawn."
            )
        item.status = ItemStatus.WITHDRAWN
        item.withdrawn_reason = reason.strip()
        item.save(update_fields=["status", "withdrawn_reason"])
        return item


def invitee_add(*, actor: User, item: AgendaItem, user: User, role: str) -> Invitee:
    """Assurance invited the Operations Manager to present the case, or a Legal Services adviser
    for a high-risk item or where legal proceedings have been intimated. Invitees see that item
    only and never vote."""
    _require_agenda_role(actor)
    role = InviteeRole(role)
    if role == InviteeRole.LEGAL_ADVISER and not has_role(user, Role.LEGAL_SERVICES):
        raise ValidationError("The legal adviser must be from Legal Services.")
    with acting_as(actor), transaction.atomic():
        item = _lock_item(item)
        if item.status not in UNDECIDED or item.meeting.status == MeetingStatus.CLOSED:
            raise PanelError("The item has been dealt with: nobody more is invited to it.")
        try:
            with transaction.atomic():
                return Invitee.objects.create(item=item, user=user, role=role, invited_by=actor)
        except IntegrityError:
            raise PanelError(f"{user} is invited to this item already.") from None


def invitee_remove(*, actor: User, invitee: Invitee) -> None:
    _require_agenda_role(actor)
    with acting_as(actor), transaction.atomic():
        invitee.delete()


# --- Attendance -------------------------------------------------------------------------------


def _membership(user: User, seat: str) -> SeatMember | None:
    return SeatMember.objects.filter(user=user, seat=seat, active=True).first()


def _require_briefed(membership: SeatMember, meeting: Meeting) -> None:
    refusal = briefing_refusal(membership, meeting)
    if refusal:
        raise PanelError(refusal)


def meeting_open(*, actor: User, meeting: Meeting) -> Meeting:
    """The chair (or a briefed deputy sitting for the chair) opened the meeting and takes the
    chair's seat."""
    membership = _membership(actor, Seat.CHAIR)
    if membership is None:
        raise PermissionDenied(
            "Only the chair, or a deputy briefed for the chair, opens the meeting."
        )
    _require_briefed(membership, meeting)
    with acting_as(actor), transaction.atomic():
        meeting = _lock_meeting(meeting)
        if meeting.status != MeetingStatus.SCHEDULED:
            raise PanelError(f"The meeting is {meeting.get_status_display().lower()} already.")
        _sit(meeting, actor=actor, seat=Seat.CHAIR, user=actor, as_deputy=membership.is_deputy)
        meeting.status = MeetingStatus.OPEN
        meeting.opened_at = timezone.now()
        meeting.opened_by = actor
        meeting.save()
        return meeting


def meeting_open_as_elected_chair(
    *, actor: User, meeting: Meeting, note: str, seat: str | None = None
) -> Meeting:
    """The chair and every deputy for the chair were absent, and the members present chose
    ``actor`` - a seat holder, or a briefed deputy of another seat - to chair. The protocol names
    no one for this; the minutes record who chaired and how they were chosen. The chair's seat is
    recorded absent, the elected chair sits (and votes) in their own seat, and with the chair
    absent the Monitoring Officer rules on declared interests."""
    memberships = SeatMember.objects.filter(user=actor, active=True).exclude(seat=Seat.CHAIR)
    if seat:
        memberships = memberships.filter(seat=seat)
    candidates = list(memberships.order_by("is_deputy", "seat"))
    if not candidates:
        raise PermissionDenied(
            "Only a member of the panel (a seat holder or a briefed deputy) may be chosen to chair."
        )
    chair_membership = _membership(actor, Seat.CHAIR)
    if chair_membership is not None and briefing_refusal(chair_membership, meeting) is None:
        raise PanelError(
            "You are briefed to sit for the chair: open the meeting in the chair's seat instead."
        )
    refusals = [briefing_refusal(m, meeting) for m in candidates]
    membership = next((m for m, r in zip(candidates, refusals, strict=True) if r is None), None)
    if membership is None:
        raise PanelError(refusals[0])
    if not note.strip():
        raise ValidationError("Say how the members present chose you to chair.")
    with acting_as(actor), transaction.atomic():
        meeting = _lock_meeting(meeting)
        if meeting.status != MeetingStatus.SCHEDULED:
            raise PanelError(f"The meeting is {meeting.get_status_display().lower()} already.")
        _sit(meeting, actor=actor, seat=Seat.CHAIR, user=None, as_deputy=False)
        _sit(
            meeting,
            actor=actor,
            seat=membership.seat,
            user=actor,
            as_deputy=membership.is_deputy,
        )
        meeting.status = MeetingStatus.OPEN
        meeting.opened_at = timezone.now()
        meeting.opened_by = actor
        meeting.elected_chair = actor
        meeting.elected_chair_note = note.strip()
        meeting.save()
        return meeting


def _sit(meeting, *, actor, seat, user, as_deputy) -> SeatAttendance:
    if user is not None:
        elsewhere = SeatAttendance.objects.filter(meeting=meeting, user=user).exclude(seat=seat)
        if elsewhere.exists():
            raise PanelError(f"{user} sits in another seat at this meeting already.")
    record, _ = SeatAttendance.objects.update_or_create(
        meeting=meeting,
        seat=seat,
        defaults={
            "attendance": Attendance.PRESENT if user else Attendance.ABSENT,
            "user": user,
            "as_deputy": as_deputy,
            "recorded_by": actor,
        },
    )
    return record


def _no_open_ballots(meeting: Meeting) -> None:
    if Ballot.objects.filter(item__meeting=meeting, closed_at__isnull=True).exists():
        raise PanelError("A vote is open: close it before the attendance changes.")


def meeting_join(*, actor: User, meeting: Meeting, seat: str | None = None) -> SeatAttendance:
    """A member (or a briefed deputy) took their seat at the meeting."""
    memberships = SeatMember.objects.filter(user=actor, active=True)
    if seat:
        memberships = memberships.filter(seat=seat)
    candidates = list(memberships.order_by("is_deputy", "seat"))
    if not candidates:
        raise PermissionDenied("You do not hold, or deputise for, a seat on the panel.")
    # The first seat they may sit in; if none, why not.
    refusals = [briefing_refusal(m, meeting) for m in candidates]
    membership = next((m for m, r in zip(candidates, refusals, strict=True) if r is None), None)
    if membership is None:
        raise PanelError(refusals[0])
    with acting_as(actor), transaction.atomic():
        meeting = _lock_meeting(meeting)
        _require_open(meeting)
        _no_open_ballots(meeting)
        taken = SeatAttendance.objects.filter(
            meeting=meeting, seat=membership.seat, attendance=Attendance.PRESENT
        ).exclude(user=actor)
        if taken.exists():
            raise PanelError(
                f"{membership.get_seat_display()} is taken at this meeting by {taken.first().user}."
            )
        return _sit(
            meeting,
            actor=actor,
            seat=membership.seat,
            user=actor,
            as_deputy=membership.is_deputy,
        )


def attendance_record(
    *, actor: User, meeting: Meeting, seat: str, user: User | None
) -> SeatAttendance:
    """The chair or Assurance recorded who sits in a seat (its holder or a briefed deputy), or
    that the seat is empty."""
    if not (can_manage_agenda(actor) or presides(actor, meeting)):
        raise PermissionDenied("Only the person chairing or Assurance record attendance.")
    seat = Seat(seat)
    membership = None
    if user is not None:
        membership = _membership(user, seat)
        if membership is None:
            raise ValidationError(f"{user} is not the holder or a briefed deputy of that seat.")
        refusal = briefing_refusal(membership, meeting)
        if refusal:
            raise ValidationError(refusal)
    with acting_as(actor), transaction.atomic():
        meeting = _lock_meeting(meeting)
        if meeting.status == MeetingStatus.CLOSED:
            raise PanelError("The meeting is closed: its attendance is part of the minutes.")
        _no_open_ballots(meeting)
        return _sit(
            meeting,
            actor=actor,
            seat=seat,
            user=user,
            as_deputy=bool(membership and membership.is_deputy),
        )


def meeting_close(*, actor: User, meeting: Meeting) -> Meeting:
    """The chair closed the meeting. Items not reached are carried forward: they join the next
    arranged meeting at once, or the next one scheduled."""
    _require_chairing(actor, meeting)
    with acting_as(actor), transaction.atomic():
        meeting = _lock_meeting(meeting)
        _require_open(meeting)
        _no_open_ballots(meeting)
        for seat in Seat.values:
            if not SeatAttendance.objects.filter(meeting=meeting, seat=seat).exists():
                _sit(meeting, actor=actor, seat=seat, user=None, as_deputy=False)
        # One save per item, not update(): the audit trail records each.
        for item in meeting.items.filter(status=ItemStatus.LISTED):
            item.status = ItemStatus.WITHDRAWN
            item.withdrawn_reason = NOT_REACHED
            item.save(update_fields=["status", "withdrawn_reason"])
        meeting.status = MeetingStatus.CLOSED
        meeting.closed_at = timezone.now()
        meeting.save()
        agenda_fill_next_meeting(actor=actor)
        return meeting


# --- Declarations of interest -----------------------------------------------------------------


def declaration_make(*, actor: User, item: AgendaItem, interest: str) -> Declaration:
    """A member declared that they are implicated by the case or have a relationship with the
    customer that could reasonably affect their decision."""
    if not SeatMember.objects.filter(user=actor, active=True).exists():
        raise PermissionDenied("Only panel members (and their deputies) declare interests.")
    if not interest.strip():
        raise ValidationError("Describe the interest.")
    with acting_as(actor), transaction.atomic():
        item = _lock_item(item)
        if (
            item.status not in UNDECIDED
            or Ballot.objects.filter(item=item, closed_at__isnull=True).exists()
        ):
            raise PanelError("Declare an interest before the vote opens.")
        try:
            with transaction.atomic():
                return Declaration.objects.create(item=item, user=actor, interest=interest.strip())
        except IntegrityError:
            raise PanelError("You have declared an interest in this item already.") from None


def who_rules(declaration: Declaration, *, holder=UNSET, chair_absent: bool | None = None) -> str:
    """The protocol: the chair rules; in the chair's absence, the Monitoring Officer. The chair does
    not rule on their own interest: the Monitoring Officer does. ``holder`` (the chair's seat) and
    ``chair_absent`` may be passed in when one page asks about many declarations."""
    holder = chair_holder() if holder is UNSET else holder
    if chair_absent is None:
        chair_absent = chair_is_absent(declaration.item.meeting)
    if holder is None or holder.user_id == declaration.user_id or chair_absent:
        return "monitoring_officer"
    return "chair"


def can_rule(
    user: User, declaration: Declaration, *, holder=UNSET, chair_absent: bool | None = None
) -> bool:
    holder = chair_holder() if holder is UNSET else holder
    if who_rules(declaration, holder=holder, chair_absent=chair_absent) == "chair":
        return holder is not None and holder.user_id == user.pk
    return has_role(user, Role.MONITORING_OFFICER) and user.pk != declaration.user_id


def declaration_rule(
    *, actor: User, declaration: Declaration, exclude: bool, reason: str
) -> Declaration:
    """The chair (or, in the chair's absence, the Monitoring Officer) decided whether the member
    is excluded from the decision on that item, ideally before the meeting."""
    if not can_rule(actor, declaration):
        raise PermissionDenied(
            "The chair rules on declared interests; in the chair's absence, or on the chair's "
            "own interest, the Monitoring Officer does."
        )
    if not reason.strip():
        raise ValidationError("Give the reason for the ruling.")
    with acting_as(actor), transaction.atomic():
        declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
        item = _lock_item(declaration.item)
        if (
            item.status not in UNDECIDED
            or Ballot.objects.filter(item=item, closed_at__isnull=True).exists()
        ):
            raise PanelError("Rule on the interest before the vote opens.")
        declaration.ruling = Ruling.EXCLUDED if exclude else Ruling.ALLOWED
        declaration.ruling_reason = reason.strip()
        declaration.ruled_by = actor
        declaration.ruled_as = (
            "Chair" if who_rules(declaration) == "chair" else "Monitoring Officer"
        )
        declaration.ruled_at = timezone.now()
        declaration.save()
        return declaration


# --- The decision record ----------------------------------------------------------------------


def _default_letter_route(outcome: str, tier: str) -> str:
    if outcome == Outcome.LETTER_ONLY:
        return LetterRoute.EXPECTED_BEHAVIOUR
    if outcome == Outcome.ADD_TO_SCHEDULE:
        return (
            LetterRoute.LEGAL_SERVICES if tier == RiskTier.HIGH else LetterRoute.OPERATIONS_MANAGER
        )
    return LetterRoute.NONE


def decision_draft_save(*, actor: User, item: AgendaItem, **fields) -> Decision:
    """The chair recorded the proposed decision - the motion the panel votes on - in the
    protocol's order: health first, then the criteria and tier, the outcome, SPOC, restrictions,
    email divert, the letter and the reasons."""
    _require_chairing(actor, item.meeting)
    unknown = set(fields) - set(DECISION_FIELDS) - {"care_system_consulted", "care_system_notes"}
    if unknown:
        raise TypeError(f"Not decision fields: {', '.join(sorted(unknown))}")
    # Only the Adult Social Care representative records a consultation of Mosaic or another system.
    fields.pop("care_system_consulted", None)
    fields.pop("care_system_notes", None)
    with acting_as(actor), transaction.atomic():
        item = _lock_item(item)
        _require_open(item.meeting)
        if item.status != ItemStatus.LISTED:
            raise PanelError(
                "The vote is open: close it before changing the proposal."
                if item.status == ItemStatus.VOTING
                else f"The item is {item.get_status_display().lower()}."
            )
        decision, _ = Decision.objects.get_or_create(item=item, defaults={"drafted_by": actor})
        for name, value in fields.items():
            setattr(decision, name, value)
        if "letter_route" not in fields or not fields["letter_route"]:
            decision.letter_route = _default_letter_route(decision.outcome, decision.tier)
        decision.drafted_by = actor
        decision.save()
        return decision


def decision_record_care_system_consultation(
    *, actor: User, item: AgendaItem, notes: str
) -> Decision:
    """The Adult Social Care representative recorded that they consulted Mosaic (or another
    system) and what it showed. The protocol allows nobody else to consult it."""
    seat = sitting(item.meeting, actor)
    if seat is None or seat.seat != Seat.ADULT_SOCIAL_CARE:
        raise PermissionDenied(
            "Only the panel's Adult Social Care representative consults Mosaic or another system."
        )
    if not notes.strip():
        raise ValidationError("Record what the consultation found.")
    with acting_as(actor), transaction.atomic():
        item = _lock_item(item)
        if item.status != ItemStatus.LISTED:
            raise PanelError("Record the consultation before the vote opens.")
        decision, _ = Decision.objects.get_or_create(item=item, defaults={"drafted_by": actor})
        decision.care_system_consulted = True
        decision.care_system_notes = notes.strip()
        decision.care_system_consulted_by = actor
        decision.save()
        return decision


def _entry_to_update(item: AgendaItem) -> Entry | None:
    """The live entry a decision on ``item`` would act on, if there is one."""
    if item.entry_id:
        return item.entry
    if item.referral_id and item.referral.person_id:
        return item.referral.person.schedule_entries.filter(status__in=LIVE_STATUSES).first()
    return None


def decision_problems(item: AgendaItem, decision: Decision | None) -> list[str]:
    """What the proposal still lacks before the panel can vote on it."""
    if decision is None or not decision.outcome:
        return ["Record the proposed decision first."]
    problems = []
    if item.kind in PERSON_KINDS and not decision.health_considered:
        problems.append(
            "The panel must first consider whether the individual has any underlying health "
            "issues, conditions or disabilities."
        )
    if decision.outcome not in OUTCOMES_FOR[ItemKind(item.kind)]:
        problems.append(
            f"“{decision.get_outcome_display()}” is not an outcome for "
            f"{item.get_kind_display().lower()}."
        )
    if decision.outcome == Outcome.ADD_TO_SCHEDULE:
        if decision.meets_criteria is not True:
            problems.append(
                "Adding to the schedule needs a finding that the behaviour meets the criteria."
            )
        if not decision.tier:
            problems.append("Say at which tier: low, medium or high.")
        if not decision.how_to_respond.strip():
            problems.append("Say how staff should respond.")
    if decision.outcome in (Outcome.ADD_TO_SCHEDULE, Outcome.RATIFY):
        entry = _entry_to_update(item)
        if decision.record_owner_id is None and (entry is None or entry.record_owner_id is None):
            problems.append(
                "Choose the record owner: the Operations Manager responsible for the record."
            )
    if decision.email_divert and not decision.spoc_name.strip():
        problems.append("An email divert goes to a SPOC: name the SPOC.")
    if decision.email_divert and not (
        decision.ward_councillors_consulted
        and decision.ward_councillors_asked.strip()
        and decision.ward_councillors_response.strip()
    ):
        problems.append(
            "Before an email divert, the panel liaises with the ward councillors: record which "
            "ward councillors were asked and what they said."
        )
    if decision.spoc_name.strip() and not decision.spoc_contact_details.strip():
        problems.append("Give the SPOC's contact details: the individual is to be told them.")
    if decision.outcome in NO_LETTER_OUTCOMES and decision.letter_route not in (
        "",
        LetterRoute.NONE,
    ):
        problems.append(
            (
                "The individual is not told of a removal. The protocol: "
                f"“{REMOVAL_NOT_COMMUNICATED}” Choose “No letter”."
            )
            if decision.outcome in (Outcome.REMOVE, Outcome.NOT_RATIFY)
            else "No letter goes to the individual after this outcome: choose “No letter”."
        )
    if decision.outcome == Outcome.GRANT and (
        decision.recertify_by is None or decision.recertify_by <= timezone.localdate()
    ):
        problems.append("Give a re-certification date in the future for the access.")
    if decision.outcome != Outcome.DEFER and not decision.reasons.strip():
        problems.append("Record the reasons.")
    return problems


# --- Voting -----------------------------------------------------------------------------------


def voting_rule() -> VotingRule:
    return VotingRule(settings.PANEL_VOTING_RULE)


def is_carried(rule: str, *, votes_for: int, votes_against: int, eligible: int) -> bool:
    rule = VotingRule(rule)
    if rule == VotingRule.MAJORITY_OF_VOTES_CAST:
        return votes_for > votes_against
    if rule == VotingRule.FOUR_IN_FAVOUR:
        return votes_for >= 4
    return 2 * votes_for > eligible


def ballot_open(*, actor: User, item: AgendaItem) -> Ballot:
    """The chair put the proposed decision to the vote. The item needs a quorum of four eligible
    members after any exclusions, every declared interest ruled on, and a complete proposal."""
    _require_chairing(actor, item.meeting)
    with acting_as(actor), transaction.atomic():
        item = _lock_item(item)
        _require_open(item.meeting)
        if item.status != ItemStatus.LISTED:
            raise PanelError(f"The item is {item.get_status_display().lower()}.")
        seats = eligibility(item)
        decision = Decision.objects.filter(item=item).first()
        problems = seats.problems + decision_problems(item, decision)
        if problems:
            raise PanelError(" ".join(problems))
        number = (item.ballots.aggregate(last=Max("number"))["last"] or 0) + 1
        ballot = Ballot.objects.create(
            item=item,
            number=number,
            motion=_motion(item, decision),
            rule=voting_rule(),
            eligible_seats=list(seats.eligible),
            opened_by=actor,
        )
        item.status = ItemStatus.VOTING
        item.save(update_fields=["status"])
        return ballot


def _motion(item: AgendaItem, decision: Decision) -> str:
    text = decision.get_outcome_display()
    if decision.outcome == Outcome.ADD_TO_SCHEDULE:
        text += f" at {decision.get_tier_display().lower()} risk"
    return text


def vote_cast(*, actor: User, item: AgendaItem, choice: str) -> Vote:
    """A member sitting in an eligible seat voted for, against, or abstained. Their vote may
    change until the chair closes the vote; one vote per seat."""
    choice = VoteChoice(choice)
    with acting_as(actor), transaction.atomic():
        ballot = (
            Ballot.objects.select_for_update().filter(item=item, closed_at__isnull=True).first()
        )
        if ballot is None:
            raise PanelError("The vote on this item is not open.")
        seat = sitting(item.meeting, actor)
        if seat is None:
            raise PermissionDenied(
                "Only members sitting in a seat at this meeting vote; invitees advise but never vote."
            )
        if seat.seat not in ballot.eligible_seats:
            raise PermissionDenied("You are excluded from the decision on this item.")
        vote, created = Vote.objects.get_or_create(
            ballot=ballot, seat=seat.seat, defaults={"user": actor, "choice": choice}
        )
        if not created:
            vote.user = actor
            vote.choice = choice
            vote.save()
        return vote


def ballot_close(*, actor: User, item: AgendaItem) -> Ballot:
    """The chair closed the vote. If carried, the decision is final and acts at once - on the
    schedule, the referral or the access register - in this same transaction. If not, the item
    returns to discussion and the chair may propose again."""
    _require_chairing(actor, item.meeting)
    with acting_as(actor), transaction.atomic():
        item = _lock_item(item)
        ballot = (
            Ballot.objects.select_for_update().filter(item=item, closed_at__isnull=True).first()
        )
        if ballot is None:
            raise PanelError("There is no open vote on this item.")
        counts = {choice: 0 for choice in VoteChoice.values}
        for choice in ballot.votes.values_list("choice", flat=True):
            counts[choice] += 1
        ballot.votes_for = counts[VoteChoice.FOR]
        ballot.votes_against = counts[VoteChoice.AGAINST]
        ballot.abstentions = counts[VoteChoice.ABSTAIN]
        ballot.carried = is_carried(
            ballot.rule,
            votes_for=ballot.votes_for,
            votes_against=ballot.votes_against,
            eligible=len(ballot.eligible_seats),
        )
        ballot.closed_at = timezone.now()
        ballot.closed_by = actor
        ballot.save()
        if not ballot.carried:
            item.status = ItemStatus.LISTED
            item.save(update_fields=["status"])
            return ballot
        decision = Decision.objects.select_for_update().get(item=item)
        decision.status = DecisionStatus.FINAL
        decision.rule = ballot.rule
        decision.eligible_seats = ballot.eligible_seats
        decision.votes_for = ballot.votes_for
        decision.votes_against = ballot.votes_against
        decision.abstentions = ballot.abstentions
        decision.decided_on = timezone.localdate()
        decision.decided_at = ballot.closed_at
        decision.save()
        item.status = ItemStatus.DECIDED
        item.save(update_fields=["status"])
        _decision_act(actor=actor, item=item, decision=decision)
        return ballot


# --- What a carried decision does ------------------------------------------------------------
#
# One table, (kind of item, outcome) -> effect: every outcome an item can carry (OUTCOMES_FOR) has
# exactly one effect, each of which changes the record it is about and writes an event on it. A
# test walks the whole table; ``_decision_act`` refuses a pair that is not in it rather than doing
# nothing.


def _note(item: AgendaItem, decision: Decision) -> str:
    return f"Panel decision at {item.meeting.reference}, item {item.position}: {decision.reasons}"


def _person(item: AgendaItem):
    return item.referral.person if item.referral_id else item.entry.person


def _referral_decided(*, actor, item, decision) -> None:
    if item.referral_id:
        referral_decided_by_panel(
            actor=actor,
            referral=item.referral,
            message=f"{decision.get_outcome_display()}. {_note(item, decision)}",
        )


def _add_to_schedule(*, actor, item, decision) -> None:
    """On the schedule at the tier decided (or the entry updated), with the case and reasons."""
    entry = schedule_services.entry_panel_decide(
        actor=actor,
        person=_person(item),
        referral=item.referral,
        decided_on=decision.decided_on,
        details={name: getattr(decision, name) for name in schedule_services.PANEL_DECISION_FIELDS},
        reasons=decision.reasons,
        note=_note(item, decision),
    )
    if item.entry_id is None:
        item.entry = entry
        item.save(update_fields=["entry"])
    if item.kind == ItemKind.UNDERLYING_ISSUE:
        schedule_services.entry_underlying_issue_considered(
            actor=actor,
            entry=entry,
            note=f"The tier and guidance were changed in the light of it. {_note(item, decision)}",
        )
    _referral_decided(actor=actor, item=item, decision=decision)


def _refer_to_legal(*, actor, item, decision) -> None:
    """Behaviour that does not improve "may be escalated to Legal Services" (the protocol). At a
    12-month review the individual stays on the schedule while Legal Services act: the review is
    held, and the next one is due 12 months on."""
    _notify_legal_services(item)
    if item.kind == ItemKind.REVIEW:
        schedule_services.entry_review_keep(
            actor=actor,
            entry=item.entry,
            decided_on=decision.decided_on,
            note=f"Kept on the schedule while Legal Services act. {_note(item, decision)}",
        )
    if item.entry_id:
        schedule_services.entry_note_panel_step(
            actor=actor,
            entry=item.entry,
            kind=EntryEventKind.REFERRED_TO_LEGAL,
            message=f"Referred to Legal Services. {_note(item, decision)}",
        )
    _referral_decided(actor=actor, item=item, decision=decision)


def _ratify(*, actor, item, decision) -> None:
    schedule_services.entry_ratify(
        actor=actor,
        entry=item.entry,
        note=_note(item, decision),
        record_owner=decision.record_owner,
    )


def _not_ratify(*, actor, item, decision) -> None:
    """Off the schedule, and a letter drafted while it was pending never goes: removal is not
    communicated."""
    schedule_services.entry_end_emergency(
        actor=actor, entry=item.entry, reason=_note(item, decision)
    )
    _cancel_letters(actor=actor, item=item)


def _keep(*, actor, item, decision) -> None:
    if item.kind == ItemKind.UNDERLYING_ISSUE:
        schedule_services.entry_underlying_issue_considered(
            actor=actor,
            entry=item.entry,
            note=f"Kept on the schedule as it stands. {_note(item, decision)}",
        )
        return
    schedule_services.entry_review_keep(
        actor=actor, entry=item.entry, decided_on=decision.decided_on, note=_note(item, decision)
    )


def _remove(*, actor, item, decision) -> None:
    """Off the schedule. "Removal from the list will not be communicated to the perpetrator as
    this may re-oxygenate the issues" (the protocol): letters not yet sent are cancelled."""
    if item.kind == ItemKind.UNDERLYING_ISSUE:
        schedule_services.entry_underlying_issue_considered(
            actor=actor, entry=item.entry, note=f"Removed. {_note(item, decision)}"
        )
    schedule_services.entry_remove(actor=actor, entry=item.entry, reason=_note(item, decision))
    _cancel_letters(actor=actor, item=item)


def _cancel_letters(*, actor, item) -> None:
    hooks.entry_letters_cancel(
        actor=actor,
        entry=item.entry,
        reason=f"The panel removed the entry at {item.meeting.reference}, item {item.position}: "
        "removal is not communicated to the individual.",
    )


def _grant(*, actor, item, decision) -> None:
    schedule_services.access_grant_approve(
        actor=actor,
        grant=item.access_grant,
        recertify_by=decision.recertify_by,
        panel_decision=decision,
    )


def _refuse(*, actor, item, decision) -> None:
    schedule_services.access_grant_decline(
        actor=actor, grant=item.access_grant, reason=decision.reasons, panel_decision=decision
    )


def _defer(*, actor, item, decision) -> None:
    """The item waits for a later meeting: its subject's history says so, and it goes on the next
    meeting's agenda now if one is arranged (otherwise when one is)."""
    message = f"Deferred by the panel at {item.meeting.reference}, item {item.position}."
    if decision.reasons.strip():
        message += f" {decision.reasons.strip()}"
    if item.referral_id:
        referral_panel_deferred(actor=actor, referral=item.referral, message=message)
    if item.entry_id:
        schedule_services.entry_note_panel_step(
            actor=actor, entry=item.entry, kind=EntryEventKind.DEFERRED, message=message
        )
    meeting = next_meeting()
    if meeting is None or meeting.pk == item.meeting_id:
        return
    subject = {
        "referral": item.referral,
        "entry": item.entry,
        "access_grant": item.access_grant,
    }
    if not _listed(**{k: v for k, v in subject.items() if v}, kind=item.kind):
        _append(meeting, actor=actor, kind=item.kind, **{k: v for k, v in subject.items() if v})


EFFECTS = {
    (ItemKind.NEW_REFERRAL, Outcome.ADD_TO_SCHEDULE): _add_to_schedule,
    (ItemKind.NEW_REFERRAL, Outcome.LETTER_ONLY): _referral_decided,
    (ItemKind.NEW_REFERRAL, Outcome.SPOC_ONLY): _referral_decided,
    (ItemKind.NEW_REFERRAL, Outcome.NO_ACTION): _referral_decided,
    (ItemKind.NEW_REFERRAL, Outcome.REFER_TO_LEGAL): _refer_to_legal,
    (ItemKind.NEW_REFERRAL, Outcome.DEFER): _defer,
    (ItemKind.REFERRAL_BACK, Outcome.ADD_TO_SCHEDULE): _add_to_schedule,
    (ItemKind.REFERRAL_BACK, Outcome.LETTER_ONLY): _referral_decided,
    (ItemKind.REFERRAL_BACK, Outcome.NO_ACTION): _referral_decided,
    (ItemKind.REFERRAL_BACK, Outcome.REFER_TO_LEGAL): _refer_to_legal,
    (ItemKind.REFERRAL_BACK, Outcome.DEFER): _defer,
    (ItemKind.RATIFICATION, Outcome.RATIFY): _ratify,
    (ItemKind.RATIFICATION, Outcome.NOT_RATIFY): _not_ratify,
    (ItemKind.RATIFICATION, Outcome.DEFER): _defer,
    (ItemKind.REVIEW, Outcome.KEEP): _keep,
    (ItemKind.REVIEW, Outcome.REMOVE): _remove,
    (ItemKind.REVIEW, Outcome.REFER_TO_LEGAL): _refer_to_legal,
    (ItemKind.REVIEW, Outcome.DEFER): _defer,
    (ItemKind.ACCESS_REQUEST, Outcome.GRANT): _grant,
    (ItemKind.ACCESS_REQUEST, Outcome.REFUSE): _refuse,
    (ItemKind.ACCESS_REQUEST, Outcome.DEFER): _defer,
    (ItemKind.UNDERLYING_ISSUE, Outcome.KEEP): _keep,
    (ItemKind.UNDERLYING_ISSUE, Outcome.ADD_TO_SCHEDULE): _add_to_schedule,
    (ItemKind.UNDERLYING_ISSUE, Outcome.REMOVE): _remove,
    (ItemKind.UNDERLYING_ISSUE, Outcome.DEFER): _defer,
}


def _decision_act(*, actor: User, item: AgendaItem, decision: Decision) -> None:
    """What a carried decision does. Runs inside ``ballot_close``'s transaction."""
    effect = EFFECTS.get((ItemKind(item.kind), Outcome(decision.outcome)))
    if effect is None:
        raise PanelError(
            f"“{decision.get_outcome_display()}” is not an outcome for "
            f"{item.get_kind_display().lower()}."
        )
    try:
        effect(actor=actor, item=item, decision=decision)
    except schedule_services.ScheduleTransitionError as error:
        raise PanelError(str(error)) from error
    except ValidationError as error:
        raise PanelError(" ".join(error.messages)) from error


def _notify_legal_services(item: AgendaItem) -> None:
    """The email names the item, never the individual."""
    link = settings.SITE_URL + reverse("panel:item_detail", args=[item.pk])
    email_send.delay_on_commit(
        to=[settings.LEGAL_SERVICES_EMAIL],
        subject=f"Panel referral to Legal Services: {item.meeting.reference} item {item.position}",
        body=(
            "The Unreasonable Behaviours Panel referred a case to Legal Services to determine what "
            f"further action is needed.\n\nOpen the item in ubpanel: {link}\n"
        ),
    )


# A decision's fields that the entry holds once the decision has acted (the reasons as the entry's
# ``reason``): a correction to one of them changes the entry too.
_ENTRY_FIELD_FOR = {
    **{name: name for name in schedule_services.PANEL_DECISION_FIELDS},
    "reasons": "reason",
}
# Only the Adult Social Care representative records a consultation of Mosaic or another system.
CARE_SYSTEM_FIELDS = ("care_system_consulted", "care_system_notes")


def decision_correct(
    *, actor: User, decision: Decision, field: str, value, reason: str
) -> DecisionCorrection:
    """The chair corrected a closed decision record. The correction is recorded beside it with the
    old and new value and the reason. What the schedule entry holds from the decision (the tier,
    what staff must do, the SPOC and divert, the record owner, the reasons) follows the correction
    through the schedule's own service, with an event on the entry's history. The outcome was
    voted on and cannot be corrected, and nobody but the Adult Social Care representative touches
    their consultation of Mosaic."""
    holder = chair_holder()
    if holder is None or holder.user_id != actor.pk:
        raise PermissionDenied("Only the chair corrects a panel decision record.")
    if field in CARE_SYSTEM_FIELDS:
        raise ValidationError(
            "The consultation of Mosaic (or another system) is the Adult Social Care "
            "representative's record: a correction cannot change it."
        )
    if field not in DECISION_FIELDS:
        raise ValidationError(f"{field} cannot be corrected.")
    if field == "outcome":
        raise ValidationError(
            "The outcome was voted on: it cannot be corrected. Put the item to a later meeting."
        )
    if field == "tier" and value not in RiskTier.values:
        raise ValidationError("Choose the corrected tier: low, medium or high.")
    if not reason.strip():
        raise ValidationError("Give the reason for the correction.")
    with acting_as(actor), transaction.atomic():
        decision = (
            Decision.objects.select_for_update(of=("self",))
            .select_related("item__meeting", "item__entry")
            .get(pk=decision.pk)
        )
        if decision.status != DecisionStatus.FINAL:
            raise PanelError("The decision is still a proposal: change it on the meeting screen.")
        old = getattr(decision, field)
        setattr(decision, field, value)
        decision.save(update_fields=[field, "updated_at"])
        correction = DecisionCorrection.objects.create(
            decision=decision,
            field=field,
            old_value="" if old is None else str(old),
            new_value="" if value is None else str(value),
            reason=reason.strip(),
            corrected_by=actor,
        )
        entry = decision.item.entry
        # An addition set all of those on the entry; a ratification only the record owner.
        acted_on_entry = decision.outcome == Outcome.ADD_TO_SCHEDULE or (
            decision.outcome == Outcome.RATIFY and field == "record_owner"
        )
        if entry is not None and entry.is_live and acted_on_entry and field in _ENTRY_FIELD_FOR:
            schedule_services.entry_correct(
                actor=actor,
                entry=entry,
                field=_ENTRY_FIELD_FOR[field],
                value=value,
                note=f"Correction to the decision at {decision.item.meeting.reference}, item "
                f"{decision.item.position}: {reason.strip()}",
            )
        return correction
