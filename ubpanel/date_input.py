"""The GOV.UK Design System date input: day, month and year boxes in a fieldset, not the browser's
native picker (which many screen readers and keyboards handle badly, and which refuses a partly
known date without saying why).

``GovukDateInput`` posts ``<name>_day``, ``<name>_month`` and ``<name>_year``; a single ISO value
posted as ``<name>`` (a test, a script) is accepted too. ``GovukDateField`` says what is wrong in
GOV.UK words naming the field ("Date of birth must include a year", "Date of birth must be a real
date"); what was typed is shown again, box by box. ``GovukFormMixin`` gives every date field that
uses the widget this field's checks, so a ModelForm's own ``DateField`` needs nothing more.
"""

from __future__ import annotations

import datetime

from django import forms

PARTS = ("day", "month", "year")


class DateParts(str):
    """What was typed in the three boxes, carried through the form as its ISO text when it makes
    one (so ``DateField`` parses it) and as the parts themselves, to be shown again."""

    parts: tuple[str, str, str]

    def __new__(cls, day: str, month: str, year: str):
        text = f"{year}-{month.zfill(2)}-{day.zfill(2)}" if day and month and year else ""
        value = super().__new__(cls, text)
        value.parts = (day, month, year)
        return value


class GovukDateInput(forms.MultiWidget):
    template_name = "forms/widgets/govuk_date.html"

    WIDTHS = {"day": 2, "month": 2, "year": 4}

    def __init__(self, attrs=None):
        box = {"inputmode": "numeric", "spellcheck": "false"}
        super().__init__({part: forms.TextInput(box) for part in PARTS}, attrs)

    def id_for_label(self, id_):
        # The error summary links a date's message to its Day box, as GOV.UK asks.
        return f"{id_}_0" if id_ else id_

    def decompress(self, value):
        if isinstance(value, DateParts):
            return list(value.parts)
        if isinstance(value, str) and value:
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]

    def value_from_datadict(self, data, files, name):
        parts = [str(data.get(f"{name}_{part}") or "").strip() for part in PARTS]
        if not any(parts) and data.get(name):
            return data.get(name)
        return DateParts(*parts)

    def value_omitted_from_data(self, data, files, name):
        return name not in data and super().value_omitted_from_data(data, files, name)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # The form's classes ("govuk-date-input--error" when the field has errors) and its
        # aria-describedby belong to the group, not to each box: the field template puts them on
        # the fieldset, and each box gets GOV.UK's own classes.
        has_error = "govuk-date-input--error" in context["widget"]["attrs"].get("class", "")
        for subwidget, part in zip(context["widget"]["subwidgets"], PARTS, strict=True):
            subwidget["attrs"].pop("aria-describedby", None)
            subwidget["attrs"]["class"] = " ".join(
                [
                    "govuk-input",
                    "govuk-date-input__input",
                    f"govuk-input--width-{self.WIDTHS[part]}",
                ]
                + (["govuk-input--error"] if has_error else [])
            )
            subwidget["part"] = part.capitalize()
        return context


class GovukDateField(forms.DateField):
    """A date typed in the three boxes, each problem named in GOV.UK words."""

    error_label = "Date"

    def to_python(self, value):
        if isinstance(value, DateParts):
            day, month, year = value.parts
            if not any(value.parts):
                return None
            name = self.error_label
            missing = [part for part, typed in zip(PARTS, value.parts, strict=True) if not typed]
            if missing:
                raise forms.ValidationError(
                    f"{name} must include a {' and '.join(missing)}", code="incomplete"
                )
            if not all(typed.isdigit() for typed in value.parts):
                raise forms.ValidationError(
                    f"{name} must be a real date, in numbers", code="invalid"
                )
            if len(year) != 4:
                raise forms.ValidationError(
                    f"{name} must include a year with 4 numbers, like 1980", code="invalid"
                )
            try:
                return datetime.date(int(year), int(month), int(day))
            except ValueError:
                raise forms.ValidationError(f"{name} must be a real date", code="invalid") from None
        try:
            return super().to_python(value)
        except forms.ValidationError:
            raise forms.ValidationError(
                f"{self.error_label} must be a real date", code="invalid"
            ) from None


def use_govuk_date_field(field: forms.Field, error_label: str) -> None:
    """Give a date field that uses the GOV.UK widget the GOV.UK checks. A ModelForm makes its own
    ``DateField`` from the model; changing its class here spares every form a ``field_classes``."""
    if isinstance(field.widget, GovukDateInput) and isinstance(field, forms.DateField):
        if not isinstance(field, GovukDateField):
            field.__class__ = GovukDateField
        field.error_label = error_label
