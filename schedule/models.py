from django.db import models

from referrals.models import Person, RiskTier


class EntryStatus(models.TextChoices):
    PENDING_RATIFICATION = "pending_ratification", "Pending ratification"
    ACTIVE = "active", "Active"
    UNDER_APPEAL = "under_appeal", "Under appeal"
    REMOVED = "removed", "Removed"


# An entry is live - staff must act on it - until the panel removes it (appeals keep it live).
LIVE_STATUSES = (
    EntryStatus.PENDING_RATIFICATION,
    EntryStatus.ACTIVE,
    EntryStatus.UNDER_APPEAL,
)


class Entry(models.Model):
    """A person's entry on the schedule. (The schedule issue adds guidance, SPOC, restrictions.)"""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="schedule_entries")
    tier = models.CharField(max_length=8, choices=RiskTier.choices)
    status = models.CharField(max_length=32, choices=EntryStatus.choices, db_index=True)
    decided_on = models.DateField(null=True, blank=True)
    review_due_on = models.DateField(null=True, blank=True)
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
