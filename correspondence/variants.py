"""Which versions of a letter are made, and which one the person needs (issue 14, point 4).

The standard letter is the letter of record: always made, always sent. Large print has always been
made beside it (so nothing printed today goes missing). The easy-read version is made only for a
person whose recorded reasonable adjustments call for it. What a person needs comes from their
current adjustments (``referrals.models.Adjustment`` with no ``ended_at``), through one table:
``VARIANT_FOR_NEED``.

The need behind a variant is special-category data (health, disability): the letter page tells
those who may see it that the person *needs* a version because of a recorded reasonable adjustment,
and everyone else only which version to send.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from referrals.models import Adjustment, AdjustmentNeed, Person

from .models import PdfVariant

# The one place a need turns into a version of the letter.
VARIANT_FOR_NEED = {
    AdjustmentNeed.VISUAL_IMPAIRMENT: PdfVariant.LARGE_PRINT,
    AdjustmentNeed.DYSLEXIA: PdfVariant.EASY_READ,
    AdjustmentNeed.LEARNING_DISABILITY: PdfVariant.EASY_READ,
}
# Made for every approved letter, whoever it is for.
ALWAYS_MADE = (PdfVariant.STANDARD, PdfVariant.LARGE_PRINT)
# Made only when the person needs it.
ON_NEED = tuple(v for v in PdfVariant.values if v not in ALWAYS_MADE)

# How a version is named in a sentence, a download link and a file name.
WORDS = {
    PdfVariant.STANDARD: "standard",
    PdfVariant.LARGE_PRINT: "large-print",
    PdfVariant.EASY_READ: "easy-read",
}


def needs_for(variant: str) -> list[str]:
    return [need for need, made in VARIANT_FOR_NEED.items() if made == variant]


def _needing(variant: str, person) -> Exists:
    return Exists(
        Adjustment.objects.filter(person=person, ended_at__isnull=True, need__in=needs_for(variant))
    )


def annotate_needs(letters: QuerySet, person: str = "person") -> QuerySet:
    """``letters`` with ``needs_<variant>`` for each version a need can call for, read in the same
    query (so a letter page asks nothing more of the database to offer the right version)."""
    variants = dict.fromkeys(VARIANT_FOR_NEED.values())
    return letters.annotate(
        **{f"needs_{variant}": _needing(variant, OuterRef(person)) for variant in variants}
    )


def needed_variants(letter) -> list[str]:
    """The versions of the letter the person needs, beyond the standard one, in ``PdfVariant``
    order: from the annotations of ``annotate_needs`` when the letter carries them, else one
    query."""
    variants = dict.fromkeys(VARIANT_FOR_NEED.values())
    if all(hasattr(letter, f"needs_{variant}") for variant in variants):
        needed = {variant for variant in variants if getattr(letter, f"needs_{variant}")}
    else:
        needed = person_needed_variants(letter.person_id)
    return [variant for variant in PdfVariant.values if variant in needed]


def person_needed_variants(person: Person | int) -> set[str]:
    """The versions a person's current adjustments call for. One query."""
    needs = Adjustment.objects.filter(
        person=person, ended_at__isnull=True, need__in=list(VARIANT_FOR_NEED)
    ).values_list("need", flat=True)
    return {VARIANT_FOR_NEED[need] for need in needs}


def variants_to_make(letter) -> list[str]:
    """Every version made for the letter: the standard and large print always, and what the person
    needs."""
    wanted = set(ALWAYS_MADE) | set(needed_variants(letter))
    return [variant for variant in PdfVariant.values if variant in wanted]


def variants_to_email(letter) -> list[str]:
    """What an emailed letter attaches: the standard letter (the letter of record, the same words
    the protocol's checks read) and large print as before, and the version the person needs.
    Sending the needed version alone would leave the person without the letter of record; sending
    it beside the standard one lets them, or whoever helps them, use either."""
    return variants_to_make(letter)


def offer_words(variants: list[str], *, may_see_health: bool) -> str:
    """What the letter page says about the versions the person needs; "" when none.

    To those who may see special-category data: that the person needs it because of a recorded
    reasonable adjustment. To everyone else only which version to send: the need is health."""
    if not variants:
        return ""
    names = " and ".join(WORDS[variant] for variant in variants)
    plural = "versions" if len(variants) > 1 else "version"
    send = f"send the {names} {plural}"
    if may_see_health:
        article = "an" if names[0] in "aeiou" else "a"
        return (
            f"This person needs {article} {names} letter (recorded reasonable adjustment): {send}."
        )
    return f"{send[0].upper()}{send[1:]}."
