"""What every letter service shares: its error, and the one way a letter is held and checked."""

from __future__ import annotations

from correspondence.models import LETTER_GRAPH, Letter, LetterKind, LetterStatus
from correspondence.selectors import letter_refusal
from schedule.models import Entry
from ubpanel.errors import DomainError
from ubpanel.services import lock_in_status


class LetterError(DomainError):
    """The letter is not in a state where that can happen."""


def cancelled_words(letter: Letter) -> str:
    return (
        f"The letter was cancelled: it is never approved, changed or sent. "
        f"{letter.cancelled_reason}".strip()
    )


def _not_now(service: str, letter: Letter) -> str:
    """Why ``service`` cannot move the letter from where it is."""
    if letter.status == LetterStatus.CANCELLED:
        return cancelled_words(letter)
    if service == "letter_update":
        return "The letter has been sent: it cannot change."
    # Approving or sending a letter that must never go says why first.
    refused = letter_refusal(letter)
    if refused:
        return refused
    if service == "letter_approve":
        return f"The letter is {letter.get_status_display().lower()} already."
    if letter.status == LetterStatus.DRAFT:
        return "Approve the letter before sending it."
    return "The letter has been sent already."


def lock_letter(letter: Letter, service: str) -> Letter:
    """The letter, held, with its entry held first: the order a removal takes them in (the entry,
    then its letters, ``letters_cancel_for_entry``), so a letter approved or sent while its entry
    is removed waits for the removal rather than deadlocking with it, then sees it.

    Refused with LetterError unless ``LETTER_GRAPH`` lets ``service`` move it from its status, and
    when it must never go: cancelled, about a removed entry, or after a decision that sends
    nothing."""
    entry_id = Letter.objects.filter(pk=letter.pk).values_list("entry_id", flat=True).first()
    if entry_id is not None:
        list(Entry.objects.select_for_update().filter(pk=entry_id).values_list("pk"))
    letter = lock_in_status(
        letter,
        LETTER_GRAPH.sources(service),
        error=LetterError,
        refusal=lambda letter: _not_now(service, letter),
    )
    refused = letter_refusal(letter)
    if refused:
        raise LetterError(refused)
    return letter


def sender_words(letter: Letter) -> str:
    if letter.kind == LetterKind.HIGH:
        return "Legal Services approve and send high-risk letters."
    if letter.kind == LetterKind.REMOVAL:
        return "The entry's record owner (the Operations Manager) approves and sends it."
    return (
        "The Operations Manager (the referring service's manager) approves and sends this letter."
    )
