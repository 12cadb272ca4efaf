"""The Unreasonable Behaviours Panel: its seats, meetings, agendas, declarations, votes and decisions.

The protocol: six seats, a quorum of four eligible members, interests declared and ruled on by the
chair (or, in the chair's absence, the Monitoring Officer), health considered first, inclusion by
majority vote, and every decision recorded with its reasons.
"""

from django.conf import settings
from django.db import models

from schedule.models import StaffGuidance
from ubpanel.tiers import RiskTier


class Seat(models.TextChoices):
    CHAIR = "chair", "Service Manager for Assurance (chair)"
    COMPLAINTS = "complaints", "Senior Assurance Officer – Complaints"
    HEALTH_AND_SAFETY = "health_and_safety", "Health and Safety Manager"
    CUSTOMER_SERVICES = "customer_services", "Business Manager – Customer Services"
    ADULT_SOCIAL_CARE = "adult_social_care", "Head of Specialist Services, Adult Social Care"
    EQUALITY = "equality", "Representative of the Equality and Diversity Network"


QUORUM = 4


class SeatMember(models.Model):
    """Who may sit in a seat: its holder, and the suitably briefed deputies who attend in their
    absence."""

    seat = models.CharField(max_length=32, choices=Seat.choices, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panel_seats"
    )
    is_deputy = models.BooleanField(default=False)
    briefed_on = models.DateField("Briefed on", null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["seat", "is_deputy", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["seat", "user"], name="one_membership_per_seat"),
            models.UniqueConstraint(
                fields=["seat"],
                condition=models.Q(is_deputy=False, active=True),
                name="one_holder_per_seat",
            ),
        ]

    def __str__(self):
        role = "deputy" if self.is_deputy else "holder"
        return f"{self.user} ({role}, {self.get_seat_display()})"


class MeetingKind(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    EXTRAORDINARY = "extraordinary", "Extraordinary"


class MeetingFormat(models.TextChoices):
    PHYSICAL = "physical", "In person"
    VIRTUAL = "virtual", "Virtual"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    OPEN = "open", "In progress"
    CLOSED = "closed", "Closed"


class Meeting(models.Model):
    kind = models.CharField(max_length=16, choices=MeetingKind.choices)
    format = models.CharField(max_length=16, choices=MeetingFormat.choices)
    starts_at = models.DateTimeField("Date and time", db_index=True)
    location = models.CharField("Room or link", max_length=300, blank=True)
    status = models.CharField(
        max_length=16,
        choices=MeetingStatus.choices,
        default=MeetingStatus.SCHEDULED,
        db_index=True,
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # The protocol names no one to chair when the chair and every deputy for the chair are absent:
    # the members present choose one of themselves, and the minutes record it.
    elected_chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    elected_chair_note = models.TextField("How the chair was chosen", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} panel meeting, {self.starts_at:%d %B %Y}"

    @property
    def reference(self) -> str:
        return f"UBP-{self.pk:04d}" if self.pk else "UBP-new"


class ItemKind(models.TextChoices):
    NEW_REFERRAL = "new_referral", "New referral"
    RATIFICATION = "ratification", "Ratification of an emergency addition"
    REVIEW = "review", "12-month review"
    REFERRAL_BACK = "referral_back", "Referral back: behaviour not improved"
    ACCESS_REQUEST = "access_request", "Access request"
    UNDERLYING_ISSUE = "underlying_issue", "Underlying issue from an equalities questionnaire"


class ItemStatus(models.TextChoices):
    LISTED = "listed", "Listed"
    VOTING = "voting", "Vote open"
    DECIDED = "decided", "Decided"
    WITHDRAWN = "withdrawn", "Withdrawn"


# An item still waiting for the panel: it holds its subject's place on the agenda.
UNDECIDED = (ItemStatus.LISTED, ItemStatus.VOTING)


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="items")
    kind = models.CharField(max_length=32, choices=ItemKind.choices)
    position = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=16, choices=ItemStatus.choices, default=ItemStatus.LISTED, db_index=True
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agenda_items",
    )
    entry = models.ForeignKey(
        "schedule.Entry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agenda_items",
    )
    access_grant = models.ForeignKey(
        "schedule.AccessGrant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agenda_items",
    )
    # The protocol: papers in advance, or if not available a statement by the Operations Manager.
    statement = models.TextField("The Operations Manager's statement", blank=True)
    withdrawn_reason = models.TextField(blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(referral__isnull=False)
                    | models.Q(entry__isnull=False)
                    | models.Q(access_grant__isnull=False)
                ),
                name="agenda_item_has_a_subject",
            ),
        ]

    def __str__(self):
        return f"Item {self.position}: {self.get_kind_display()} ({self.subject_reference})"

    @property
    def subject_reference(self) -> str:
        if self.kind == ItemKind.ACCESS_REQUEST and self.access_grant_id:
            return f"access request {self.access_grant_id}"
        if self.entry_id and self.kind != ItemKind.NEW_REFERRAL:
            return self.entry.reference
        if self.referral_id:
            return self.referral.reference
        return self.entry.reference if self.entry_id else ""


