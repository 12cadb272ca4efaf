"""What the panel decides: the outcomes open to each kind of item, the decision record and its
corrections.

The protocol: health considered first, inclusion by majority vote, and every decision recorded
with its reasons.
"""

from django.conf import settings
from django.db import models

from schedule.models import StaffGuidance
from ubpanel.audit_people import people_data, through
from ubpanel.tiers import RiskTier
from ubpanel.transitions import StatusGraph

from .items import AgendaItem, ItemKind
from .voting import VotingRule


class Outcome(models.TextChoices):
    # New referrals and referrals back.
    ADD_TO_SCHEDULE = "add_to_schedule", "Add to the schedule"
    LETTER_ONLY = "letter_only", "Letter of expected behaviour only"
    SPOC_ONLY = "spoc_only", "Single point of contact only, without an unreasonable finding"
    NO_ACTION = "no_action", "No action"
    REFER_TO_LEGAL = "refer_to_legal", "Refer to Legal Services"
    # Emergency additions.
    RATIFY = "ratify", "Ratify the emergency addition"
    NOT_RATIFY = "not_ratify", "Do not ratify: remove from the schedule"
    # 12-month reviews.
    KEEP = "keep", "Keep on the schedule for another 12 months"
    REMOVE = "remove", "Remove from the schedule"
    # Access requests.
    GRANT = "grant", "Grant the access"
    REFUSE = "refuse", "Refuse the access"
    # Any item.
    DEFER = "defer", "Defer to a later meeting"


OUTCOMES_FOR = {
    ItemKind.NEW_REFERRAL: [
        Outcome.ADD_TO_SCHEDULE,
        Outcome.LETTER_ONLY,
        Outcome.SPOC_ONLY,
        Outcome.NO_ACTION,
        Outcome.REFER_TO_LEGAL,
        Outcome.DEFER,
    ],
    ItemKind.REFERRAL_BACK: [
        Outcome.ADD_TO_SCHEDULE,
        Outcome.LETTER_ONLY,
        Outcome.NO_ACTION,
        Outcome.REFER_TO_LEGAL,
        Outcome.DEFER,
    ],
    ItemKind.RATIFICATION: [Outcome.RATIFY, Outcome.NOT_RATIFY, Outcome.DEFER],
    ItemKind.REVIEW: [Outcome.KEEP, Outcome.REMOVE, Outcome.REFER_TO_LEGAL, Outcome.DEFER],
    ItemKind.ACCESS_REQUEST: [Outcome.GRANT, Outcome.REFUSE, Outcome.DEFER],
    # The panel reconsiders the approach in the light of the issue, with Adult Social Care.
    ItemKind.UNDERLYING_ISSUE: [
        Outcome.KEEP,
        Outcome.ADD_TO_SCHEDULE,
        Outcome.REMOVE,
        Outcome.DEFER,
    ],
}

# The protocol: "Removal from the list will not be communicated to the perpetrator as this may
# re-oxygenate the issues." Nothing goes to the individual after these outcomes: removal (at
# review, or an emergency addition not ratified), keeping the entry at review, and decisions on
# staff access. The letters app refuses a letter for them whatever the decision says.
REMOVAL_NOT_COMMUNICATED = (
    "Removal from the list will not be communicated to the perpetrator as this may "
    "re-oxygenate the issues."
)
NO_LETTER_OUTCOMES = (
    Outcome.REMOVE,
    Outcome.NOT_RATIFY,
    Outcome.KEEP,
    Outcome.GRANT,
    Outcome.REFUSE,
)

# Outcomes about an individual's behaviour: the protocol asks the panel to consider health first.
PERSON_KINDS = (
    ItemKind.NEW_REFERRAL,
    ItemKind.REFERRAL_BACK,
    ItemKind.RATIFICATION,
    ItemKind.REVIEW,
    ItemKind.UNDERLYING_ISSUE,
)


class RemovalCommunication(models.TextChoices):
    """Whether the individual is told of a removal: recorded in each removal decision, with the
    setting (NOTIFY_ON_REMOVAL) that chose it."""

    NOT_COMMUNICATED = "not_communicated", "Not communicated to the individual (the protocol)"
    COMMUNICATED = "communicated", "Communicated to the individual by letter (NOTIFY_ON_REMOVAL)"


