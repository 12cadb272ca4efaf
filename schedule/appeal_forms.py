"""Forms for appeals: recording the individual's written request, the decision, and the Monitoring
Officer's nomination of a legal services representative. The services apply the protocol's rules."""

from django import forms

from ubpanel.forms import DATE_INPUT, GovukForm
from ubpanel.models import User

from .models import AppealGround, AppealOutcome
from .removal import PROTOCOL_SENTENCE, notify_on_removal, told_words


class AppealForm(GovukForm):
    """The individual's written request for the Monitoring Officer to review the panel's decision."""

    received_on = forms.DateField(
        label="When did the written request arrive?",
        help_text="The date it reached the council, not the date written on it: the 28 working "
        "days for an appeal are counted to this date.",
        widget=DATE_INPUT,
        error_messages={
            "required": "Enter the date the written request arrived",
            "invalid": "Enter a real date, like 27 3 2026",
        },
    )
    grounds = forms.MultipleChoiceField(
        label="On which grounds do they ask for the review?",
        help_text="Select all the individual gives.",
        choices=AppealGround.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose the grounds the individual gives: one or more of the three"
        },
    )
    statement = forms.CharField(
        label="What does the individual say?",
        help_text="Their reasons, in their words or summarised. The Monitoring Officer reads this "
        "with the panel's decision.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter what the individual says in their request"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grounds"].hide_optional = True


def upheld_hint() -> str:
    """Beside "Upheld": the protocol does not tell the individual of a removal, the ICO's guidance
    on warning markers is to tell people, and NOTIFY_ON_REMOVAL says which this council does
    (``schedule.removal``'s words, as on the panel's proposal)."""
    if notify_on_removal():
        return (
            f"The individual comes off the schedule. {told_words()} This council tells people "
            "of a removal, as the ICO's guidance on warning markers asks, though the protocol "
            "does not: the removal letter waits on the Letters page for the record owner."
        )
    return (
        f"The individual comes off the schedule. {told_words()} Removal is never communicated "
        f"to them. The protocol: “{PROTOCOL_SENTENCE}” The ICO's guidance on warning markers "
        "is to tell people; NOTIFY_ON_REMOVAL is off."
    )


class AppealDecisionForm(GovukForm):
    outcome = forms.ChoiceField(
        label="The outcome",
        choices=AppealOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the appeal is upheld or dismissed"},
    )
    reason = forms.CharField(
        label="Your reasons",
        help_text="Kept with the appeal and the entry's history.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Give the reasons for the decision"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choice_hints = {
            AppealOutcome.UPHELD: upheld_hint(),
            AppealOutcome.DISMISSED: "The panel's decision stands: the entry is active again.",
        }
        self.fields["outcome"].hide_optional = True


class AppealRepresentativeForm(GovukForm):
    """The legal services representative the Monitoring Officer identifies to decide one appeal."""

    representative = forms.ModelChoiceField(
        label="Who in Legal Services decides this appeal?",
        help_text="They may read and decide this appeal, and are told by email. You and your "
        "Deputies still may decide it.",
        queryset=User.objects.none(),
        empty_label="Choose someone",
        error_messages={
            "required": "Choose who in Legal Services decides this appeal",
            "invalid_choice": "Choose someone in Legal Services whose account is active",
        },
    )

    def __init__(self, *args, representatives, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["representative"].queryset = representatives
