"""Entries on the schedule: what staff must do, the case the panel decided on, its history, and the
checks staff record before contact. ``ENTRY_GRAPH`` is every move between entry statuses."""

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from referrals.models import BehaviourCategory, Person
from ubpanel.audit_people import people_data, through
from ubpanel.entry_status import LIVE_STATUSES, EntryStatus
from ubpanel.models import TimelineEvent
from ubpanel.tiers import RiskTier
from ubpanel.transitions import StatusGraph

from .permissions import GrantedPermission


class ContactRestriction(models.TextChoices):
    """Kinds of restriction that can clash with a person's reasonable adjustments
    (schedule.adjustments.CLASHES); the restriction's own words stay in the text fields."""

    WRITTEN_ONLY = "written_only", "Written contact only"
    PHONE_LIMITED = "phone_limited", "No phone calls, or phone calls limited"
    ONE_NAMED_CONTACT = "one_named_contact", "Contact through one named officer only"
    NO_FACE_TO_FACE = "no_face_to_face", "No face-to-face contact or visits"


class RemovedBy(models.TextChoices):
    """How an entry came off the schedule, when the individual is told of it (schedule.removal)."""

    PANEL_DECISION = "panel_decision", "Panel decision"
    APPEAL_UPHELD = "appeal_upheld", "Appeal upheld"
    REVIEW_OVERDUE = "review_overdue", "Review overdue: removed by default"
    EMERGENCY_UNRATIFIED = "emergency_unratified", "Emergency addition not ratified in time"


class StaffGuidance(models.Model):
    """What staff must do when the individual makes contact: how to respond, permitted contact,
    restrictions, the single point of contact and any email divert. The panel's decision records
    it (panel.Decision) and the schedule entry carries it."""

    how_to_respond = models.TextField("How staff should respond", blank=True)
    permitted_contact = models.TextField("Permitted means of contact", blank=True)
    contact_restrictions = models.TextField("Contact restrictions", blank=True)
    service_restrictions = models.TextField("Restrictions to service provision", blank=True)
    spoc_name = models.CharField("Single point of contact", max_length=200, blank=True)
    spoc_service = models.ForeignKey(
        "ubpanel.Service",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="SPOC's service",
    )
    spoc_contact_details = models.TextField("SPOC's contact details", blank=True)
    # Email divert: their emails go to the SPOC. The protocol asks that ward councillors are
    # consulted first and that the customer is told.
    email_divert = models.BooleanField("Emails diverted to the SPOC", default=False)
    ward_councillors_consulted = models.BooleanField(default=False)
    ward_councillors_asked = models.TextField("Which ward councillors were asked", blank=True)
    ward_councillors_response = models.TextField("What the ward councillors said", blank=True)
    customer_told_of_divert = models.BooleanField(default=False)
    # Which kinds of restriction apply (ContactRestriction values), so a clash with the person's
    # reasonable adjustments can be seen; and why the restrictions go ahead despite one.
    restriction_kinds = models.JSONField("Kinds of restriction", default=list, blank=True)
    adjustment_clash_reason = models.TextField(
        "Why the restrictions go ahead despite the person's needs", blank=True
    )

    class Meta:
        abstract = True


