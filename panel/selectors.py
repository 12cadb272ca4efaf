"""Who may see which meetings and items, who sits where, and who may vote on what."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from ubpanel.roles import Role, user_roles

from .models import (
    QUORUM,
    AgendaItem,
    Attendance,
    Declaration,
    Invitee,
    Meeting,
    Ruling,
    Seat,
    SeatAttendance,
    SeatMember,
)

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
        return False
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
