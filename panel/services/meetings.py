"""Meetings: arranging one (by Assurance, or each month by beat), opening it (by the chair, a
briefed deputy for the chair, or a member the members present chose) and closing it."""

import dataclasses
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from panel.models import (
    ITEM_GRAPH,
    MEETING_GRAPH,
    ItemStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Seat,
    SeatAttendance,
    SeatMember,
)
from panel.selectors import briefing_refusal
from schedule.dates import is_working_day
from ubpanel.jobs import MonthlyDay, once
from ubpanel.models import User
from ubpanel.outbox import notify
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


# Assurance are told again about a monthly meeting that could not be arranged once a week.
MISSING_TOLD_EVERY_SECONDS = 7 * 24 * 60 * 60


@dataclasses.dataclass
class MonthlyMeetings:
    """What ``meeting_ensure_monthly`` did: the meetings it arranged, and the dates it could not
    arrange, each with the reason."""

    arranged: list[Meeting] = dataclasses.field(default_factory=list)
    missing: dict[date, str] = dataclasses.field(default_factory=dict)


def monthly_meeting_dates(rule: MonthlyDay, *, start: date, until: date) -> list[date]:
    """The days of the monthly meetings from ``start`` to ``until``: the rule's day in each month,
    moved to the next working day when it is a bank holiday (England and Wales)."""
    days = []
    # From the month before: its day, moved off a bank holiday, may fall in this month.
    for day in rule.months_from(start.replace(day=1) - timedelta(days=1)):
        if day > until:
            break
        while not is_working_day(day):
            day += timedelta(days=1)
        if start <= day <= until:
            days.append(day)
    return days


def _arranged_already(day: date) -> bool:
    """A meeting on that day, monthly or extraordinary, held or not, stands for the month's; so
    does a monthly meeting Assurance moved to another day of that month."""
    return (
        Meeting.objects.filter(starts_at__date=day).exists()
        or Meeting.objects.filter(
            kind=MeetingKind.MONTHLY, starts_at__year=day.year, starts_at__month=day.month
        ).exists()
    )


@service
def meeting_ensure_monthly(*, actor: User | None = None) -> MonthlyMeetings:
    """The panel meets monthly: every monthly meeting due in the next
    ``PANEL_MONTHLY_MEETING_WEEKS_AHEAD`` weeks is arranged, on the ``PANEL_MONTHLY_MEETING`` day
    (run each morning by beat, as the system). A day with a meeting already is left alone, and
    extraordinary meetings are never touched. Assurance are told of each meeting arranged, and of
    a month whose meeting could not be (the panel has no chair), at once and then weekly.

    Whatever waits for the panel then joins the next meeting, as when Assurance arrange one."""
    result = MonthlyMeetings()
    if not settings.PANEL_MONTHLY_MEETING:
        return result
    rule = MonthlyDay.parse(settings.PANEL_MONTHLY_MEETING)
    now = timezone.localtime()
    # From tomorrow: a meeting arranged for later today could be neither prepared nor attended.
    days = monthly_meeting_dates(
        rule,
        start=now.date() + timedelta(days=1),
        until=now.date() + timedelta(weeks=settings.PANEL_MONTHLY_MEETING_WEEKS_AHEAD),
    )
    # Locking the chair's seat takes two runs at once one after the other: no meeting twice.
    chairs = SeatMember.objects.select_for_update().filter(
        seat=Seat.CHAIR, active=True, user__is_active=True
    )
    has_chair = bool(list(chairs))
    for day in days:
        starts_at = timezone.make_aware(datetime.combine(day, time(rule.hour, rule.minute)))
        if _arranged_already(day):
            continue
        if not has_chair:
            result.missing[day] = (
                "the panel has no chair: no active holder or deputy of the chair's seat"
            )
            continue
        result.arranged.append(
            Meeting.objects.create(
                kind=MeetingKind.MONTHLY,
                format=settings.PANEL_MONTHLY_MEETING_FORMAT,
                starts_at=starts_at,
                location=settings.PANEL_MONTHLY_MEETING_LOCATION,
                created_by=actor,
            )
        )
    if result.arranged:
        # The next meeting's agenda, not the new one's: a meeting arranged weeks ahead must not
        # take what the meeting before it is to hear.
        agenda_fill_next_meeting(actor=actor)
    for meeting in result.arranged:
        _tell_arranged(meeting)
    for day, reason in result.missing.items():
        if once(
            f"monthly-meeting-missing:{day.isoformat()}", every_seconds=MISSING_TOLD_EVERY_SECONDS
        ):
            _tell_missing(day, reason)
    return result


def _tell_arranged(meeting: Meeting) -> None:
    when = timezone.localtime(meeting.starts_at)
    notify(
        kind="monthly-meeting-arranged",
        subject=f"ubpanel: the monthly panel meeting of {when:%A} {when.day} {when:%B %Y} is arranged",
        body=(
            f"No panel meeting was arranged for {when:%A} {when.day} {when:%B %Y}, the panel's "
            f"monthly day, so ubpanel arranged the monthly meeting ({meeting.reference}) for "
            f"{when:%H:%M}. Check its room or link, its agenda and its invitees."
        ),
        link=settings.SITE_URL + reverse("panel:meeting_detail", args=[meeting.pk]),
        reference=meeting.reference,
        addresses=[settings.ASSURANCE_EMAIL],
    )


def _tell_missing(day: date, reason: str) -> None:
    notify(
        kind="monthly-meeting-missing",
        subject=f"ubpanel: no panel meeting is arranged for {day:%A} {day.day} {day:%B %Y}",
        body=(
            f"The panel meets monthly, but ubpanel could not arrange the meeting of {day:%A} "
            f"{day.day} {day:%B %Y}: {reason}. Set up the chair's seat, or arrange the meeting "
            "yourself."
        ),
        link=settings.SITE_URL + reverse("panel:index"),
        addresses=[settings.ASSURANCE_EMAIL],
    )
