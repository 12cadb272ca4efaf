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
from .variants import ALWAYS_MADE, ON_NEED, WORDS, annotate_needs, variants_to_email


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
    # A version made only on need (easy read) is missing when the person needs it now.
    current = Q(pdfs__version=F("version"))
    lacking = Q(made__lt=len(ALWAYS_MADE))
    for variant in ON_NEED:
        lacking |= Q(**{f"needs_{variant}": True, f"made_{variant}": 0})
    missing = (
        annotate_needs(
            Letter.objects.exclude(status__in=(LetterStatus.DRAFT, LetterStatus.CANCELLED))
        )
        .annotate(
            made=Count("pdfs", filter=current & Q(pdfs__variant__in=ALWAYS_MADE)),
            **{
                f"made_{variant}": Count("pdfs", filter=current & Q(pdfs__variant=variant))
                for variant in ON_NEED
            },
        )
        .filter(lacking)
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
    """The standard letter, large print, and the version the person needs
    (``variants.variants_to_email``): each one made for this version is attached."""
    message = EmailMessage(
        subject=f"A letter from the council ({letter.reference})",
        body=(
            f"Dear {letter.recipient_name},\n\nPlease find attached a letter from the council "
            f"(reference {letter.reference}).\n\n{letter.sender_name}\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[letter.recipient_email],
    )
    for variant in variants_to_email(letter):
        pdf = current_pdf(letter, variant)
        if pdf is None and variant == PdfVariant.STANDARD:
            # The letter of record never goes without: retried (OSError) until it is made.
            raise FileNotFoundError(f"{letter.reference} has no standard PDF yet")
        if pdf is None:
            continue  # a need recorded after approval: the sweeper makes it for printing
        with pdf.file.open("rb") as file:
            message.attach(pdf_file_name(letter, variant), file.read(), "application/pdf")
    message.send()


def pdf_file_name(letter: Letter, variant: str, *, version: bool = False) -> str:
    """LET-00012.pdf, LET-00012-large-print.pdf, LET-00012-easy-read.pdf (with ``-v2`` after the
    reference for a download)."""
    stem = f"{letter.reference}-v{letter.version}" if version else letter.reference
    suffix = "" if variant == PdfVariant.STANDARD else f"-{WORDS[variant]}"
    return f"{stem}{suffix}.pdf"


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
