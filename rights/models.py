"""The individual's data-protection rights (UK GDPR): legal holds that suspend the retention
schedule, subject access exports, and the record of each anonymisation the schedule made."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from referrals.models import Person
from ubpanel.audit_people import people_data
from ubpanel.made_files import ExportStatus, MadeFile  # noqa: F401 (ExportStatus: imported from here)


class LegalHold(models.Model):
    """The retention schedule is suspended for one person while the hold stands (litigation, a
    complaint to the Ombudsman or the ICO, a police matter), with the reason recorded."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="legal_holds")
    reason = models.TextField("Why the person's records must be kept")
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lift_reason = models.TextField("Why the hold is lifted", blank=True)

    class Meta:
        ordering = ["-placed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(lifted_at__isnull=True),
                name="one_standing_legal_hold_per_person",
            )
        ]

    def __str__(self):
        return f"Legal hold on person {self.person_id}"

    def get_additional_data(self):
        return people_data(self)

    @property
    def standing(self) -> bool:
        return self.lifted_at is None


class SubjectAccessExport(MadeFile):
    """Everything held about one person, as one ZIP made by a Celery task; downloaded only by the
    person who asked for it, and deleted after SUBJECT_ACCESS_EXPORT_DAYS."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="subject_exports")
    redact_staff_names = models.BooleanField(default=False)

    def __str__(self):
        return f"Subject access export {self.pk} for person {self.person_id}"

    @property
    def reference(self) -> str:
        """ "SAR-00007": how its pages, its file's name and the audit trail name the export (from
        the id alone, so a deleted export is named the same)."""
        return f"SAR-{self.pk:05d}"

    def get_additional_data(self):
        return people_data(self)


class RetentionRule(models.TextChoices):
    """Why the retention schedule acted (the periods are in settings.RETENTION)."""

    REMOVED = "removed", "Removed from the schedule long enough ago"
    CLOSED_WITHOUT_INCLUSION = "closed", "Referral closed without inclusion long enough ago"
    OUT_OF_SCOPE = "out_of_scope", "Out-of-scope referral long enough ago"
    EVIDENCE = "evidence", "Evidence files kept long enough"
    RAW_EMAIL = "raw_email", "Raw emails kept long enough"


class Anonymisation(models.Model):
    """One act of the retention schedule on one person's records: what rule, when, and how many
    of each kind of record it anonymised or deleted. Names nobody."""

    # The person anonymised; or, for a referral never linked to a person (a mailbox draft closed
    # or found out of scope), that referral alone.
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="anonymisations"
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="anonymisations",
    )
    rule = models.CharField(max_length=16, choices=RetentionRule.choices)
    acted_at = models.DateTimeField(auto_now_add=True)
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-acted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False, referral__isnull=True)
                | Q(person__isnull=True, referral__isnull=False),
                name="anonymisation_of_a_person_or_an_unlinked_referral",
            )
        ]

    def __str__(self):
        if self.person_id is None:
            return f"{self.get_rule_display()}: referral {self.referral_id}"
        return f"{self.get_rule_display()}: person {self.person_id}"

    def get_additional_data(self):
        return people_data(self)
