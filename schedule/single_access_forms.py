"""The forms of need-to-know access to one entry or one address: the request, and the chair's
approval matched to a record."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from ubpanel.forms import DATE_INPUT, GovukForm

from .forms import ask_for_grantee
from .models import SingleAccessKind

# What a visit usually needs: a month. The requester changes it.
DEFAULT_DAYS = 28


def _default_end():
    return timezone.localdate() + timedelta(days=DEFAULT_DAYS)


class SingleAccessRequestForm(GovukForm):
    grantee = forms.ChoiceField(label="Who needs access?", widget=forms.RadioSelect)
    kind = forms.ChoiceField(
        label="Access to what?",
        choices=SingleAccessKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether you need one person or one address"},
    )
    subject = forms.CharField(
        label="The person, or the address",
        help_text=(
            "For a person: their full name and, if you know it, their date of birth. For an "
            "address: the first line of the address. You will not be told whether they are on "
            "the schedule until the panel decides."
        ),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter the person's name or the address"},
    )
    postcode = forms.CharField(
        label="Postcode",
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "autocomplete": "off"}),
    )
    rationale = forms.CharField(
        label="Why is the access needed?",
        help_text="The risk-based rationale: the visit or contact you are to make, and when.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Give the risk-based rationale for the access"},
    )
    ends_on = forms.DateField(
        label="Access ends on",
        help_text="The last day you need it. The access stops after this date.",
        widget=DATE_INPUT,
        initial=_default_end,
        error_messages={"required": "Enter the date the access should end"},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        ask_for_grantee(self, user)
        for name in ("kind", "subject", "rationale", "ends_on"):
            self.fields[name].hide_optional = True


class ApproveSingleAccessForm(GovukForm):
    record = forms.ChoiceField(
        label="Which record is it?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the record the request is for"},
    )
    ends_on = forms.DateField(
        label="Access ends on",
        help_text="The access stops after this date.",
        widget=DATE_INPUT,
        error_messages={"required": "Enter the date the access should end"},
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {str(obj.pk): obj for obj, _ in candidates}
        self.fields["record"].choices = [(str(obj.pk), label) for obj, label in candidates]

    def clean_record(self):
        return self.candidates[self.cleaned_data["record"]]
