"""Who may see which schedule entries. Every list, search, detail, export and PDF reads through
``visible_entries(user)``; a detail view is
``get_object_or_404(visible_entries(request.user), pk=pk)``.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from ubpanel.models import User
from ubpanel.roles import APPEAL_DECIDER_ROLES, CASE_ROLES, Role, user_roles
from ubpanel.tiers import RiskTier

from .models import (
    LIVE_STATUSES,
    AccessGrant,
    AccessGrantStatus,
    AddressWarning,
    AddressWarningStatus,
    Appeal,
    AppealDecider,
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


# --- Appeals ------------------------------------------------------------------------------------

# The protocol: the panel's decision "is reviewed by the Council's Monitoring Officer (or their
# Deputy or their identified legal services representative)". In that order: someone holding two
# of these roles decides as the first.
_DECIDING_ROLES = (
    (Role.MONITORING_OFFICER, AppealDecider.MONITORING_OFFICER),
    (Role.DEPUTY_MONITORING_OFFICER, AppealDecider.DEPUTY),
)


def visible_appeals(user) -> QuerySet[Appeal]:
    """The appeals ``user`` may read: those on the entries they see, for the case roles (the
    Monitoring Officer and their Deputy, Legal Services, Assurance, the panel); nobody else any."""
    if user_roles(user) & CASE_ROLES:
        return Appeal.objects.filter(entry__in=visible_entries(user))
    return Appeal.objects.none()


def appeal_decided_as(user, appeal: Appeal | None) -> AppealDecider | None:
    """In what capacity ``user`` may decide ``appeal``: as the Monitoring Officer, as their Deputy,
    or as the legal services representative the Monitoring Officer identified for this appeal (who
    must still be in Legal Services); None for anyone else. ``appeal`` None (an entry put under
    appeal with no appeal recorded) leaves the Monitoring Officer and their Deputy."""
    roles = user_roles(user)
    for role, decided_as in _DECIDING_ROLES:
        if role in roles:
            return decided_as
    if (
        appeal is not None
        and appeal.nominated_representative_id is not None
        and appeal.nominated_representative_id == user.pk
        and Role.LEGAL_SERVICES in roles
    ):
        return AppealDecider.LEGAL_REPRESENTATIVE
    return None


def may_decide_appeal(user, appeal: Appeal | None) -> bool:
    """Who may decide this appeal: the Monitoring Officer, their Deputy, or the legal services
    representative the Monitoring Officer identified for it. Whether it is still open is the
    appeal's own question (``appeal.is_open``)."""
    return appeal_decided_as(user, appeal) is not None


def decidable_appeals(user) -> QuerySet[Appeal]:
    """The appeals ``user`` may decide (``may_decide_appeal`` as a query): every appeal they see
    for the Monitoring Officer and their Deputy, the ones nominated to them for Legal Services."""
    roles = user_roles(user)
    if roles & APPEAL_DECIDER_ROLES:
        return visible_appeals(user)
    if Role.LEGAL_SERVICES in roles:
        return visible_appeals(user).filter(nominated_representative_id=user.pk)
    return Appeal.objects.none()


def may_nominate_appeal_representative(user) -> bool:
    """Only the Monitoring Officer identifies a legal services representative to decide an appeal."""
    return Role.MONITORING_OFFICER in user_roles(user)


def nominable_appeals(user) -> QuerySet[Appeal]:
    if may_nominate_appeal_representative(user):
        return visible_appeals(user)
    return Appeal.objects.none()


def _active_in(*roles: Role) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, groups__name__in=[role.label for role in roles]
    ).distinct()


def appeal_representatives() -> QuerySet[User]:
    """Whom the Monitoring Officer may identify to decide an appeal: active Legal Services users."""
    return _active_in(Role.LEGAL_SERVICES).order_by("first_name", "last_name", "username")


def appeal_deciders() -> QuerySet[User]:
    """Who may decide any appeal, so is told of a new one: the active Monitoring Officers and
    Deputy Monitoring Officers."""
    return _active_in(*APPEAL_DECIDER_ROLES).order_by("pk")
