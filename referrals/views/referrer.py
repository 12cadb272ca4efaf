"""The referring manager's side: refer an individual, save drafts, check and send them (see
``check``), answer questions."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from referrals.evidence import evidence_files
from referrals.forms import (
    EvidenceForm,
    IncidentFormSet,
    PersonChoiceForm,
    ReasonForm,
    ReferralForm,
)
from referrals.models import EventKind, ReferralSource, ReferralStatus
from referrals.selectors import (
    can_see_referral_health,
    may_edit_draft,
    may_escalate,
    may_provide_information,
    may_read_legal_advice,
    may_triage,
    referral_candidates,
    visible_evidence,
    visible_people,
    visible_referrals,
)
from referrals.services import (
    INCIDENT_FIELDS,
    ReferralTransitionError,
    evidence_add,
    referral_link_person,
    referral_provide_information,
    referral_save_draft,
)
from referrals.views.check import (
    draft_forms,
    draft_ready,
    error_summary,
    incident_rows,
    incidents_without_a_date,
)
from ubpanel import audit
from ubpanel.access import get_object_or_404
from ubpanel.errors import error_text
from ubpanel.pages import form_page
from ubpanel.roles import REFERRAL_ROLES, REFERRER_ROLES, Role, role_required


@role_required(REFERRAL_ROLES)
def index(request):
    """A referrer's referrals; Assurance go to their triage queue."""
    if may_triage(request.user) and not may_edit_draft(request.user):
        return redirect("referrals:triage_queue")
    referrals = list(
        visible_referrals(request.user)
        .select_related("service", "referrer")
        .order_by("-updated_at")[:200]
    )
    audit.record_access(referrals, audit.Event.LIST)
    return render(
        request,
        "referrals/index.html",
        {
            "referrals": referrals,
            "may_refer": may_edit_draft(request.user),
            "may_escalate": may_escalate(request.user),
        },
    )


def _with_extra_incident(data):
    data = data.copy()
    try:
        total = int(data.get("incidents-TOTAL_FORMS") or 1)
    except ValueError:
        total = 1  # a tampered count: the formset reports it; here it just must not crash
    data["incidents-TOTAL_FORMS"] = str(max(total, 0) + 1)
    return data


@role_required({Role.REFERRING_MANAGER})
def referral_new(request):
    """A referring manager refers an individual."""
    return _referral_form(request, None, source=ReferralSource.WEB)


@role_required({Role.HEALTH_SAFETY})
def referral_escalate(request):
    """The Health and Safety Team escalate an accident/incident report to the panel: the
    referral form, led by the report's reference, sent to the Assurance team like any referral."""
    return _referral_form(request, None, source=ReferralSource.HEALTH_SAFETY)


@role_required(REFERRER_ROLES)
def referral_edit(request, pk):
    """Carry on with a draft referral (or escalation)."""
    return _referral_form(request, pk)


def _referral_form(request, pk, source=None):
    """Start a draft (pk None, from ``source``) or carry on with one. Everything typed is saved as
    a draft first, so that a validation error never loses it; "Continue" then applies the
    protocol's rules and, when the draft is complete, goes to the check page, from which it is
    sent."""
    referral = None
    escalation = source == ReferralSource.HEALTH_SAFETY
    if pk is not None:
        referral = get_object_or_404(
            visible_referrals(request.user).filter(referrer=request.user), pk=pk
        )
        if not may_edit_draft(request.user, referral):
            messages.info(
                request, f"{referral.reference} has been submitted and can no longer be changed."
            )
            return redirect("referrals:detail", pk=referral.pk)
        audit.record_access(referral)
        escalation = referral.source == ReferralSource.HEALTH_SAFETY

    if request.method == "POST":
        data = request.POST
        adding_incident = "add_incident" in data
        if adding_incident:
            data = _with_extra_incident(data)
        form = ReferralForm(data, instance=referral, escalation=escalation)
        incidents = IncidentFormSet(data, prefix="incidents")
        evidence_form = EvidenceForm(data, request.FILES)
        form.is_valid()
        incidents.is_valid()
        evidence_ok = evidence_form.is_valid()
        with transaction.atomic():
            referral = referral_save_draft(
                actor=request.user,
                referral=referral,
                fields=form.referral_fields(),
                incidents=incident_rows(incidents),
                source=source or ReferralSource.WEB,
            )
            for upload in evidence_form.cleaned_data.get("files", []) if evidence_ok else []:
                _evidence_add_all(request, referral, upload)
        if "submit" in data and not adding_incident:
            if draft_ready(form, incidents) and evidence_ok:
                return redirect("referrals:check", pk=referral.pk)
        elif (
            not adding_incident
            and not incidents_without_a_date(incidents)
            and evidence_ok
            and form.is_valid()
            and incidents.is_valid()
        ):
            messages.success(
                request,
                f"Draft {referral.reference} saved. You can come back to it from Referrals.",
            )
            return redirect("referrals:edit", pk=referral.pk)
        # Otherwise show the page again with the errors beside the fields and everything typed;
        # the form now posts to the saved draft, so a second attempt does not make another one.
    elif referral is not None and "check" in request.GET:
        # Sent back from the check page: the draft is no longer complete; say what is missing.
        form, incidents, _ = draft_forms(referral)
        draft_ready(form, incidents)
        evidence_form = EvidenceForm()
    else:
        form = ReferralForm(instance=referral, escalation=escalation)
        initial = [
            {name: getattr(incident, name) for name in INCIDENT_FIELDS}
            for incident in (referral.incidents.all() if referral else [])
        ]
        incidents = IncidentFormSet(prefix="incidents", initial=initial or None)
        evidence_form = EvidenceForm()

    return render(
        request,
        "referrals/referral_form.html",
        {
            "form": form,
            "incidents": incidents,
            "evidence_form": evidence_form,
            "errors": error_summary(form, incidents, evidence_form),
            "referral": referral,
            "escalation": escalation,
            "evidence": list(referral.evidence.all()) if referral and referral.pk else [],
            "candidates": _intake_candidates(request.user, referral),
        },
    )


