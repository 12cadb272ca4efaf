"""Need-to-know access to one entry or one address warning: a request with its rationale and end
date, the chair's decision, and the django-guardian object permissions an approval makes.

The protocol: "other services will be granted access to the schedule on a risk assessed / need to
know basis by the Panel on request". Tier grants (``AccessGrant``) open whole tiers; these open a
single record. The requester describes whom or which address they are to visit, since they cannot
see the schedule; the chair matches it to the record when approving, so a request never tells its
requester whether someone is on the schedule.
"""

from django.conf import settings
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from ubpanel.audit_people import people_data, through
from ubpanel.transitions import StatusGraph

from .address_warnings import AddressWarning
from .permissions import GrantedPermission


class SingleAccessKind(models.TextChoices):
    ENTRY = "entry", "One person on the schedule"
    ADDRESS = "address", "One address"


class SingleAccessStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Ended"


_S = SingleAccessStatus
SINGLE_ACCESS_GRAPH = StatusGraph(
    SingleAccessStatus,
    [
        (_S.REQUESTED, _S.APPROVED, "single_access_approve"),
        (_S.REQUESTED, _S.DECLINED, "single_access_decline"),
        (_S.APPROVED, _S.REVOKED, "single_access_revoke"),
        (_S.APPROVED, _S.EXPIRED, "single_access_expire"),
    ],
)


class SingleAccessGrant(models.Model):
    """A service or a named officer may see one entry, or one address warning, until a date.

    Approved, it is one django-guardian object permission (``view_entry`` or
    ``view_addresswarning``) on the direct-FK permission tables, to the officer or to the service's
    group, each row pointing back here: the selectors read it only while the grant is approved
    and its end date has not passed, so it stops on the day even before the nightly job removes
    the rows.
    """

    service = models.ForeignKey(
        "ubpanel.Service",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="single_grants",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="single_grants",
    )
    kind = models.CharField(max_length=8, choices=SingleAccessKind.choices)
    # What the requester typed: the person (name, date of birth) or the address. It may name
    # someone, so it is masked in lists for everyone but the case roles.
    subject = models.TextField("Who or which address")
    postcode = models.CharField(max_length=10, blank=True)
    rationale = models.TextField("Risk-based rationale")
    ends_on = models.DateField("Access ends on")
    status = models.CharField(
        max_length=16, choices=SingleAccessStatus.choices, default=_S.REQUESTED, db_index=True
    )
    # The record the chair matched the request to. The grant goes with it.
    entry = models.ForeignKey(
        "schedule.Entry",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="single_grants",
    )
    address_warning = models.ForeignKey(
        "schedule.AddressWarning",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="single_grants",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Who declined, revoked or ended it, and why.
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["status", "ends_on"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(service__isnull=False, user__isnull=True)
                    | models.Q(service__isnull=True, user__isnull=False)
                ),
                name="single_access_to_a_service_or_a_user",
            ),
            models.CheckConstraint(
                condition=models.Q(entry__isnull=True) | models.Q(address_warning__isnull=True),
                name="single_access_to_one_record",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="approved")
                | models.Q(kind="entry", entry__isnull=False)
                | models.Q(kind="address", address_warning__isnull=False),
                name="single_access_approved_names_its_record",
            ),
        ]

    def __str__(self):
        return f"{self.grantee}: {self.get_kind_display().lower()} ({self.get_status_display()})"

    @property
    def grantee(self):
        return self.service if self.service_id else self.user

    @property
    def record(self):
        return self.entry if self.kind == SingleAccessKind.ENTRY else self.address_warning

    def audit_person_ids(self) -> list[int]:
        if self.entry_id:
            return through(self, "entry")
        return through(self, "address_warning")

    def get_additional_data(self):
        return people_data(self)


class AddressWarningUserObjectPermission(UserObjectPermissionBase, GrantedPermission):
    """django-guardian's per-object permission on an address warning, to one officer."""

    content_object = models.ForeignKey(AddressWarning, on_delete=models.CASCADE)


class AddressWarningGroupObjectPermission(GroupObjectPermissionBase, GrantedPermission):
    """django-guardian's per-object permission on an address warning, to a group (a service's)."""

    content_object = models.ForeignKey(AddressWarning, on_delete=models.CASCADE)
