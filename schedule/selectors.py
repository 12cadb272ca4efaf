"""Who may see which schedule entries, and who may do what to them.

Every list, search, detail, export and PDF reads through ``visible_entries(user)``; a detail view is
``get_object_or_404(visible_entries(request.user), pk=pk)``.

Each guarded action has one predicate, ``may_<verb>(user, obj=None)``: the service raises
PermissionDenied with it, and views and templates use it to show the button. Without ``obj`` it
answers whether the user's roles let them do it at all (what the service checks before it locks the
row); with ``obj``, whether they may do it to that one now (its status too, which the service checks
again on the locked row and refuses with ScheduleTransitionError).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from guardian.models import UserObjectPermissionBase

from ubpanel.models import User
from ubpanel.roles import APPEAL_DECIDER_ROLES, CASE_ROLES, Role, user_roles
from ubpanel.tiers import RiskTier

from .models import (
    ADDRESS_WARNING_GRAPH,
    ENTRY_GRAPH,
    GRANT_GRAPH,
    LIVE_STATUSES,
    AccessGrant,
    AccessGrantStatus,
    AddressWarning,
    AddressWarningGroupObjectPermission,
    AddressWarningStatus,
    AddressWarningUserObjectPermission,
    Appeal,
    AppealDecider,
    Entry,
    EntryGroupObjectPermission,
    EntryStatus,
    EntryUserObjectPermission,
    SingleAccessStatus,
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
    grants allow (one query, once per user object and day: a search asks for entries and for
    address warnings, and a request's user is new every request, as ``user_roles`` is)."""
    if user_roles(user) & CASE_ROLES:
        return ALL_TIERS
    today = _today()
    cached = getattr(user, "_ubpanel_tiers", None)
    if cached is not None and cached[0] == today:
        return cached[1]
    tiers = set()
    for low, medium, high in current_grants(user).values_list("low", "medium", "high"):
        tiers.update(t for t, on in zip(RiskTier.values, (low, medium, high), strict=True) if on)
    user._ubpanel_tiers = (today, frozenset(tiers))
    return user._ubpanel_tiers[1]


