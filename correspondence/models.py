"""Letters to individuals, their PDFs, and the equalities questionnaire returns.

The protocol lists what each letter must say (sections "Low / Medium Risk" and "High Risk"); a
letter of expected behaviour is what the panel or triage may recommend instead of inclusion.
"""

from django.conf import settings
from django.db import models

from ubpanel.audit_people import people_data, through
from ubpanel.storage import private_storage
from ubpanel.transitions import StatusGraph


class LetterKind(models.TextChoices):
    LOW_MEDIUM = "low_medium", "Low or medium risk: letter or email from the Operations Manager"
    HIGH = "high", "High risk: letter from Legal Services, with a cease and desist requirement"
    EXPECTED_BEHAVIOUR = "expected_behaviour", "Letter of expected behaviour"
    # Only when NOTIFY_ON_REMOVAL is on: the protocol says removal is not communicated.
    REMOVAL = "removal", "Letter telling the individual they are no longer on the schedule"
    # The protocol: "The individual subject to the SPOC should be provided with the contact
    # details of the SPOC" - also when the panel appoints one without an unreasonable finding.
    SPOC_NOTICE = "spoc_notice", "Letter or email giving the single point of contact's details"


# The protocol: the equalities questionnaire goes with every low, medium and high letter (not with
# a SPOC notice: it follows no finding of its own).
QUESTIONNAIRE_KINDS = (LetterKind.LOW_MEDIUM, LetterKind.HIGH)


class LetterStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    SENT = "sent", "Sent"
    # Never sent and never will be: the entry was removed (an emergency addition not ratified, an
    # appeal upheld, a removal at review). Removal is never communicated to the individual.
    CANCELLED = "cancelled", "Cancelled"


# Every move a letter makes: (from, to, the service in correspondence.services that makes it).
# A changed letter is a new version and a draft again; nothing leaves SENT or CANCELLED.
LETTER_GRAPH = StatusGraph(
    LetterStatus,
    [
        ((LetterStatus.DRAFT, LetterStatus.APPROVED), LetterStatus.DRAFT, "letter_update"),
        (LetterStatus.DRAFT, LetterStatus.APPROVED, "letter_approve"),
        (LetterStatus.APPROVED, LetterStatus.SENT, "letter_send"),
        (
            (LetterStatus.DRAFT, LetterStatus.APPROVED),
            LetterStatus.CANCELLED,
            "letters_cancel_for_entry",
        ),
    ],
)


class SendMethod(models.TextChoices):
    POST = "post", "By post"
    EMAIL = "email", "By email, with the letter attached"


class Letter(models.Model):
    kind = models.CharField(max_length=32, choices=LetterKind.choices)
    status = models.CharField(
        max_length=16, choices=LetterStatus.choices, default=LetterStatus.DRAFT, db_index=True
    )
    person = models.ForeignKey("referrals.Person", on_delete=models.PROTECT, related_name="letters")
    entry = models.ForeignKey(
        "schedule.Entry", null=True, blank=True, on_delete=models.PROTECT, related_name="letters"
    )
    decision = models.ForeignKey(
        "panel.Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="letters"
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="letters",
    )
    # Who it goes to.
    recipient_name = models.CharField("Addressed to", max_length=300)
    recipient_address = models.TextField("Postal address", blank=True)
    recipient_email = models.EmailField("Email address", blank=True)
    # What the protocol says it must contain.
    # Every incident the decision rests on: one paragraph each, every place, every date and time.
    incident_description = models.TextField("The incident: what happened")
    incident_location = models.TextField("Where it happened")
    incident_when = models.TextField("Date and time")
    why_unreasonable = models.TextField("Why the behaviour is unreasonable")
    expected_behaviour = models.TextField("The behaviour the council expects", blank=True)
    cease_and_desist = models.TextField("Cease and desist requirement", blank=True)
    spoc = models.TextField("Single point of contact and how to reach them", blank=True)
    contact_restrictions = models.TextField("Future contact restrictions", blank=True)
    service_restrictions = models.TextField("Restrictions to service provision", blank=True)
    consequences_of_breach = models.TextField("Consequences of a breach", blank=True)
    logging_statement = models.TextField("Logged on the schedule for 12 months", blank=True)
    review_or_appeal = models.TextField("How to ask for a review or appeal", blank=True)
    ombudsman = models.TextField(
        "Complaining to the Local Government and Social Care Ombudsman", blank=True
    )
    # The protocol: "The customer will be advised where a divert has been applied."
    email_divert_notice = models.TextField(
        "Their emails are diverted to the single point of contact", blank=True
    )
    closing = models.TextField("Anything else", blank=True)
    sender_name = models.CharField("Signed by", max_length=200)
    sender_title = models.CharField("Job title", max_length=200, blank=True)
    # Each change to the content makes a new version; each version gets its own PDFs.
    version = models.PositiveIntegerField(default=1)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_method = models.CharField(max_length=16, choices=SendMethod.choices, blank=True)
    # When the letter went by email (the task sets it, once): the sweeper emails what has none.
    emailed_at = models.DateTimeField(null=True, blank=True)
    # The date sent is the date of notification (the protocol's appeal clock starts here).
    sent_on = models.DateField(null=True, blank=True)
    appeal_deadline = models.DateField(null=True, blank=True)
    # Who cancelled it, when and why (the letter page shows the reason).
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="cancelled")
                | models.Q(cancelled_at__isnull=False) & ~models.Q(cancelled_reason=""),
                name="letter_cancelled_with_when_and_why",
            )
        ]

    def __str__(self):
        return f"{self.reference}: {self.get_kind_display()}"

    def get_additional_data(self):
        return people_data(self)

    @property
    def reference(self) -> str:
        return f"LET-{self.pk:05d}" if self.pk else "LET-new"

    @property
    def has_questionnaire(self) -> bool:
        """The protocol: the equalities questionnaire goes with every low, medium and high letter."""
        return self.kind in QUESTIONNAIRE_KINDS


