"""Check your answers: the referring manager reads back the whole draft before sending it
(the GOV.UK "Check answers" pattern), and sends it from here."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.datastructures import MultiValueDict

from referrals.forms import IncidentFormSet, ReferralForm
from referrals.selectors import may_edit_draft, visible_referrals
from referrals.services import INCIDENT_FIELDS, ReferralTransitionError, referral_submit
from ubpanel import audit
from ubpanel.access import get_object_or_404
from ubpanel.errors import error_text
from ubpanel.form_errors import summary_errors
from ubpanel.roles import REFERRER_ROLES, role_required

AT_LEAST_ONE_INCIDENT = "Enter the date, place and what happened for at least one incident"
INCIDENT_DATE_MISSING = "Enter the date of the incident"  # as IncidentForm says on submission

# The fields in the order the form shows them: an escalation's accident/incident report, the
# individual, then the incidents, then the rest.
ESCALATION_ORDER = ("health_safety_reference",)
SUBJECT_ORDER = (
    "subject_given_names",
    "subject_family_name",
    "subject_aliases",
    "subject_date_of_birth",
    "subject_address",
    "subject_postcode",
    "subject_email",
    "subject_phone",
)
REST_ORDER = (
    "number_of_incidents",
    "behaviour_categories",
    "summary",
    "suggested_tier",
    "health_concerns",
    "health_details",
    "violence",
    "incident_report_reference",
    "hate_incident",
    "police_report",
    "police_reference",
    "police_not_reported_reason",
    "journalist",
    "legal_proceedings_intimated",
    "foi_sar_only",
)
# The question each answer on the check page names ("Change<span> name</span>").
QUESTIONS = {
    "subject_name": "Name",
    "subject_aliases": "Other names they use",
    "subject_date_of_birth": "Date of birth",
    "subject_address": "Address",
    "subject_postcode": "Postcode",
    "subject_email": "Email address",
    "subject_phone": "Phone number",
}


def _typed(form) -> bool:
    """Something was typed for this incident (it may still have errors)."""
    data = getattr(form, "cleaned_data", {})
    return any(data.get(name) for name in INCIDENT_FIELDS)


def incident_rows(formset) -> list[dict]:
    """The incidents to keep with the draft: those typed, with their date (a stored incident cannot
    be without one); blank ones are left out."""
    return [
        {name: form.cleaned_data.get(name) for name in INCIDENT_FIELDS}
        for form in formset.forms
        if form.is_valid() and form.cleaned_data.get("occurred_on") and _typed(form)
    ]


def incidents_without_a_date(formset) -> bool:
    """An incident typed without its date cannot be kept yet: say so beside its date, so that
    saving never leaves it out silently (the page keeps what was typed). True when one was."""
    found = False
    for form in formset.forms:
        if (
            _typed(form)
            and not form.cleaned_data.get("occurred_on")
            and "occurred_on" not in (form.errors)
        ):
            form.add_error("occurred_on", INCIDENT_DATE_MISSING)
            found = True
    return found


def draft_ready(form, incidents) -> bool:
    """Apply the protocol's rules for sending (``form`` and ``incidents`` already validated);
    each problem goes beside its field."""
    ready = form.validate_for_submission()
    for incident_form in incidents.forms:
        ready = incident_form.validate_for_submission() and ready
    if not any(_typed(incident_form) for incident_form in incidents.forms):
        if incidents.forms:
            incidents.forms[0].add_error("occurred_on", AT_LEAST_ONE_INCIDENT)
        else:  # a tampered count of none: nowhere to put it but the count of incidents
            form.add_error("number_of_incidents", AT_LEAST_ONE_INCIDENT)
        ready = False
    return ready and not incidents.non_form_errors()


def _blank(value) -> bool:
    return value is None or value is False or value == ""


def draft_forms(referral):
    """The form and incidents bound to what the draft holds now, as if it had just been posted,
    so the same rules judge it (on the check page, or in another tab after it changed)."""
    form = ReferralForm(instance=referral)
    data = MultiValueDict()
    for bound in form:
        value = bound.initial
        if isinstance(value, list | tuple):
            data.setlist(bound.html_name, [str(item) for item in value])
        elif not _blank(value):
            data[bound.html_name] = value
    stored = list(referral.incidents.all())
    data["incidents-TOTAL_FORMS"] = str(max(len(stored), 1))
    data["incidents-INITIAL_FORMS"] = "0"
    for number, incident in enumerate(stored):
        for name in INCIDENT_FIELDS:
            value = getattr(incident, name)
            if not _blank(value):
                data[f"incidents-{number}-{name}"] = value
    form = ReferralForm(data, instance=referral)
    incidents = IncidentFormSet(data, prefix="incidents")
    form.is_valid()
    incidents.is_valid()
    return form, incidents, stored


def error_summary(form, incidents, evidence_form) -> list[tuple[str, str]]:
    """The form's error summary, (anchor, message), in the page's order: each incident's
    messages say which incident ("Incident 2: Enter the date of the incident"), and no entry
    appears twice (``ubpanel.form_errors.summary_errors`` for each part)."""
    leading = ESCALATION_ORDER + SUBJECT_ORDER
    position = {f"id_{name}": i for i, name in enumerate(leading + REST_ORDER)}
    own = sorted(summary_errors(form), key=lambda entry: position.get(entry[0], -1))
    subject = [entry for entry in own if position.get(entry[0], -1) < len(leading)]
    rest = [entry for entry in own if entry not in subject]
    entries = list(subject)
    first_incident = "id_incidents-0-occurred_on"
    entries += [(first_incident, str(error)) for error in incidents.non_form_errors()]
    for number, incident in enumerate(incidents.forms, 1):
        entries += [(a, f"Incident {number}: {m}") for a, m in summary_errors(incident)]
    entries += rest
    entries += summary_errors(evidence_form)
    seen: set[str] = set()
    return [e for e in entries if not (e[1] in seen or seen.add(e[1]))]


def _owned_draft(request, pk):
    return get_object_or_404(visible_referrals(request.user).filter(referrer=request.user), pk=pk)


@role_required(REFERRER_ROLES)
def referral_check(request, pk):
    """Every answer with a link to change it, then "Send referral", which checks the draft
    again (it may have changed in another tab) and sends it to the Assurance team."""
    referral = _owned_draft(request, pk)
    if not may_edit_draft(request.user, referral):
        messages.info(
            request, f"{referral.reference} has been submitted and can no longer be changed."
        )
        return redirect("referrals:detail", pk=referral.pk)
    form, incidents, stored = draft_forms(referral)
    if not draft_ready(form, incidents):
        # Changed since (in another tab, say): the form shows what is missing beside each field.
        return redirect(reverse("referrals:edit", args=[referral.pk]) + "?check=1")
    if request.method == "POST":
        try:
            referral_submit(actor=request.user, referral=referral)
        except ReferralTransitionError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(
                request, f"Referral {referral.reference} has been sent to the Assurance team."
            )
        return redirect("referrals:detail", pk=referral.pk)
    audit.record_access(referral)
    return render(
        request,
        "referrals/referral_check.html",
        {
            "referral": referral,
            "escalation": form.escalation,
            "incidents": stored,
            "evidence": list(referral.evidence.all()),
            "questions": QUESTIONS,
        },
    )
