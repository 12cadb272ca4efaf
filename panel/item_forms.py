"""Forms for the item screen: declarations, rulings, the proposal, the vote, corrections.

The services apply the protocol's rules; these gather what was typed, and the views put the
services' refusals beside the fields.
"""

from django import forms

from schedule.forms import record_owners
from schedule.models.entries import ContactRestriction
from ubpanel.forms import DATE_INPUT, GovukForm, GovukFormMixin
from ubpanel.tiers import TIER_DEFINITIONS, RiskTier

from .models import (
    DECISION_FIELDS,
    OUTCOMES_FOR,
    PERSON_KINDS,
    Decision,
    ItemKind,
    LetterRoute,
    Outcome,
    VoteChoice,
)
from .removal import not_told_hint

YES_NO = [("yes", "Yes"), ("no", "No")]


class DeclarationForm(GovukForm):
    interest = forms.CharField(
        label="Your interest in this item",
        help_text="How you are implicated by the case, or your relationship with the individual.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RulingForm(GovukForm):
    ruling = forms.ChoiceField(
        label="Your ruling",
        widget=forms.RadioSelect,
        choices=[
            ("exclude", "Exclude the member from the decision on this item"),
            ("allow", "Allow the member to take part"),
        ],
    )
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}))


class CareSystemForm(GovukForm):
    notes = forms.CharField(
        label="What the consultation of Mosaic (or another system) found",
        help_text="Only the Adult Social Care representative consults the system and records it.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class StatementForm(GovukForm):
    statement = forms.CharField(
        label="The Operations Manager's statement",
        help_text="Where papers are not available, the case for the panel in the manager's words.",
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
    )


class VoteForm(GovukForm):
    choice = forms.ChoiceField(choices=VoteChoice.choices)


class ProposalForm(GovukFormMixin, forms.ModelForm):
    """The decision record, in the protocol's order; the members vote on it as the motion."""

    meets_criteria = forms.TypedChoiceField(
        label="Does the behaviour meet the criteria for unreasonable behaviour?",
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        empty_value=None,
        widget=forms.RadioSelect,
        required=False,
    )
    tier = forms.ChoiceField(
        label="At which tier?",
        choices=RiskTier.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    outcome = forms.ChoiceField(label="Outcome", widget=forms.RadioSelect)
    restriction_kinds = forms.MultipleChoiceField(
        label="Which kinds of restriction apply?",
        help_text="Checked against the person's reasonable adjustments: a restriction that "
        "clashes with one needs a reason to go ahead.",
        choices=ContactRestriction.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    letter_route = forms.ChoiceField(
        label="Which letter",
        help_text="Leave unchosen for the protocol's default: the Operations Manager for low and "
        "medium risk, Legal Services (with a cease and desist requirement) for high risk.",
        choices=LetterRoute.choices,
        widget=forms.RadioSelect,
        required=False,
    )

    class Meta:
        model = Decision
        fields = [name for name in DECISION_FIELDS if not name.startswith("care_system")]
        widgets = {
            "health_notes": forms.Textarea(attrs={"rows": 3}),
            "how_to_respond": forms.Textarea(attrs={"rows": 3}),
            "permitted_contact": forms.Textarea(attrs={"rows": 2}),
            "contact_restrictions": forms.Textarea(attrs={"rows": 2}),
            "service_restrictions": forms.Textarea(attrs={"rows": 2}),
            "adjustment_clash_reason": forms.Textarea(attrs={"rows": 3}),
            "spoc_contact_details": forms.Textarea(attrs={"rows": 2}),
            "ward_councillors_asked": forms.Textarea(attrs={"rows": 2}),
            "ward_councillors_response": forms.Textarea(attrs={"rows": 2}),
            "reasons": forms.Textarea(attrs={"rows": 4}),
            "recertify_by": DATE_INPUT,
        }
        labels = {
            "email_divert": "Divert their emails to the SPOC",
            "ward_councillors_consulted": "The ward councillors were consulted about the divert",
            "ward_councillors_asked": "Which ward councillors were asked",
            "ward_councillors_response": "What the ward councillors said",
            "customer_told_of_divert": "The customer will be told of the divert",
        }

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, **kwargs)
        kind = ItemKind(item.kind)
        self.fields["outcome"].choices = [(o.value, o.label) for o in OUTCOMES_FOR[kind]]
        # Beside the outcomes that take someone off the schedule, with the setting that applies.
        self.fields["outcome"].choice_hints = {
            Outcome.REMOVE: not_told_hint(),
            Outcome.NOT_RATIFY: not_told_hint(),
        }
        self.fields["tier"].choice_hints = dict(TIER_DEFINITIONS)
        self.fields["record_owner"].queryset = record_owners()
        if "record_owner" in self.fields:
            self.fields["record_owner"].help_text = (
                "The Operations Manager responsible for the record (the protocol). Needed to add "
                "someone to the schedule or ratify an emergency addition, unless the entry has one."
            )
        if kind in PERSON_KINDS:
            self.fields["health_considered"].label = (
                "The panel has first considered whether the individual has any underlying health "
                "issues, conditions or disabilities"
            )
        else:
            del self.fields["health_considered"]
            del self.fields["health_notes"]
        if kind == ItemKind.ACCESS_REQUEST:
            for name in list(self.fields):
                if name not in ("outcome", "recertify_by", "reasons"):
                    del self.fields[name]
        else:
            del self.fields["recertify_by"]
        # Needed for some outcomes only: the screen lists what a proposal still lacks before the
        # vote, so "(optional)" would mislead.
        for name in ("meets_criteria", "tier", "how_to_respond", "recertify_by", "reasons"):
            if name in self.fields:
                self.fields[name].hide_optional = True
        if "restriction_kinds" in self.fields:
            # Beside the restrictions they are about, not after the email divert.
            self.order_fields(_after(list(self.fields), "service_restrictions", RESTRICTION_CHECK))
            self.fields["adjustment_clash_reason"].help_text = (
                "Needed when a restriction clashes with the person's reasonable adjustments: why "
                "the restriction goes ahead, and what is done instead."
            )
            # Needed only on a clash: "(optional)" would mislead.
            self.fields["adjustment_clash_reason"].hide_optional = True
        if self.instance.pk and self.instance.meets_criteria is not None:
            self.initial["meets_criteria"] = "yes" if self.instance.meets_criteria else "no"


# The restriction kinds and the reason for going ahead despite a clash (schedule.adjustments).
RESTRICTION_CHECK = ("restriction_kinds", "adjustment_clash_reason")


def _after(names: list[str], anchor: str, moved: tuple[str, ...]) -> list[str]:
    rest = [name for name in names if name not in moved]
    at = rest.index(anchor) + 1 if anchor in rest else len(rest)
    return [*rest[:at], *moved, *rest[at:]]


class CorrectionForm(GovukForm):
    """A correction to a closed decision: a text of the record, or the tier. The outcome was voted
    on, and the Adult Social Care representative's consultation is theirs: neither is offered."""

    field = forms.ChoiceField(label="What to correct")
    value = forms.CharField(
        label="The corrected text",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For anything but the tier.",
    )
    tier = forms.ChoiceField(
        label="The corrected tier",
        choices=RiskTier.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="For a correction to the tier.",
    )
    reason = forms.CharField(label="Why it is corrected", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        text_fields = [
            (name, Decision._meta.get_field(name).verbose_name.capitalize())
            for name in DECISION_FIELDS
            if not name.startswith("care_system")
            and (
                Decision._meta.get_field(name).get_internal_type() == "TextField"
                or name == "spoc_name"
            )
        ]
        self.fields["field"].choices = [("tier", "The tier"), *text_fields]
        self.fields["tier"].choice_hints = dict(TIER_DEFINITIONS)

    def clean(self):
        data = super().clean()
        if data.get("field") == "tier":
            if not data.get("tier"):
                self.add_error("tier", "Choose the corrected tier")
            data["value"] = data.get("tier")
        elif not data.get("field") or "value" in self.errors:
            pass  # nothing to correct yet, or the text is already refused beside the field
        elif not (data.get("value") or "").strip():
            self.add_error("value", "Enter the corrected text")
        else:
            # The record's own column may hold less than a textarea (the SPOC's name: 200).
            target = Decision._meta.get_field(data["field"])
            if target.max_length and len(data["value"]) > target.max_length:
                self.add_error(
                    "value",
                    f"{str(target.verbose_name).capitalize()} must be "
                    f"{target.max_length:,} characters or fewer",
                )
        return data
