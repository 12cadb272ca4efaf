from django.conf import settings
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from referrals.models import Person
from ubpanel.entry_status import LIVE_STATUSES, EntryStatus
from ubpanel.models import TimelineEvent
from ubpanel.tiers import RiskTier


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

    class Meta:
        abstract = True


class Entry(StaffGuidance):
    """A person's entry on the schedule: their tier and what staff must do when they make contact.

    ``incident_summary`` and ``reason`` are the case narrative: only the panel, Legal Services and
    Adult Social Care see them, never frontline staff.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="schedule_entries")
    tier = models.CharField(max_length=8, choices=RiskTier.choices, db_index=True)
    status = models.CharField(max_length=32, choices=EntryStatus.choices, db_index=True)

    # What frontline staff see: StaffGuidance's fields.

    # The case narrative (panel, Legal Services and Adult Social Care only).
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

    @property
    def reference(self) -> str:
        return f"UBS-{self.pk:05d}" if self.pk else "UBS-new"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES


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
        from referrals.models import BehaviourCategory

        labels = dict(BehaviourCategory.choices)
        return [labels.get(value, value) for value in self.categories]


class EntryEvent(TimelineEvent):
    """The entry's history: every change of status or clock with who, when and why."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=EntryEventKind.choices)
    from_status = models.CharField(max_length=32, choices=EntryStatus.choices, blank=True)
    to_status = models.CharField(max_length=32, choices=EntryStatus.choices, blank=True)


# Per-entry exceptions (a named officer who may see one entry their grants do not cover), kept
# by django-guardian in tables with a real foreign key so the selector is a plain indexed join.
class EntryUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Entry, on_delete=models.CASCADE)


class EntryGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Entry, on_delete=models.CASCADE)


class AddressWarningStatus(models.TextChoices):
    LIVE = "live", "Live"
    REMOVED = "removed", "Removed"


class AddressWarning(models.Model):
    """A specific address that carries its own risk tier and guidance for visiting staff."""

    address = models.TextField()
    postcode = models.CharField(max_length=10, blank=True)
    postcode_normalised = models.CharField(max_length=10, blank=True, db_index=True)
    tier = models.CharField(max_length=8, choices=RiskTier.choices, db_index=True)
    guidance = models.TextField("What staff should do", blank=True)
    status = models.CharField(
        max_length=16,
        choices=AddressWarningStatus.choices,
        default=AddressWarningStatus.LIVE,
        db_index=True,
    )
    entry = models.ForeignKey(
        Entry, null=True, blank=True, on_delete=models.SET_NULL, related_name="address_warnings"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Who ended the warning, when and why.
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_reason = models.TextField(blank=True)

    def __str__(self):
        return ", ".join(filter(None, [self.address.replace("\n", ", "), self.postcode]))


class AccessGrantStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    REVOKED = "revoked", "Revoked"


class AccessGrant(models.Model):
    """The access register: a service or a named officer may see entries of some tiers, and why.

    The panel keeps it (the protocol); the chair records its decisions. An approved grant lapses
    on its re-certification date unless the panel approves it again.
    """

    service = models.ForeignKey(
        "ubpanel.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="grants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="schedule_grants",
    )
    low = models.BooleanField("Low risk", default=False)
    medium = models.BooleanField("Medium risk", default=False)
    high = models.BooleanField("High risk", default=False)
    rationale = models.TextField("Risk-based rationale")
    status = models.CharField(
        max_length=16,
        choices=AccessGrantStatus.choices,
        default=AccessGrantStatus.REQUESTED,
        db_index=True,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    recertify_by = models.DateField("Re-certify by", null=True, blank=True)
    # Who declined or revoked it, and why.
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["status", "recertify_by"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(service__isnull=False, user__isnull=True)
                    | models.Q(service__isnull=True, user__isnull=False)
                ),
                name="access_grant_to_a_service_or_a_user",
            ),
            models.CheckConstraint(
                condition=models.Q(low=True) | models.Q(medium=True) | models.Q(high=True),
                name="access_grant_covers_a_tier",
            ),
        ]

    def __str__(self):
        tiers = ", ".join(RiskTier(t).label for t in self.tiers)
        return f"{self.grantee}: {tiers} ({self.get_status_display()})"

    @property
    def grantee(self):
        return self.service if self.service_id else self.user

    @property
    def tiers(self) -> list[str]:
        return [tier for tier in RiskTier.values if getattr(self, tier)]


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


class SearchKeyKind(models.TextChoices):
    NAME = "name", "Name"
    ALIAS = "alias", "Alias"
    ADDRESS = "address", "Address"
    POSTCODE = "postcode", "Postcode"
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone number"