class Attendance(models.TextChoices):
    PRESENT = "present", "Present"
    ABSENT = "absent", "Absent"


class SeatAttendance(models.Model):
    """Who sat in a seat at a meeting (its holder or a briefed deputy), or that it was empty."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="seats")
    seat = models.CharField(max_length=32, choices=Seat.choices)
    attendance = models.CharField(max_length=16, choices=Attendance.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    as_deputy = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["meeting", "seat"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "seat"], name="one_sitter_per_seat"),
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=models.Q(user__isnull=False),
                name="one_seat_per_person_per_meeting",
            ),
            models.CheckConstraint(
                condition=models.Q(attendance="absent") | models.Q(user__isnull=False),
                name="present_seat_has_a_sitter",
            ),
        ]

    def __str__(self):
        if self.attendance == Attendance.ABSENT:
            return f"{self.get_seat_display()}: absent"
        deputy = " (deputy)" if self.as_deputy else ""
        return f"{self.get_seat_display()}: {self.user}{deputy}"


class InviteeRole(models.TextChoices):
    OPERATIONS_MANAGER = "operations_manager", "Operations Manager presenting the case"
    LEGAL_ADVISER = "legal_adviser", "Legal Services adviser"


class Invitee(models.Model):
    """Someone invited for one item: they see that item's papers only, and never vote."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="invitees")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panel_invitations"
    )
    role = models.CharField(max_length=32, choices=InviteeRole.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "user"], name="one_invitation_per_item"),
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"


class Ruling(models.TextChoices):
    PENDING = "pending", "Awaiting a ruling"
    EXCLUDED = "excluded", "Excluded from the decision"
    ALLOWED = "allowed", "Allowed to take part"


class Declaration(models.Model):
    """A member's declared interest in one item, and the ruling on it."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="declarations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    interest = models.TextField("The interest")
    declared_at = models.DateTimeField(auto_now_add=True)
    ruling = models.CharField(
        max_length=16, choices=Ruling.choices, default=Ruling.PENDING, db_index=True
    )
    ruling_reason = models.TextField(blank=True)
    ruled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ruled_as = models.CharField(max_length=100, blank=True)
    ruled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["item", "declared_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item", "user"], name="one_declaration_per_item"),
        ]

    def __str__(self):
        return f"{self.user}: {self.get_ruling_display()}"


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


class LetterRoute(models.TextChoices):
    OPERATIONS_MANAGER = "operations_manager", "Letter or email from the Operations Manager"
    LEGAL_SERVICES = "legal_services", "Letter from Legal Services (cease and desist)"
    EXPECTED_BEHAVIOUR = "expected_behaviour", "Letter of expected behaviour from the service"
    NONE = "none", "No letter"


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


class DecisionStatus(models.TextChoices):
    DRAFT = "draft", "Proposed"
    FINAL = "final", "Decided"


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
    # The vote that made it final.
    rule = models.CharField(max_length=32, choices=VotingRule.choices, blank=True)
    eligible_seats = models.JSONField(default=list, blank=True)
    votes_for = models.PositiveSmallIntegerField(null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(null=True, blank=True)
    abstentions = models.PositiveSmallIntegerField(null=True, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Decision on {self.item}: {self.get_outcome_display() or 'not yet proposed'}"


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
