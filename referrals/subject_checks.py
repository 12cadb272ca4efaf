"""Checks on the individual's details where they are typed (the referral form, Assurance's "who it
is about"), each message beside its field in GOV.UK words naming the field. What passes is written
back in one form: ``dt11aa`` as ``DT1 1AA``, ``+44 7700 900123 ext 2`` as ``07700 900123 ext. 2``.
"""

import re

from django import forms
from django.core.validators import validate_email
from django.utils import timezone

from . import normalise, phones

# The official format of a UK postcode (the outward code, a space or none, the inward code), and
# the Girobank GIR 0AA; British Forces and overseas territories' postcodes fit it too.
UK_POSTCODE = re.compile(
    r"^(GIR ?0AA|[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPSTUW]|[A-HK-Y][0-9][ABEHMNPRVWXY]) ?[0-9][ABD-HJLNP-UW-Z]{2})$"
)


def postcode_checked(value: str) -> str:
    typed = " ".join((value or "").upper().split())
    if not typed:
        return ""
    if not UK_POSTCODE.match(typed):
        raise forms.ValidationError("Enter a real postcode, like DT1 1XJ", code="invalid_postcode")
    return normalise.postcode_display(typed)


def email_checked(value: str) -> str:
    typed = (value or "").strip()
    if not typed:
        return ""
    try:
        validate_email(typed)
    except forms.ValidationError:
        raise forms.ValidationError(
            "Enter an email address in the correct format, like name@example.com",
            code="invalid_email",
        ) from None
    return typed


def phone_checked(value: str) -> str:
    typed = (value or "").strip()
    if not typed:
        return ""
    if phones.phone_parts(typed) is None:
        raise forms.ValidationError(
            "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192",
            code="invalid_phone",
        )
    return phones.phone_display(typed)


def date_not_in_future(value, message: str):
    if value and value > timezone.localdate():
        raise forms.ValidationError(message, code="future")
    return value


class SubjectChecks:
    """Mixed into a form with the ``subject_*`` fields."""

    def clean_subject_postcode(self):
        return postcode_checked(self.cleaned_data.get("subject_postcode", ""))

    def clean_subject_email(self):
        return email_checked(self.cleaned_data.get("subject_email", ""))

    def clean_subject_phone(self):
        return phone_checked(self.cleaned_data.get("subject_phone", ""))

    def clean_subject_date_of_birth(self):
        return date_not_in_future(
            self.cleaned_data.get("subject_date_of_birth"), "Date of birth must be in the past"
        )
