"""Where an entry on the schedule stands: vocabulary the referrals (matching, triage), the schedule,
the panel and the letters all use. The graph of moves between them is ``schedule.models.ENTRY_GRAPH``."""

from django.db import models


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