class SearchKey(models.Model):
    """What search before contact looks in: the names, aliases, addresses, postcodes, emails and
    phone numbers of the people with a live entry, in their ``normalise`` forms (addresses as
    written).

    A few percent of everyone the council knows is on the schedule, so this table is small and its
    trigram indexes answer in a millisecond (``schedule.search``). On PostgreSQL it is kept by
    triggers (migration 0004): any write to an entry, a person or their details, by a service, the
    admin, a bulk load or a factory, leaves it exact in the same transaction, so a live entry can
    never be missing from search. It is an index, not a record: ``manage.py
    search_index_rebuild`` rebuilds it. SQLite (the demo) has no triggers here: it leaves the
    table empty and searches the people tables directly.
    """

    person = models.ForeignKey(
        Person, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=SearchKeyKind.choices)
    value = models.TextField()
    # An alias as written, for the reason shown ("Name similar to alias ‘Zed Jones’").
    written = models.TextField(blank=True)

    class Meta:
        indexes = [
            # Postcodes, emails and phone numbers are looked up exactly; the trigram indexes on
            # names and addresses are created in SQL (PostgreSQL only), like referrals' 0002.
            models.Index(
                fields=["kind", "value"],
                condition=models.Q(kind__in=["postcode", "email", "phone"]),
                name="schedule_searchkey_exact",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.value}"


class AppealGround(models.TextChoices):
    """The protocol's grounds for asking the Monitoring Officer to review the panel's decision."""

    PROTOCOL_NOT_FOLLOWED = "protocol_not_followed", "The protocol has not been followed"
    UNREASONABLE = "unreasonable", "The decision was unreasonable"
    NEW_CIRCUMSTANCES = (
        "new_circumstances",
        "A circumstance or evidence since the panel’s decision may necessitate a further review",
    )


class AppealDecider(models.TextChoices):
    """The protocol: the Monitoring Officer, their Deputy, or their identified legal services
    representative reviews the panel's decision."""

    MONITORING_OFFICER = "monitoring_officer", "Monitoring Officer"
    DEPUTY = "deputy", "Deputy Monitoring Officer"
    LEGAL_REPRESENTATIVE = (
        "legal_representative",
        "Monitoring Officer's nominated legal representative",
    )


class AppealOutcome(models.TextChoices):
    UPHELD = "upheld", "Upheld"
    DISMISSED = "dismissed", "Dismissed"


class Appeal(models.Model):
    """The individual's written request that the Monitoring Officer review the panel's decision,
    and the outcome. The entry stays on the schedule until the outcome is determined.

    ``late``: the request arrived after the appeal deadline (28 working days after notification).
    It is recorded all the same, and the Monitoring Officer may still decide it.
    """

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="appeals")
    received_on = models.DateField("Date the written request arrived")
    # One field per ground (their names are AppealGround's values): at least one is required.
    protocol_not_followed = models.BooleanField(
        AppealGround.PROTOCOL_NOT_FOLLOWED.label, default=False
    )
    unreasonable = models.BooleanField(AppealGround.UNREASONABLE.label, default=False)
    new_circumstances = models.BooleanField(AppealGround.NEW_CIRCUMSTANCES.label, default=False)
    statement = models.TextField("What the individual says", blank=True)
    # 28 working days after the notification the entry records, when it records one.
    deadline = models.DateField("Appeal deadline", null=True, blank=True)
    late = models.BooleanField("Received after the deadline", default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=AppealOutcome.choices, blank=True)
    decided_as = models.CharField(max_length=32, choices=AppealDecider.choices, blank=True)
    reason = models.TextField("The Monitoring Officer's reasons", blank=True)
    # The legal services representative the Monitoring Officer identified to decide this appeal.
    nominated_representative = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    nominated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry"], condition=models.Q(outcome=""), name="one_open_appeal_per_entry"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(protocol_not_followed=True)
                    | models.Q(unreasonable=True)
                    | models.Q(new_circumstances=True)
                ),
                name="appeal_gives_a_ground",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(outcome="", decided_at__isnull=True)
                    | (~models.Q(outcome="") & models.Q(decided_at__isnull=False))
                ),
                name="appeal_decided_with_its_date",
            ),
        ]

    def __str__(self):
        # The entry's reference from its id: no query, so audited lists stay at constant queries.
        return f"Appeal on UBS-{self.entry_id:05d} received {self.received_on:%d %b %Y}"

    @property
    def is_open(self) -> bool:
        return not self.outcome

    @property
    def grounds(self) -> list[str]:
        """The grounds given, as AppealGround values."""
        return [ground for ground in AppealGround.values if getattr(self, ground)]

    @property
    def ground_labels(self) -> list[str]:
        return [AppealGround(ground).label for ground in self.grounds]
