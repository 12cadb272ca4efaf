"""Every status × every transition of the panel's status graphs: agenda items, meetings, ballots and
decisions. For each move a graph declares, and each status its object can be in, a fresh object is
put in that status the way the panel would, the service is called, and it succeeds exactly when the
graph allows the move from there; refused, nothing changes. The cases are read from the graphs, so
a new edge is tested as soon as it is declared."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from panel import services
from panel.models import (
    BALLOT_GRAPH,
    DECISION_GRAPH,
    ITEM_GRAPH,
    MEETING_GRAPH,
    BallotStatus,
    DecisionStatus,
    ItemStatus,
    MeetingStatus,
    Seat,
)

from .factories import AgendaItemFactory, MeetingFactory
from .panel_setup import MEMBERS, carry, open_meeting, propose, seat_holders, vote_all

pytestmark = pytest.mark.django_db

CHAIR = Seat.CHAIR
VOTERS = (CHAIR, *MEMBERS[:4])
REFUSALS = (services.PanelError, PermissionDenied)


def _cases(graph):
    return [
        pytest.param(
            transition, status, id=f"{transition.service}-to-{transition.target}-from-{status}"
        )
        for transition in graph.transitions
        for status in graph.statuses.values
    ]


def _allowed(graph, status, transition) -> bool:
    return any(
        t.source == status and t.service == transition.service and t.target == transition.target
        for t in graph.transitions
    )


# --- Putting things in each status --------------------------------------------------------------


def _item_in(holders, status):
    """An item with a complete proposal at an open, quorate meeting, in ``status``."""
    meeting = open_meeting(holders)
    item = AgendaItemFactory(meeting=meeting)
    propose(holders[CHAIR], item)
    if status == ItemStatus.VOTING:
        services.ballot_open(actor=holders[CHAIR], item=item)
    elif status == ItemStatus.DECIDED:
        carry(holders, item)
    elif status == ItemStatus.WITHDRAWN:
        services.agenda_item_withdraw(actor=holders[CHAIR], item=item, reason="Not ready.")
    item.refresh_from_db()
    assert item.status == status
    return item


def _close_the_vote(holders, item, *, carried: bool):
    """Votes are cast if a vote is open; then the chair closes it."""
    if item.ballots.filter(closed_at__isnull=True).exists():
        vote_all(holders, item, {seat: "for" if carried else "against" for seat in VOTERS})
    return services.ballot_close(actor=holders[CHAIR], item=item)


def _item_move(holders, item, transition):
    chair = holders[CHAIR]
    if transition.service == "ballot_open":
        services.ballot_open(actor=chair, item=item)
    elif transition.service == "ballot_close":
        _close_the_vote(holders, item, carried=transition.target == ItemStatus.DECIDED)
    elif transition.service == "agenda_item_withdraw":
        services.agenda_item_withdraw(actor=chair, item=item, reason="Withdrawn by Assurance.")
    elif transition.service == "meeting_close":
        services.meeting_close(actor=chair, meeting=item.meeting)
    else:  # pragma: no cover - a new edge needs a line here
        raise AssertionError(f"No way to call {transition.service} in this test")


@pytest.mark.parametrize(("transition", "status"), _cases(ITEM_GRAPH))
def test_agenda_items_move_exactly_as_their_graph_allows(transition, status):
    holders = seat_holders()
    item = _item_in(holders, status)
    allowed = _allowed(ITEM_GRAPH, status, transition)

    if allowed:
        _item_move(holders, item, transition)
    elif transition.service == "meeting_close" and status != ItemStatus.VOTING:
        # Closing the meeting is the meeting's move: it carries forward only items still listed.
        _item_move(holders, item, transition)
    else:
        with pytest.raises(REFUSALS):
            _item_move(holders, item, transition)

    item.refresh_from_db()
    assert item.status == (transition.target if allowed else status)


def _meeting_in(holders, status):
    if status == MeetingStatus.SCHEDULED:
        meeting = MeetingFactory(starts_at=timezone.now() + timedelta(hours=1))
    else:
        meeting = open_meeting(holders)
        if status == MeetingStatus.CLOSED:
            services.meeting_close(actor=holders[CHAIR], meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.status == status
    return meeting


def _meeting_move(holders, meeting, transition):
    if transition.service == "meeting_open":
        services.meeting_open(actor=holders[CHAIR], meeting=meeting)
    elif transition.service == "meeting_open_as_elected_chair":
        services.meeting_open_as_elected_chair(
            actor=holders[Seat.HEALTH_AND_SAFETY],
            meeting=meeting,
            note="The members present chose them: the chair and the chair's deputies are away.",
        )
    elif transition.service == "meeting_close":
        services.meeting_close(actor=holders[CHAIR], meeting=meeting)
    else:  # pragma: no cover - a new edge needs a line here
        raise AssertionError(f"No way to call {transition.service} in this test")


@pytest.mark.parametrize(("transition", "status"), _cases(MEETING_GRAPH))
def test_meetings_move_exactly_as_their_graph_allows(transition, status):
    holders = seat_holders()
    meeting = _meeting_in(holders, status)
    allowed = _allowed(MEETING_GRAPH, status, transition)

    if allowed:
        _meeting_move(holders, meeting, transition)
    else:
        with pytest.raises(REFUSALS):
            _meeting_move(holders, meeting, transition)

    meeting.refresh_from_db()
    assert meeting.status == (transition.target if allowed else status)


def _ballot_in(holders, status):
    """An item whose latest ballot is in ``status``."""
    item = _item_in(holders, ItemStatus.VOTING)
    if status != BallotStatus.OPEN:
        _close_the_vote(holders, item, carried=status == BallotStatus.CARRIED)
    ballot = item.ballots.latest("number")
    assert ballot.status == status
    return item, ballot


@pytest.mark.parametrize(("transition", "status"), _cases(BALLOT_GRAPH))
def test_ballots_close_exactly_as_their_graph_allows(transition, status):
    holders = seat_holders()
    item, ballot = _ballot_in(holders, status)
    allowed = _allowed(BALLOT_GRAPH, status, transition)
    carried = transition.target == BallotStatus.CARRIED

    if allowed:
        _close_the_vote(holders, item, carried=carried)
    else:
        with pytest.raises(REFUSALS):
            _close_the_vote(holders, item, carried=carried)

    ballot.refresh_from_db()
    assert ballot.status == (transition.target if allowed else status)


@pytest.mark.parametrize(("transition", "status"), _cases(DECISION_GRAPH))
def test_decisions_become_final_exactly_as_their_graph_allows(transition, status):
    holders = seat_holders()
    item = _item_in(holders, ItemStatus.DECIDED if status == DecisionStatus.FINAL else "voting")
    decision = item.decision
    assert decision.status == status
    allowed = _allowed(DECISION_GRAPH, status, transition)

    if allowed:
        _close_the_vote(holders, item, carried=True)
    else:
        with pytest.raises(REFUSALS):
            _close_the_vote(holders, item, carried=True)

    decision.refresh_from_db()
    assert decision.status == (transition.target if allowed else status)


def test_every_service_named_in_a_graph_exists():
    for graph in (ITEM_GRAPH, MEETING_GRAPH, BALLOT_GRAPH, DECISION_GRAPH):
        for name in graph.services():
            assert callable(getattr(services, name)), name
