"""The vote: the chair puts the proposal to the vote, members in eligible seats vote, the chair
closes it; a carried decision is final and acts at once."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.utils import timezone

from panel.models import (
    BALLOT_GRAPH,
    DECISION_GRAPH,
    ITEM_GRAPH,
    AgendaItem,
    Ballot,
    BallotStatus,
    Decision,
    DecisionStatus,
    ItemStatus,
    MeetingStatus,
    Outcome,
    Vote,
    VoteChoice,
    VotingRule,
)
from panel.removal import REMOVAL_OUTCOMES, removal_communication
from panel.selectors import eligibility, may_vote, sitting
from ubpanel.models import User
from ubpanel.services import lock_in_status, service

from .base import PanelError, item_refusal, meeting_not_open, require_chairing
from .effects import decision_act
from .proposals import decision_problems


def voting_rule() -> VotingRule:
    return VotingRule(settings.PANEL_VOTING_RULE)


def is_carried(rule: str, *, votes_for: int, votes_against: int, eligible: int) -> bool:
    rule = VotingRule(rule)
    if rule == VotingRule.MAJORITY_OF_VOTES_CAST:
        return votes_for > votes_against
    if rule == VotingRule.FOUR_IN_FAVOUR:
        return votes_for >= 4
    return 2 * votes_for > eligible


def _motion(item: AgendaItem, decision: Decision) -> str:
    text = decision.get_outcome_display()
    if decision.outcome == Outcome.ADD_TO_SCHEDULE:
        text += f" at {decision.get_tier_display().lower()} risk"
    return text


@service
def ballot_open(*, actor: User, item: AgendaItem) -> Ballot:
    """The chair put the proposed decision to the vote. The item needs a quorum of four eligible
    members after any exclusions, every declared interest ruled on, and a complete proposal."""
    require_chairing(actor, item.meeting)
    item = lock_in_status(
        item,
        ITEM_GRAPH.sources("ballot_open"),
        error=PanelError,
        related=("meeting",),
        refusal=item_refusal,
    )
    if item.meeting.status != MeetingStatus.OPEN:
        raise PanelError(meeting_not_open(item.meeting))
    seats = eligibility(item)
    decision = Decision.objects.filter(item=item).first()
    problems = seats.problems + decision_problems(item, decision)
    if problems:
        raise PanelError(" ".join(problems))
    number = (item.ballots.aggregate(last=Max("number"))["last"] or 0) + 1
    ballot = Ballot.objects.create(
        item=item,
        number=number,
        motion=_motion(item, decision),
        rule=voting_rule(),
        eligible_seats=list(seats.eligible),
        opened_by=actor,
    )
    item.status = ItemStatus.VOTING
    item.save(update_fields=["status"])
    return ballot


def _lock_ballot(item: AgendaItem, allowed, refusal: str) -> Ballot:
    """The item's latest ballot (the open one, if any: only one is open at a time), locked."""
    ballot = item.ballots.order_by("-number").first()
    if ballot is None:
        raise PanelError(refusal)
    return lock_in_status(
        ballot, allowed, error=PanelError, related=("item__meeting",), refusal=lambda _: refusal
    )


@service
def vote_cast(*, actor: User, item: AgendaItem, choice: str) -> Vote:
    """A member sitting in an eligible seat voted for, against, or abstained. Their vote may
    change until the chair closes the vote; one vote per seat."""
    choice = VoteChoice(choice)
    ballot = _lock_ballot(item, (BallotStatus.OPEN,), "The vote on this item is not open.")
    seat = sitting(ballot.item.meeting, actor)
    if not may_vote(actor, ballot, seat=seat):
        raise PermissionDenied(
            "Only members sitting in a seat at this meeting vote; invitees advise but never vote."
            if seat is None
            else "You are excluded from the decision on this item."
        )
    vote, created = Vote.objects.get_or_create(
        ballot=ballot, seat=seat.seat, defaults={"user": actor, "choice": choice}
    )
    if not created:
        vote.user = actor
        vote.choice = choice
        vote.save()
    return vote


@service
def ballot_close(*, actor: User, item: AgendaItem) -> Ballot:
    """The chair closed the vote. If carried, the decision is final and acts at once - on the
    schedule, the referral or the access register - in this same transaction. If not, the item
    returns to discussion and the chair may propose again."""
    require_chairing(actor, item.meeting)
    no_vote = "There is no open vote on this item."
    item = lock_in_status(
        item,
        ITEM_GRAPH.sources("ballot_close"),
        error=PanelError,
        related=("meeting",),
        refusal=lambda _: no_vote,
    )
    ballot = _lock_ballot(item, BALLOT_GRAPH.sources("ballot_close"), no_vote)
    counts = {choice: 0 for choice in VoteChoice.values}
    for choice in ballot.votes.values_list("choice", flat=True):
        counts[choice] += 1
    ballot.votes_for = counts[VoteChoice.FOR]
    ballot.votes_against = counts[VoteChoice.AGAINST]
    ballot.abstentions = counts[VoteChoice.ABSTAIN]
    ballot.carried = is_carried(
        ballot.rule,
        votes_for=ballot.votes_for,
        votes_against=ballot.votes_against,
        eligible=len(ballot.eligible_seats),
    )
    ballot.closed_at = timezone.now()
    ballot.closed_by = actor
    ballot.save()
    if not ballot.carried:
        item.status = ItemStatus.LISTED
        item.save(update_fields=["status"])
        return ballot
    decision = lock_in_status(
        item.decision, DECISION_GRAPH.sources("ballot_close"), error=PanelError
    )
    decision.status = DecisionStatus.FINAL
    decision.rule = ballot.rule
    decision.eligible_seats = ballot.eligible_seats
    decision.votes_for = ballot.votes_for
    decision.votes_against = ballot.votes_against
    decision.abstentions = ballot.abstentions
    decision.decided_on = timezone.localdate()
    decision.decided_at = ballot.closed_at
    # A removal records whether the individual is told: the setting as it is now, kept.
    if decision.outcome in REMOVAL_OUTCOMES:
        decision.removal_communication = removal_communication()
    decision.save()
    item.status = ItemStatus.DECIDED
    item.save(update_fields=["status"])
    decision_act(actor=actor, item=item, decision=decision)
    return ballot
