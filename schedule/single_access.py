"""Need-to-know access to one entry or one address: who may read and decide the requests, what the
chair may match a request to, and which grant let somebody see a record (the audit names it).

Visibility itself is ``schedule.selectors.visible_entries`` and ``visible_address_warnings``, which
read the grants' django-guardian permissions in the same single query as the tiers.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from referrals import normalise
from ubpanel.roles import CASE_ROLES, Role, user_roles

from .models import (
    SINGLE_ACCESS_GRAPH,
    AddressWarning,
    AddressWarningGroupObjectPermission,
    AddressWarningStatus,
    AddressWarningUserObjectPermission,
    Entry,
    EntryGroupObjectPermission,
    EntryUserObjectPermission,
    SingleAccessGrant,
    SingleAccessStatus,
)
from .search import search_entries
from .selectors import object_permissions, tiers_visible_to

S = SingleAccessStatus
# The chair is offered at most this many records to match a request to.
MAX_CANDIDATES = 10


def visible_single_grants(user) -> QuerySet[SingleAccessGrant]:
    """The register's need-to-know grants: the case roles see all of them; nobody else any."""
    if user_roles(user) & CASE_ROLES:
        return SingleAccessGrant.objects.all()
    return SingleAccessGrant.objects.none()


def own_single_grants(user) -> QuerySet[SingleAccessGrant]:
    """The requests and grants for ``user`` or their service, for their own request page. They
    show what was asked for and whether it was granted, never which record it was matched to."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return SingleAccessGrant.objects.none()
    mine = Q(user_id=user.pk)
    if user.service_id:
        mine |= Q(service_id=user.service_id)
    return SingleAccessGrant.objects.filter(mine)


def may_decide_single_access(user, grant: SingleAccessGrant | None = None) -> bool:
    """The chair records the panel's decision on a request for one entry or address."""
    return Role.PANEL_CHAIR in user_roles(user) and (
        grant is None
        or any(
            SINGLE_ACCESS_GRAPH.allows(grant.status, name)
            for name in ("single_access_approve", "single_access_decline")
        )
    )


def may_revoke_single_access(user, grant: SingleAccessGrant | None = None) -> bool:
    """The chair records that the panel withdrew a need-to-know grant."""
    return Role.PANEL_CHAIR in user_roles(user) and (
        grant is None or SINGLE_ACCESS_GRAPH.allows(grant.status, "single_access_revoke")
    )


def candidate_entries(chair, grant: SingleAccessGrant) -> list[Entry]:
    """Live entries the request's description may mean, best match first: search before contact
    run for the chair on what the requester typed (and the postcode, if they gave one)."""
    typed = " ".join(filter(None, [grant.subject, grant.postcode]))
    found = [r.entry for r in search_entries(chair, typed) if r.entry is not None]
    return found[:MAX_CANDIDATES]


def candidate_address_warnings(grant: SingleAccessGrant) -> list[AddressWarning]:
    """Live address warnings at the request's postcode, or whose address holds what was typed."""
    match = Q(address__icontains=grant.subject.strip()[:200])
    postcode = normalise.postcode(grant.postcode) if grant.postcode else ""
    if postcode:
        match |= Q(postcode_normalised=postcode)
    return list(
        AddressWarning.objects.filter(match, status=AddressWarningStatus.LIVE).order_by("pk")[
            :MAX_CANDIDATES
        ]
    )


def grants_used(
    user, entries: Iterable[Entry] = (), warnings: Iterable[AddressWarning] = ()
) -> list[int]:
    """The need-to-know grants that let ``user`` see these entries and address warnings: those
    their role, tiers or ownership do not already open. No query when none needs a grant; one
    query each for entries and for warnings otherwise."""
    if user_roles(user) & CASE_ROLES:
        return []
    tiers = tiers_visible_to(user)
    entries = [e for e in entries if e.tier not in tiers and e.record_owner_id != user.pk]
    warnings = [w for w in warnings if w.tier not in tiers]
    used: set[int] = set()
    for models, codename, objects in (
        ((EntryUserObjectPermission, EntryGroupObjectPermission), "view_entry", entries),
        (
            (AddressWarningUserObjectPermission, AddressWarningGroupObjectPermission),
            "view_addresswarning",
            warnings,
        ),
    ):
        pks = [obj.pk for obj in objects]
        if not pks:
            continue
        held = Q()
        for model in models:
            held |= Q(pk__in=_grant_ids(model, user, codename, pks))
        used.update(SingleAccessGrant.objects.filter(held).values_list("pk", flat=True))
    # An address warning shown because its entry was granted: that grant was used.
    on_entries = [w.entry_id for w in warnings if w.entry_id]
    if on_entries:
        held = Q()
        for model in (EntryUserObjectPermission, EntryGroupObjectPermission):
            held |= Q(pk__in=_grant_ids(model, user, "view_entry", on_entries))
        used.update(SingleAccessGrant.objects.filter(held).values_list("pk", flat=True))
    return sorted(used)


def _grant_ids(model, user, codename: str, pks: list[int]) -> QuerySet:
    ids = object_permissions(model, user, codename).filter(content_object_id__in=pks)
    return ids.filter(grant__isnull=False).values("grant_id")
