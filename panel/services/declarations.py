"""Declarations of interest, and the chair's (or the Monitoring Officer's) ruling on them."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from panel.models import UNDECIDED, AgendaItem, Ballot, Declaration, Ruling
from panel.selectors import is_panel_member, may_rule, who_rules
from ubpanel.models import User
from ubpanel.services import lock_in_status, service

from .base import PanelError


def _before_the_vote(item: AgendaItem, refusal: str) -> AgendaItem:
    """Lock ``item``: declarations and rulings are made while it waits and before its vote opens."""
    item = lock_in_status(item, UNDECIDED, error=PanelError, refusal=lambda _: refusal)
    if Ballot.objects.filter(item=item, closed_at__isnull=True).exists():
        raise PanelError(refusal)
    return item


@service
def declaration_make(*, actor: User, item: AgendaItem, interest: str) -> Declaration:
    """A member declared that they are implicated by the case or have a relationship with the
    customer that could reasonably affect their decision."""
    if not is_panel_member(actor):
        raise PermissionDenied("Only panel members (and their deputies) declare interests.")
    if not interest.strip():
        raise ValidationError("Describe the interest.")
    item = _before_the_vote(item, "Declare an interest before the vote opens.")
    try:
        with transaction.atomic():
            return Declaration.objects.create(item=item, user=actor, interest=interest.strip())
    except IntegrityError:
        raise PanelError("You have declared an interest in this item already.") from None


@service
def declaration_rule(
    *, actor: User, declaration: Declaration, exclude: bool, reason: str
) -> Declaration:
    """The chair (or, in the chair's absence, the Monitoring Officer) decided whether the member
    is excluded from the decision on that item, ideally before the meeting."""
    if not may_rule(actor, declaration):
        raise PermissionDenied(
            "The chair rules on declared interests; in the chair's absence, or on the chair's "
            "own interest, the Monitoring Officer does."
        )
    if not reason.strip():
        raise ValidationError("Give the reason for the ruling.")
    declaration = lock_in_status(declaration, related=("item__meeting",))
    _before_the_vote(declaration.item, "Rule on the interest before the vote opens.")
    declaration.ruling = Ruling.EXCLUDED if exclude else Ruling.ALLOWED
    declaration.ruling_reason = reason.strip()
    declaration.ruled_by = actor
    declaration.ruled_as = "Chair" if who_rules(declaration) == "chair" else "Monitoring Officer"
    declaration.ruled_at = timezone.now()
    declaration.save()
    return declaration
