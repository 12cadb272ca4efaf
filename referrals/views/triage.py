"""The Assurance team's triage: the queue, a referral with its matches, and the triage actions."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from referrals import services
from referrals.forms import MergeForm, PersonChoiceForm, ReasonForm, SubjectForm
from referrals.models import Person
from referrals.selectors import (
    failed_emails,
    live_entry_for,
    may_await_legal_advice,
    may_close,
    may_confirm_repeat_behaviour,
    may_mark_out_of_scope,
    may_mark_ready_for_panel,
    may_merge,
    may_recommend_letter,
    may_request_information,
    may_update_subject,
    referral_candidates,
    triage_queue,
    visible_people,
    visible_referrals,
)
from ubpanel import audit
from ubpanel.access import get_object_or_404
from ubpanel.errors import error_text
from ubpanel.form_errors import required_message
from ubpanel.pages import form_page
from ubpanel.pagination import EstimatedCountPaginator
from ubpanel.roles import Role, role_required

from .referrer import _detail_context

ASSURANCE = {Role.ASSURANCE_OFFICER}

# action -> (service, its argument, form label, whether the text is required, button text, who
# may take it)
ACTIONS = {
    "request-information": (
        services.referral_request_information,
        "question",
        "What do you need to know?",
        True,
        "Ask the referrer",
        may_request_information,
    ),
    "recommend-letter": (
        services.referral_recommend_letter,
        "reason",
        "Why a letter of expected behaviour is enough",
        True,
        "Recommend a letter instead",
        may_recommend_letter,
    ),
    "out-of-scope": (
        services.referral_mark_out_of_scope,
        "reason",
        "Why it is out of scope",
        True,
        "Mark out of scope",
        may_mark_out_of_scope,
    ),
    "await-legal-advice": (
        services.referral_await_legal_advice,
        "reason",
        "What Legal Services are asked",
        True,
        "Wait for legal advice",
        may_await_legal_advice,
    ),
    "ready-for-panel": (
        services.referral_mark_ready_for_panel,
        "note",
        "Note for the panel",
        False,
        "List for the panel",
        may_mark_ready_for_panel,
    ),
    "close": (services.referral_close, "reason", "Why it is closed", True, "Close", may_close),
}

TRIAGE_PER_PAGE = 50


def _action_forms(request, referral, bound=None, bound_action=None):
    """The triage actions the user may take on the referral now (and the one just posted)."""
    forms = []
    for slug, (_, _, label, required, button, may) in ACTIONS.items():
        if slug != bound_action and not may(request.user, referral):
            continue
        form = ReasonForm(
            bound if slug == bound_action else None, label=label, required=required, prefix=slug
        )
        # A question label reads as a statement once: "Enter what you need to know".
        reason = form.fields["reason"]
        reason.error_messages["required"] = required_message(reason, "reason")
        forms.append({"slug": slug, "form": form, "button": button})
    return forms


@role_required(ASSURANCE)
def queue(request):
    """Oldest first, a page at a time: the queue is read from an index on the order it is shown
    in, however many referrals the council holds (issue 16, point 4)."""
    referrals = (
        triage_queue(request.user)
        .select_related("service", "referrer", "person")
        .order_by("submitted_at", "created_at", "pk")
    )
    page = EstimatedCountPaginator(referrals, TRIAGE_PER_PAGE).get_page(request.GET.get("page"))
    referrals = list(page.object_list)
    emails = list(
        failed_emails(request.user).select_related("referral").order_by("-received_at")[:50]
    )
    audit.record_access(referrals, audit.Event.LIST)
    audit.record_access(emails, audit.Event.LIST)
    return render(
        request,
        "referrals/triage_queue.html",
        {"referrals": referrals, "page": page, "failed_emails": emails},
    )


def _triage_page(
    request, referral, *, action_forms=None, merge_form=None, subject_form=None, person_form=None
):
    """The referral with its matches and the triage actions; 400 when a posted form is refused."""
    audit.record_access(referral)
    candidates = referral_candidates(request.user, referral)
    inbound = getattr(referral, "inbound_email", None)
    entry = live_entry_for(referral)
    action_forms = action_forms or _action_forms(request, referral)
    merge_form = merge_form or MergeForm(prefix="merge")
    subject_form = subject_form or SubjectForm(instance=referral, prefix="subject")
    return form_page(
        request,
        "referrals/triage_detail.html",
        _detail_context(
            request,
            referral,
            candidates=candidates,
            inbound=inbound,
            action_forms=action_forms,
            merge_form=merge_form,
            may_merge=may_merge(request.user, referral),
            may_update_subject=may_update_subject(request.user, referral),
            subject_form=subject_form,
            live_entry=entry,
            may_confirm_repeat=may_confirm_repeat_behaviour(request.user, referral, entry),
        ),
        merge_form,
        subject_form,
        person_form,
        *(item["form"] for item in action_forms),
    )


@role_required(ASSURANCE)
def detail(request, pk):
    referral = get_object_or_404(
        visible_referrals(request.user).select_related("service", "referrer", "person"), pk=pk
    )
    return _triage_page(request, referral)


@require_POST
@role_required(ASSURANCE)
def act(request, pk, action):
    referral = get_object_or_404(visible_referrals(request.user), pk=pk)
    if action not in ACTIONS:
        raise Http404("No such triage action")
    service, argument, *_ = ACTIONS[action]
    forms = _action_forms(request, referral, request.POST, action)
    form = next(f["form"] for f in forms if f["slug"] == action)
    if not form.is_valid():
        return _triage_page(request, referral, action_forms=forms)
    try:
        referral = service(
            actor=request.user, referral=referral, **{argument: form.cleaned_data["reason"]}
        )
    except services.ReferralTransitionError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request, f"{referral.reference} is now: {referral.get_status_display().lower()}."
        )
    return redirect("referrals:triage_detail", pk=referral.pk)


@require_POST
@role_required(ASSURANCE)
def confirm_repeat_behaviour(request, pk):
    """Repeat behaviour by someone on the schedule: the clock restarts, the referral goes back to
    the panel."""
    referral = get_object_or_404(visible_referrals(request.user), pk=pk)
    try:
        services.referral_confirm_repeat_behaviour(actor=request.user, referral=referral)
    except services.ReferralTransitionError as error:
        messages.error(request, error_text(error))
    else:
        entry = live_entry_for(referral)
        messages.success(
            request,
            f"{referral.reference} is confirmed as repeat behaviour and goes back to the panel. "
            f"{entry.reference} is now due for review on {entry.review_due_on.day} "
            f"{entry.review_due_on:%B %Y}.",
        )
    return redirect("referrals:triage_detail", pk=referral.pk)


@require_POST
@role_required(ASSURANCE)
def merge(request, pk):
    referral = get_object_or_404(visible_referrals(request.user), pk=pk)
    form = MergeForm(request.POST, prefix="merge")
    if form.is_valid():
        into = visible_referrals(request.user).filter(pk=form.cleaned_data["into"]).first()
        if into is None:
            form.add_error("into", "There is no open referral with that reference")
    if not form.is_valid():
        return _triage_page(request, referral, merge_form=form)
    try:
        services.referral_merge(
            actor=request.user, referral=referral, into=into, reason=form.cleaned_data["reason"]
        )
    except services.ReferralTransitionError as error:
        messages.error(request, error_text(error))
        return redirect("referrals:triage_detail", pk=referral.pk)
    messages.success(request, f"{referral.reference} merged into {into.reference}.")
    return redirect("referrals:triage_detail", pk=into.pk)


@require_POST
@role_required(ASSURANCE)
def subject_edit(request, pk):
    """Record who the referral is about, then look for matches."""
    referral = get_object_or_404(visible_referrals(request.user), pk=pk)
    form = SubjectForm(request.POST, instance=referral, prefix="subject")
    if not form.is_valid():
        referral.refresh_from_db()
        return _triage_page(request, referral, subject_form=form)
    try:
        services.referral_update_subject(
            actor=request.user, referral=referral, fields=form.cleaned_data
        )
    except services.ReferralTransitionError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, "Details recorded. Check the possible matches.")
    return redirect("referrals:triage_detail", pk=referral.pk)


@require_POST
@role_required(ASSURANCE)
def link_person(request, pk):
    """Link the referral to a matched person, or record a new person from its details."""
    referral = get_object_or_404(visible_referrals(request.user), pk=pk)
    form = PersonChoiceForm(request.POST, allow_new=True)
    if not form.is_valid():
        messages.error(request, form.errors["person"][0])
        return _triage_page(request, referral, person_form=form)
    choice = form.cleaned_data["person"]
    person: Person | None = None
    if choice != "new":
        person = get_object_or_404(visible_people(request.user), pk=choice)
    try:
        person = services.referral_link_person(actor=request.user, referral=referral, person=person)
    except services.ReferralTransitionError as error:
        messages.error(request, error_text(error))
    else:
        note = (
            " This is repeat behaviour: they are on the schedule."
            if referral.repeat_behaviour
            else ""
        )
        messages.success(request, f"{referral.reference} is linked to {person}.{note}")
    return redirect("referrals:triage_detail", pk=referral.pk)


@role_required(ASSURANCE)
def failed_email(request, pk):
    email = get_object_or_404(failed_emails(request.user).select_related("referral"), pk=pk)
    audit.record_access(email)
    return render(request, "referrals/failed_email.html", {"email": email})
