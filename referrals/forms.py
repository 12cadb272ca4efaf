"""The referral form. Everything may be saved as a draft; the rules of the protocol apply when the
manager submits (``validate_for_submission``), and each error is shown beside its field."""

from django import forms
from django.forms import formset_factory

from ubpanel.converters import parse_id
from ubpanel.forms import DATE_INPUT, GovukForm, GovukFormMixin
from ubpanel.tiers import TIER_DEFINITIONS, RiskTier

from .evidence import evidence_check
from .models import (
    BehaviourCategory,
    HealthConcern,
    Incident,
    PoliceReport,
    Referral,
    ReferralSource,
)
from .services import INCIDENT_FIELDS, REFERRAL_FIELDS, SUBJECT_FIELDS, report_reference_clean
from .services.health_safety import REFERENCE_REQUIRED, REFERENCE_TOO_LONG, escalated_already
from .subject_checks import SubjectChecks, date_not_in_future

FOI_SAR_EXPLANATION = (
    "Contact that relates purely to information requests (Freedom of Information, Subject Access "
    "Requests) is out of scope of this protocol. Individual requests can be determined vexatious, "
    "but not the requester: the Data Protection Officer decides that with your service."
)


# Shorter than the textarea default: a postal address, and a list of names one per line.
SUBJECT_MAX_LENGTHS = {"subject_address": 500, "subject_aliases": 1_000}