class Entry(StaffGuidance):
    """A person's entry on the schedule: their tier and what staff must do when they make contact.

    ``incident_summary`` and ``reason`` are the case narrative: only the case roles see them
    (``schedule.selectors.can_see_narrative``), never frontline staff.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="schedule_entries")
    tier = models.CharField(max_length=8, choices=RiskTier.choices, db_index=True)
    status = models.CharField(max_length=32, choices=EntryStatus.choices, db_index=True)

    # What frontline staff see: StaffGuidance's fields.

    # The case narrative (the case roles only).
    incident_summary = models.TextField("The incident", blank=True)
    reason = models.TextField("Why the individual is on the schedule", blank=True)
    # The chair's internal reasons for an emergency addition (police references, notes for the
    # panel): never copied into a letter unless someone deliberately types them there.
    internal_notes = models.TextField("Internal notes (never in a letter)", blank=True)

    # The protocol: the Service Manager for Assurance owns the database; each record's
    # responsibility rests with the identified Operations Manager.
    record_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_schedule_entries",
    )
    referrals = models.ManyToManyField(
        "referrals.Referral", blank=True, related_name="schedule_entries"
    )
    emergency_added_at = models.DateTimeField(null=True, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    notified_on = models.DateField(null=True, blank=True)
    review_due_on = models.DateField(null=True, blank=True, db_index=True)
    # A returned equalities questionnaire revealed an underlying issue not known before: the
    # entry goes before the panel and Adult Social Care.
    underlying_issue_flagged_on = models.DateField(null=True, blank=True)
    # The review date the last reminder was sent for: one reminder per review, however often the
    # beat task runs, and a new one when repeat behaviour moves the date.
    review_reminder_sent_for = models.DateField(null=True, blank=True)
    # The last day the chair, Assurance (and for an emergency addition the Director for Legal and
    # Democratic and the Monitoring Officer) were told that a review is overdue past its grace
    # period, or that the emergency addition missed its meeting: one telling a week at most.
    review_escalated_on = models.DateField(null=True, blank=True)
    ratification_escalated_on = models.DateField(null=True, blank=True)
    # Set as the entry is removed when NOTIFY_ON_REMOVAL is on then: how it came off the schedule,
    # and so that the individual is told by a removal letter. Blank: not removed, or not told
    # (the protocol).
    removal_told_by = models.CharField(
        max_length=24, choices=RemovedBy.choices, blank=True, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "entries"
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status__in=LIVE_STATUSES),
                name="one_live_entry_per_person",
            )
        ]

    def __str__(self):
        return f"{self.person} ({self.get_tier_display()}, {self.get_status_display()})"

    def get_additional_data(self):
        return people_data(self)

    @property
    def reference(self) -> str:
        return f"UBS-{self.pk:05d}" if self.pk else "UBS-new"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def review_overdue_since(self) -> date | None:
        """The review date an active entry has passed undecided (shown on its page), or None."""
        today = timezone.localdate()
        if self.status == EntryStatus.ACTIVE and self.review_due_on and self.review_due_on < today:
            return self.review_due_on
        return None

    @property
    def days_live_unratified(self) -> int | None:
        """How many days an emergency addition has applied without the panel's ratification, or
        None for any other entry."""
        if self.status != EntryStatus.PENDING_RATIFICATION or self.emergency_added_at is None:
            return None
        return (timezone.localdate() - timezone.localdate(self.emergency_added_at)).days


_S = EntryStatus
_LIVE = tuple(LIVE_STATUSES)
# Every move between entry statuses: (from, to, the service that makes it). An emergency addition
# creates an entry pending ratification, and a panel decision creates an active one or takes over
# the live entry (standing in for ratification): those create rows rather than move one, so they
# are not edges. The edges that keep the status say from which statuses a change may be made.
ENTRY_GRAPH = StatusGraph(
    EntryStatus,
    [
        (_S.PENDING_RATIFICATION, _S.ACTIVE, "entry_ratify"),
        (_S.PENDING_RATIFICATION, _S.REMOVED, "entry_end_emergency"),
        (_S.ACTIVE, _S.REMOVED, "entry_remove"),
        (_S.ACTIVE, _S.UNDER_APPEAL, "entry_appeal_lodged"),
        (_S.UNDER_APPEAL, _S.REMOVED, "entry_appeal_decided"),  # upheld
        (_S.UNDER_APPEAL, _S.ACTIVE, "entry_appeal_decided"),  # dismissed
        (_S.ACTIVE, _S.ACTIVE, "entry_review_keep"),
        *((status, status, "entry_correct") for status in _LIVE),
        *((status, status, "entry_record_owner_set") for status in _LIVE),
        *((status, status, "entry_record_repeat_behaviour") for status in _LIVE),
        # Removal is never communicated: nothing sent to the individual is recorded after it.
        *((status, status, "entry_record_notification") for status in _LIVE),
        *((status, status, "entry_record_divert_told") for status in _LIVE),
    ],
)


class EntryEventKind(models.TextChoices):
    EMERGENCY_ADDITION = "emergency_addition", "Emergency addition"
    RATIFIED = "ratified", "Ratified by the panel"
    EMERGENCY_ENDED = "emergency_ended", "Emergency addition not ratified"
    REPEAT_BEHAVIOUR = "repeat_behaviour", "Repeat behaviour"
    APPEAL_LODGED = "appeal_lodged", "Appeal lodged"
    APPEAL_DECIDED = "appeal_decided", "Appeal decided"
    REMOVED = "removed", "Removed"
    PANEL_DECISION = "panel_decision", "Panel decision"
    REVIEWED = "reviewed", "Reviewed by the panel"
    NOTIFIED = "notified", "Individual notified"
    REVIEW_REMINDER = "review_reminder", "Review reminder sent"
    UNDERLYING_ISSUE = "underlying_issue", "Underlying issue raised"
    UNDERLYING_ISSUE_CONSIDERED = "underlying_issue_considered", "Underlying issue considered"
    CORRECTED = "corrected", "Panel decision corrected"
    REFERRED_TO_LEGAL = "referred_to_legal", "Referred to Legal Services"
    DEFERRED = "deferred", "Deferred by the panel"
    RECORD_OWNER = "record_owner", "Record owner changed"
    DIVERT_TOLD = "divert_told", "Individual told of the email divert"
    REVIEW_OVERDUE = "review_overdue", "Review overdue: escalated"
    RATIFICATION_OVERDUE = "ratification_overdue", "Not ratified at the meeting: escalated"


class EntryIncident(models.Model):
    """One incident the entry rests on: where, when, what happened and which of the protocol's
    behaviour categories it shows. Copied from the referral(s) behind a panel decision (so the
    entry keeps the case the panel decided on), or typed on the chair's emergency addition."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="incidents")
    source_incident = models.ForeignKey(
        "referrals.Incident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="schedule_copies",
    )
    occurred_on = models.DateField("Date")
    occurred_at = models.TimeField("Time", null=True, blank=True)
    location = models.CharField("Location", max_length=300)
    description = models.TextField("What happened")
    # BehaviourCategory values.
    categories = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_on", "occurred_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "source_incident"],
                condition=models.Q(source_incident__isnull=False),
                name="one_copy_of_an_incident_per_entry",
            )
        ]

    def __str__(self):
        return f"{self.occurred_on:%d %b %Y} at {self.location}"

    def get_categories_display(self) -> list[str]:
        labels = dict(BehaviourCategory.choices)
        return [labels.get(value, value) for value in self.categories]

    def audit_person_ids(self) -> list[int]:
        return through(self, "entry")

    def get_additional_data(self):
        return people_data(self)