def visible_entries(user) -> QuerySet[Entry]:
    """The entries ``user`` may see.

    The case roles (the panel, Assurance, Legal Services, the Monitoring Officer, Adult Social Care,
    the Director for Legal and Democratic) see every entry, live or removed. The Operations Manager
    who owns a record sees it. Everyone else sees the live entries of the tiers their service's or
    their own grants allow, plus any single entry a need-to-know grant opens to them or their
    service (a guardian object permission, ``object_permissions``). A removed entry is hidden from them: removal is not communicated, and nobody
    should act on a record the panel has taken off the schedule.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Entry.objects.none()
    if user_roles(user) & CASE_ROLES:
        return Entry.objects.all()
    tiers = tiers_visible_to(user)
    if tiers == ALL_TIERS:  # every live entry: no exception can add one
        return Entry.objects.filter(Q(record_owner_id=user.pk) | Q(status__in=LIVE_STATUSES))
    named = Q(tier__in=sorted(tiers))
    for model in (EntryUserObjectPermission, EntryGroupObjectPermission):
        named |= Q(pk__in=object_permissions(model, user, "view_entry"))
    return Entry.objects.filter(Q(record_owner_id=user.pk) | (Q(status__in=LIVE_STATUSES) & named))


def object_permissions(model, user, codename: str) -> QuerySet:
    """The ids of the objects ``user`` holds ``codename`` on in guardian's direct-FK table
    ``model``: their own permissions, or their groups' and their service's group's, while the
    need-to-know grant is approved and its end date has not passed (one made by hand, with no
    grant, until it is deleted). A subquery: the caller stays one query however many there are."""
    if issubclass(model, UserObjectPermissionBase):
        holder = Q(user_id=user.pk)
    else:
        holder = Q(group__user=user)
        if user.service_id:
            holder |= Q(group__service__pk=user.service_id)
    in_force = Q(grant__isnull=True) | Q(
        grant__status=SingleAccessStatus.APPROVED, grant__ends_on__gte=_today()
    )
    return model.objects.filter(holder, in_force, permission__codename=codename).values(
        "content_object_id"
    )


def contact_checkable_entries(user) -> QuerySet[Entry]:
    """The entries ``user`` may record a check before contact on: the live ones they see."""
    return visible_entries(user).filter(status__in=LIVE_STATUSES)


def visible_address_warnings(user) -> QuerySet[AddressWarning]:
    """Live address warnings of the tiers ``user`` sees or granted to them (and the case roles
    every one, removed too)."""
    if user_roles(user) & CASE_ROLES:
        return AddressWarning.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return AddressWarning.objects.none()
    # A tier they see, an address they were granted, or an address warning on an entry they were
    # granted: whoever may visit the person must know the risk at the person's address.
    tiers = tiers_visible_to(user)
    if tiers == ALL_TIERS:
        return AddressWarning.objects.filter(status=AddressWarningStatus.LIVE)
    seen = Q(tier__in=sorted(tiers))
    for model in (AddressWarningUserObjectPermission, AddressWarningGroupObjectPermission):
        seen |= Q(pk__in=object_permissions(model, user, "view_addresswarning"))
    for model in (EntryUserObjectPermission, EntryGroupObjectPermission):
        seen |= Q(entry_id__in=object_permissions(model, user, "view_entry"))
    return AddressWarning.objects.filter(seen, status=AddressWarningStatus.LIVE)


def can_see_narrative(user) -> bool:
    """The incident narrative and reasons: the case roles (``ubpanel.roles.CASE_ROLES``: Assurance,
    the panel and its chair, the Director for Legal and Democratic, Legal Services, the Monitoring
    Officer and their Deputy, Adult Social Care), never frontline staff or referring managers."""
    return bool(user_roles(user) & CASE_ROLES)


def visible_access_grants(user) -> QuerySet[AccessGrant]:
    """The access register - who may see the schedule and why: the case roles (the chair among
    them) see all of it; nobody else any."""
    if user_roles(user) & CASE_ROLES:
        return AccessGrant.objects.all()
    return AccessGrant.objects.none()


# --- Who may do what -----------------------------------------------------------------------------

# The chair adds someone to the schedule in an emergency; the Director for Legal and Democratic
# does when the chair is absent.
EMERGENCY_ROLES = frozenset({Role.PANEL_CHAIR, Role.DIRECTOR_LEGAL})
# Who gives a record to another Operations Manager: the chair (the Information Asset Owner) and
# the Assurance team.
RECORD_OWNER_ROLES = frozenset({Role.PANEL_CHAIR, Role.ASSURANCE_OFFICER})
# The protocol makes the "anticipated risk levels" of "specific addresses" available to staff. The
# chair (the Service Manager for Assurance, who owns the database) and the Assurance team keep
# those warnings; the other case roles read them, and frontline staff find them by searching.
ADDRESS_WARNING_ROLES = frozenset({Role.PANEL_CHAIR, Role.ASSURANCE_OFFICER})
# Who records the individual's written request: the Assurance team (the spocassurance mailbox) and
# Legal Services, who advise the Monitoring Officer. The Monitoring Officer, their Deputy or the
# legal services representative the Monitoring Officer identifies decides (may_decide_appeal).
APPEAL_RECORD_ROLES = frozenset({Role.ASSURANCE_OFFICER, Role.LEGAL_SERVICES})


def may_add_emergency(user) -> bool:
    """The chair, or the Director for Legal and Democratic (when the chair is absent, which the
    Director says on the form: ``emergency_needs_chair_absent``)."""
    return bool(user_roles(user) & EMERGENCY_ROLES)


def emergency_needs_chair_absent(user) -> bool:
    """Someone who is not the chair adds in an emergency only in the chair's absence."""
    return Role.PANEL_CHAIR not in user_roles(user)


def may_change_record_owner(user, entry: Entry | None = None) -> bool:
    """The chair and the Assurance team give a live record to another Operations Manager."""
    return bool(user_roles(user) & RECORD_OWNER_ROLES) and (
        entry is None or ENTRY_GRAPH.allows(entry.status, "entry_record_owner_set")
    )


def record_owner_changeable(user) -> QuerySet[Entry]:
    """The entries whose record owner ``user`` may change (``may_change_record_owner`` as a query)."""
    if not may_change_record_owner(user):
        return Entry.objects.none()
    return visible_entries(user).filter(
        status__in=sorted(ENTRY_GRAPH.sources("entry_record_owner_set"))
    )


def may_read_access_register(user) -> bool:
    """The access register - who may see the schedule and why: the case roles."""
    return bool(user_roles(user) & CASE_ROLES)


def may_decide_access(user, grant: AccessGrant | None = None) -> bool:
    """The chair records the panel's decisions on access: approving or declining a request,
    re-certifying approved access."""
    return Role.PANEL_CHAIR in user_roles(user) and (
        grant is None
        or any(
            GRANT_GRAPH.allows(grant.status, name)
            for name in ("access_grant_approve", "access_grant_decline")
        )
    )


def may_revoke_access(user, grant: AccessGrant | None = None) -> bool:
    """The chair records that the panel withdrew approved access."""
    return Role.PANEL_CHAIR in user_roles(user) and (
        grant is None or GRANT_GRAPH.allows(grant.status, "access_grant_revoke")
    )


def may_read_address_warnings(user) -> bool:
    """The address warnings pages (live and ended): the case roles. Frontline staff meet the live
    warnings their access covers in search results."""
    return bool(user_roles(user) & CASE_ROLES)


