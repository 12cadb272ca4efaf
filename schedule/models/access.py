"""The access register: which services and officers may see which tiers of the schedule."""

from django.conf import settings
from django.db import models

from ubpanel.tiers import RiskTier
from ubpanel.transitions import StatusGraph


class AccessGrantStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    REVOKED = "revoked", "Revoked"


_G = AccessGrantStatus
GRANT_GRAPH = StatusGraph(
    AccessGrantStatus,
    [
        (_G.REQUESTED, _G.APPROVED, "access_grant_approve"),
        # Approving an approved grant again re-certifies it with a new date.
        (_G.APPROVED, _G.APPROVED, "access_grant_approve"),
        (_G.APPROVED, _G.APPROVED, "access_grant_recertify"),
        (_G.REQUESTED, _G.DECLINED, "access_grant_decline"),
        (_G.APPROVED, _G.REVOKED, "access_grant_revoke"),
    ],
)


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
