"""Forms for letters and questionnaire returns. The services apply the protocol's rules."""

from django import forms

from ubpanel.forms import DATE_INPUT, GovukForm, GovukFormMixin

from .equalities import CATEGORIES
from .models import Characteristic, Letter, LetterKind, SendMethod
from .services import LETTER_FIELDS, category_refused

TEXTAREAS = {
    name: forms.Textarea(attrs={"rows": rows})
    for name, rows in (
        ("recipient_address", 4),
        ("incident_description", 6),
        ("incident_location", 2),
        ("incident_when", 2),
        ("why_unreasonable", 3),
        ("expected_behaviour", 4),
        ("cease_and_desist", 3),
        ("spoc", 3),
        ("contact_restrictions", 3),
        ("service_restrictions", 3),
        ("consequences_of_breach", 3),
        ("logging_statement", 3),
        ("review_or_appeal", 4),
        ("ombudsman", 3),
        ("email_divert_notice", 3),
        ("closing", 3),
    )
}


# Each part of a letter is at most a page or so: enough for what the protocol asks, and a letter
# whose every part is full still renders in seconds (an unbroken 20,000-character line took
# WeasyPrint 9 s, 100,000 over five minutes).
LETTER_TEXT_MAX = 2_000
LETTER_MAX_LENGTHS = {name: LETTER_TEXT_MAX for name in TEXTAREAS} | {"recipient_address": 500}


# What a removal letter says: who it goes to, that they are off the schedule, that normal contact
# arrangements apply, anything else, and who signs it.
REMOVAL_FIELDS = (
    "recipient_name",
    "recipient_address",
    "recipient_email",
    "logging_statement",
    "contact_restrictions",
    "closing",
    "sender_name",
    "sender_title",
)

# What a SPOC notice says: who it goes to, who the SPOC is and how to reach them, how the individual
# may contact the council, any email divert, anything else, and who signs it.
SPOC_NOTICE_FIELDS = (
    "recipient_name",
    "recipient_address",
    "recipient_email",
    "spoc",
    "contact_restrictions",
    "email_divert_notice",
    "closing",
    "sender_name",
    "sender_title",
)
# The fields each kind of letter keeps (the others say everything LETTER_FIELDS lists).
KIND_FIELDS = {LetterKind.REMOVAL: REMOVAL_FIELDS, LetterKind.SPOC_NOTICE: SPOC_NOTICE_FIELDS}


class LetterForm(GovukFormMixin, forms.ModelForm):
    max_lengths = LETTER_MAX_LENGTHS

    class Meta:
        model = Letter
        fields = list(LETTER_FIELDS)
        widgets = TEXTAREAS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kind = self.instance.kind
        if kind in KIND_FIELDS:
            # Off the schedule, or a SPOC appointed: nothing about the behaviour, no appeal.
            for name in list(self.fields):
                if name not in KIND_FIELDS[kind]:
                    del self.fields[name]
        if kind == LetterKind.SPOC_NOTICE:
            self.fields["spoc"].label = "The SPOC: name, service and contact details"
            self.fields["contact_restrictions"].label = "How they may contact the council"
        elif kind == LetterKind.REMOVAL:
            self.fields["logging_statement"].label = "That they are no longer on the schedule"
            self.fields[
                "contact_restrictions"
            ].label = "That the council's normal contact arrangements apply"
        elif kind != LetterKind.HIGH:
            del self.fields["cease_and_desist"]
        if kind in KIND_FIELDS:
            pass
        elif kind == LetterKind.EXPECTED_BEHAVIOUR:
            del self.fields["logging_statement"]
            del self.fields["ombudsman"]
            self.fields["review_or_appeal"].label = "How to raise a concern (optional)"
        else:
            del self.fields["expected_behaviour"]
            self.fields["review_or_appeal"].label = (
                "The process for appeal" if kind == LetterKind.HIGH else "The process for review"
            )
        # The protocol's elements: the approval step names any that are missing, so the form saves
        # a draft with gaps rather than losing what was typed.
        for field in self.fields.values():
            field.required = False
            field.hide_optional = True


class SendForm(GovukForm):
    method = forms.ChoiceField(
        label="How is it sent?",
        choices=SendMethod.choices,
        widget=forms.RadioSelect,
        help_text="Today's date is recorded as the date of notification.",
    )


class QuestionnaireReturnForm(GovukForm):
    """A returned questionnaire: each characteristic's answer in the category the committee counts
    and, where it helps, in the individual's own words; then what it says of an underlying issue."""

    received_on = forms.DateField(label="Date received", widget=DATE_INPUT)
    underlying_issue = forms.BooleanField(
        label="The return reveals an underlying health issue, condition or disability",
        required=False,
    )
    previously_known = forms.BooleanField(label="The council already knew of it", required=False)
    issue_details = forms.CharField(
        label="What the return says about it",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in Characteristic.choices:
            category = forms.ChoiceField(
                label="Category",
                choices=[("", "Not answered"), *CATEGORIES[value]],
                required=False,
                error_messages={"invalid_choice": category_refused(value)},
            )
            # "Not answered" says it is optional.
            category.hide_optional = True
            self.fields[f"category_{value}"] = category
            words = forms.CharField(label="In their words", required=False, max_length=500)
            words.error_name = f"What they wrote about {label.lower()}"
            self.fields[f"answer_{value}"] = words
        # The page's order, so the error summary lists messages as the page shows the fields.
        self.order_fields(["received_on", *self._characteristic_fields()])

    @staticmethod
    def _characteristic_fields() -> list[str]:
        return [
            name
            for value in Characteristic.values
            for name in (f"category_{value}", f"answer_{value}")
        ]

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The page's parts in order, each (legend, fields): a characteristic's category and
        words grouped under its name; the other fields each on their own (no legend)."""
        parts = [("", [self["received_on"]])]
        for value, label in Characteristic.choices:
            parts.append((label, [self[f"category_{value}"], self[f"answer_{value}"]]))
        parts.append(
            ("", [self["underlying_issue"], self["previously_known"], self["issue_details"]])
        )
        return parts

    def answers(self) -> dict[str, str]:
        return {
            value: self.cleaned_data.get(f"answer_{value}", "") for value in Characteristic.values
        }

    def categories(self) -> dict[str, str]:
        """Each characteristic's category ({characteristic: category}; "" not answered: the
        service keeps only the answered ones)."""
        return {
            value: self.cleaned_data.get(f"category_{value}", "") for value in Characteristic.values
        }
