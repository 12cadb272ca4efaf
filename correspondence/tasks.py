"""Letters' Celery tasks: the PDFs, the emailed letters, and a sweeper for PDFs a lost task never
made."""

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from ubpanel.jobs import scheduled_job

from .letter_pdfs import current_pdf, letter_pdf_make
from .models import Letter, LetterStatus, PdfVariant, SendMethod


@shared_task(
    bind=True,
    autoretry_for=(Exception,),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=6,
    acks_late=True,
    time_limit=120,
    soft_time_limit=90,
)
def letter_render_pdf(self, *, letter_id: int, version: int) -> int:
    """Make the PDFs of one letter version (idempotent: see ``letter_pdf_make``)."""
    return len(letter_pdf_make(letter_id=letter_id, version=version))


@scheduled_job
def letters_render_missing() -> int:
    """Queue again any approved or sent letter whose current version has no PDF yet - a task lost
    with a worker that died is made good here (run by beat every few minutes). A cancelled letter
    is never sent, so it needs none."""
    # One query however many letters have been sent: a count per letter would grow without end.
    missing = (
        Letter.objects.exclude(status__in=(LetterStatus.DRAFT, LetterStatus.CANCELLED))
        .annotate(made=Count("pdfs", filter=Q(pdfs__version=F("version"))))
        .filter(made__lt=len(PdfVariant.values))
        .values_list("pk", "version")
    )
    queued = 0
    for letter_id, version in missing:
        letter_render_pdf.delay(letter_id=letter_id, version=version)
        queued += 1
    return queued


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True)
def letter_email(*, letter_id: int) -> bool:
    """Email a sent letter to the individual with its PDF attached, once: the letter is held (SKIP
    LOCKED: another run has it) and marked emailed in the same transaction. True if this run sent
    it."""
    with transaction.atomic():
        letter = (
            Letter.objects.select_for_update(skip_locked=True)
            .filter(
                pk=letter_id,
                status=LetterStatus.SENT,
                sent_method=SendMethod.EMAIL,
                emailed_at__isnull=True,
            )
            .first()
        )
        if letter is None:
            return False
        _email(letter)
        letter.emailed_at = timezone.now()
        letter.save(update_fields=["emailed_at"])
        return True


def _email(letter: Letter) -> None:
    pdf = current_pdf(letter)
    message = EmailMessage(
        subject=f"A letter from the council ({letter.reference})",
        body=(
            f"Dear {letter.recipient_name},\n\nPlease find attached a letter from the council "
            f"(reference {letter.reference}).\n\n{letter.sender_name}\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[letter.recipient_email],
    )
    with pdf.file.open("rb") as file:
        message.attach(f"{letter.reference}.pdf", file.read(), "application/pdf")
    large = current_pdf(letter, PdfVariant.LARGE_PRINT)
    if large is not None:
        with large.file.open("rb") as file:
            message.attach(f"{letter.reference}-large-print.pdf", file.read(), "application/pdf")
    message.send()


@scheduled_job
def letters_email_unsent() -> int:
    """Email any letter sent by email that has not gone yet (its task was never queued - the broker
    was down - or was lost with a worker): run by beat every few minutes."""
    emailed = 0
    waiting = Letter.objects.filter(
        status=LetterStatus.SENT, sent_method=SendMethod.EMAIL, emailed_at__isnull=True
    ).values_list("pk", flat=True)
    for letter_id in waiting:
        emailed += letter_email(letter_id=letter_id)
    return emailed
