"""Who may see which meetings and items, who sits where, who may decide an item, and when Legal
Services are needed."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from panel.models import (
    QUORUM,
    UNDECIDED,
    AgendaItem,
    Attendance,
    Declaration,
    Invitee,
    InviteeRole,
    Meeting,
    Ruling,
    Seat,
    SeatAttendance,
    SeatMember,
)
from ubpanel.roles import Role, user_roles
from ubpanel.tiers import RiskTier

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


def signed_in(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.is_active


def sees_all_papers(user) -> bool:
    return signed_in(user) and bool(user_roles(user) & PAPER_ROLES)


def can_manage_agenda(user) -> bool:
    return signed_in(user) and bool(user_roles(user) & AGENDA_ROLES)


def visible_items(user) -> QuerySet[AgendaItem]:
    """Every item for those who read all papers; for anyone else, the items they are invited to."""
    if not signed_in(user):
        return AgendaItem.objects.none()
    if sees_all_papers(user):
        return AgendaItem.objects.all()
    return AgendaItem.objects.filter(invitees__user=user)


def visible_meetings(user) -> QuerySet[Meeting]:
    if not signed_in(user):
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
    if not signed_in(user):
        return []
    return list(SeatMember.objects.filter(user=user, active=True).order_by("is_deputy", "seat"))


def sitting(meeting: Meeting, user) -> SeatAttendance | None:
    """The seat ``user`` sits in at ``meeting``, if any."""
    if not signed_in(user):
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
    return signed_in(user) and presiding_user_id(meeting) == user.pk


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
