"""Who may see which schedule entries. Every list, search, detail, export and PDF reads through
``visible_entries(user)``; a detail view is
``get_object_or_404(visible_entries(request.user), pk=pk)``.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from referrals.models import RiskTier
from ubpanel.roles import CASE_ROLES, user_roles

from .models import (
    LIVE_STATUSES,
    AccessGrant,
    AccessGrantStatus,
    AddressWarning,
    AddressWarningStatus,
    Entry,
    EntryGroupObjectPermission,
    EntryUserObjectPermission,
)

ALL_TIERS = frozenset(RiskTier.values)


def _today() -> date:
    return timezone.localdate()


def current_grants(user) -> QuerySet[AccessGrant]:
    """The approved, unexpired grants that reach ``user``: their own, and their service's."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return AccessGrant.objects.none()
    to_user = Q(user_id=user.pk)
    if user.service_id:
        to_user |= Q(service_id=user.service_id)
    return AccessGrant.objects.filter(
        to_user, status=AccessGrantStatus.APPROVED, recertify_by__gte=_today()
    )


def tiers_visible_to(user) -> frozenset[str]:
    """The risk tiers ``user`` may see: every tier for the case roles; otherwise what their
    grants allow (one query)."""
    if user_roles(user) & CASE_ROLES:
        return ALL_TIERS
    tiers = set()
    for low, medium, high in current_grants(user).values_list("low", "medium", "high"):
        tiers.update(t for t, on in zip(RiskTier.values, (low, medium, high), strict=True) if on)
    return frozenset(tiers)


def visible_entries(user) -> QuerySet[Entry]:
    """The entries ``user`` may see.

    The case roles (the panel, Assurance, Legal Services, the Monitoring Officer, Adult Social Care,
    the Director for Legal and Democratic) see every entry, live or removed. The Operations Manager
    who owns a record sees it. Everyone else sees the live entries of the tiers their service's or
    their own grants allow, plus any single entry they were named on (a guardian per-entry
    permission). A removed entry is hidden from them: removal is not communicated, and nobody
    should act on a record the panel has taken off the schedule.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Entry.objects.none()
    if user_roles(user) & CASE_ROLES:
        return Entry.objects.all()
    tiers = tiers_visible_to(user)
    named = EntryUserObjectPermission.objects.filter(
        user_id=user.pk, permission__codename="view_entry"
    ).values("content_object_id")
    named_group = EntryGroupObjectPermission.objects.filter(
        group__user=user, permission__codename="view_entry"
    ).values("content_object_id")
    frontline = Q(tier__in=sorted(tiers)) | Q(pk__in=named) | Q(pk__in=named_group)
    return Entry.objects.filter(
        Q(record_owner_id=user.pk) | (Q(status__in=LIVE_STATUSES) & frontline)
    )


def visible_address_warnings(user) -> QuerySet[AddressWarning]:
    """Address warnings of the tiers ``user`` may see; only the case roles see removed ones."""
    if user_roles(user) & CASE_ROLES:
        return AddressWarning.objects.all()
    tiers = tiers_visible_to(user)
    if not tiers:
        return AddressWarning.objects.none()
    return AddressWarning.objects.filter(tier__in=sorted(tiers), status=AddressWarningStatus.LIVE)


def can_see_narrative(user) -> bool:
    """The incident narrative and reasons: the panel, Legal Services and Adult Social Care (the
    case roles), never frontline staff."""
    return bool(user_roles(user) & CASE_ROLES)


def visible_access_grants(user) -> QuerySet[AccessGrant]:
    """The access register - who may see the schedule and why: the case roles (the chair among
    them) see all of it; nobody else any."""
    if user_roles(user) & CASE_ROLES:
        return AccessGrant.objects.all()
    return AccessGrant.objects.none()
