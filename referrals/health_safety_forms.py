"""The Health and Safety Team's form for linking their accident/incident report to a manager's
referral that records violence; ``referrals.services.health_safety`` applies the rules."""

from django import forms

from ubpanel.forms import GovukForm

from .services.health_safety import (
    REFERENCE_MAX,
    REFERENCE_REQUIRED,
    REFERENCE_TOO_LONG,
    report_reference_clean,
)


class ReportLinkForm(GovukForm):
    reference = forms.CharField(
        label="Your accident/incident report reference",
        help_text="As it is on the accident/incident report form, like AIR-2026-0142.",
        max_length=REFERENCE_MAX,
        error_messages={"required": REFERENCE_REQUIRED, "max_length": REFERENCE_TOO_LONG},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
    )

    def clean_reference(self):
        reference, problem = report_reference_clean(self.cleaned_data["reference"])
        if problem:
            raise forms.ValidationError(problem)
        return reference