def may_manage_address_warning(user, warning: AddressWarning | None = None) -> bool:
    """The chair and the Assurance team add address warnings, and change or end a live one."""
    return bool(user_roles(user) & ADDRESS_WARNING_ROLES) and (
        warning is None or ADDRESS_WARNING_GRAPH.allows(warning.status, "address_warning_end")
    )


# --- Appeals ------------------------------------------------------------------------------------

# The protocol: the panel's decision "is reviewed by the Council's Monitoring Officer (or their
# Deputy or their identified legal services representative)". In that order: someone holding two
# of these roles decides as the first.
_DECIDING_ROLES = (
    (Role.MONITORING_OFFICER, AppealDecider.MONITORING_OFFICER),
    (Role.DEPUTY_MONITORING_OFFICER, AppealDecider.DEPUTY),
)


def may_read_appeals(user) -> bool:
    """The appeals list: the case roles."""
    return bool(user_roles(user) & CASE_ROLES)


def may_record_appeal(user, entry: Entry | None = None) -> bool:
    """The Assurance team and Legal Services record the individual's written appeal, against an
    active entry (one the panel has decided)."""
    return bool(user_roles(user) & APPEAL_RECORD_ROLES) and (
        entry is None or ENTRY_GRAPH.allows(entry.status, "entry_appeal_lodged")
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
    """Whether ``user`` may decide this appeal now: it is open, and they are the Monitoring
    Officer, their Deputy, or the legal services representative the Monitoring Officer identified
    for it (``appeal_decided_as``, which the service checks)."""
    is_open = appeal is None or appeal.is_open
    return is_open and appeal_decided_as(user, appeal) is not None


def decidable_appeals(user) -> QuerySet[Appeal]:
    """The appeals ``user`` is one of the deciders of, open or decided (``appeal_decided_as`` as a
    query): every appeal they see for the Monitoring Officer and their Deputy, the ones nominated
    to them for Legal Services."""
    roles = user_roles(user)
    if roles & APPEAL_DECIDER_ROLES:
        return visible_appeals(user)
    if Role.LEGAL_SERVICES in roles:
        return visible_appeals(user).filter(nominated_representative_id=user.pk)
    return Appeal.objects.none()


def may_nominate_appeal_representative(user, appeal: Appeal | None = None) -> bool:
    """Only the Monitoring Officer identifies a legal services representative to decide an appeal,
    while the appeal is open."""
    return Role.MONITORING_OFFICER in user_roles(user) and (appeal is None or appeal.is_open)


def is_appeal_representative(user) -> bool:
    """Whether ``user`` may be identified to decide an appeal: active, in Legal Services."""
    return Role.LEGAL_SERVICES in user_roles(user)


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


# --- Reviews due and overdue, emergency additions awaiting ratification (issue 13) --------------

# The overview of reviews due and overdue: the chair (the Information Asset Owner, who answers for
# records kept past the promised 12 months) and the Assurance team (who prepare the agenda).
REVIEW_OVERVIEW_ROLES = frozenset({Role.PANEL_CHAIR, Role.ASSURANCE_OFFICER})


def may_read_reviews(user) -> bool:
    """The reviews overview: the chair and the Assurance team."""
    return bool(user_roles(user) & REVIEW_OVERVIEW_ROLES)


def reviews_due(user, today: date | None = None) -> QuerySet[Entry]:
    """Active entries the user may see whose 12-month review falls due within the reminder window
    (``REVIEW_REMINDER_DAYS``), today included, and is not yet overdue; soonest first."""
    today = today or _today()
    horizon = today + timedelta(days=settings.REVIEW_REMINDER_DAYS)
    return (
        visible_entries(user)
        .filter(status=EntryStatus.ACTIVE, review_due_on__gte=today, review_due_on__lte=horizon)
        .order_by("review_due_on", "pk")
    )


def reviews_overdue(user, today: date | None = None) -> QuerySet[Entry]:
    """Active entries the user may see whose review date has passed with no decision: the record
    is kept longer than the letter promised. Longest overdue first."""
    today = today or _today()
    return (
        visible_entries(user)
        .filter(status=EntryStatus.ACTIVE, review_due_on__lt=today)
        .order_by("review_due_on", "pk")
    )


def ratifications_waiting(user) -> QuerySet[Entry]:
    """Emergency additions the user may see that are live and not yet ratified; oldest first."""
    return (
        visible_entries(user)
        .filter(status=EntryStatus.PENDING_RATIFICATION)
        .order_by("emergency_added_at", "pk")
    )


def escalation_recipients(*roles: Role) -> QuerySet[User]:
    """The active users holding any of ``roles``: whom an escalation tells."""
    return _active_in(*roles).order_by("pk")
