"""Forms for a person's reasonable adjustments; ``referrals.services.adjustments`` applies the
rules."""

from django import forms

from ubpanel.forms import GovukForm

from .models import Adjustment, AdjustmentNeed, AdjustmentSource


class AdjustmentForm(GovukForm):
    need = forms.ChoiceField(
        label="What is the person's need?",
        choices=AdjustmentNeed.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the person's need"},
    )
    details = forms.CharField(
        label="The adjustment the council makes",
        help_text="What staff do differently: for example, large print letters, calls through "
        "text relay, talking to their advocate. Shown only to those who may see health "
        "information.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what the council will do differently for them"},
    )
    source = forms.ChoiceField(
        label="Where did the council learn of it?",
        choices=AdjustmentSource.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where the council learnt of it"},
    )
    source_reference = forms.CharField(
        label="Reference",
        help_text="The referral (REF-00012) or the letter whose questionnaire came back "
        "(LET-00034).",
        max_length=Adjustment._meta.get_field("source_reference").max_length,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("need", "details", "source"):
            self.fields[name].hide_optional = True


class EndAdjustmentForm(GovukForm):
    reason = forms.CharField(
        label="Why does the adjustment no longer apply?",
        help_text="The ended adjustment is kept, with this reason.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the adjustment no longer applies"},
    )
