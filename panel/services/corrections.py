"""Corrections to a closed decision record, recorded beside it."""

from django.core.exceptions import PermissionDenied, ValidationError

from panel.models import DECISION_FIELDS, Decision, DecisionCorrection, DecisionStatus, Outcome
from panel.selectors import holds_the_chair
from schedule import services as schedule_services
from ubpanel.models import User
from ubpanel.services import lock_in_status, service
from ubpanel.tiers import RiskTier

from .base import PanelError
from .proposals import CARE_SYSTEM_FIELDS

# A decision's fields that the entry holds once the decision has acted (the reasons as the entry's
# ``reason``): a correction to one of them changes the entry too.
_ENTRY_FIELD_FOR = {
    **{name: name for name in schedule_services.PANEL_DECISION_FIELDS},
    "reasons": "reason",
}


@service
def decision_correct(
    *, actor: User, decision: Decision, field: str, value, reason: str
) -> DecisionCorrection:
    """The chair corrected a closed decision record. The correction is recorded beside it with the
    old and new value and the reason. What the schedule entry holds from the decision (the tier,
    what staff must do, the SPOC and divert, the record owner, the reasons) follows the correction
    through the schedule's own service, with an event on the entry's history. The outcome was
    voted on and cannot be corrected, and nobody but the Adult Social Care representative touches
    their consultation of Mosaic."""
    if not holds_the_chair(actor):
        raise PermissionDenied("Only the chair corrects a panel decision record.")
    if field in CARE_SYSTEM_FIELDS:
        raise ValidationError(
            "The consultation of Mosaic (or another system) is the Adult Social Care "
            "representative's record: a correction cannot change it."
        )
    if field not in DECISION_FIELDS:
        raise ValidationError(f"{field} cannot be corrected.")
    if field == "outcome":
        raise ValidationError(
            "The outcome was voted on: it cannot be corrected. Put the item to a later meeting."
        )
    if field == "tier" and value not in RiskTier.values:
        raise ValidationError("Choose the corrected tier: low, medium or high.")
    limit = Decision._meta.get_field(field).max_length
    if limit and isinstance(value, str) and len(value) > limit:
        label = Decision._meta.get_field(field).verbose_name.capitalize()
        raise ValidationError({"value": f"{label} must be {limit:,} characters or fewer"})
    if not reason.strip():
        raise ValidationError("Give the reason for the correction.")
    decision = lock_in_status(
        decision,
        (DecisionStatus.FINAL,),
        error=PanelError,
        related=("item__meeting", "item__entry"),
        refusal=lambda _: "The decision is still a proposal: change it on the meeting screen.",
    )
    old = getattr(decision, field)
    setattr(decision, field, value)
    decision.save(update_fields=[field, "updated_at"])
    correction = DecisionCorrection.objects.create(
        decision=decision,
        field=field,
        old_value="" if old is None else str(old),
        new_value="" if value is None else str(value),
        reason=reason.strip(),
        corrected_by=actor,
    )
    entry = decision.item.entry
    # An addition set all of those on the entry; a ratification only the record owner.
    acted_on_entry = decision.outcome == Outcome.ADD_TO_SCHEDULE or (
        decision.outcome == Outcome.RATIFY and field == "record_owner"
    )
    if entry is not None and entry.is_live and acted_on_entry and field in _ENTRY_FIELD_FOR:
        schedule_services.entry_correct(
            actor=actor,
            entry=entry,
            field=_ENTRY_FIELD_FOR[field],
            value=value,
            note=f"Correction to the decision at {decision.item.meeting.reference}, item "
            f"{decision.item.position}: {reason.strip()}",
        )
    return correction
