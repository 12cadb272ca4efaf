"""GOV.UK Design System rendering for every Django form.

Forms inherit ``GovukForm`` (or mix in ``GovukFormMixin``): fields render as GOV.UK form groups with
the label, hint, the error beside the field and what the user typed kept; templates put
``{% include "includes/_error_summary.html" %}`` at the top of the page.

Every text field has a length limit and refuses NUL characters, each with a message naming the
field ("Address must be 500 characters or fewer"): a field without a ``max_length`` of its own gets
``SHORT_TEXT_MAX`` (one line) or ``LONG_TEXT_MAX`` (a textarea); a form lowers a limit with
``max_lengths = {"field": n}``. What was typed is shown again, whole, beside the message.
"""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core import validators
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting
from django.forms.utils import pretty_name

from .date_input import GovukDateInput, use_govuk_date_field
from .form_errors import name_errors

# Dates are typed in GOV.UK's day, month and year boxes; one widget so every form changes together
# (each form gets its own copy of a widget, so sharing the instance is safe).
DATE_INPUT = GovukDateInput()

WIDGET_CLASSES = {
    GovukDateInput: "govuk-date-input",
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.SelectMultiple: "govuk-select",
    forms.CheckboxInput: "govuk-checkboxes__input",
    forms.ClearableFileInput: "govuk-file-upload",
    forms.FileInput: "govuk-file-upload",
    forms.widgets.Input: "govuk-input",
}
ERROR_CLASSES = {
    "govuk-input": "govuk-input--error",
    "govuk-textarea": "govuk-textarea--error",
    "govuk-select": "govuk-select--error",
    "govuk-file-upload": "govuk-file-upload--error",
    "govuk-date-input": "govuk-date-input--error",
}


def _base_class(widget) -> str:
    for widget_type in type(widget).__mro__:
        if widget_type in WIDGET_CLASSES:
            return WIDGET_CLASSES[widget_type]
    return ""


class GovukBoundField(forms.BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        base = _base_class(widget)
        # The widget's own classes (a width such as govuk-input--width-10) are kept: the attrs
        # built here replace the widget's "class" rather than adding to it.
        classes = [base, widget.attrs.get("class", ""), attrs.get("class", "")]
        if self.errors and base in ERROR_CLASSES:
            classes.append(ERROR_CLASSES[base])
        attrs["class"] = " ".join(c for c in classes if c).strip()
        described_by = []
        if self.help_text:
            described_by.append(f"{self.auto_id}-hint")
        if self.errors:
            described_by.append(f"{self.auto_id}-error")
        if described_by:
            attrs["aria-describedby"] = " ".join(described_by)
        return attrs


# The limits of a text field that sets none: enough for any name, reference or heading on one
# line, and for several pages of notes in a textarea; beyond them a value is a mistake or an attack
# (a 100,000-character line fills lists, PDFs and the audit trail).
SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 10_000


def name_in_errors(field: forms.Field, name: str) -> str:
    """How a message names the field: its ``error_name`` if it has one, else its label (a question
    label is quoted: "Your answer to ‘Why is the access needed?’")."""
    given = getattr(field, "error_name", None)
    if given:
        return str(given)
    label = str(field.label or pretty_name(name)).strip().rstrip(":")
    return f"Your answer to ‘{label}’" if label.endswith("?") else label


class _FieldLength:
    """The field's length limit, with a message naming the field (read when it fails, so a label
    changed after the form was made is the one named)."""

    def __init__(self, field: forms.Field, name: str, limit: int):
        self.field, self.name, self.limit = field, name, limit

    def __call__(self, value) -> None:
        if len(value) > self.limit:
            raise ValidationError(
                f"{name_in_errors(self.field, self.name)} must be {self.limit:,} characters "
                "or fewer",
                code="max_length",
            )


class _NoNul:
    """Django refuses NUL characters ("Null characters are not allowed."); this says which field."""

    def __init__(self, field: forms.Field, name: str):
        self.field, self.name = field, name

    def __call__(self, value) -> None:
        if "\x00" in str(value):
            raise ValidationError(
                f"{name_in_errors(self.field, self.name)} must not contain a null character: "
                "remove it (it can come with text pasted from another program)",
                code="null_characters_not_allowed",
            )


def limit_text_field(field: forms.Field, name: str, limit: int | None = None) -> None:
    """Give a text field its length limit and NUL check, each with a message naming it."""
    if limit is not None:
        field.max_length = min(limit, field.max_length or limit)
    elif field.max_length is None:
        long = isinstance(field.widget, forms.Textarea)
        field.max_length = LONG_TEXT_MAX if long else SHORT_TEXT_MAX
    field.validators = [
        v
        for v in field.validators
        if not isinstance(
            v,
            validators.MaxLengthValidator
            | validators.ProhibitNullCharactersValidator
            | _FieldLength
            | _NoNul,
        )
    ]
    field.validators += [_NoNul(field, name), _FieldLength(field, name, field.max_length)]


class GovukFormMixin:
    bound_field_class = GovukBoundField
    # Lower limits than the defaults, where the data needs less: {"field name": characters}.
    max_lengths: dict[str, int] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._limit_text_fields()
        name_errors(self)

    def full_clean(self):
        # Again, for fields a subclass added after __init__ (it is idempotent).
        self._limit_text_fields()
        name_errors(self)
        super().full_clean()

    def _limit_text_fields(self) -> None:
        for name, field in self.fields.items():
            if isinstance(field, forms.CharField):
                limit_text_field(field, name, self.max_lengths.get(name))
            use_govuk_date_field(field, name_in_errors(field, name))


class GovukForm(GovukFormMixin, forms.Form):
    pass


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "forms/govuk_form.html"
    field_template_name = "forms/govuk_field.html"


class SignInForm(GovukFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is disabled. Ask the Assurance team.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["username"].widget.attrs.update(
            {"spellcheck": "false", "autocomplete": "username"}
        )
