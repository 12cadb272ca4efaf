"""Need-to-know access to one entry or one address: the request, the chair's decision (approve,
matched to the record, or decline), revocation, and the nightly end of grants past their date.

An approval is a django-guardian object permission on the direct-FK tables, to the officer, or to
the service's group (``Service.group``, made here the first time). Each permission row points to
its grant, so revoking or ending the grant deletes exactly its rows, each deletion audited.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from referrals import normalise
from schedule.models import (
    LIVE_STATUSES,
    SINGLE_ACCESS_GRAPH,
    AddressWarning,
    AddressWarningGroupObjectPermission,
    AddressWarningStatus,
    AddressWarningUserObjectPermission,
    Entry,
    EntryGroupObjectPermission,
    EntryUserObjectPermission,
    SingleAccessGrant,
    SingleAccessKind,
    SingleAccessStatus,
)
from schedule.single_access import may_decide_single_access, may_revoke_single_access
from ubpanel.models import Service, User
from ubpanel.outbox import notify, role_holders
from ubpanel.roles import Role
from ubpanel.services import service

from ._common import AccessAlreadyRequested, grantee_locked, lock_for, long_date
from .address_warnings import UK_POSTCODE

S = SingleAccessStatus
K = SingleAccessKind


def _check_ends_on(ends_on: date | None) -> None:
    today = timezone.localdate()
    if ends_on is None:
        raise ValidationError({"ends_on": "Enter the date the access should end"})
    if ends_on < today:
        raise ValidationError(
            {"ends_on": "The date the access ends must be today or in the future"}
        )
    longest = today + timedelta(days=settings.SINGLE_ACCESS_MAX_DAYS)
    if ends_on > longest:
        raise ValidationError(
            {
                "ends_on": f"Need-to-know access lasts at most {settings.SINGLE_ACCESS_MAX_DAYS} "
                f"days: the date the access ends must be {long_date(longest)} or earlier"
            }
        )


@service
def single_access_request(
    *,
    actor: User,
    service_or_user: Service | User,
    kind: str,
    subject: str,
    postcode: str = "",
    rationale: str,
    ends_on: date,
) -> SingleAccessGrant:
    """A service or a named officer asked the panel for access to one person's entry or to one
    address, with the risk-based rationale and the date it should end. The chair is told."""
    if kind not in K.values:
        raise ValidationError({"kind": "Choose whether you need one person or one address"})
    if not subject.strip():
        what = "the address" if kind == K.ADDRESS else "the person's name"
        raise ValidationError({"subject": f"Enter {what}"})
    if postcode.strip() and not UK_POSTCODE.fullmatch(normalise.postcode(postcode)):
        raise ValidationError({"postcode": "Enter a real postcode, like DT1 1AA"})
    if not rationale.strip():
        raise ValidationError({"rationale": "Give the risk-based rationale for the access"})
    _check_ends_on(ends_on)
    grantee = grantee_locked(service_or_user)
    waiting = SingleAccessGrant.objects.filter(
        **grantee, kind=kind, subject__iexact=subject.strip(), status=S.REQUESTED
    ).first()
    if waiting is not None:
        raise AccessAlreadyRequested(
            f"{service_or_user} asked for this on "
            f"{long_date(timezone.localdate(waiting.requested_at))} and the request is waiting "
            "for the panel's decision: there is no need to send another.",
            field="subject",
        )
    grant = SingleAccessGrant.objects.create(
        **grantee,
        kind=kind,
        subject=subject.strip(),
        postcode=normalise.postcode_display(postcode) if postcode.strip() else "",
        rationale=rationale.strip(),
        ends_on=ends_on,
        requested_by=actor,
    )
    link = settings.SITE_URL + reverse("schedule:single_access_decide", args=[grant.pk])
    notify(
        kind="single-access-requested",
        users=role_holders(Role.PANEL_CHAIR),
        subject="A request for need-to-know access waits for the panel's decision",
        body=f"A request for access to {grant.get_kind_display().lower()} waits for the panel's "
        f"decision.\n\nOpen it in ubpanel: {link}\n",
        link=link,
    )
    return grant


def _lock(grant: SingleAccessGrant, service_name: str, doing: str) -> SingleAccessGrant:
    return lock_for(
        grant,
        SINGLE_ACCESS_GRAPH,
        service_name,
        lambda grant: (
            f"The request from {grant.grantee} is {grant.get_status_display().lower()}: "
            f"it cannot be {doing}."
        ),
    )


def service_group(service_: Service) -> Group:
    """The group that stands for ``service_`` in guardian's group permissions."""
    service_ = Service.objects.select_for_update().get(pk=service_.pk)
    if service_.group_id is None:
        group, _ = Group.objects.get_or_create(name=f"Service: {service_.name}"[:150])
        service_.group = group
        service_.save(update_fields=["group"])
    return service_.group


