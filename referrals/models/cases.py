from django.conf import settings
from django.db import models

from referrals.statuses import ReferralSource, ReferralStatus, waiting_for_triage
from ubpanel.audit_people import people_data, through
from ubpanel.models import TimelineEvent
from ubpanel.storage import private_storage
from ubpanel.tiers import RiskTier

from .people import Person


class BehaviourCategory(models.TextChoices):
    """What constitutes unreasonable behaviour (the protocol, after the Ombudsman's guidance)."""

    ABUSIVE = (
        "abusive",
        (
            "Being abusive, threatening or acting in a manner intended to intimidate staff, "
            "including racist, sexist, homophobic or other discriminatory language"
        ),
    )
    SOCIAL_MEDIA = (
        "social_media",
        (
            "Putting, or threatening to put, staff's personal information on social media or websites "
            "without consent, or making defamatory statements about staff online"
        ),
    )
    EXCESSIVE_DEMANDS = (
        "excessive_demands",
        (
            "Making excessive demands on staff time: lengthy calls, emails to many staff, detailed "
            "correspondence every few days or more often, expecting immediate responses"
        ),
    )
    REPEAT_CONTACTS = (
        "repeat_contacts",
        (
            "Submitting repeat contacts or complaints with minor additions or variations and insisting "
            "they are new complaints"
        ),
    )
    REFUSING_GROUNDS = (
        "refusing_grounds",
        "Refusing to specify the grounds of a complaint, despite offers of help",
    )
    REFUSING_TO_COOPERATE = (
        "refusing_to_cooperate",
        ("Refusing to cooperate with the complaints investigation process"),
    )
    INCOMPATIBLE_PROCEDURE = (
        "incompatible_procedure",
        (
            "Insisting on the complaint being dealt with in ways incompatible with the complaints "
            "procedure or good practice"
        ),
    )
    UNJUSTIFIED_STAFF_COMPLAINTS = (
        "unjustified_staff_complaints",
        (
            "Making unjustified complaints about staff who are trying to deal with the issues, and "
            "seeking to have them replaced"
        ),
    )
    CHANGING_BASIS = (
        "changing_basis",
        "Frequently changing the basis of the complaint as the investigation proceeds",
    )
    MANY_QUESTIONS = (
        "many_questions",
        ("Raising many detailed but unimportant questions and insisting they are all answered"),
    )
    FALSE_INFORMATION = (
        "false_information",
        ("Providing false information or submitting falsified documents"),
    )
    SCATTER_GUN = (
        "scatter_gun",
        (
            "A 'scatter gun' approach: parallel complaints or contact about the same issue with "
            "various organisations"
        ),
    )
    THREATS_OF_VIOLENCE = "threats_of_violence", "Threats of violence"
    ACTUAL_VIOLENCE = "actual_violence", "Actual violence"
    HATE_INCIDENT = "hate_incident", "Possible hate incident"


