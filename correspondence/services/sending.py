"""Letters approved by the sender the protocol names, sent by post or email, and cancelled when
the entry comes off the schedule before they go.

Removal is never communicated to the individual (the protocol): no letter is approved or sent
about a removed entry, or after a decision in ``NO_LETTER_OUTCOMES``, whatever the decision's
letter route says (``lock_letter`` refuses it).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from correspondence import content
from correspondence.letter_pdfs import current_pdf
from correspondence.models import LETTER_GRAPH, Letter, LetterKind, LetterStatus, SendMethod
from correspondence.selectors import may_approve, may_send
from correspondence.tasks import letter_email, letter_render_pdf
from schedule.dates import appeal_deadline
from schedule.models import Entry
from schedule.services import entry_record_divert_told, entry_record_notification
from ubpanel.models import User
from ubpanel.outbox import publish_on_commit
from ubpanel.services import service

from .base import LetterError, lock_letter, sender_words


@service
def letter_approve(*, actor: User, letter: Letter) -> Letter:
    """The sender the protocol names approved the letter: the Operations Manager for a low or
    medium risk letter or a letter of expected behaviour, Legal Services for a high-risk letter.
    A letter missing anything the protocol requires cannot be approved. Its PDFs are made by a
    Celery task once the approval is committed."""
    letter = lock_letter(letter, "letter_approve")
    if not may_approve(actor, letter):
        raise PermissionDenied(sender_words(letter))
    missing = content.missing_elements(letter)
    if missing:
        raise ValidationError(
            "The letter cannot be approved: it does not say " + "; ".join(missing) + "."
        )
    letter.status = LetterStatus.APPROVED
    letter.approved_by = actor
    letter.approved_at = timezone.now()
    letter.save()
    publish_on_commit(letter_render_pdf, letter_id=letter.pk, version=letter.version)
    return letter


@service
def letter_send(*, actor: User, letter: Letter, method: str) -> Letter:
    """The sender sent the approved letter, by post or by email with the PDF attached. The date
    sent is the date of notification: the entry records it, and the 28 working days for an appeal
    run from it (England and Wales bank holidays excluded). A letter telling the individual their
    emails are diverted to the SPOC records on the entry that they were told."""
    method = SendMethod(method)
    letter = lock_letter(letter, "letter_send")
    if not may_send(actor, letter):
        raise PermissionDenied(sender_words(letter))
    if current_pdf(letter) is None:
        raise LetterError("The PDF is still being made: try again in a moment.")
    if method == SendMethod.EMAIL and not letter.recipient_email:
        raise ValidationError("There is no email address to send it to.")
    today = timezone.localdate()
    letter.status = LetterStatus.SENT
    letter.sent_by = actor
    letter.sent_method = method
    letter.sent_on = today
    # The removal letter tells them they are off the schedule: nothing to appeal, no
    # notification of an entry that is no longer there.
    notifies = letter.kind in (LetterKind.LOW_MEDIUM, LetterKind.HIGH)
    if notifies:
        letter.appeal_deadline = appeal_deadline(today)
    letter.save()
    if letter.entry_id and notifies:
        entry_record_notification(
            actor=actor, entry=letter.entry, notified_on=today, letter=letter.reference
        )
    if letter.entry_id and letter.email_divert_notice.strip():
        entry_record_divert_told(
            actor=actor, entry=letter.entry, told_on=today, letter=letter.reference
        )
    if method == SendMethod.EMAIL:
        publish_on_commit(letter_email, letter_id=letter.pk)
    return letter


def _unsent(entry: Entry) -> QuerySet[Letter]:
    """The entry's letters not sent yet, but its removal letter: that one is about the removal."""
    return Letter.objects.filter(
        entry=entry, status__in=LETTER_GRAPH.sources("letters_cancel_for_entry")
    ).exclude(kind=LetterKind.REMOVAL)


@service
def letters_cancel_for_entry(*, actor: User, entry: Entry, reason: str) -> list[Letter]:
    """The entry came off the schedule before its letter went - an emergency addition the panel
    did not ratify, a removal, an appeal upheld: every draft or approved letter about it is
    cancelled, with who, when and why, and is never approved, changed or sent. Nothing replaces
    it: removal is not communicated to the individual, unless NOTIFY_ON_REMOVAL was on when the
    entry came off the schedule (however it did: ``schedule.removal``) - and then the removal
    letter (``LetterKind.REMOVAL``) is never cancelled here. A sent letter stays as it was.

    The authority is the panel's vote or the Monitoring Officer's decision, which the caller
    checks; it runs inside the caller's transaction when there is one."""
    reason = reason.strip() or f"{entry.reference} came off the schedule before the letter went."
    letters = list(_unsent(entry).select_for_update().order_by("pk"))
    now = timezone.now()
    for letter in letters:
        letter.status = LetterStatus.CANCELLED
        letter.cancelled_by = actor
        letter.cancelled_at = now
        letter.cancelled_reason = reason
        # One save each: the audit trail records every letter cancelled.
        letter.save()
    return letters
