"""The protocol's risk tiers: the vocabulary every app shares (referrals, the schedule, the panel, letters)."""

from django.db import models


class RiskTier(models.TextChoices):
    """The protocol's risk assessment criteria."""

    LOW = "low", "Low – vexatious"
    MEDIUM = "medium", "Medium – threatening behaviour"
    HIGH = "high", "High – violence"


TIER_DEFINITIONS = {
    RiskTier.LOW: "Causing or tending to cause annoyance, frustration, or worry. Person who uses "
    "abusive language and is generally rude.",
    RiskTier.MEDIUM: "A statement of an intention to inflict pain, injury, damage, or other hostile "
    "action on someone in retribution for something done or not done.",
    RiskTier.HIGH: "Any incident in which a person is abused, threatened or assaulted in "
    "circumstances relating to their work.",
}
