"""What waits for someone at the panel (their work page): declarations to rule on, open ballots
to vote on, items they are invited to. Each answer asks the same predicates as the item screen
(``may_rule``, ``may_vote``), with what those read fetched once for every row, so the number of
queries does not grow with the rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from panel.models import (
    NOT_CLOSED,
    Attendance,
    Ballot,
    Declaration,
    Invitee,
    Ruling,
    Seat,
    SeatAttendance,
    Vote,
)
from ubpanel.roles import PANEL_ROLES, user_roles

from .meetings import chair_holder, signed_in
from .permissions import may_rule, may_vote

# What naming an item reads (its meeting, and the entry or referral its reference comes from).
ITEM_RELATED = ("item__meeting", "item__entry", "item__referral")


@dataclass
class PanelWork:
    """Each kind of work that waits, in agenda order."""

    rulings: list[Declaration] = field(default_factory=list)
    votes: list[Ballot] = field(default_factory=list)
    invitations: list[Invitee] = field(default_factory=list)


def _chair_absent(meeting, holder, chair_records: dict) -> bool:
    """``chair_is_absent`` for one meeting, from the chair's seat records fetched for them all."""
    if holder is None:
        return True
    record = chair_records.get(meeting.pk)
    if record is None:
        return meeting.elected_chair_id is not None
    return record.attendance == Attendance.ABSENT or record.user_id != holder.user_id


def declarations_to_rule(user) -> list[Declaration]:
    """Declared interests awaiting a ruling, at meetings not closed, that ``user`` rules on
    (``may_rule``: the chair, or the Monitoring Officer in the chair's absence or on the chair's own
    interest). Three queries at most."""
    if not user_roles(user) & PANEL_ROLES:
        return []
    pending = list(
        Declaration.objects.filter(ruling=Ruling.PENDING, item__meeting__status__in=NOT_CLOSED)
        .select_related(*ITEM_RELATED)
        .order_by("item__meeting__starts_at", "item__position", "pk")
    )
    if not pending:
        return []
    holder = chair_holder()
    chair_records = {
        record.meeting_id: record
        for record in SeatAttendance.objects.filter(
            seat=Seat.CHAIR, meeting_id__in={d.item.meeting_id for d in pending}
        )
    }
    return [
        d
        for d in pending
        if may_rule(
            user,
            d,
            holder=holder,
            chair_absent=_chair_absent(d.item.meeting, holder, chair_records),
        )
    ]


def ballots_to_vote(user) -> list[Ballot]:
    """Open ballots ``user`` may vote on (``may_vote``: sitting in an eligible seat) and has not
    voted on yet. Three queries at most."""
    if not user_roles(user) & PANEL_ROLES:
        return []
    ballots = list(
        Ballot.objects.filter(closed_at__isnull=True)
        .select_related(*ITEM_RELATED)
        .order_by("item__meeting__starts_at", "item__position")
    )
    if not ballots:
        return []
    seats = {
        row.meeting_id: row
        for row in SeatAttendance.objects.filter(
            user=user,
            attendance=Attendance.PRESENT,
            meeting_id__in={b.item.meeting_id for b in ballots},
        )
    }
    voted = set(
        Vote.objects.filter(ballot__in=ballots, user=user).values_list("ballot_id", flat=True)
    )
    return [
        b
        for b in ballots
        if b.pk not in voted and may_vote(user, b, seat=seats.get(b.item.meeting_id))
    ]


def invitations_for(user) -> list[Invitee]:
    """The items ``user`` is invited to (to present or to advise) at meetings not closed."""
    if not signed_in(user):
        return []
    return list(
        Invitee.objects.filter(user=user, item__meeting__status__in=NOT_CLOSED)
        .select_related(*ITEM_RELATED)
        .order_by("item__meeting__starts_at", "item__position")
    )


def waiting_panel_work(user) -> PanelWork:
    """Everything above for one person's work page."""
    return PanelWork(
        rulings=declarations_to_rule(user),
        votes=ballots_to_vote(user),
        invitations=invitations_for(user),
    )
