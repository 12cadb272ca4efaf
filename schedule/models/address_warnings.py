"""Address warnings: a specific address with its own risk tier and what staff should do there."""

from django.conf import settings
from django.db import models

from ubpanel.audit_people import people_data, through
from ubpanel.tiers import RiskTier
from ubpanel.transitions import StatusGraph

from .entries import Entry


class AddressWarningStatus(models.TextChoices):
    LIVE = "live", "Live"
    REMOVED = "removed", "Removed"


ADDRESS_WARNING_GRAPH = StatusGraph(
    AddressWarningStatus,
    [
        (AddressWarningStatus.LIVE, AddressWarningStatus.LIVE, "address_warning_update"),
        (AddressWarningStatus.LIVE, AddressWarningStatus.REMOVED, "address_warning_end"),
    ],
)


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

    def audit_person_ids(self) -> list[int]:
        return through(self, "entry")

    def get_additional_data(self):
        return people_data(self)