class HealthConcern(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_KNOWN = "not_known", "Not known"


class PoliceReport(models.TextChoices):
    REPORTED = "reported", "Yes, it has been reported to the police"
    NOT_REPORTED = "not_reported", "No"


class Referral(models.Model):
    """A manager's report of an individual's behaviour, from the web form or the mailbox."""

    status = models.CharField(
        max_length=32, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT, db_index=True
    )
    source = models.CharField(
        max_length=16, choices=ReferralSource.choices, default=ReferralSource.WEB
    )
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    service = models.ForeignKey(
        "ubpanel.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    # The individual as the referrer described them (linked to a Person at intake or triage).
    subject_given_names = models.CharField("Given names", max_length=200, blank=True)
    subject_family_name = models.CharField("Family name", max_length=200, blank=True)
    subject_aliases = models.TextField("Other names they use", blank=True)
    subject_date_of_birth = models.DateField("Date of birth", null=True, blank=True)
    subject_address = models.TextField("Address", blank=True)
    subject_postcode = models.CharField("Postcode", max_length=10, blank=True)
    subject_email = models.CharField("Email address", max_length=320, blank=True)
    subject_phone = models.CharField("Phone number", max_length=40, blank=True)

    behaviour_categories = models.JSONField(default=list, blank=True)
    number_of_incidents = models.PositiveIntegerField(null=True, blank=True)
    suggested_tier = models.CharField(max_length=8, choices=RiskTier.choices, blank=True)
    summary = models.TextField(blank=True)
    # Special-category data.
    health_concerns = models.CharField(max_length=16, choices=HealthConcern.choices, blank=True)
    health_details = models.TextField(blank=True)
    # Routing flags from the protocol.
    violence = models.BooleanField(default=False)
    incident_report_reference = models.CharField(max_length=100, blank=True)
    # The Health and Safety Team's accident/incident report: the one they escalated (source
    # HEALTH_SAFETY), or the one they linked to a manager's referral that records violence.
    health_safety_reference = models.CharField(
        "Accident/incident report reference", max_length=40, blank=True
    )
    # When Health and Safety were told of the violence a manager's referral records: once only.
    health_safety_notified_at = models.DateTimeField(null=True, blank=True)
    hate_incident = models.BooleanField(default=False)
    police_report = models.CharField(max_length=16, choices=PoliceReport.choices, blank=True)
    police_reference = models.CharField(max_length=100, blank=True)
    police_not_reported_reason = models.TextField(blank=True)
    journalist = models.BooleanField(default=False)
    # The protocol: a Legal Services representative is invited to the panel "for High risk
    # incidents, or cases where legal proceedings have been intimated".
    legal_proceedings_intimated = models.BooleanField(default=False)
    # Legal Services' advice, asked for when the referral is set to await legal advice.
    legal_advice = models.TextField("Legal Services' advice", blank=True)
    legal_advice_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    legal_advice_at = models.DateTimeField(null=True, blank=True)

    repeat_behaviour = models.BooleanField(default=False)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_referrals"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["service", "status"]),
            # The triage queue's first page read in its order, however many referrals wait.
            models.Index(
                fields=["submitted_at", "created_at", "id"],
                condition=waiting_for_triage(),
                name="referral_triage_queue",
            ),
        ]

    def __str__(self):
        return f"{self.reference}: {self.subject_name or 'unnamed individual'}"

    @property
    def reference(self) -> str:
        return f"REF-{self.pk:05d}" if self.pk else "REF-new"

    @property
    def subject_name(self) -> str:
        return " ".join(filter(None, [self.subject_given_names, self.subject_family_name]))

    def get_behaviour_categories_display(self) -> list[str]:
        labels = dict(BehaviourCategory.choices)
        return [labels.get(value, value) for value in self.behaviour_categories]

    def get_additional_data(self):
        return people_data(self)


class Incident(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="incidents")
    occurred_on = models.DateField("Date")
    occurred_at = models.TimeField("Time", null=True, blank=True)
    location = models.CharField("Location", max_length=300)
    description = models.TextField("What happened")
    staff_affected = models.TextField("Staff affected", blank=True)

    class Meta:
        ordering = ["occurred_on", "occurred_at", "pk"]

    def __str__(self):
        return f"{self.occurred_on:%d %b %Y} at {self.location}"

    def audit_person_ids(self) -> list[int]:
        return through(self, "referral")

    def get_additional_data(self):
        return people_data(self)


class Evidence(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="evidence/%Y/%m/", storage=private_storage)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # Set when the retention schedule deleted the file (rights.retention); the row stays, nameless.
    file_removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name_plural = "evidence"

    def __str__(self):
        return self.original_name

    def audit_person_ids(self) -> list[int]:
        return through(self, "referral")

    def get_additional_data(self):
        return people_data(self)


class EventKind(models.TextChoices):
    CREATED = "created", "Created"
    SUBMITTED = "submitted", "Submitted"
    STATUS_CHANGED = "status_changed", "Status changed"
    INFORMATION_REQUESTED = "information_requested", "More information requested"
    INFORMATION_PROVIDED = "information_provided", "More information provided"
    PERSON_LINKED = "person_linked", "Linked to a person"
    MERGED = "merged", "Merged"
    EVIDENCE_ADDED = "evidence_added", "Evidence added"
    EVIDENCE_REFUSED = "evidence_refused", "Attachment not added as evidence"
    LEGAL_ADVICE = "legal_advice", "Legal advice recorded"
    REPEAT_BEHAVIOUR = "repeat_behaviour", "Repeat behaviour confirmed"
    HEALTH_SAFETY_NOTIFIED = "health_safety_notified", "Health and Safety told of violence"
    HEALTH_SAFETY_REPORT = "health_safety_report", "Accident/incident report linked"


class ReferralEvent(TimelineEvent):
    """The referral's timeline: every status change with who, when and why."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    from_status = models.CharField(max_length=32, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField(max_length=32, choices=ReferralStatus.choices, blank=True)

    def audit_person_ids(self) -> list[int]:
        return through(self, "referral")

    def get_additional_data(self):
        return people_data(self)


class InboundEmailStatus(models.TextChoices):
    IMPORTED = "imported", "Imported as a draft referral"
    FAILED = "failed", "Could not be read"


class InboundEmail(models.Model):
    """An email to the spocassurance mailbox. Never lost: kept even when it cannot be parsed."""

    message_id = models.CharField(max_length=998, unique=True)
    status = models.CharField(max_length=16, choices=InboundEmailStatus.choices)
    failure_reason = models.TextField(blank=True)
    sender = models.CharField(max_length=320, blank=True)
    sender_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(max_length=998, blank=True)
    body = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    raw = models.FileField(upload_to="mail/%Y/%m/", storage=private_storage)
    referral = models.OneToOneField(
        Referral, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_email"
    )
    # Set when the retention schedule deleted the raw message and its text (rights.retention).
    raw_removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]

    def __str__(self):
        return self.subject or self.message_id

    def audit_person_ids(self) -> list[int]:
        return through(self, "referral")

    def get_additional_data(self):
        return people_data(self)
