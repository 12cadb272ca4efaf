"""Removal is not communicated to the individual - the protocol's departure from the ICO's
guidance - made visible where removal is decided, and recorded in each removal decision.

The protocol: "Removal from the list will not be communicated to the perpetrator as this may
re-oxygenate the issues." The ICO's guidance on warning markers is to tell people. A council that
chooses the ICO's way turns on ``NOTIFY_ON_REMOVAL``; each decision to remove records which
applied when it became final (``Decision.removal_communication``), and with the setting on the
entry's record owner sends a removal letter (``correspondence``, ``LetterKind.REMOVAL``).

The words and the setting check live in ``schedule.removal``, so the schedule's own pages (an
appeal upheld, an entry's removal event) say the same; this module re-exports them.
"""

from __future__ import annotations

from schedule.removal import ICO_GUIDANCE, not_told_hint, notify_on_removal

from .models import REMOVAL_NOT_COMMUNICATED, ItemKind, Outcome
from .models.decisions import OUTCOMES_FOR, RemovalCommunication

# The outcomes that take someone off the schedule.
REMOVAL_OUTCOMES = (Outcome.REMOVE, Outcome.NOT_RATIFY)
# The kinds of item whose outcomes include a removal.
REMOVAL_KINDS = tuple(
    kind for kind in ItemKind if any(outcome in REMOVAL_OUTCOMES for outcome in OUTCOMES_FOR[kind])
)
__all__ = [
    "ICO_GUIDANCE",
    "REMOVAL_KINDS",
    "REMOVAL_OUTCOMES",
    "not_told_hint",
    "notice",
    "removal_communication",
]


def removal_communication() -> RemovalCommunication:
    """What a removal decision records as it becomes final: the setting at that moment (the same
    choice the entry's removal event records, ``schedule.removal.removal_note``)."""
    if notify_on_removal():
        return RemovalCommunication.COMMUNICATED
    return RemovalCommunication.NOT_COMMUNICATED


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
        "notify": notify_on_removal(),
        "recorded": recorded,
        "communicated": decision is not None
        and decision.removal_communication == RemovalCommunication.COMMUNICATED,
    }
