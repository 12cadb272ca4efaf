"""Who sits in each seat at a meeting: members taking their seats, and the chair or Assurance
recording attendance."""

from django.core.exceptions import PermissionDenied, ValidationError

from panel.models import (
    NOT_CLOSED,
    Attendance,
    Ballot,
    Meeting,
    MeetingStatus,
    Seat,
    SeatAttendance,
    SeatMember,
)
from panel.selectors import briefing_refusal, runs_attendance
from ubpanel.models import User
from ubpanel.services import lock_in_status, service

from .base import PanelError, meeting_not_open


def membership(user: User, seat: str) -> SeatMember | None:
    return SeatMember.objects.filter(user=user, seat=seat, active=True).first()


def first_sittable(candidates: list[SeatMember], meeting: Meeting) -> SeatMember:
    """The first of ``candidates`` that may sit at ``meeting``; if none, why not."""
    refusals = [briefing_refusal(m, meeting) for m in candidates]
    found = next((m for m, r in zip(candidates, refusals, strict=True) if r is None), None)
    if found is None:
        raise PanelError(refusals[0])
    return found


def sit(meeting, *, actor, seat, user, as_deputy) -> SeatAttendance:
    """``user`` sits in ``seat`` at ``meeting`` (``None``: the seat is empty)."""
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


def no_open_ballots(meeting: Meeting) -> None:
    if Ballot.objects.filter(item__meeting=meeting, closed_at__isnull=True).exists():
        raise PanelError("A vote is open: close it before the attendance changes.")


@service
def meeting_join(*, actor: User, meeting: Meeting, seat: str | None = None) -> SeatAttendance:
    """A member (or a briefed deputy) took their seat at the meeting."""
    memberships = SeatMember.objects.filter(user=actor, active=True)
    if seat:
        memberships = memberships.filter(seat=seat)
    candidates = list(memberships.order_by("is_deputy", "seat"))
    if not candidates:
        raise PermissionDenied("You do not hold, or deputise for, a seat on the panel.")
    chosen = first_sittable(candidates, meeting)
    meeting = lock_in_status(
        meeting, (MeetingStatus.OPEN,), error=PanelError, refusal=meeting_not_open
    )
    no_open_ballots(meeting)
    taken = SeatAttendance.objects.filter(
        meeting=meeting, seat=chosen.seat, attendance=Attendance.PRESENT
    ).exclude(user=actor)
    if taken.exists():
        raise PanelError(
            f"{chosen.get_seat_display()} is taken at this meeting by {taken.first().user}."
        )
    return sit(meeting, actor=actor, seat=chosen.seat, user=actor, as_deputy=chosen.is_deputy)


@service
def attendance_record(
    *, actor: User, meeting: Meeting, seat: str, user: User | None
) -> SeatAttendance:
    """The chair or Assurance recorded who sits in a seat (its holder or a briefed deputy), or
    that the seat is empty."""
    if not runs_attendance(actor, meeting):
        raise PermissionDenied("Only the person chairing or Assurance record attendance.")
    seat = Seat(seat)
    sitter = None
    if user is not None:
        sitter = membership(user, seat)
        if sitter is None:
            raise ValidationError(f"{user} is not the holder or a briefed deputy of that seat.")
        refusal = briefing_refusal(sitter, meeting)
        if refusal:
            raise ValidationError(refusal)
    meeting = lock_in_status(
        meeting,
        NOT_CLOSED,
        error=PanelError,
        refusal=lambda _: "The meeting is closed: its attendance is part of the minutes.",
    )
    no_open_ballots(meeting)
    return sit(
        meeting, actor=actor, seat=seat, user=user, as_deputy=bool(sitter and sitter.is_deputy)
    )
