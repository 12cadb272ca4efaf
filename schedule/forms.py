"""Forms for emergency additions, record owners, the access register and address warnings (appeals'
are in ``appeal_forms``). The services apply the protocol's rules; these only gather what was
typed, and the views put the services' refusals beside the fields."""

from django import forms
from django.utils import timezone

from referrals import normalise
from referrals.models import BehaviourCategory
from ubpanel.forms import DATE_INPUT, GovukForm
from ubpanel.models import User
from ubpanel.roles import Role
from ubpanel.tiers import TIER_DEFINITIONS, RiskTier

from .models.entries import ContactRestriction
from .services import twelve_months_after

NEW_PERSON = "new"


# A postal address needs far less than the textarea default.
ADDRESS_MAX_LENGTH = 500


class EmergencyAdditionForm(GovukForm):
    max_lengths = {"address": ADDRESS_MAX_LENGTH}
    """Who the individual is (a match among known people, or a new person) and what staff must do.

    ``person`` is a choice of the candidates found for the name typed, or ``new``.
    """

    given_names = forms.CharField(label="Given names", max_length=200, required=False)
    family_name = forms.CharField(label="Family name", max_length=200, required=False)
    date_of_birth = forms.DateField(
        label="Date of birth", required=False, widget=DATE_INPUT, help_text="If you know it."
    )
    address = forms.CharField(
        label="Address", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )
    person = forms.ChoiceField(
        label="Who is it?",
        help_text="A person already known to the panel, or a new person from the details above.",
        widget=forms.RadioSelect,
        required=False,
    )
    reason = forms.CharField(
        label="Why the behaviour is unreasonable and they must be added at once, as high risk",
        help_text="Legal Services' letter says this to the individual. Frontline staff never see "
        "it.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    internal_notes = forms.CharField(
        label="Internal notes for the panel",
        help_text="Police references, anything the individual must not read. Never copied into "
        "a letter. Frontline staff never see it.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    record_owner = forms.ModelChoiceField(
        label="Record owner",
        help_text="The Operations Manager responsible for the record (the protocol).",
        queryset=User.objects.none(),
        empty_label="Choose an Operations Manager",
        error_messages={"required": "Choose the record owner: the Operations Manager responsible"},
    )
    guidance = forms.CharField(
        label="How staff should respond",
        help_text="What every member of staff must do if this person makes contact.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    permitted_contact = forms.CharField(
        label="Permitted means of contact",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    restriction_kinds = forms.MultipleChoiceField(
        label="Which kinds of restriction apply?",
        help_text="Checked against the person's reasonable adjustments: a restriction that "
        "clashes with one needs a reason to go ahead.",
        choices=ContactRestriction.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    adjustment_clash_reason = forms.CharField(
        label="Why the restrictions go ahead despite the person's needs",
        help_text="Needed when a restriction clashes with a reasonable adjustment recorded for "
        "the person: why it goes ahead, and what is done instead.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    chair_absent = forms.BooleanField(
        label="The chair is absent",
        help_text="The Director for Legal and Democratic makes emergency additions only when the "
        "chair is absent.",
        required=False,
    )

    def __init__(self, *args, candidates=(), show_chair_absent=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        choices = [(str(c.person.pk), str(c.person)) for c in self.candidates]
        choices.append((NEW_PERSON, "None of these: record a new person"))
        self.fields["person"].choices = choices
        self.fields["person"].choice_hints = {
            str(c.person.pk): "; ".join(
                [*c.reasons, *(["On the schedule already"] if c.on_schedule else [])]
            )
            for c in self.candidates
        }
        # Needed for a new person (clean() says so); a known person is chosen from the matches.
        # The clash reason is needed only on a clash.
        for name in ("person", "given_names", "family_name", "adjustment_clash_reason"):
            self.fields[name].hide_optional = True
        self.fields["record_owner"].queryset = record_owners()
        self.fields["reason"].error_messages["required"] = (
            "Say why the behaviour is unreasonable and they must be added at once"
        )
        self.fields["guidance"].error_messages["required"] = "Say how staff should respond"
        if not show_chair_absent:
            del self.fields["chair_absent"]

    def clean_postcode(self):
        return normalise.postcode_display(self.cleaned_data.get("postcode", ""))

    def has_name(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return bool(data.get("given_names") or data.get("family_name"))

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get("person")
        if not choice and "person" not in self.errors:
            self.add_error("person", "Choose who this is, or record a new person")
        elif choice == NEW_PERSON and not (
            cleaned.get("given_names") and cleaned.get("family_name")
        ):
            self.add_error("family_name", "Enter the new person's given names and family name")
        return cleaned


class EmergencyIncidentForm(GovukForm):
    """One incident of an emergency addition, as on the referral form: when, where, what and which
    of the protocol's behaviour categories. Every field is checked by the service on "Add", so
    "Add another incident" never complains about a half-typed one."""

    occurred_on = forms.DateField(
        label="Date",
        widget=DATE_INPUT,
        required=False,
        error_messages={"invalid": "Enter a real date, like 3 March 2026"},
    )
    occurred_at = forms.TimeField(
        label="Time",
        required=False,
        widget=forms.TimeInput(
            attrs={"type": "time", "class": "govuk-input--width-5"}, format="%H:%M"
        ),
        error_messages={"invalid": "Enter a time, like 14:05"},
    )
    location = forms.CharField(label="Where it happened", max_length=300, required=False)
    description = forms.CharField(
        label="What happened", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    categories = forms.MultipleChoiceField(
        label="Which behaviours does it show?",
        choices=BehaviourCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("occurred_on", "location", "description"):
            self.fields[name].hide_optional = True

    def validate_for_addition(self) -> bool:
        """The date, place and what happened, for an incident that has anything typed in it."""
        if not self.is_valid() or not any(self.cleaned_data.values()):
            return self.is_valid()
        for name, message in {
            "occurred_on": "Enter the date of the incident",
            "location": "Enter where it happened",
            "description": "Describe what happened",
        }.items():
            if not self.cleaned_data.get(name):
                self.add_error(name, message)
        day = self.cleaned_data.get("occurred_on")
        if day and day > timezone.localdate():
            self.add_error("occurred_on", "The date of the incident must be today or in the past")
        return not self.errors


EmergencyIncidentFormSet = forms.formset_factory(
    EmergencyIncidentForm, extra=0, min_num=1, max_num=20
)


def record_owners():
    """Who may own a record: the Operations Managers (referring managers) still working here."""
    return User.objects.filter(groups__name=Role.REFERRING_MANAGER.label, is_active=True).order_by(
        "first_name", "last_name", "pk"
    )


class RecordOwnerForm(GovukForm):
    record_owner = forms.ModelChoiceField(
        label="The new record owner",
        help_text="The Operations Manager who is now responsible for the record.",
        queryset=User.objects.none(),
        empty_label="Choose an Operations Manager",
        error_messages={"required": "Choose the new record owner"},
    )
    reason = forms.CharField(
        label="Why the record owner changes",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the record owner changes"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record_owner"].queryset = record_owners()


def _recertify_default():
    return twelve_months_after(timezone.localdate())


class AccessRequestForm(GovukForm):
    grantee = forms.ChoiceField(label="Who needs access?", widget=forms.RadioSelect)
    tiers = forms.MultipleChoiceField(
        label="Which risk tiers?",
        help_text="Services visiting customers' addresses usually need medium and high only.",
        choices=RiskTier.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose one or more risk tiers"},
    )
    rationale = forms.CharField(
        label="Why is the access needed?",
        help_text="The risk-based rationale: the contact your staff have with the public.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Give the risk-based rationale for the access"},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        ask_for_grantee(self, user)
        for name in ("tiers", "rationale"):
            self.fields[name].hide_optional = True


def ask_for_grantee(form, user) -> None:
    """A request's "Who needs access?": the user's service (if they have one) or only them."""
    choices = []
    if user.service_id:
        choices.append(("service", f"My service: {user.service}"))
    choices.append(("user", f"Only me ({user})"))
    field = form.fields["grantee"]
    field.choices = choices
    field.error_messages["required"] = "Choose who needs access"
    field.hide_optional = True


class ApproveAccessForm(GovukForm):
    recertify_by = forms.DateField(
        label="Re-certify by",
        help_text="The access lapses on this date unless the panel approves it again.",
        widget=DATE_INPUT,
        initial=_recertify_default,
        error_messages={"required": "Enter the re-certification date"},
    )


class DeclineAccessForm(GovukForm):
    reason = forms.CharField(
        label="Why the panel declined it",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the panel declined the request"},
    )


class RevokeAccessForm(GovukForm):
    reason = forms.CharField(
        label="Why the panel revoked it",
        help_text="The register keeps the reason with the access.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the panel revoked the access"},
    )


class AddressWarningChangeForm(GovukForm):
    """The risk tier at an address and what staff should do there."""

    tier = forms.ChoiceField(
        label="Risk tier",
        choices=RiskTier.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the risk tier"},
    )
    guidance = forms.CharField(
        label="What staff should do",
        help_text="Shown to staff who search the address or postcode before a visit or contact.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what staff should do at this address"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].choice_hints = {str(t): d for t, d in TIER_DEFINITIONS.items()}
        self.fields["tier"].hide_optional = True


class AddressWarningForm(AddressWarningChangeForm):
    max_lengths = {"address": ADDRESS_MAX_LENGTH}
    address = forms.CharField(
        label="Address",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the address"},
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=10,
        required=False,
        help_text="Staff usually search by postcode.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )

    field_order = ["address", "postcode", "tier", "guidance"]


class EndAddressWarningForm(GovukForm):
    reason = forms.CharField(
        label="Why is the warning ending?",
        help_text="Kept with the ended warning, which only the case roles see.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the warning is ending"},
    )
