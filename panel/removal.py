"""Removal is not communicated to the individual - the protocol's departure from the ICO's
guidance - made visible where removal is decided, and recorded in each removal decision.

The protocol: "Removal from the list will not be communicated to the perpetrator as this may
re-oxygenate the issues." The ICO's guidance on warning markers is to tell people. A council that
chooses the ICO's way turns on ``NOTIFY_ON_REMOVAL``; each decision to remove records which
applied when it became final (``Decision.removal_communication``), and with the setting on the
entry's record owner sends a removal letter (``correspondence``, ``LetterKind.REMOVAL``).
"""

from __future__ import annotations

from django.conf import settings

from .models import REMOVAL_NOT_COMMUNICATED, ItemKind, Outcome
from .models.decisions import OUTCOMES_FOR, RemovalCommunication

# The outcomes that take someone off the schedule.
REMOVAL_OUTCOMES = (Outcome.REMOVE, Outcome.NOT_RATIFY)
# The kinds of item whose outcomes include a removal.
REMOVAL_KINDS = tuple(
    kind for kind in ItemKind if any(outcome in REMOVAL_OUTCOMES for outcome in OUTCOMES_FOR[kind])
)
ICO_GUIDANCE = (
    "The Information Commissioner's Office's guidance on warning markers is to tell people: "
    "the protocol departs from it here."
)


def removal_communication() -> RemovalCommunication:
    """What a removal decision records as it becomes final: the setting at that moment."""
    if settings.NOTIFY_ON_REMOVAL:
        return RemovalCommunication.COMMUNICATED
    return RemovalCommunication.NOT_COMMUNICATED


def not_told_hint() -> str:
    """Beside the outcomes that take someone off the schedule, on the proposal."""
    if settings.NOTIFY_ON_REMOVAL:
        return (
            "The individual will be told by a removal letter from the record owner "
            "(NOTIFY_ON_REMOVAL is on), unlike the protocol: "
            f"“{REMOVAL_NOT_COMMUNICATED}”"
        )
    return (
        "The individual will not be told, and no letter can be sent. The protocol: "
        f"“{REMOVAL_NOT_COMMUNICATED}”"
    )


def notice(item, decision=None, *, proposing: bool = False) -> dict | None:
    """What the removal notice says for this item, or None where nothing is being removed.

    On the proposal (``proposing``): for any item that may end in a removal. Elsewhere: when the
    decision (proposed or final) is a removal. A final decision shows what it recorded."""
    outcome = getattr(decision, "outcome", "")
    if proposing:
        if item.kind not in REMOVAL_KINDS:
            return None
    elif outcome not in REMOVAL_OUTCOMES:
        return None
    recorded = ""
    if decision is not None and decision.pk and decision.removal_communication:
        recorded = decision.get_removal_communication_display()
    return {
        "protocol": REMOVAL_NOT_COMMUNICATED,
        "ico": ICO_GUIDANCE,
        "notify": settings.NOTIFY_ON_REMOVAL,
        "recorded": recorded,
        "communicated": decision is not None
        and decision.removal_communication == RemovalCommunication.COMMUNICATED,
    }