class PdfVariant(models.TextChoices):
    STANDARD = "standard", "Standard print"
    LARGE_PRINT = "large_print", "Large print"
    EASY_READ = "easy_read", "Easy read"


class LetterPdf(models.Model):
    """One PDF of one version of a letter, made by the Celery task; never two for the same version
    and variant (the database refuses a second)."""

    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, related_name="pdfs")
    version = models.PositiveIntegerField()
    variant = models.CharField(max_length=16, choices=PdfVariant.choices)
    file = models.FileField(storage=private_storage, max_length=300)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the retention schedule deleted the file (rights.retention).
    file_removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["letter", "version", "variant"]
        constraints = [
            models.UniqueConstraint(
                fields=["letter", "version", "variant"], name="one_pdf_per_letter_version"
            )
        ]

    def __str__(self):
        return f"{self.letter.reference} v{self.version} ({self.get_variant_display()})"

    def audit_person_ids(self) -> list[int]:
        return through(self, "letter")

    def get_additional_data(self):
        return people_data(self)


class Characteristic(models.TextChoices):
    """The protected characteristics (Appendix A; the Equality Act 2010)."""

    AGE = "age", "Age"
    DISABILITY = "disability", "Disability"
    GENDER_REASSIGNMENT = "gender_reassignment", "Gender reassignment"
    MARRIAGE = "marriage", "Marriage and civil partnership"
    PREGNANCY = "pregnancy", "Pregnancy and maternity"
    RACE = "race", "Race"
    RELIGION = "religion", "Religion or belief"
    SEX = "sex", "Sex"
    SEXUAL_ORIENTATION = "sexual_orientation", "Sexual orientation"


class QuestionnaireReturn(models.Model):
    """The individual's returned equalities questionnaire, as recorded by staff.

    Every answer, in their words or as a category, is special-category data: shown to the panel
    and Adult Social Care only.
    """

    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, related_name="returns")
    # The individual's own words, {characteristic: text}, as written on the form.
    answers = models.JSONField(default=dict)
    # The same answers in the categories the committee counts (``correspondence.equalities``),
    # {characteristic: category}; a characteristic not answered has no key. Returns recorded
    # before the categories existed have none: their free text is not guessed into a category.
    categories = models.JSONField("Equalities categories", default=dict, blank=True)
    underlying_issue = models.BooleanField(
        "The return reveals an underlying health issue, condition or disability", default=False
    )
    previously_known = models.BooleanField("The council knew of it before", default=False)
    issue_details = models.TextField("What the return says about it", blank=True)
    received_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-pk"]

    def __str__(self):
        return f"Questionnaire returned for {self.letter.reference}"

    def audit_person_ids(self) -> list[int]:
        return through(self, "letter")

    def get_additional_data(self):
        return people_data(self)

    @property
    def raises_new_issue(self) -> bool:
        return self.underlying_issue and not self.previously_known
