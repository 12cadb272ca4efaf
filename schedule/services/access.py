"""The access register: requests for access to the schedule, the panel's decisions on them
(approve, decline, re-certify, revoke), and the protocol's default access."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from schedule.models import GRANT_GRAPH, AccessGrant, AccessGrantStatus
from schedule.selectors import current_grants, may_decide_access
from ubpanel import hooks
from ubpanel.models import Service, User
from ubpanel.services import service
from ubpanel.tiers import RiskTier

from ._common import (
    AccessAlreadyHeld,
    AccessAlreadyRequested,
    grantee_locked,
    lock_for,
    long_date,
    twelve_months_after,
)

G = AccessGrantStatus

# The protocol: customer services, Directors' PAs, the complaints team and elected councillors are
# "anticipated to have likely contact" and see every tier.
DEFAULT_SERVICES_ALL_TIERS = (
    "Customer Services",
    "Directors' PAs",
    "Complaints",
    "Elected councillors",
)
DEFAULT_RATIONALE = (
    "The protocol names this service as one anticipated to have likely contact with known "
    "individuals: it sees every risk tier."
)
# Services visiting customers' addresses "may require access to Medium/High risk data only". The
# protocol names no such service, so they are not granted by default: each requests access with
# access_grant_request (the form suggests these tiers) and the panel decides.
VISITING_SERVICE_TIERS = (RiskTier.MEDIUM, RiskTier.HIGH)


def _require_chair(actor: User) -> None:
    if not may_decide_access(actor):
        raise PermissionDenied("Only the panel chair records the panel's decisions on access.")


def _clean_tiers(tiers: Iterable[str]) -> set[str]:
    chosen = set(tiers)
    unknown = chosen - set(RiskTier.values)
    if unknown or not chosen:
        raise ValidationError({"tiers": "Choose one or more risk tiers: low, medium or high."})
    return chosen


def _future(recertify_by: date) -> None:
    if recertify_by <= timezone.localdate():
        raise ValidationError({"recertify_by": "The re-certification date must be in the future."})


@service
def access_grant_request(
    *, actor: User, service_or_user: Service | User, tiers: Iterable[str], rationale: str
) -> AccessGrant:
    """A service (or a named officer) asked the panel for access to the schedule, on a risk
    assessed, need-to-know basis, giving its rationale."""
    chosen = _clean_tiers(tiers)
    if not rationale.strip():
        raise ValidationError({"rationale": "Give the risk-based rationale for the access."})
    grantee = grantee_locked(service_or_user)
    _refuse_a_second_request(service_or_user, grantee, chosen)
    grant = AccessGrant.objects.create(
        **grantee,
        **{tier: tier in chosen for tier in RiskTier.values},
        rationale=rationale.strip(),
        requested_by=actor,
    )
    # The protocol: the panel grants access on request. It goes on the next agenda.
    hooks.panel_work_waiting(actor=actor)
    return grant


def _tiers_text(tiers: Iterable[str]) -> str:
    names = [tier for tier in RiskTier.values if tier in tiers]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _refuse_a_second_request(
    service_or_user: Service | User, grantee: dict, chosen: set[str]
) -> None:
    """A request waiting for the panel, or access already held for every tier asked for, makes a
    new request pointless: say which, and when it was asked or until when it is held."""
    waiting = AccessGrant.objects.filter(**grantee, status=G.REQUESTED).order_by("pk").first()
    if waiting is not None:
        raise AccessAlreadyRequested(
            f"{service_or_user} asked for access on "
            f"{long_date(timezone.localdate(waiting.requested_at))} and the request is waiting "
            "for the panel's decision: there is no need to send another. If it needs to change, "
            "tell the Assurance team (spocassurance mailbox).",
            field="grantee",
        )
    if isinstance(service_or_user, Service):
        held = AccessGrant.objects.filter(
            service=service_or_user, status=G.APPROVED, recertify_by__gte=timezone.localdate()
        )
    else:
        held = current_grants(service_or_user)  # their own grants and their service's
    held = list(held)
    covered = {tier for grant in held for tier in grant.tiers}
    if chosen <= covered:
        until = min(g.recertify_by for g in held if chosen & set(g.tiers))
        raise AccessAlreadyHeld(
            f"{service_or_user} can already see {_tiers_text(covered)} risk entries (until "
            f"{long_date(until)} at least, when the panel re-certifies the access): there is "
            "nothing to request.",
            field="tiers",
        )


def _grant_lock(grant: AccessGrant, service_name: str, doing: str) -> AccessGrant:
    return lock_for(
        grant,
        GRANT_GRAPH,
        service_name,
        lambda grant: (
            f"The access grant for {grant.grantee} is "
            f"{grant.get_status_display().lower()}: it cannot be {doing}."
        ),
    )


@service
def access_grant_approve(
    *, actor: User, grant: AccessGrant, recertify_by: date, panel_decision=None
) -> AccessGrant:
    """The panel approved the access (recorded by the chair, or carried by the panel's vote,
    ``panel_decision``) until its re-certification date.

    Approving an approved grant again re-certifies it with a new date.
    """
    if panel_decision is None:
        _require_chair(actor)
    _future(recertify_by)
    grant = _grant_lock(grant, "access_grant_approve", "approved")
    grant.status = G.APPROVED
    grant.approved_by = actor
    grant.approved_at = timezone.now()
    grant.recertify_by = recertify_by
    grant.save()
    return grant


@service
def access_grant_decline(
    *, actor: User, grant: AccessGrant, reason: str, panel_decision=None
) -> AccessGrant:
    """The panel declined the request for access (recorded by the chair, or carried by the
    panel's vote, ``panel_decision``), with its reason."""
    if panel_decision is None:
        _require_chair(actor)
    grant = _grant_lock(grant, "access_grant_decline", "declined")
    return _close(grant, actor=actor, to=G.DECLINED, reason=reason)


@service
def access_grant_revoke(*, actor: User, grant: AccessGrant, reason: str) -> AccessGrant:
    """The panel withdrew an approved access (recorded by the chair): it stops at once."""
    _require_chair(actor)
    if not reason.strip():
        raise ValidationError(
            {"reason": "Give the panel's reason for revoking the access: the register keeps it."}
        )
    grant = _grant_lock(grant, "access_grant_revoke", "revoked")
    return _close(grant, actor=actor, to=G.REVOKED, reason=reason)


@service
def access_grant_recertify(*, actor: User, grant: AccessGrant, recertify_by: date) -> AccessGrant:
    """The panel re-certified the access (recorded by the chair): the service or officer keeps it
    until the new date. Access that lapsed on its old date is current again.

    The approval shown in the register becomes this decision; the audit trail keeps the earlier
    ones.
    """
    _require_chair(actor)
    _future(recertify_by)
    grant = _grant_lock(grant, "access_grant_recertify", "re-certified")
    grant.approved_by = actor
    grant.approved_at = timezone.now()
    grant.recertify_by = recertify_by
    grant.save()
    return grant


def _close(grant: AccessGrant, *, actor, to: AccessGrantStatus, reason: str) -> AccessGrant:
    grant.status = to
    grant.closed_by = actor
    grant.closed_at = timezone.now()
    grant.closed_reason = reason.strip()
    grant.save()
    return grant


@service
def access_grants_ensure_defaults(*, actor: User | None, recertify_by: date | None = None) -> list:
    """The protocol's default access is in the register: every tier for customer services,
    Directors' PAs, the complaints team and elected councillors. Safe to run again: a service that
    already holds a current all-tier grant gets no second one.

    Visiting services (medium and high only) are not defaults: see VISITING_SERVICE_TIERS.
    Returns the grants created.
    """
    today = timezone.localdate()
    until = recertify_by or twelve_months_after(today)
    created = []
    for name in DEFAULT_SERVICES_ALL_TIERS:
        service_, _ = Service.objects.get_or_create(name=name)
        current = AccessGrant.objects.filter(
            service=service_,
            status=G.APPROVED,
            recertify_by__gte=today,
            low=True,
            medium=True,
            high=True,
        )
        if current.exists():
            continue
        created.append(
            AccessGrant.objects.create(
                service=service_,
                low=True,
                medium=True,
                high=True,
                rationale=DEFAULT_RATIONALE,
                status=G.APPROVED,
                requested_by=actor,
                approved_by=actor,
                approved_at=timezone.now(),
                recertify_by=until,
            )
        )
    return created
