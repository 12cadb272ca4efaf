"""Address warnings: the protocol makes the "anticipated risk levels" of "specific addresses"
available to staff. The chair (the Service Manager for Assurance, who owns the database) and the
Assurance team keep them (``may_manage_address_warning``); the other case roles read them, and
frontline staff find them by searching."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from referrals import normalise
from schedule.models import ADDRESS_WARNING_GRAPH, AddressWarning, AddressWarningStatus
from schedule.selectors import may_manage_address_warning
from ubpanel.models import User
from ubpanel.services import service
from ubpanel.tiers import RiskTier

from ._common import lock_for

# A UK postcode with the spaces taken out: the outward code (area and district), then the inward.
UK_POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}")


def _require_address_warning_role(actor: User) -> None:
    if not may_manage_address_warning(actor):
        raise PermissionDenied(
            "Only the panel chair and the Assurance team add, change or end address warnings."
        )


def _warning_errors(*, tier: str, guidance: str) -> dict[str, str]:
    errors = {}
    if tier not in RiskTier.values:
        errors["tier"] = "Choose the risk tier: low, medium or high"
    if not guidance.strip():
        errors["guidance"] = "Say what staff should do at this address"
    return errors


def _warning_lock(warning: AddressWarning, service_name: str, doing: str) -> AddressWarning:
    return lock_for(
        warning,
        ADDRESS_WARNING_GRAPH,
        service_name,
        lambda warning: (
            f"The warning for {warning} has ended: it cannot be {doing}. Add a new "
            "warning if the address carries a risk again."
        ),
    )


@service
def address_warning_add(
    *, actor: User, address: str, postcode: str, tier: str, guidance: str
) -> AddressWarning:
    """A specific address carries an anticipated risk level: staff who search the address or its
    postcode before contact see its tier and what to do there, if their access covers the tier.

    Bad input raises ValidationError keyed by the field at fault (address, postcode, tier,
    guidance).
    """
    _require_address_warning_role(actor)
    errors = _warning_errors(tier=tier, guidance=guidance)
    # One line per part, whatever line endings the browser sent: it is shown joined with commas.
    address = "\n".join(line.strip() for line in address.splitlines() if line.strip())
    if not address:
        errors["address"] = "Enter the address"
    key = normalise.postcode(postcode)
    if key and not UK_POSTCODE.fullmatch(key):
        errors["postcode"] = "Enter a real postcode, like DT1 1XJ"
    if errors:
        raise ValidationError(errors)
    return AddressWarning.objects.create(
        address=address,
        postcode=normalise.postcode_display(key),
        postcode_normalised=key,
        tier=tier,
        guidance=guidance.strip(),
        created_by=actor,
    )


@service
def address_warning_update(
    *, actor: User, warning: AddressWarning, tier: str, guidance: str
) -> AddressWarning:
    """The risk at the address was assessed again: its tier, or what staff should do there, changed.

    Only a live warning changes; the audit trail keeps what it said before.
    """
    _require_address_warning_role(actor)
    errors = _warning_errors(tier=tier, guidance=guidance)
    if errors:
        raise ValidationError(errors)
    warning = _warning_lock(warning, "address_warning_update", "changed")
    warning.tier = tier
    warning.guidance = guidance.strip()
    warning.save()
    return warning


@service
def address_warning_end(*, actor: User, warning: AddressWarning, reason: str) -> AddressWarning:
    """The address no longer carries the risk: the warning comes off the schedule and staff who
    search the address stop seeing it. The case roles still see it, ended, with the reason.
    """
    _require_address_warning_role(actor)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the warning is ending"})
    warning = _warning_lock(warning, "address_warning_end", "ended")
    warning.status = AddressWarningStatus.REMOVED
    warning.ended_by = actor
    warning.ended_at = timezone.now()
    warning.ended_reason = reason.strip()
    warning.save()
    return warning
