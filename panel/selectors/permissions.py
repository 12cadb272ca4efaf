"""Who may do what: one predicate per guarded action, ``may_<verb>(user, obj)``.

Views and templates show the button with it, and the service refuses with it (or with the named
parts it is made of: who may act, and the statuses declared beside the model's graph).
"""

from __future__ import annotations

from panel.models import (
    ITEM_GRAPH,
    MEETING_GRAPH,
    NOT_CLOSED,
    PERSON_KINDS,
    UNDECIDED,
    AgendaItem,
    Ballot,
    BallotStatus,
    Decision,
    DecisionStatus,
    Declaration,
    Invitee,
    InviteeRole,
    ItemStatus,
    Meeting,
    MeetingStatus,
    Seat,
    SeatMember,
)
from ubpanel.roles import PANEL_ROLES, USER_ADMIN_ROLES, Role, has_role

from .meetings import (
    briefing_refusal,
    can_manage_agenda,
    chair_holder,
    chair_is_absent,
    presides,
    seats_for,
    signed_in,
    sitting,
)

# "Not passed" for arguments whose meaningful values include None.
UNSET = object()

# The parts: who may act (a role, a seat, an invitation) ...


def is_panel_member(user) -> bool:
    """A holder or deputy of one of the six seats."""
    return signed_in(user) and SeatMember.objects.filter(user=user, active=True).exists()


def holds_the_chair(user) -> bool:
    """The chair's holder: the one who corrects a closed decision record."""
    holder = chair_holder()
    return holder is not None and signed_in(user) and holder.user_id == user.pk


def presents(user, item: AgendaItem) -> bool:
    """The Operations Manager invited to present the case."""
    return (
        signed_in(user)
        and Invitee.objects.filter(
            item=item, user=user, role=InviteeRole.OPERATIONS_MANAGER
        ).exists()
    )


def runs_attendance(user, meeting: Meeting) -> bool:
    """Assurance, or whoever presides, record who sits in each seat."""
    return can_manage_agenda(user) or presides(user, meeting)


def sits_for_adult_social_care(user, meeting: Meeting) -> bool:
    seat = sitting(meeting, user)
    return seat is not None and seat.seat == Seat.ADULT_SOCIAL_CARE


def sittable_seats(user, meeting: Meeting) -> list[SeatMember]:
    """The seats ``user`` may take at ``meeting``: deputies only when briefed by its date.

    A page asks several predicates about the same person and meeting: the answer is kept on the
    user object (loaded afresh for each request) for that meeting and date."""
    if not signed_in(user):
        return []
    cache = user.__dict__.setdefault("_panel_sittable", {})
    key = (meeting.pk, meeting.starts_at)
    if key not in cache:
        cache[key] = [m for m in seats_for(user) if briefing_refusal(m, meeting) is None]
    return cache[key]


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


# ... and the predicates, one per action.


def may_schedule_meeting(user) -> bool:
    return can_manage_agenda(user)


def may_see_seats(user) -> bool:
    return signed_in(user) and has_role(user, *PANEL_ROLES)


def may_manage_seats(user) -> bool:
    return signed_in(user) and has_role(user, *USER_ADMIN_ROLES)


def may_change_agenda(user, meeting: Meeting) -> bool:
    """Add, move, withdraw items: Assurance and the chair, until the meeting closes."""
    return can_manage_agenda(user) and meeting.status in NOT_CLOSED


def may_move_item(user, item: AgendaItem) -> bool:
    return may_change_agenda(user, item.meeting) and item.status == ItemStatus.LISTED


def may_withdraw(user, item: AgendaItem) -> bool:
    return may_change_agenda(user, item.meeting) and item.status in ITEM_GRAPH.sources(
        "agenda_item_withdraw"
    )


def may_invite(user, item: AgendaItem) -> bool:
    return may_change_agenda(user, item.meeting) and item.status in UNDECIDED


def may_write_statement(user, item: AgendaItem) -> bool:
    return item.status == ItemStatus.LISTED and (can_manage_agenda(user) or presents(user, item))


def may_open(user, meeting: Meeting) -> bool:
    """The chair, or a deputy briefed for the chair, opens the meeting in the chair's seat."""
    return meeting.status in MEETING_GRAPH.sources("meeting_open") and any(
        m.seat == Seat.CHAIR for m in sittable_seats(user, meeting)
    )


def may_open_as_elected_chair(user, meeting: Meeting) -> bool:
    """With nobody for the chair, a member the members present choose opens it."""
    return (
        meeting.status in MEETING_GRAPH.sources("meeting_open_as_elected_chair")
        and not may_open(user, meeting)
        and any(m.seat != Seat.CHAIR for m in sittable_seats(user, meeting))
    )


def may_join(user, meeting: Meeting) -> bool:
    return (
        meeting.status == MeetingStatus.OPEN
        and bool(sittable_seats(user, meeting))
        and sitting(meeting, user) is None
    )


def may_close(user, meeting: Meeting) -> bool:
    return meeting.status in MEETING_GRAPH.sources("meeting_close") and presides(user, meeting)


def may_record_attendance(user, meeting: Meeting) -> bool:
    return meeting.status in NOT_CLOSED and runs_attendance(user, meeting)


def may_declare(user, item: AgendaItem) -> bool:
    """A member declares an interest before the vote opens, once."""
    return (
        item.status == ItemStatus.LISTED
        and is_panel_member(user)
        and not item.declarations.filter(user=user).exists()
    )


def may_rule(
    user, declaration: Declaration, *, holder=UNSET, chair_absent: bool | None = None
) -> bool:
    holder = chair_holder() if holder is UNSET else holder
    if who_rules(declaration, holder=holder, chair_absent=chair_absent) == "chair":
        return holder is not None and signed_in(user) and holder.user_id == user.pk
    return has_role(user, Role.MONITORING_OFFICER) and user.pk != declaration.user_id


def may_propose(user, item: AgendaItem) -> bool:
    """Whoever presides records the proposal while the item is under discussion."""
    return (
        item.status == ItemStatus.LISTED
        and item.meeting.status == MeetingStatus.OPEN
        and presides(user, item.meeting)
    )


def may_record_care_system(user, item: AgendaItem) -> bool:
    """Only the Adult Social Care representative consults Mosaic, for an item about a person."""
    return (
        item.status == ItemStatus.LISTED
        and item.kind in PERSON_KINDS
        and sits_for_adult_social_care(user, item.meeting)
    )


def may_vote(user, ballot: Ballot | None, *, seat=UNSET) -> bool:
    """A member sitting in a seat eligible for the open ballot. ``seat`` (their seat at the meeting)
    may be passed in by a page that has it."""
    if ballot is None or ballot.status != BallotStatus.OPEN:
        return False
    seat = sitting(ballot.item.meeting, user) if seat is UNSET else seat
    return seat is not None and seat.seat in ballot.eligible_seats


def may_correct(user, decision: Decision | None) -> bool:
    return (
        decision is not None and decision.status == DecisionStatus.FINAL and holds_the_chair(user)
    )
