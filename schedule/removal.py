"""Removal is not communicated to the individual - the protocol's departure from the ICO's guidance -
and the setting (``NOTIFY_ON_REMOVAL``) that makes the other choice: the words, and what each
removal records.

The protocol: "Removal from the list will not be communicated to the perpetrator as this may
re-oxygenate the issues." The ICO's guidance on warning markers is to tell people. Every way an
entry comes off the schedule - a panel decision (Remove, Not ratified), an appeal upheld, an
overdue review or an unratified emergency addition ended by their configured defaults - records on
the entry (``Entry.removal_told_by``, set by ``entry_move``) and in words in its removal event
(``removal_note``), as it happens, whether the individual is told: the setting at that moment is
what counts. A removal recorded as told waits on the letters page for
its removal letter from the record owner (``correspondence.selectors.removals_waiting_for_letters``).

The schedule's own vocabulary, so the schedule's services and pages can say it; the panel's notices
(``panel.removal``) use the same words.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import F, QuerySet

from schedule.models import Entry, RemovedBy
from ubpanel.entry_status import EntryStatus

PROTOCOL_SENTENCE = (
    "Removal from the list will not be communicated to the perpetrator as this may "
    "re-oxygenate the issues."
)
ICO_GUIDANCE = (
    "The Information Commissioner's Office's guidance on warning markers is to tell people: "
    "the protocol departs from it here."
)


# What the removal event records, at its end, as the entry comes off the schedule.
NOT_TOLD_NOTE = "Removal not communicated to the individual (the protocol)."


def told_note(removed_by: str) -> str:
    """The removal event's closing sentence when the individual is told."""
    how = RemovedBy(removed_by).label.lower()
    return (
        "Removal communicated to the individual by letter (NOTIFY_ON_REMOVAL): the record owner "
        f"sends the removal letter ({how})."
    )


def notify_on_removal() -> bool:
    """Whether this council tells the individual of a removal (the setting, now)."""
    return bool(settings.NOTIFY_ON_REMOVAL)


def removal_note(removed_by: str) -> str:
    """What the removal records, as it happens: the setting at that moment is what counts."""
    return told_note(removed_by) if notify_on_removal() else NOT_TOLD_NOTE


def with_removal_note(message: str, removed_by: str) -> str:
    """The removal event's message: the reason given, then what was recorded about telling."""
    return f"{message.strip()} {removal_note(removed_by)}".strip()


def removal_record(removed_by: str) -> dict:
    """What an entry records as it comes off the schedule (``entry_move``): how (``removed_by``,
    a ``RemovedBy`` value) when the individual is told, the setting at that moment deciding."""
    return {"removal_told_by": removed_by if notify_on_removal() else ""}


def annotate_removal_told(entries: QuerySet) -> QuerySet:
    """``entries`` with ``removal_told``: the ``RemovedBy`` value of a removal recorded as told,
    else "" (the stored choice; kept for the letters' waiting list and its callers)."""
    return entries.annotate(removal_told=F("removal_told_by"))


def entry_removal_told(entry) -> str:
    """How this entry's removal came about when the individual is told of it; "" if not removed,
    or removed without telling them."""
    # Read from the database (one query): callers often hold the entry as it was before the
    # service that removed it.
    told = Entry.objects.filter(pk=entry.pk, status=EntryStatus.REMOVED)
    return told.values_list("removal_told_by", flat=True).first() or ""


# --- The words, where removal is decided or shown -------------------------------------------------


def told_words() -> str:
    """Whether the individual will be told of a removal decided now, in one sentence."""
    if notify_on_removal():
        return (
            "The individual will be told by a removal letter from the record owner "
            "(NOTIFY_ON_REMOVAL is on), unlike the protocol."
        )
    return "The individual will not be told, and no letter can be sent (NOTIFY_ON_REMOVAL is off)."


def not_told_hint() -> str:
    """Beside an outcome that takes someone off the schedule: the setting, and the protocol."""
    if notify_on_removal():
        return (
            "The individual will be told by a removal letter from the record owner "
            f"(NOTIFY_ON_REMOVAL is on), unlike the protocol: “{PROTOCOL_SENTENCE}”"
        )
    return (
        f"The individual will not be told, and no letter can be sent. The protocol: "
        f"“{PROTOCOL_SENTENCE}”"
    )


def removal_notice(event) -> dict | None:
    """Beside an entry's removal event in its history: what the removal recorded about telling
    the individual, with the protocol's sentence and the ICO's guidance. None for other events."""
    if event.to_status != EntryStatus.REMOVED:
        return None
    removed_by = event.entry.removal_told_by  # the history is read through its entry: no query
    return {
        "protocol": PROTOCOL_SENTENCE,
        "ico": ICO_GUIDANCE,
        "told": bool(removed_by),
        "how": RemovedBy(removed_by).label if removed_by else "",
    }