def _intake_candidates(user, referral):
    """People the manager's service already knows who may be this individual (their own data only)."""
    if referral is None or not referral.subject_name:
        return []
    return referral_candidates(user, referral, limit=5)


@require_POST
def referral_suggest_person(request, pk):
    """The manager says their draft is about someone their service referred before."""
    referral = get_object_or_404(
        visible_referrals(request.user).filter(referrer=request.user, status=ReferralStatus.DRAFT),
        pk=pk,
    )
    form = PersonChoiceForm(request.POST, allow_new=False)
    if not form.is_valid():
        messages.error(request, form.errors["person"][0])
        return redirect("referrals:edit", pk=referral.pk)
    person = get_object_or_404(visible_people(request.user), pk=form.cleaned_data["person"])
    referral_link_person(actor=request.user, referral=referral, person=person)
    messages.success(
        request, f"{referral.reference} is about {person}. The Assurance team will check."
    )
    return redirect("referrals:edit", pk=referral.pk)


def referral_detail(request, pk):
    referral = get_object_or_404(
        visible_referrals(request.user).select_related("service", "referrer", "person"), pk=pk
    )
    audit.record_access(referral)
    answer_form = None
    if may_provide_information(request.user, referral):
        answer_form = ReasonForm(label="Your answer")
    return render(
        request,
        "referrals/referral_detail.html",
        _detail_context(request, referral, answer_form=answer_form),
    )


def _detail_context(request, referral, **extra):
    events = list(referral.events.select_related("actor"))
    return {
        "referral": referral,
        "incidents": list(referral.incidents.all()),
        "evidence": list(referral.evidence.all()),
        "events": events,
        "question": next(
            (e for e in reversed(events) if e.kind == EventKind.INFORMATION_REQUESTED), None
        ),
        "show_health": can_see_referral_health(request.user, referral),
        "show_legal_advice": may_read_legal_advice(request.user),
        **extra,
    }


@require_POST
def referral_answer(request, pk):
    """The referrer answers Assurance's request for more information (and may add evidence)."""
    referral = get_object_or_404(
        visible_referrals(request.user).filter(referrer=request.user), pk=pk
    )
    form = ReasonForm(request.POST, label="Your answer")
    evidence_form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid() and evidence_form.is_valid():
        try:
            with transaction.atomic():
                for upload in evidence_form.cleaned_data["files"]:
                    evidence_add(actor=request.user, referral=referral, upload=upload)
                referral_provide_information(
                    actor=request.user, referral=referral, answer=form.cleaned_data["reason"]
                )
        except ReferralTransitionError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, "Your answer has been sent to the Assurance team.")
        return redirect("referrals:detail", pk=referral.pk)
    audit.record_access(referral)
    return form_page(
        request,
        "referrals/referral_detail.html",
        _detail_context(request, referral, answer_form=form, evidence_form=evidence_form),
        form,
        evidence_form,
    )


def _evidence_add_all(request, referral, upload):
    """Keep the upload as evidence: an Outlook email as its text and its attachments, each checked;
    say which parts were left out and why."""
    found = evidence_files(upload)
    for part in found.uploads:
        try:
            evidence_add(actor=request.user, referral=referral, upload=part)
        except ValidationError as refusal:
            found.left_out.extend(refusal.messages)
    for note in found.left_out:
        messages.warning(request, f"{note}.")


def evidence_download(request, pk):
    """Evidence files are served only here: permission-checked, audited, never rendered inline."""
    evidence = get_object_or_404(visible_evidence(request.user).select_related("referral"), pk=pk)
    audit.record_access(evidence, audit.Event.DOWNLOAD, referral=evidence.referral.reference)
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
