"""Who may see which meetings and items, who sits where, and who may do what.

Each guarded action has one predicate here, ``may_<verb>(user, obj)``: views and templates show the
button with it, and the service refuses with it (or with the named parts it is made of: who may
act, and the statuses declared beside the model's graph).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from ubpanel.roles import PANEL_ROLES, USER_ADMIN_ROLES, Role, has_role, user_roles
from ubpanel.tiers import RiskTier

from .models import (
    ITEM_GRAPH,
    MEETING_GRAPH,
    NOT_CLOSED,
    PERSON_KINDS,
    QUORUM,
    UNDECIDED,
    AgendaItem,
    Attendance,
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
    Ruling,
    Seat,
    SeatAttendance,
    SeatMember,
)

# "Not passed" for arguments whose meaningful values include None.
UNSET = object()

# Who reads every item's papers: Assurance (who prepare them), the panel, the Monitoring Officer
# (who rules on conflicts in the chair's absence). Everyone else - the Operations Manager
# presenting, the Legal Services adviser - sees only the items they are invited to.
PAPER_ROLES = frozenset(
    {
        Role.ASSURANCE_OFFICER,
        Role.PANEL_CHAIR,
        Role.PANEL_MEMBER,
        Role.MONITORING_OFFICER,
        Role.ASC_REPRESENTATIVE,
    }
)
# Who builds and reorders the agenda and schedules meetings.
AGENDA_ROLES = frozenset({Role.ASSURANCE_OFFICER, Role.PANEL_CHAIR})


def _signed_in(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.is_active


def sees_all_papers(user) -> bool:
    return _signed_in(user) and bool(user_roles(user) & PAPER_ROLES)


def can_manage_agenda(user) -> bool:
    return _signed_in(user) and bool(user_roles(user) & AGENDA_ROLES)


def visible_items(user) -> QuerySet[AgendaItem]:
    """Every item for those who read all papers; for anyone else, the items they are invited to."""
    if not _signed_in(user):
        return AgendaItem.objects.none()
    if sees_all_papers(user):
        return AgendaItem.objects.all()
    return AgendaItem.objects.filter(invitees__user=user)


def visible_meetings(user) -> QuerySet[Meeting]:
    if not _signed_in(user):
        return Meeting.objects.none()
    if sees_all_papers(user):
        return Meeting.objects.all()
    invited = Invitee.objects.filter(user=user, item__meeting=OuterRef("pk"))
    return Meeting.objects.filter(Exists(invited))


def briefing_refusal(membership: SeatMember, meeting: Meeting) -> str | None:
    """Why ``membership`` may not sit at ``meeting``, or None if it may. The protocol asks for a
    *suitably briefed* deputy: a deputy sits only when briefed for the seat on or before the
    meeting's date. Holders need no briefing."""
    if not membership.is_deputy:
        return None
    name, seat = membership.user, membership.get_seat_display()
    if membership.briefed_on is None:
        return (
            f"{name} has not been briefed for the seat of {seat}: a deputy sits only once "
            "Assurance have recorded their briefing."
        )
    meeting_date = timezone.localdate(meeting.starts_at)
    if membership.briefed_on > meeting_date:
        return (
            f"{name} has not been briefed for the seat of {seat} by this meeting: their briefing "
            f"is recorded for {membership.briefed_on:%-d %B %Y}, after the meeting on "
            f"{meeting_date:%-d %B %Y}."
        )
    return None


def seats_for(user) -> list[SeatMember]:
    """The seats ``user`` may sit in, as holder or briefed deputy."""
    if not _signed_in(user):
        return []
    return list(SeatMember.objects.filter(user=user, active=True).order_by("is_deputy", "seat"))


def sitting(meeting: Meeting, user) -> SeatAttendance | None:
    """The seat ``user`` sits in at ``meeting``, if any."""
    if not _signed_in(user):
        return None
    return SeatAttendance.objects.filter(
        meeting=meeting, user=user, attendance=Attendance.PRESENT
    ).first()


def chair_sitter(meeting: Meeting) -> SeatAttendance | None:
    return SeatAttendance.objects.filter(
        meeting=meeting, seat=Seat.CHAIR, attendance=Attendance.PRESENT
    ).first()


def presiding_user_id(meeting: Meeting) -> int | None:
    """Who presides over ``meeting``: whoever sits in the chair's seat (the chair, or a briefed
    deputy for the chair); with that seat empty, the member the members present chose to chair."""
    sitter = chair_sitter(meeting)
    if sitter is not None:
        return sitter.user_id
    return meeting.elected_chair_id


def presides(user, meeting: Meeting) -> bool:
    """``user`` runs ``meeting``: proposals, votes, attendance, closing it."""
    return _signed_in(user) and presiding_user_id(meeting) == user.pk


def chair_holder() -> SeatMember | None:
    return SeatMember.objects.filter(seat=Seat.CHAIR, is_deputy=False, active=True).first()


def chair_is_absent(meeting: Meeting) -> bool:
    """The chair (the holder of the seat) is absent when the attendance record says so or a
    deputy sits in the chair."""
    holder = chair_holder()
    record = SeatAttendance.objects.filter(meeting=meeting, seat=Seat.CHAIR).first()
    if holder is None:
        return True
    if record is None:
        # A member chosen by those present chairs only when the chair's seat is empty.
        return meeting.elected_chair_id is not None
    return record.attendance == Attendance.ABSENT or record.user_id != holder.user_id


