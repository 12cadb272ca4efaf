"""GOV.UK Design System rendering for every Django form.

Forms inherit ``GovukForm`` (or mix in ``GovukFormMixin``): fields render as GOV.UK form groups with
the label, hint, the error beside the field and what the user typed kept; templates put
``{% include "includes/_error_summary.html" %}`` at the top of the page.
"""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.forms.renderers import TemplatesSetting

# Dates are typed as a date field today; one widget so every form changes together.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

WIDGET_CLASSES = {
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


class GovukFormMixin:
    bound_field_class = GovukBoundField


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