class ReferralForm(SubjectChecks, GovukFormMixin, forms.ModelForm):
    max_lengths = SUBJECT_MAX_LENGTHS
    behaviour_categories = forms.MultipleChoiceField(
        label="What behaviour are you reporting?",
        help_text="Select all that apply.",
        choices=BehaviourCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    suggested_tier = forms.ChoiceField(
        label="What risk level do you suggest?",
        help_text="The panel decides; your suggestion helps it.",
        choices=RiskTier.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    health_concerns = forms.ChoiceField(
        label="Do you think the individual has underlying health issues, conditions or disabilities?",
        help_text="The panel considers these first. Only the panel, the Assurance team and Adult "
        "Social Care see what you write here.",
        choices=HealthConcern.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    police_report = forms.ChoiceField(
        label="If it may be a hate incident: has it been reported to the police?",
        choices=PoliceReport.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    foi_sar_only = forms.BooleanField(
        label="The contact is only Freedom of Information or Subject Access requests",
        required=False,
    )

    class Meta:
        model = Referral
        fields = list(REFERRAL_FIELDS)
        labels = {
            "subject_aliases": "Other names they use",
            "summary": "Why are you referring them?",
            "number_of_incidents": "How many incidents have there been?",
            "health_details": "What do you know or suspect about their health or disabilities?",
            "violence": "There was violence or aggression",
            "incident_report_reference": "Accident/incident report form reference",
            "hate_incident": "It may be a hate incident",
            "police_reference": "Police reference",
            "police_not_reported_reason": "If not reported: why not",
            "journalist": "The individual is a journalist, or publishes posts, articles or videos",
            "legal_proceedings_intimated": "The individual has intimated legal proceedings",
        }
        help_texts = {
            "subject_aliases": "One per line.",
            "subject_date_of_birth": "If you know it.",
            "summary": "How the behaviour affects staff or the service, and what you have tried.",
            "violence": "All incidents of violence, aggression and harassment must be reported on "
            "the accident/incident report form (Health and Safety route).",
            "hate_incident": "Report hate crimes to Dorset Police; if the individual affected does "
            "not want to, your service should consider doing so.",
            "journalist": "Legal Services must advise before the protocol is applied.",
            "legal_proceedings_intimated": "For example, they have said they will sue or take the "
            "council to court. The protocol: “For High risk incidents, or cases where legal "
            "proceedings have been intimated, a Legal Services representative will also be "
            "invited in an advisory capacity.”",
        }
        widgets = {
            "subject_date_of_birth": DATE_INPUT,
            "subject_aliases": forms.Textarea(attrs={"rows": 2}),
            "subject_address": forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
            "summary": forms.Textarea(attrs={"rows": 5}),
            "health_details": forms.Textarea(attrs={"rows": 3}),
            "police_not_reported_reason": forms.Textarea(attrs={"rows": 2}),
            "number_of_incidents": forms.NumberInput(
                attrs={"min": 1, "class": "govuk-input--width-4"}
            ),
            "subject_postcode": forms.TextInput(attrs={"class": "govuk-input--width-10"}),
        }

    SUBMISSION_REQUIRED = (
        "summary",
        "behaviour_categories",
        "number_of_incidents",
        "suggested_tier",
        "health_concerns",
    )

    def __init__(self, *args, escalation: bool | None = None, **kwargs):
        """``escalation``: Health and Safety escalating an accident/incident report (by default,
        when the referral is one); its reference leads the form, and is the report the violence
        flag asks for."""
        super().__init__(*args, **kwargs)
        if escalation is None:
            escalation = self.instance.source == ReferralSource.HEALTH_SAFETY
        self.escalation = escalation
        del self.fields["incident_report_reference" if escalation else "health_safety_reference"]
        for field in self.fields.values():
            field.required = False
        if escalation:
            report = self.fields["health_safety_reference"]
            report.hide_optional = True
            report.help_text = (
                "The reference on the accident/incident report form you are escalating to the "
                "panel, like AIR-2026-0142."
            )
            report.error_messages["max_length"] = REFERENCE_TOO_LONG
            report.widget.attrs.update({"class": "govuk-input--width-20", "spellcheck": "false"})
        for name in self.SUBMISSION_REQUIRED:
            self.fields[name].hide_optional = True
        self.fields["suggested_tier"].choice_hints = {
            k.value: v for k, v in TIER_DEFINITIONS.items()
        }
        self.fields["subject_given_names"].hide_optional = True
        self.fields["subject_family_name"].hide_optional = True
        count = self.fields["number_of_incidents"]
        count.min_value = 0
        count.error_messages["invalid"] = "The number of incidents must be a whole number, like 3"
        count.error_messages["min_value"] = "The number of incidents must be 0 or more"
        for name in ("subject_email", "subject_phone"):
            self.fields[name].widget.attrs.setdefault("spellcheck", "false")
        self.fields["subject_email"].widget.input_type = "email"
        self.fields["subject_phone"].widget.input_type = "tel"

    def validate_for_submission(self) -> bool:
        """The protocol's rules for a referral the panel can assess. Errors go beside the fields."""
        data = self.cleaned_data
        required = {
            "summary": "Say why you are referring them",
            "behaviour_categories": "Select the behaviour you are reporting",
            "number_of_incidents": "Enter how many incidents there have been",
            "suggested_tier": "Select the risk level you suggest",
            "health_concerns": "Say whether you think they have underlying health issues, "
            "conditions or disabilities",
        }
        for name, message in required.items():
            if not data.get(name) and name not in self.errors:
                self.add_error(name, message)
        if not (data.get("subject_given_names") or data.get("subject_family_name")):
            self.add_error("subject_family_name", "Enter the individual's name")
        if data.get("health_concerns") == HealthConcern.YES and not data.get("health_details"):
            self.add_error("health_details", "Say what you know or suspect about their health")
        if self.escalation:
            self._validate_report_reference()
        elif data.get("violence") and not data.get("incident_report_reference"):
            self.add_error(
                "incident_report_reference",
                "Enter the accident/incident report form reference: violence and aggression "
                "must be reported on the form first",
            )
        if data.get("hate_incident"):
            report = data.get("police_report")
            if not report:
                self.add_error("police_report", "Say whether it has been reported to the police")
            elif report == PoliceReport.REPORTED and not data.get("police_reference"):
                self.add_error("police_reference", "Enter the police reference")
            elif report == PoliceReport.NOT_REPORTED and not data.get("police_not_reported_reason"):
                self.add_error("police_not_reported_reason", "Say why it has not been reported")
        if data.get("foi_sar_only"):
            self.add_error("foi_sar_only", FOI_SAR_EXPLANATION)
        return not self.errors

    def clean_health_safety_reference(self):
        reference, problem = report_reference_clean(self.cleaned_data["health_safety_reference"])
        if problem and problem != REFERENCE_REQUIRED:
            raise forms.ValidationError(problem)
        return reference

    def _validate_report_reference(self) -> None:
        """An escalation names its accident/incident report, and one report is escalated once."""
        name = "health_safety_reference"
        reference = self.cleaned_data.get(name)
        if name in self.errors:
            return
        if not reference:
            self.add_error(name, REFERENCE_REQUIRED)
        elif earlier := escalated_already(reference, besides=self.instance):
            self.add_error(
                name,
                f"Accident/incident report {reference} has already been escalated to the panel, "
                f"as referral {earlier.reference}: ask the Assurance team to add to that one",
            )

    def referral_fields(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "foi_sar_only"}


class IncidentForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = Incident
        fields = list(INCIDENT_FIELDS)
        widgets = {
            "occurred_on": DATE_INPUT,
            "occurred_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "description": forms.Textarea(attrs={"rows": 4}),
            "staff_affected": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"staff_affected": "Names or roles. They are not shown to frontline staff."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.required = False
            if name in ("occurred_on", "location", "description"):
                field.hide_optional = True
        self.fields["occurred_on"].error_name = "The date of the incident"

    def clean_occurred_on(self):
        return date_not_in_future(
            self.cleaned_data.get("occurred_on"),
            "The date of the incident must be today or in the past",
        )

    def validate_for_submission(self) -> bool:
        if not self.has_changed() and not self.initial:
            return True
        for name, message in {
            "occurred_on": "Enter the date of the incident",
            "location": "Enter where it happened",
            "description": "Describe what happened",
        }.items():
            if not self.cleaned_data.get(name) and name not in self.errors:
                self.add_error(name, message)
        return not self.errors


IncidentFormSet = formset_factory(IncidentForm, extra=0, min_num=1, max_num=50)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class EvidenceForm(GovukForm):
    files = MultipleFileField(
        label="Evidence",
        help_text="Emails, letters, photos, recordings. Up to 20 MB each.",
        required=False,
        widget=MultipleFileInput(attrs={"multiple": True}),
    )

    def clean_files(self):
        uploads = self.cleaned_data["files"]
        errors = []
        for upload in uploads:
            try:
                evidence_check(upload)
            except forms.ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise forms.ValidationError(errors)
        return uploads


class ReasonForm(GovukForm):
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, label="Reason", required=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].required = required
        self.fields["reason"].error_messages["required"] = f"Enter {label[0].lower()}{label[1:]}"
        self.fields["reason"].hide_optional = required


class MergeForm(GovukForm):
    max_lengths = {"into": 30}
    into = forms.CharField(
        label="Reference of the referral to merge into", help_text="For example REF-00012"
    )
    reason = forms.CharField(
        label="Why they are duplicates", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_into(self):
        value = self.cleaned_data["into"].strip().upper().removeprefix("REF-")
        number = parse_id(value)
        if number is None:
            raise forms.ValidationError("Enter a referral reference like REF-00012")
        return number


class SubjectForm(SubjectChecks, GovukFormMixin, forms.ModelForm):
    """Assurance records who a mailbox email is about before matching them."""

    max_lengths = SUBJECT_MAX_LENGTHS

    class Meta:
        model = Referral
        fields = list(SUBJECT_FIELDS)
        widgets = {
            "subject_date_of_birth": DATE_INPUT,
            "subject_aliases": forms.Textarea(attrs={"rows": 2}),
            "subject_address": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"subject_aliases": "One per line."}

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("subject_given_names") or cleaned.get("subject_family_name")):
            self.add_error("subject_family_name", "Enter the individual's name")
        return cleaned


class LegalAdviceForm(GovukForm):
    advice = forms.CharField(
        label="Your advice",
        help_text="What the Assurance team should do, and whether and how the protocol may be "
        "applied. The Assurance team and Legal Services read it; the referring manager does not.",
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Enter your advice"},
    )


class PersonChoiceField(forms.Field):
    """A person chosen with a button: their id, or ``"new"`` where that is offered. Anything else
    (a tampered value: a NUL, 100,000 characters, an id too large for the column) is refused with
    the same message, before any query."""

    def __init__(self, *, allow_new: bool, **kwargs):
        self.allow_new = allow_new
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if self.allow_new and value == "new":
            return "new"
        number = parse_id(value)
        if number is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class PersonChoiceForm(GovukForm):
    """Which person a referral is about (the triage page's matches, the manager's suggestions)."""

    def __init__(self, *args, allow_new: bool, **kwargs):
        super().__init__(*args, **kwargs)
        choose = "Choose one of the possible matches" + (
            ", or record a new person" if allow_new else ""
        )
        self.fields["person"] = PersonChoiceField(
            allow_new=allow_new,
            label="Who the referral is about",
            error_messages={"required": choose, "invalid": choose},
        )