@dataclass(frozen=True)
class Eligibility:
    """Who may decide one item: the seats present, less any excluded for a declared interest."""

    present: tuple[str, ...]
    excluded: tuple[str, ...]
    awaiting_ruling: tuple[str, ...]
    quorum: int = QUORUM

    @property
    def eligible(self) -> tuple[str, ...]:
        return tuple(seat for seat in self.present if seat not in self.excluded)

    @property
    def quorate(self) -> bool:
        return len(self.eligible) >= self.quorum

    @property
    def problems(self) -> list[str]:
        """Why the item cannot be decided now, in words for the meeting screen."""
        problems = []
        if not self.quorate:
            problems.append(
                f"Not quorate: {len(self.eligible)} eligible "
                f"{'seat' if len(self.eligible) == 1 else 'seats'} present, and the protocol's "
                f"quorum is {self.quorum}."
            )
        if self.awaiting_ruling:
            labels = ", ".join(Seat(seat).label for seat in self.awaiting_ruling)
            problems.append(f"A declared interest awaits a ruling: {labels}.")
        return problems


def eligibility(item: AgendaItem) -> Eligibility:
    """Two queries: the seats present at the meeting, and the declarations on the item."""
    present = {
        row.user_id: row.seat
        for row in SeatAttendance.objects.filter(
            meeting_id=item.meeting_id, attendance=Attendance.PRESENT
        )
    }
    excluded, awaiting = [], []
    for declaration in Declaration.objects.filter(item=item).filter(
        Q(ruling=Ruling.EXCLUDED) | Q(ruling=Ruling.PENDING)
    ):
        seat = present.get(declaration.user_id)
        if seat is None:
            continue
        (excluded if declaration.ruling == Ruling.EXCLUDED else awaiting).append(seat)
    order = list(Seat.values)
    return Eligibility(
        present=tuple(sorted(present.values(), key=order.index)),
        excluded=tuple(sorted(excluded, key=order.index)),
        awaiting_ruling=tuple(sorted(awaiting, key=order.index)),
    )


# --- Legal Services at the meeting ------------------------------------------------------------


def legal_adviser_reasons(item: AgendaItem) -> list[str]:
    """Why the protocol asks for a Legal Services representative at ``item``: "For High risk
    incidents, or cases where legal proceedings have been intimated, a Legal Services
    representative will also be invited in an advisory capacity."

    High risk: the referral suggests the high tier or reports violence, the entry is high risk,
    or the decision being drafted is at the high tier. Reads only what the item carries (its
    referral, entry and decision, select_related by the pages), so a list asks no more queries.
    """
    reasons = []
    referral = item.referral if item.referral_id else None
    entry = item.entry if item.entry_id else None
    try:
        decision = item.decision
    except AgendaItem.decision.RelatedObjectDoesNotExist:
        decision = None
    if referral is not None and referral.suggested_tier == RiskTier.HIGH:
        reasons.append("the referral suggests the high risk tier")
    if referral is not None and referral.violence:
        reasons.append("the referral reports violence")
    if entry is not None and entry.tier == RiskTier.HIGH:
        reasons.append("the entry is high risk")
    if decision is not None and decision.tier == RiskTier.HIGH:
        reasons.append("the proposed decision is at the high risk tier")
    if referral is not None and referral.legal_proceedings_intimated:
        reasons.append("legal proceedings have been intimated")
    return reasons


def needs_legal_adviser(item: AgendaItem) -> bool:
    return bool(legal_adviser_reasons(item))


def legal_adviser_missing(item: AgendaItem, invitees=None) -> bool:
    """The item, still to be decided, needs a Legal Services adviser and none is invited yet.
    Reads ``invitees`` if given, else ``item.invitees.all()`` (prefetched on lists)."""
    if item.status not in UNDECIDED or not needs_legal_adviser(item):
        return False
    invitees = item.invitees.all() if invitees is None else invitees
    return not any(invitee.role == InviteeRole.LEGAL_ADVISER for invitee in invitees)


# --- Who may do what --------------------------------------------------------------------------
#
# The parts: who may act (a role, a seat, an invitation) ...


def is_panel_member(user) -> bool:
    """A holder or deputy of one of the six seats."""
    return _signed_in(user) and SeatMember.objects.filter(user=user, active=True).exists()


def holds_the_chair(user) -> bool:
    """The chair's holder: the one who corrects a closed decision record."""
    holder = chair_holder()
    return holder is not None and _signed_in(user) and holder.user_id == user.pk


def presents(user, item: AgendaItem) -> bool:
    """The Operations Manager invited to present the case."""
    return (
        _signed_in(user)
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
    if not _signed_in(user):
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
    return _signed_in(user) and has_role(user, *PANEL_ROLES)


def may_manage_seats(user) -> bool:
    return _signed_in(user) and has_role(user, *USER_ADMIN_ROLES)


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
        return holder is not None and _signed_in(user) and holder.user_id == user.pk
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
