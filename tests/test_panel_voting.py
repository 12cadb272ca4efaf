"""Quorum, declarations, voting and what a carried decision does (issue 5)."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from panel import services
from panel.models import (
    Ballot,
    Decision,
    DecisionStatus,
    InviteeRole,
    ItemStatus,
    Ruling,
    Seat,
    Vote,
)
from panel.selectors import eligibility
from referrals.models import ReferralStatus
from ubpanel.entry_status import EntryStatus
from ubpanel.roles import Role

from .factories import AgendaItemFactory, UserFactory
from .panel_setup import ADDITION, deputy_for, open_meeting, propose, seat_holders, vote_all

pytestmark = pytest.mark.django_db

C, COMPLAINTS, HS, CS, ASC, EQ = Seat.values


@pytest.fixture
def holders():
    return seat_holders()


@pytest.fixture
def meeting(holders):
    return open_meeting(holders)  # chair + four members: five seats present


@pytest.fixture
def item(meeting):
    return AgendaItemFactory(meeting=meeting)


def _exclude(holders, item, seat, reason="Neighbour of the individual."):
    declaration = services.declaration_make(actor=holders[seat], item=item, interest=reason)
    return services.declaration_rule(
        actor=holders[C], declaration=declaration, exclude=True, reason="A close relationship."
    )


def test_five_seats_present_are_quorate(item):
    seats = eligibility(item)
    assert len(seats.eligible) == 5
    assert seats.quorate


def test_a_carried_addition_puts_the_individual_on_the_schedule(holders, item):
    propose(holders[C], item)
    services.ballot_open(actor=holders[C], item=item)
    vote_all(holders, item, {C: "for", COMPLAINTS: "for", HS: "for", CS: "against", ASC: "abstain"})

    with time_machine.travel(date(2026, 11, 24)):
        ballot = services.ballot_close(actor=holders[C], item=item)

    assert (ballot.votes_for, ballot.votes_against, ballot.abstentions) == (3, 1, 1)
    assert ballot.carried
    item.refresh_from_db()
    assert item.status == ItemStatus.DECIDED
    decision = Decision.objects.get(item=item)
    assert decision.status == DecisionStatus.FINAL
    assert decision.rule == "majority_of_eligible"
    assert decision.eligible_seats == [C, COMPLAINTS, HS, CS, ASC]
    entry = item.entry
    assert entry.status == EntryStatus.ACTIVE
    assert entry.tier == "medium"
    assert entry.how_to_respond == ADDITION["how_to_respond"]
    assert entry.decided_on == date(2026, 11, 24)
    assert entry.review_due_on == date(2027, 11, 24)
    assert entry.events.last().kind == "panel_decision"
    item.referral.refresh_from_db()
    assert item.referral.status == ReferralStatus.DECIDED
    assert decision.letter_route == "operations_manager"


def test_a_high_risk_addition_goes_to_legal_services_for_the_letter(holders, item):
    decision = propose(holders[C], item, tier="high")
    assert decision.letter_route == "legal_services"


def test_one_conflicted_member_excluded_leaves_four_eligible_and_quorate(holders, item):
    _exclude(holders, item, COMPLAINTS)

    seats = eligibility(item)

    assert seats.excluded == (COMPLAINTS,)
    assert len(seats.eligible) == 4
    assert seats.quorate


def test_quorum_lost_by_exclusions_stops_the_item_being_decided(holders, item):
    _exclude(holders, item, COMPLAINTS)
    _exclude(holders, item, HS)
    propose(holders[C], item)

    with pytest.raises(services.PanelError, match="Not quorate: 3 eligible seats present"):
        services.ballot_open(actor=holders[C], item=item)
    assert not Ballot.objects.exists()


def test_an_excluded_member_cannot_vote(holders, item):
    _exclude(holders, item, COMPLAINTS)
    propose(holders[C], item)
    services.ballot_open(actor=holders[C], item=item)

    with pytest.raises(PermissionDenied, match="excluded"):
        services.vote_cast(actor=holders[COMPLAINTS], item=item, choice="for")


def test_an_interest_awaiting_a_ruling_stops_the_vote(holders, item):
    services.declaration_make(actor=holders[HS], item=item, interest="Knows the family.")
    propose(holders[C], item)

    with pytest.raises(services.PanelError, match="awaits a ruling"):
        services.ballot_open(actor=holders[C], item=item)


def test_an_allowed_member_still_votes(holders, item):
    declaration = services.declaration_make(actor=holders[HS], item=item, interest="Met once.")
    services.declaration_rule(
        actor=holders[C], declaration=declaration, exclude=False, reason="Too remote to matter."
    )
    assert len(eligibility(item).eligible) == 5


def test_a_deputy_votes_for_their_seat(holders):
    deputy = deputy_for(HS)
    meeting = open_meeting(holders, join=(COMPLAINTS, CS, ASC))
    services.meeting_join(actor=deputy, meeting=meeting)
    item = AgendaItemFactory(meeting=meeting)
    propose(holders[C], item)
    services.ballot_open(actor=holders[C], item=item)

    vote = services.vote_cast(actor=deputy, item=item, choice="for")

    assert vote.seat == HS
    assert vote.user == deputy
    record = meeting.seats.get(seat=HS)
    assert record.as_deputy


def test_the_holder_cannot_take_a_seat_a_deputy_sits_in(holders):
    deputy = deputy_for(HS)
    meeting = open_meeting(holders, join=(COMPLAINTS,))
    services.meeting_join(actor=deputy, meeting=meeting)

    with pytest.raises(services.PanelError, match="taken"):
        services.meeting_join(actor=holders[HS], meeting=meeting)


def test_with_the_chair_absent_the_monitoring_officer_rules_on_conflicts(holders):
    chair_deputy = deputy_for(C, "deputy-chair")
    meeting = open_meeting(holders, chair=chair_deputy)
    item = AgendaItemFactory(meeting=meeting)
    declaration = services.declaration_make(
        actor=holders[COMPLAINTS], item=item, interest="Dealt with the complaint."
    )
    monitoring_officer = UserFactory(username="mo", roles=[Role.MONITORING_OFFICER])

    assert services.who_rules(declaration) == "monitoring_officer"
    with pytest.raises(PermissionDenied):
        services.declaration_rule(
            actor=chair_deputy, declaration=declaration, exclude=True, reason="Implicated."
        )
    with pytest.raises(PermissionDenied):
        services.declaration_rule(
            actor=holders[C], declaration=declaration, exclude=True, reason="Implicated."
        )
    ruled = services.declaration_rule(
        actor=monitoring_officer, declaration=declaration, exclude=True, reason="Implicated."
    )
    assert ruled.ruling == Ruling.EXCLUDED
    assert ruled.ruled_as == "Monitoring Officer"


def test_the_chairs_own_interest_is_ruled_on_by_the_monitoring_officer(holders, item):
    declaration = services.declaration_make(actor=holders[C], item=item, interest="My neighbour.")
    with pytest.raises(PermissionDenied):
        services.declaration_rule(
            actor=holders[C], declaration=declaration, exclude=True, reason="Own interest."
        )
    assert services.who_rules(declaration) == "monitoring_officer"


def test_an_interest_can_be_ruled_on_before_the_meeting(holders):
    item = AgendaItemFactory()  # the meeting is next week and not open
    declaration = services.declaration_make(
        actor=holders[EQ], item=item, interest="Related by marriage."
    )
    ruled = services.declaration_rule(
        actor=holders[C], declaration=declaration, exclude=True, reason="Family."
    )
    assert ruled.ruled_as == "Chair"


def test_an_invitee_cannot_vote(holders, item):
    legal = UserFactory(username="adviser", roles=[Role.LEGAL_SERVICES])
    services.invitee_add(actor=holders[C], item=item, user=legal, role=InviteeRole.LEGAL_ADVISER)
    propose(holders[C], item)
    services.ballot_open(actor=holders[C], item=item)

    with pytest.raises(PermissionDenied, match="invitees advise but never vote"):
        services.vote_cast(actor=legal, item=item, choice="for")
    assert not Vote.objects.exists()


def test_a_member_not_seated_cannot_vote(holders, item):
    propose(holders[C], item)
    services.ballot_open(actor=holders[C], item=item)
    with pytest.raises(PermissionDenied):
        services.vote_cast(actor=holders[EQ], item=item, choice="for")  # did not join


def test_a_second_vote_changes_the_first_until_the_vote_closes(holders, item):
    propose(holders[C], item)
    services.ballot_open(actor=holders[C], item=item)
    services.vote_cast(actor=holders[HS], item=item, choice="against")
    services.vote_cast(actor=holders[HS], item=item, choice="for")

    assert Vote.objects.get().choice == "for"
    services.ballot_close(actor=holders[C], item=item)
    with pytest.raises(services.PanelError, match="not open"):
        services.vote_cast(actor=holders[HS], item=item, choice="against")


def test_the_database_refuses_two_votes_for_one_seat(holders, item):
    propose(holders[C], item)
    ballot = services.ballot_open(actor=holders[C], item=item)
    Vote.objects.create(ballot=ballot, seat=HS, user=holders[HS], choice="for")
    with pytest.raises(IntegrityError):
        Vote.objects.create(ballot=ballot, seat=HS, user=holders[HS], choice="against")


def test_a_tie_is_not_carried_and_the_item_returns_to_discussion(holders, item):
    _exclude(holders, item, ASC)  # four eligible
    propose(holders[C], item)
    services.ballot_open(actor=holders[C], item=item)
    vote_all(holders, item, {C: "for", COMPLAINTS: "for", HS: "against", CS: "against"})

    ballot = services.ballot_close(actor=holders[C], item=item)

    assert not ballot.carried
    item.refresh_from_db()
    assert item.status == ItemStatus.LISTED
    assert item.entry is None
    assert Decision.objects.get().status == DecisionStatus.DRAFT
    # The chair may propose again and put a second vote.
    propose(holders[C], item, outcome="letter_only", meets_criteria=False, tier="")
    second = services.ballot_open(actor=holders[C], item=item)
    assert second.number == 2


@pytest.mark.parametrize(
    ("rule", "votes", "carried"),
    [
        ("majority_of_eligible", (3, 0, 2), True),
        ("majority_of_eligible", (2, 0, 3), False),
        ("majority_of_votes_cast", (2, 1, 2), True),
        ("four_in_favour", (3, 0, 2), False),
        ("four_in_favour", (4, 1, 0), True),
    ],
)
def test_the_voting_rule_is_a_setting(settings, holders, item, rule, votes, carried):
    settings.PANEL_VOTING_RULE = rule
    propose(holders[C], item)
    services.ballot_open(actor=holders[C], item=item)
    seats = [C, COMPLAINTS, HS, CS, ASC]
    choices = ["for"] * votes[0] + ["against"] * votes[1] + ["abstain"] * votes[2]
    vote_all(holders, item, dict(zip(seats, choices, strict=True)))

    ballot = services.ballot_close(actor=holders[C], item=item)

    assert ballot.carried is carried
    assert ballot.rule == rule


def test_health_must_be_considered_first(holders, item):
    propose(holders[C], item, health_considered=False)
    with pytest.raises(services.PanelError, match="underlying health"):
        services.ballot_open(actor=holders[C], item=item)


def test_only_the_adult_social_care_representative_records_a_mosaic_consultation(holders, item):
    propose(holders[C], item, care_system_consulted=True, care_system_notes="Chair's note")
    assert not Decision.objects.get(item=item).care_system_consulted  # not the chair's to record
    with pytest.raises(PermissionDenied, match="Adult Social Care"):
        services.decision_record_care_system_consultation(
            actor=holders[HS], item=item, notes="Looked them up."
        )

    decision = services.decision_record_care_system_consultation(
        actor=holders[ASC], item=item, notes="Known to the locality team; no care package."
    )

    assert decision.care_system_consulted
    assert decision.care_system_consulted_by == holders[ASC]


def test_only_the_person_in_the_chair_runs_the_vote(holders, item):
    propose(holders[C], item)
    with pytest.raises(PermissionDenied):
        services.ballot_open(actor=holders[HS], item=item)


def test_a_closed_decision_changes_only_through_a_recorded_correction(holders, item):
    propose(holders[C], item)
    services.ballot_open(actor=holders[C], item=item)
    vote_all(holders, item, {C: "for", COMPLAINTS: "for", HS: "for"})
    services.ballot_close(actor=holders[C], item=item)

    decision = Decision.objects.get(item=item)
    with pytest.raises(services.PanelError):
        services.decision_draft_save(actor=holders[C], item=item, reasons="Rewritten.")
    with pytest.raises(ValidationError):
        services.decision_correct(
            actor=holders[C], decision=decision, field="outcome", value="no_action", reason="x"
        )
    correction = services.decision_correct(
        actor=holders[C],
        decision=decision,
        field="reasons",
        value="Threats to a housing officer on four occasions.",
        reason="The minutes miscounted the incidents.",
    )

    assert correction.old_value == ADDITION["reasons"]
    decision.refresh_from_db()
    assert decision.reasons.endswith("four occasions.")
