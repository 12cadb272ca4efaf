"""Meetings: arranging one, opening it (by the chair, a briefed deputy for the chair, or a member
the members present chose) and closing it."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from panel.models import (
    ITEM_GRAPH,
    MEETING_GRAPH,
    ItemStatus,
    Meeting,
    MeetingStatus,
    Seat,
    SeatAttendance,
    SeatMember,
)
from panel.selectors import briefing_refusal
from ubpanel.models import User
from ubpanel.services import lock_in_status, service

from .agenda import NOT_REACHED, agenda_add_pending, agenda_fill_next_meeting
from .attendance import first_sittable, membership, no_open_ballots, sit
from .base import PanelError, meeting_not_open, require_agenda_role, require_chairing


def _opened_already(meeting: Meeting) -> str:
    return f"The meeting is {meeting.get_status_display().lower()} already."


@service
def meeting_schedule(
    *, actor: User, kind: str, format: str, starts_at: datetime, location: str = ""
) -> Meeting:
    """Assurance arranged a panel meeting (monthly, or extraordinary when business dictates).

    Everything waiting for the panel goes on its agenda at once: referrals ready for panel,
    emergency additions awaiting ratification, access requests and reviews falling due.
    """
    require_agenda_role(actor)
    meeting = Meeting.objects.create(
        kind=kind, format=format, starts_at=starts_at, location=location, created_by=actor
    )
    agenda_add_pending(actor=actor, meeting=meeting)
    return meeting


@service
def meeting_open(*, actor: User, meeting: Meeting) -> Meeting:
    """The chair (or a briefed deputy sitting for the chair) opened the meeting and takes the
    chair's seat."""
    chair = membership(actor, Seat.CHAIR)
    if chair is None:
        raise PermissionDenied(
            "Only the chair, or a deputy briefed for the chair, opens the meeting."
        )
    refusal = briefing_refusal(chair, meeting)
    if refusal:
        raise PanelError(refusal)
    meeting = lock_in_status(
        meeting,
        MEETING_GRAPH.sources("meeting_open"),
        error=PanelError,
        refusal=_opened_already,
    )
    sit(meeting, actor=actor, seat=Seat.CHAIR, user=actor, as_deputy=chair.is_deputy)
    meeting.status = MeetingStatus.OPEN
    meeting.opened_at = timezone.now()
    meeting.opened_by = actor
    meeting.save()
    return meeting


@service
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
    chair = membership(actor, Seat.CHAIR)
    if chair is not None and briefing_refusal(chair, meeting) is None:
        raise PanelError(
            "You are briefed to sit for the chair: open the meeting in the chair's seat instead."
        )
    own = first_sittable(candidates, meeting)
    if not note.strip():
        raise ValidationError("Say how the members present chose you to chair.")
    meeting = lock_in_status(
        meeting,
        MEETING_GRAPH.sources("meeting_open_as_elected_chair"),
        error=PanelError,
        refusal=_opened_already,
    )
    sit(meeting, actor=actor, seat=Seat.CHAIR, user=None, as_deputy=False)
    sit(meeting, actor=actor, seat=own.seat, user=actor, as_deputy=own.is_deputy)
    meeting.status = MeetingStatus.OPEN
    meeting.opened_at = timezone.now()
    meeting.opened_by = actor
    meeting.elected_chair = actor
    meeting.elected_chair_note = note.strip()
    meeting.save()
    return meeting


@service
def meeting_close(*, actor: User, meeting: Meeting) -> Meeting:
    """The chair closed the meeting. Items not reached are carried forward: they join the next
    arranged meeting at once, or the next one scheduled."""
    require_chairing(actor, meeting)
    meeting = lock_in_status(
        meeting, MEETING_GRAPH.sources("meeting_close"), error=PanelError, refusal=meeting_not_open
    )
    no_open_ballots(meeting)
    for seat in Seat.values:
        if not SeatAttendance.objects.filter(meeting=meeting, seat=seat).exists():
            sit(meeting, actor=actor, seat=seat, user=None, as_deputy=False)
    # One save per item, not update(): the audit trail records each.
    not_reached = ITEM_GRAPH.sources("meeting_close", ItemStatus.WITHDRAWN)
    for item in meeting.items.filter(status__in=not_reached):
        item.status = ItemStatus.WITHDRAWN
        item.withdrawn_reason = NOT_REACHED
        item.save(update_fields=["status", "withdrawn_reason"])
    meeting.status = MeetingStatus.CLOSED
    meeting.closed_at = timezone.now()
    meeting.save()
    agenda_fill_next_meeting(actor=actor)
    return meeting
