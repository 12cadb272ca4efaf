"""What the panel tells people (issue 13, point 2), through ``ubpanel.outbox.notify``: a meeting's
reference, its date and a link, never the individual's details.

- An invitee, when invited to an item (``invitee_add``).
- The panel's members (every active holder and deputy of a seat), when a meeting's papers are
  published. Members read an item's papers as soon as it is on the agenda (``visible_items``), so
  the papers are published when the meeting's agenda gets its first item: at once when Assurance
  arrange a meeting and something is waiting, else when the first item joins. Items added later
  are on the same page; the week-ahead reminder is sent with the agenda as it then stands.
- The members again a week before the meeting (``meetings_week_ahead_notify``, daily by beat):
  each member once per meeting, however often it runs.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from panel.models import AgendaItem, Invitee, Meeting, MeetingStatus, SeatMember
from ubpanel.models import Notification, User
from ubpanel.outbox import notify

WEEK_AHEAD = "meeting-week-ahead"


def when(meeting: Meeting) -> str:
    return f"{timezone.localtime(meeting.starts_at):%-d %B %Y at %H:%M}"


def members() -> list[User]:
    """Every active holder and deputy of a seat, once each."""
    seats = SeatMember.objects.filter(active=True, user__is_active=True).select_related("user")
    return list({seat.user_id: seat.user for seat in seats.order_by("user_id")}.values())


def _meeting_link(meeting: Meeting) -> str:
    return settings.SITE_URL + reverse("panel:meeting_detail", args=[meeting.pk])


def invitation_notify(invitee: Invitee) -> None:
    item = invitee.item
    meeting = item.meeting
    notify(
        kind="panel-invitation",
        users=[invitee.user],
        subject=f"Panel meeting {meeting.reference} on {when(meeting)}: you are invited",
        body=(
            f"You are invited to item {item.position} of the Unreasonable Behaviours Panel "
            f"meeting {meeting.reference} on {when(meeting)}, as the "
            f"{invitee.get_role_display()}. You can read that item's papers in ubpanel."
        ),
        link=settings.SITE_URL + reverse("panel:item_detail", args=[item.pk]),
        reference=meeting.reference,
    )


def papers_published_notify(item: AgendaItem) -> None:
    """Called as each item joins an agenda: the first item of a meeting publishes its papers."""
    meeting = item.meeting
    if meeting.items.exclude(pk=item.pk).exists():
        return
    notify(
        kind="papers-published",
        users=members(),
        subject=f"Panel meeting {meeting.reference} on {when(meeting)}: papers available",
        body=(
            f"The papers for the Unreasonable Behaviours Panel meeting {meeting.reference} on "
            f"{when(meeting)} are available in ubpanel. Please read them, and declare any "
            "interest, before the meeting."
        ),
        link=_meeting_link(meeting),
        reference=meeting.reference,
    )


def meetings_week_ahead_notify(*, today: date | None = None) -> int:
    """Remind the members of each arranged meeting in the coming week, once each per meeting.
    Each meeting is held while its members are told, so two runs at once tell nobody twice.
    Returns how many were told."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=7)
    upcoming = Meeting.objects.filter(
        status=MeetingStatus.SCHEDULED,
        starts_at__date__gte=today,
        starts_at__date__lte=horizon,
    ).values_list("pk", flat=True)
    told = 0
    for pk in list(upcoming):
        with transaction.atomic():
            meeting = Meeting.objects.select_for_update().get(pk=pk)
            already = set(
                Notification.objects.filter(
                    kind=WEEK_AHEAD, reference=meeting.reference
                ).values_list("user_id", flat=True)
            )
            due = [member for member in members() if member.pk not in already]
            told += len(
                notify(
                    kind=WEEK_AHEAD,
                    users=due,
                    subject=f"Panel meeting {meeting.reference} on {when(meeting)}: a week to go",
                    body=(
                        f"The Unreasonable Behaviours Panel meets on {when(meeting)} "
                        f"({meeting.reference}). The agenda and papers are in ubpanel."
                    ),
                    link=_meeting_link(meeting),
                    reference=meeting.reference,
                )
            )
    return told
