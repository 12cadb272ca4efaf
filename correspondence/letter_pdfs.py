"""A letter's stored PDFs: made once for each version and variant (by the Celery task
``letter_render_pdf``, after approval), and found again to send or download."""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from . import pdf
from .models import Letter, LetterPdf, LetterStatus, PdfVariant
from .variants import variants_to_make


def letter_pdf_make(*, letter_id: int, version: int) -> list[LetterPdf]:
    """Make the PDFs of one version of a letter, once: standard and large print always, and the
    easy-read version when the person needs it (``correspondence.variants``).

    Idempotent: run twice, or again after a worker died part-way, it makes nothing more. The letter
    row is locked while the PDFs are made, so two runs cannot race; the file name is fixed by the
    letter, version and variant, so a file left by a run that died is overwritten, never kept
    beside a second copy; the database refuses a second row for the same version and variant.
    """

    made = []
    storage = LetterPdf._meta.get_field("file").storage
    if callable(storage):
        storage = storage()
    with transaction.atomic():
        letter = Letter.objects.select_for_update().filter(pk=letter_id).first()
        if letter is None or letter.version != version:
            return []  # changed since: the new version has its own task
        if letter.status in (LetterStatus.DRAFT, LetterStatus.CANCELLED):
            return []  # not approved yet, or never to be sent
        done = set(letter.pdfs.filter(version=version).values_list("variant", flat=True))
        for variant in variants_to_make(letter):
            if variant in done:
                continue
            rendered = pdf.letter_pdf(letter, variant)
            name = f"letters/{letter.pk}/{letter.reference}-v{version}-{variant}.pdf"
            if storage.exists(name):
                storage.delete(name)
            saved = storage.save(name, ContentFile(rendered.pdf))
            try:
                with transaction.atomic():
                    made.append(
                        LetterPdf.objects.create(
                            letter=letter,
                            version=version,
                            variant=variant,
                            file=saved,
                            sha256=hashlib.sha256(rendered.pdf).hexdigest(),
                            size=len(rendered.pdf),
                        )
                    )
            except IntegrityError:
                continue
    return made


def current_pdf(letter: Letter, variant: str = PdfVariant.STANDARD) -> LetterPdf | None:
    return letter.pdfs.filter(version=letter.version, variant=variant).first()
