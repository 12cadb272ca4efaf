"""Phone numbers parsed with ``phonenumbers`` (UK unless written with +44/00 and a country code):
``phone_parts`` gives E.164 and the extension kept apart, ``phone_display`` writes a number back,
``matching_key`` is what matching and search compare."""

import re

import phonenumbers


def phone_parts(value: str, region: str = "GB") -> tuple[str, str] | None:
    """A phone number as E.164 and its extension, parsed by ``phonenumbers`` (UK unless it starts
    with + or 00): ``07700 900123 ext 2`` -> ``("+447700900123", "2")``. None if it cannot be a
    number (too short, too long, letters)."""
    text = (value or "").strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    # "Possible" (the right length for its country), not "valid": Ofcom's drama numbers, which
    # examples and tests use, are not allocated; a local-only number needs its area code.
    reason = phonenumbers.is_possible_number_with_reason(parsed)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        return None
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return e164, parsed.extension or ""


def phone_display(value: str) -> str:
    """How a valid number is written back: UK numbers in their national form, others in the
    international one, with the extension kept (``07700 900123 ext. 2``)."""
    parts = phone_parts(value)
    if parts is None:
        return (value or "").strip()
    e164, extension = parts
    parsed = phonenumbers.parse(e164)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if parsed.country_code == 44
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    written = phonenumbers.format_number(parsed, style)
    return f"{written} ext. {extension}" if extension else written


def matching_key(value: str) -> str:
    """The number matched and searched on: UK numbers in their national form (``07700900123``),
    others as their international digits (``12025550100``); an extension is left out, never glued
    on (``07700 900123 ext 2`` is ``07700900123``). Text that is not a number keeps its digits, as
    a search for part of one does.

    ``+44 (0)7700 900123`` is written that way often enough: its bracketed 0 is not doubled.
    """
    text = (value or "").replace("(0)", "")
    digits = re.sub(r"\D", "", text)
    if digits.startswith("44") and not text.lstrip().startswith(("+", "00")) and len(digits) >= 11:
        text = "+" + digits
    parts = phone_parts(text)
    if parts is None:
        return digits
    e164 = parts[0].removeprefix("+")
    return "0" + e164[2:] if e164.startswith("44") else e164