class EntryEvent(TimelineEvent):
    """The entry's history: every change of status or clock with who, when and why."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=EntryEventKind.choices)
    from_status = models.CharField(max_length=32, choices=EntryStatus.choices, blank=True)
    to_status = models.CharField(max_length=32, choices=EntryStatus.choices, blank=True)

    def audit_person_ids(self) -> list[int]:
        return through(self, "entry")

    def get_additional_data(self):
        return people_data(self)


# Per-entry exceptions (an officer or a service who may see one entry their grants do not cover),
# kept by django-guardian in tables with a real foreign key so the selector is a plain indexed join.
# guardian's base comes first: its Meta (one row per holder, permission and object) is inherited.
class EntryUserObjectPermission(UserObjectPermissionBase, GrantedPermission):
    content_object = models.ForeignKey(Entry, on_delete=models.CASCADE)


class EntryGroupObjectPermission(GroupObjectPermissionBase, GrantedPermission):
    content_object = models.ForeignKey(Entry, on_delete=models.CASCADE)


class ContactCheck(models.Model):
    """A member of staff checked the schedule before visiting or contacting the individual."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="contact_checks")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contact_checks"
    )
    checked_at = models.DateTimeField(auto_now_add=True)
    purpose = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-checked_at", "-pk"]

    def __str__(self):
        return f"{self.entry.reference} checked by {self.user} ({self.checked_at:%d %b %Y %H:%M})"

    def audit_person_ids(self) -> list[int]:
        return through(self, "entry")

    def get_additional_data(self):
        return people_data(self)
