"""Building blocks for panel tests: the six seat holders, an open meeting, a proposal."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from panel import services
from panel.models import Seat, SeatMember
from ubpanel.roles import Role

from .factories import MeetingFactory, SeatMemberFactory, UserFactory

SEAT_ROLES = {
    Seat.CHAIR: Role.PANEL_CHAIR,
    Seat.ADULT_SOCIAL_CARE: Role.ASC_REPRESENTATIVE,
}
MEMBERS = (
    Seat.COMPLAINTS,
    Seat.HEALTH_AND_SAFETY,
    Seat.CUSTOMER_SERVICES,
    Seat.ADULT_SOCIAL_CARE,
    Seat.EQUALITY,
)


def seat_holders() -> dict[str, object]:
    """One holder per seat, with the role that goes with it; usernames are the seat names."""
    holders = {}
    for seat in Seat.values:
        user = UserFactory(username=seat, roles=[SEAT_ROLES.get(seat, Role.PANEL_MEMBER)])
        if not SeatMember.objects.filter(seat=seat, user=user).exists():
            SeatMemberFactory(seat=seat, user=user)
        holders[seat] = user
    return holders


def deputy_for(seat: str, username: str | None = None):
    user = UserFactory(
        username=username or f"{seat}-deputy", roles=[SEAT_ROLES.get(seat, Role.PANEL_MEMBER)]
    )
    SeatMemberFactory(seat=seat, user=user, is_deputy=True)
    return user


def open_meeting(holders, *, join=MEMBERS[:4], meeting=None, chair=None):
    """The chair opens a meeting and the members in ``join`` take their seats."""
    meeting = meeting or MeetingFactory(starts_at=timezone.now() + timedelta(hours=1))
    services.meeting_open(actor=chair or holders[Seat.CHAIR], meeting=meeting)
    for seat in join:
        services.meeting_join(actor=holders[seat], meeting=meeting)
    meeting.refresh_from_db()
    return meeting


ADDITION = {
    "health_considered": True,
    "health_notes": "No underlying condition known to Adult Social Care.",
    "meets_criteria": True,
    "tier": "medium",
    "outcome": "add_to_schedule",
    "how_to_respond": "Two officers on any visit; end calls that become abusive.",
    "permitted_contact": "In writing to the SPOC.",
    "spoc_name": "Pat Spoc",
    "spoc_contact_details": "pat.spoc@council.example, 01305 000000",
    "reasons": "Threats to a housing officer on three occasions.",
}


def record_owner():
    """The Operations Manager a decision names as responsible for the record."""
    return UserFactory(
        username="ops-manager", roles=[Role.REFERRING_MANAGER], job_title="Operations Manager"
    )


def propose(chair, item, **fields):
    fields = {**ADDITION, **fields}
    fields.setdefault("record_owner", record_owner())
    return services.decision_draft_save(actor=chair, item=item, **fields)


def vote_all(holders, item, choices: dict[str, str]):
    for seat, choice in choices.items():
        services.vote_cast(actor=holders[seat], item=item, choice=choice)


def carry(holders, item, **fields):
    """The chair proposes (``ADDITION`` with ``fields``), the chair and four members vote for and
    the chair closes the vote: the decision is carried and has acted."""
    decision = propose(holders[Seat.CHAIR], item, **fields)
    services.ballot_open(actor=holders[Seat.CHAIR], item=item)
    vote_all(holders, item, {seat: "for" for seat in (Seat.CHAIR, *MEMBERS[:4])})
    ballot = services.ballot_close(actor=holders[Seat.CHAIR], item=item)
    decision.refresh_from_db()
    return ballot, decision