@service
def single_access_approve(
    *,
    actor: User,
    grant: SingleAccessGrant,
    record: Entry | AddressWarning | None,
    ends_on: date,
) -> SingleAccessGrant:
    """The panel approved the request (recorded by the chair) for ``record``, the entry or address
    warning the chair matched it to, until ``ends_on``: a guardian object permission to the
    officer, or to their service's group."""
    if not may_decide_single_access(actor):
        raise PermissionDenied("Only the panel chair records the panel's decisions on access.")
    _check_ends_on(ends_on)
    grant = _lock(grant, "single_access_approve", "approved")
    wanted = Entry if grant.kind == K.ENTRY else AddressWarning
    if not isinstance(record, wanted):
        what = "entry" if grant.kind == K.ENTRY else "address warning"
        raise ValidationError({"record": f"Choose the {what} the request is for"})
    if isinstance(record, Entry) and record.status not in LIVE_STATUSES:
        raise ValidationError({"record": f"{record.reference} is not on the schedule now"})
    if isinstance(record, AddressWarning) and record.status != AddressWarningStatus.LIVE:
        raise ValidationError({"record": "That address warning has ended"})
    model, holder, permission = _permission_for(grant, record)
    held = model.objects.filter(**holder, permission=permission, content_object=record)
    for row in held.select_related("grant"):
        if row.grant is not None and row.grant.status == S.APPROVED:
            raise ValidationError(
                {
                    "record": f"{grant.grantee} already has access to this record until "
                    f"{long_date(row.grant.ends_on)}: revoke that grant first, or decline this "
                    "request"
                }
            )
        # A permission made by hand, or one whose grant has ended, gives way to the grant.
        row.delete()
    grant.status = S.APPROVED
    grant.decided_by = actor
    grant.decided_at = timezone.now()
    grant.ends_on = ends_on
    if isinstance(record, Entry):
        grant.entry = record
    else:
        grant.address_warning = record
    grant.save()
    model.objects.create(**holder, permission=permission, content_object=record, grant=grant)
    return grant


def _permission_for(grant: SingleAccessGrant, record):
    """guardian's direct-FK table, the holder (the officer, or the service's group) and the
    permission an approval of ``grant`` for ``record`` writes."""
    is_entry = isinstance(record, Entry)
    codename = "view_entry" if is_entry else "view_addresswarning"
    permission = Permission.objects.get(content_type__app_label="schedule", codename=codename)
    if grant.user_id:
        model = EntryUserObjectPermission if is_entry else AddressWarningUserObjectPermission
        return model, {"user": grant.user}, permission
    model = EntryGroupObjectPermission if is_entry else AddressWarningGroupObjectPermission
    return model, {"group": service_group(grant.service)}, permission


@service
def single_access_decline(*, actor: User, grant: SingleAccessGrant, reason: str):
    """The panel declined the request (recorded by the chair), with its reason."""
    if not may_decide_single_access(actor):
        raise PermissionDenied("Only the panel chair records the panel's decisions on access.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the panel declined the request"})
    grant = _lock(grant, "single_access_decline", "declined")
    return _close(grant, actor=actor, to=S.DECLINED, reason=reason)


@service
def single_access_revoke(*, actor: User, grant: SingleAccessGrant, reason: str):
    """The panel withdrew a need-to-know grant (recorded by the chair): it stops at once."""
    if not may_revoke_single_access(actor):
        raise PermissionDenied("Only the panel chair records the panel's decisions on access.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the panel revoked the access"})
    grant = _lock(grant, "single_access_revoke", "revoked")
    return _close(grant, actor=actor, to=S.REVOKED, reason=reason)


@service
def single_access_expire(*, actor: User | None = None, today: date | None = None) -> list:
    """End the grants whose date has passed (beat, nightly): their status says so and their
    permissions are deleted. They stopped opening anything on the day itself: the selectors read
    the date."""
    today = today or timezone.localdate()
    ended = []
    past = SingleAccessGrant.objects.filter(status=S.APPROVED, ends_on__lt=today).order_by("pk")
    for grant in past:
        grant = _lock(grant, "single_access_expire", "ended")
        ended.append(
            _close(grant, actor=actor, to=S.EXPIRED, reason=f"Ended on {long_date(grant.ends_on)}.")
        )
    return ended


def _close(grant: SingleAccessGrant, *, actor, to: SingleAccessStatus, reason: str):
    grant.status = to
    grant.closed_by = actor
    grant.closed_at = timezone.now()
    grant.closed_reason = reason.strip()
    grant.save()
    # One delete() each, so the audit trail keeps every permission removed.
    for model in (
        EntryUserObjectPermission,
        EntryGroupObjectPermission,
        AddressWarningUserObjectPermission,
        AddressWarningGroupObjectPermission,
    ):
        for permission in model.objects.filter(grant=grant):
            permission.delete()
    return grant