class LetterRoute(models.TextChoices):
    OPERATIONS_MANAGER = "operations_manager", "Letter or email from the Operations Manager"
    LEGAL_SERVICES = "legal_services", "Letter from Legal Services (cease and desist)"
    EXPECTED_BEHAVIOUR = "expected_behaviour", "Letter of expected behaviour from the service"
    NONE = "none", "No letter"


class DecisionStatus(models.TextChoices):
    DRAFT = "draft", "Proposed"
    FINAL = "final", "Decided"


# A proposal becomes the decision when the vote on it is carried.
DECISION_GRAPH = StatusGraph(
    DecisionStatus, [(DecisionStatus.DRAFT, DecisionStatus.FINAL, "ballot_close")]
)


class Decision(StaffGuidance):
    """The panel's decision record for one item, in the protocol's order: health first, then the
    criteria and tier, the outcome, SPOC, restrictions, divert, letter and reasons.

    Drafted by the chair as the motion the members vote on; final once carried, and from then on
    changed only through a recorded ``DecisionCorrection``.
    """

    item = models.OneToOneField(AgendaItem, on_delete=models.PROTECT, related_name="decision")
    status = models.CharField(
        max_length=16, choices=DecisionStatus.choices, default=DecisionStatus.DRAFT
    )
    # 1. Underlying health issues, conditions or disabilities (special-category data).
    health_considered = models.BooleanField(
        "Underlying health issues, conditions or disabilities considered", default=False
    )
    health_notes = models.TextField("What the panel noted about health", blank=True)
    care_system_consulted = models.BooleanField("Mosaic or another system consulted", default=False)
    care_system_notes = models.TextField("What the consultation found", blank=True)
    care_system_consulted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # 2. The criteria.
    meets_criteria = models.BooleanField(
        "The behaviour meets the criteria for unreasonable behaviour", null=True, blank=True
    )
    tier = models.CharField(max_length=8, choices=RiskTier.choices, blank=True)
    # 3. The outcome.
    outcome = models.CharField(max_length=32, choices=Outcome.choices, blank=True)
    # 4. What staff do: StaffGuidance's fields (how to respond, contact, restrictions, SPOC,
    # email divert), as the entry will carry them.
    record_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="Record owner (Operations Manager)",
    )
    recertify_by = models.DateField("Access re-certify by", null=True, blank=True)
    letter_route = models.CharField(max_length=32, choices=LetterRoute.choices, blank=True)
    reasons = models.TextField("Reasons", blank=True)
    # For a removal (Remove, Not ratified): whether the individual is told, as decided.
    removal_communication = models.CharField(
        max_length=24, choices=RemovalCommunication.choices, blank=True
    )
    # The vote that made it final.
    rule = models.CharField(max_length=32, choices=VotingRule.choices, blank=True)
    eligible_seats = models.JSONField(default=list, blank=True)
    votes_for = models.PositiveSmallIntegerField(null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(null=True, blank=True)
    abstentions = models.PositiveSmallIntegerField(null=True, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # A 12-month review: the date it was due, kept as the decision is made (keeping the entry
    # moves the entry's date on), so that committee reports can tell reviews held on time.
    review_was_due_on = models.DateField(null=True, blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Decision on {self.item}: {self.get_outcome_display() or 'not yet proposed'}"

    def audit_person_ids(self) -> list[int]:
        return through(self, "item")

    def get_additional_data(self):
        return people_data(self)


# The fields a correction may change, and the fields a draft holds.
DECISION_FIELDS = [
    "health_considered",
    "health_notes",
    "care_system_consulted",
    "care_system_notes",
    "meets_criteria",
    "tier",
    "outcome",
    "how_to_respond",
    "permitted_contact",
    "contact_restrictions",
    "service_restrictions",
    "spoc_name",
    "spoc_service",
    "spoc_contact_details",
    "email_divert",
    "ward_councillors_consulted",
    "ward_councillors_asked",
    "ward_councillors_response",
    "customer_told_of_divert",
    "restriction_kinds",
    "adjustment_clash_reason",
    "record_owner",
    "recertify_by",
    "letter_route",
    "reasons",
]


class DecisionCorrection(models.Model):
    """A recorded correction to a closed decision: what changed, who changed it and why."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="corrections")
    field = models.CharField(max_length=64)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    reason = models.TextField()
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    corrected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["corrected_at", "pk"]

    def __str__(self):
        return f"Correction to {self.field} by {self.corrected_by}"

    def audit_person_ids(self) -> list[int]:
        return through(self, "decision")

    def get_additional_data(self):
        return people_data(self)
