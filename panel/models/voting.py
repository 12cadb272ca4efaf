"""Votes: the rule that carries a motion, the ballots on an item and each seat's vote."""

from django.conf import settings
from django.db import models

from ubpanel.transitions import StatusGraph

from .items import AgendaItem
from .meetings import Seat


class VotingRule(models.TextChoices):
    MAJORITY_OF_ELIGIBLE = (
        "majority_of_eligible",
        "Carried when votes for exceed half of the eligible seats present",
    )
    MAJORITY_OF_VOTES_CAST = (
        "majority_of_votes_cast",
        "Carried when votes for exceed votes against (abstentions not counted)",
    )
    FOUR_IN_FAVOUR = "four_in_favour", "Carried when at least four members vote for"


class BallotStatus(models.TextChoices):
    """Not a column: a ballot is open until it is closed, carried or not (``Ballot.status``)."""

    OPEN = "open", "Open"
    CARRIED = "carried", "Carried"
    NOT_CARRIED = "not_carried", "Not carried"


# The chair closes an open ballot; the count decides whether it was carried.
BALLOT_GRAPH = StatusGraph(
    BallotStatus,
    [
        (BallotStatus.OPEN, BallotStatus.CARRIED, "ballot_close"),
        (BallotStatus.OPEN, BallotStatus.NOT_CARRIED, "ballot_close"),
    ],
)


class Ballot(models.Model):
    """One vote on an item's proposed decision. A motion that is not carried closes its ballot;
    the chair may propose again and open a new one."""

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="ballots")
    number = models.PositiveSmallIntegerField()
    motion = models.TextField()
    rule = models.CharField(max_length=32, choices=VotingRule.choices)
    # Who could vote when the ballot opened: seats present less those excluded for the item.
    eligible_seats = models.JSONField(default=list)
    opened_at = models.DateTimeField(auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    votes_for = models.PositiveSmallIntegerField(null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(null=True, blank=True)
    abstentions = models.PositiveSmallIntegerField(null=True, blank=True)
    carried = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["item", "number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="ballot_number_per_item"),
            models.UniqueConstraint(
                fields=["item"],
                condition=models.Q(closed_at__isnull=True),
                name="one_open_ballot_per_item",
            ),
        ]

    def __str__(self):
        return f"Vote {self.number} on {self.item}: {self.motion}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def status(self) -> BallotStatus:
        if self.closed_at is None:
            return BallotStatus.OPEN
        return BallotStatus.CARRIED if self.carried else BallotStatus.NOT_CARRIED

    def get_status_display(self) -> str:
        return self.status.label


class VoteChoice(models.TextChoices):
    FOR = "for", "For"
    AGAINST = "against", "Against"
    ABSTAIN = "abstain", "Abstain"


class Vote(models.Model):
    """A seat's vote on a ballot, cast by whoever sits in the seat; changeable until the ballot
    closes. One per seat per ballot, enforced by the database."""

    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="votes")
    seat = models.CharField(max_length=32, choices=Seat.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=16, choices=VoteChoice.choices)
    cast_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ballot", "seat"], name="one_vote_per_seat"),
        ]

    def __str__(self):
        return f"{self.get_seat_display()}: vote on {self.ballot}"
