"""The minutes: attendance, invitees, declarations and rulings, ballots and each seat's vote, the
decision record in the protocol's order and its corrections; health only for those allowed."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from panel import services
from panel.models import Seat
from ubpanel.roles import Role

from .factories import AgendaItemFactory, MeetingFactory, UserFactory
from .panel_setup import open_meeting, propose, seat_holders, vote_all

pytestmark = pytest.mark.django_db

C, COMPLAINTS, HS, CS, ASC, EQ = Seat.values
HEALTH = "Autism diagnosis known to Adult Social Care."
MOSAIC = "Open case with the learning disability team."


def _url(meeting):
    return reverse("panel:minutes", args=[meeting.pk])


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def holders():
    return seat_holders()


def _decided_meeting(holders, items=1, *, lawyer=None):
    """A meeting where every item had a declaration ruled on, a lost vote and a carried one."""
    meeting = open_meeting(holders, join=(COMPLAINTS, HS, CS, ASC, EQ))
    for _ in range(items):
        item = AgendaItemFactory(meeting=meeting)
        if lawyer is not None:
            item.invitees.create(user=lawyer, role="legal_adviser")
        declaration = services.declaration_make(
            actor=holders[EQ], item=item, interest="Lives on the same street."
        )
        services.declaration_rule(
            actor=holders[C], declaration=declaration, exclude=True, reason="Close neighbour."
        )
        services.decision_record_care_system_consultation(
            actor=holders[ASC], item=item, notes=MOSAIC
        )
        propose(holders[C], item, health_notes=HEALTH, tier="low")
        services.ballot_open(actor=holders[C], item=item)
        vote_all(holders, item, {C: "for", COMPLAINTS: "against", HS: "against", CS: "abstain"})
        services.ballot_close(actor=holders[C], item=item)
        propose(holders[C], item, health_notes=HEALTH)
        services.ballot_open(actor=holders[C], item=item)
        vote_all(holders, item, {C: "for", COMPLAINTS: "for", HS: "for", CS: "for", ASC: "for"})
        services.ballot_close(actor=holders[C], item=item)
        item.refresh_from_db()
        services.decision_correct(
            actor=holders[C],
            decision=item.decision,
            field="spoc_name",
            value="Pat Spoc-Jones",
            reason="Spelling.",
        )
        services.decision_correct(
            actor=holders[C],
            decision=item.decision,
            field="health_notes",
            value=HEALTH + " Confirmed.",
            reason="Confirmed by ASC.",
        )
    services.meeting_close(actor=holders[C], meeting=meeting)
    return meeting


def test_the_minutes_record_the_meeting_for_the_panel(holders, audit_entries):
    meeting = _decided_meeting(holders)
    item = meeting.items.get()
    member = _client(holders[HS])

    response = member.get(_url(meeting))

    assert response.status_code == 200
    html = response.content.decode()
    # Attendance.
    for seat in Seat:
        assert seat.label in html
    # The declaration and the ruling, by whom and as what.
    assert "Lives on the same street." in html
    assert f"ruled by {holders[C]} as Chair" in html
    assert "Close neighbour." in html
    # Two ballots: one lost, one carried, each with how each seat voted.
    assert html.count('data-testid="ballot"') == 2
    assert "1 for, 2 against, 1 abstained" in html
    assert "Not carried" in html
    assert "5 for, 0 against, 0 abstained" in html
    assert "Carried" in html
    assert "Did not vote" in html  # the Adult Social Care seat on the first ballot
    # The decision in the protocol's order: health first, then criteria, outcome... reasons.
    decision = html[html.index('data-testid="decision"') :]
    order = [
        "Underlying health issues",
        "Mosaic or another system consulted",
        "Meets the criteria",
        "Outcome",
        "Single point of contact",
        "Restrictions",
        "Email divert",
        "Letter",
        "Reasons",
    ]
    positions = [decision.index(label) for label in order]
    assert positions == sorted(positions)
    assert "Add to the schedule" in decision
    # The panel reads the special-category notes.
    assert HEALTH in html
    assert MOSAIC in html
    # Corrections, beside the decision.
    assert "Pat Spoc-Jones" in html
    assert "Spelling." in html
    assert audit_entries(event="view", object_pk=str(item.pk), actor=holders[HS])
    assert audit_entries(event="view", object_pk=str(meeting.pk), actor=holders[HS])


def test_health_notes_are_hidden_from_those_without_special_category_access(holders):
    meeting = _decided_meeting(holders)
    monitoring = UserFactory(roles=[Role.MONITORING_OFFICER])

    response = _client(monitoring).get(_url(meeting))

    assert response.status_code == 200
    html = response.content.decode()
    assert HEALTH not in html
    assert MOSAIC not in html
    assert "Recorded: shown to the panel and Adult Social Care only" in html
    # The rest of the record is there.
    assert "Close neighbour." in html
    assert "Pat Spoc-Jones" in html


def test_an_invited_legal_adviser_reads_their_item_without_health(holders):
    lawyer = UserFactory(roles=[Role.LEGAL_SERVICES])
    meeting = _decided_meeting(holders, lawyer=lawyer)
    other = AgendaItemFactory(meeting=meeting, status="withdrawn")

    response = _client(lawyer).get(_url(meeting))

    assert response.status_code == 200
    assert [item.pk for item in response.context["items"]] != [other.pk]
    assert other.pk not in [item.pk for item in response.context["items"]]
    html = response.content.decode()
    assert HEALTH not in html
    assert "Lives on the same street." in html


def test_votes_are_not_shown_seat_by_seat_while_the_ballot_is_open(holders):
    meeting = open_meeting(holders, join=(COMPLAINTS, HS, CS, ASC))
    item = AgendaItemFactory(meeting=meeting)
    propose(holders[C], item)
    services.ballot_open(actor=holders[C], item=item)
    vote_all(holders, item, {C: "for", COMPLAINTS: "against"})

    html = _client(holders[HS]).get(_url(meeting)).content.decode()

    assert "Vote open" in html
    assert 'data-testid="seat-votes"' not in html
    assert "the record so far" in html


def test_a_stranger_gets_an_audited_404(manager_client, audit_entries):
    meeting = MeetingFactory()

    response = manager_client.get(_url(meeting))

    assert response.status_code == 404
    assert audit_entries(event="denied", object_pk=str(meeting.pk), actor=manager_client.user)


def test_the_minutes_use_the_same_number_of_queries_for_one_item_or_five(holders):
    client = _client(holders[HS])
    lawyer = UserFactory()
    counts = []
    for items in (1, 5):
        meeting = _decided_meeting(holders, items, lawyer=lawyer)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_url(meeting)).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


@pytest.mark.parametrize("items", [1, 5])
def test_the_minutes_stay_under_a_fixed_number_of_queries(
    holders, items, django_assert_max_num_queries
):
    meeting = _decided_meeting(holders, items)
    client = _client(holders[HS])

    with django_assert_max_num_queries(20):
        assert client.get(_url(meeting)).status_code == 200
