"""The agenda: its items, who is invited to each, and the interests members declare in them."""

from django.conf import settings
from django.db import models

from ubpanel.audit_people import people_data, through_either
from ubpanel.transitions import StatusGraph

from .meetings import Meeting


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

# Listed items are put to the vote; a vote carried decides the item, one not carried returns it to
# discussion. An item is withdrawn by Assurance, or when the meeting closes before reaching it.
ITEM_GRAPH = StatusGraph(
    ItemStatus,
    [
        (ItemStatus.LISTED, ItemStatus.VOTING, "ballot_open"),
        (ItemStatus.VOTING, ItemStatus.DECIDED, "ballot_close"),
        (ItemStatus.VOTING, ItemStatus.LISTED, "ballot_close"),
        (ItemStatus.LISTED, ItemStatus.WITHDRAWN, "agenda_item_withdraw"),
        (ItemStatus.LISTED, ItemStatus.WITHDRAWN, "meeting_close"),
    ],
)


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

    def audit_person_ids(self) -> list[int]:
        return through_either(self, "entry", "referral")

    def get_additional_data(self):
        return people_data(self)

    @property
    def subject_reference(self) -> str:
        if self.kind == ItemKind.ACCESS_REQUEST and self.access_grant_id:
            return f"access request {self.access_grant_id}"
        if self.entry_id and self.kind != ItemKind.NEW_REFERRAL:
            return self.entry.reference
        if self.referral_id:
            return self.referral.reference
        return self.entry.reference if self.entry_id else ""


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
