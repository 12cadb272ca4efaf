"""Appeals: the individual's written request that the Monitoring Officer review the panel's
decision (the protocol's "Process for Review of Panel Decisions").

The Assurance team and Legal Services (``may_record_appeal``) record an appeal from the entry's
page; the Monitoring Officer, their Deputy, or the legal services representative the Monitoring
Officer identifies for that appeal decides it on the appeal's page (``may_decide_appeal``). The
Monitoring Officer nominates the representative there. The case roles read appeals. Anyone else
asking for any of these pages, or posting what they may not, gets the audited 404, the same as for
an appeal or entry that does not exist.
"""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path

from schedule.appeal_forms import AppealDecisionForm, AppealForm, AppealRepresentativeForm
from schedule.dates import appeal_deadline
from schedule.models import Appeal, AppealOutcome, Entry
from schedule.removal import entry_removal_told
from schedule.selectors import (
    appeal_representatives,
    decidable_appeals,
    may_decide_appeal,
    may_nominate_appeal_representative,
    may_read_appeals,
    may_record_appeal,
    nominable_appeals,
    visible_appeals,
    visible_entries,
)
from schedule.services import appeal_decide, appeal_nominate_representative, appeal_record
from ubpanel import audit
from ubpanel.access import get_object_or_404
from ubpanel.pages import form_page, submit

APPEALS_PER_PAGE = 25


def _appealable_entries(user) -> QuerySet[Entry]:
    if may_record_appeal(user):
        return visible_entries(user)
    return Entry.objects.none()


def _case_roles_or_404(view):
    """For the list, which is not one appeal: others get the 404 that ``get_object_or_404``
    gives on the pages that are (audited, like every refusal, by ubpanel.refusals)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not may_read_appeals(request.user):
            raise Http404("No appeal matches the given query.")
        return view(request, *args, **kwargs)

    return wrapped


@_case_roles_or_404
def appeal_list(request):
    """The deciders' queue: open appeals first, longest waiting first; then the decided ones,
    latest first. Those the user may decide and that wait for a decision are marked, so a
    nominated representative finds the appeal nominated to them."""
    appeals = (
        visible_appeals(request.user)
        .select_related("entry__person", "decided_by", "nominated_representative")
        .annotate(
            decided=Case(
                When(outcome="", then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("decided", F("decided_at").desc(nulls_first=True), "received_on", "pk")
    )
    page = Paginator(appeals, APPEALS_PER_PAGE).get_page(request.GET.get("page"))
    audit.record_access(page.object_list, audit.Event.LIST)
    for appeal in page.object_list:
        appeal.yours_to_decide = may_decide_appeal(request.user, appeal)
    return render(request, "schedule/appeal_list.html", {"page": page})


def _recorded_message(entry, appeal) -> str:
    late = (
        f" It arrived after the deadline of {appeal.deadline.day} {appeal.deadline:%B %Y}: it is "
        "recorded as late, and the Monitoring Officer decides whether to consider it."
        if appeal.late
        else ""
    )
    return (
        f"The appeal is recorded. {entry.reference} is under appeal and stays on the "
        f"schedule until the Monitoring Officer decides.{late}"
    )


def record_appeal(request, pk):
    """The Assurance team or Legal Services record the individual's written request; the entry
    goes under appeal and stays live. A refusal (someone recorded it first, or the entry changed)
    keeps what was typed and says why."""
    entry = get_object_or_404(_appealable_entries(request.user).select_related("person"), pk=pk)
    audit.record_access(entry, view="appeal")
    waiting = entry.appeals.filter(outcome="").first()
    form = AppealForm(request.POST if request.method == "POST" else None)
    done = submit(
        request, form, lambda data: appeal_record(actor=request.user, entry=entry, **data)
    )
    if done:
        messages.success(request, _recorded_message(entry, done.value))
        return redirect("schedule:appeal_detail", pk=done.value.pk)
    return form_page(
        request,
        "schedule/appeal_form.html",
        {
            "entry": entry,
            "form": form,
            "waiting": waiting,
            "appealable": may_record_appeal(request.user, entry) and waiting is None,
            "deadline": appeal_deadline(entry.notified_on) if entry.notified_on else None,
        },
        form,
    )


def _appeal_or_404(appeals: QuerySet[Appeal], pk) -> Appeal:
    return get_object_or_404(
        appeals.select_related(
            "entry__person",
            "recorded_by",
            "decided_by",
            "nominated_representative",
            "nominated_by",
        ),
        pk=pk,
    )


def _decided_message(appeal, upheld: bool) -> str:
    if upheld:
        return f"The appeal is upheld: {appeal.entry.reference} is removed from the schedule. " + (
            "The individual is told: the removal letter waits on the Letters page for the "
            "record owner (NOTIFY_ON_REMOVAL)."
            if entry_removal_told(appeal.entry)
            else "The individual is not told: removal is never communicated to them."
        )
    return (
        f"The appeal is dismissed: the panel's decision stands and "
        f"{appeal.entry.reference} is active again."
    )


def appeal_detail(request, pk):
    """The appeal with the individual's grounds and statement; it is decided here. Only those who
    may decide it (``may_decide_appeal``) may post the decision: others get the audited 404."""
    readable = decidable_appeals if request.method == "POST" else visible_appeals
    appeal = _appeal_or_404(readable(request.user), pk)
    audit.record_access(appeal)
    form = AppealDecisionForm(request.POST if request.method == "POST" else None)

    def decide(data) -> bool:
        upheld = data["outcome"] == AppealOutcome.UPHELD
        appeal_decide(actor=request.user, appeal=appeal, upheld=upheld, reason=data["reason"])
        return upheld

    if done := submit(request, form, decide):
        messages.success(request, _decided_message(appeal, done.value))
        return redirect("schedule:appeal_detail", pk=appeal.pk)
    may_nominate = may_nominate_appeal_representative(request.user, appeal)
    nomination_form = None
    if may_nominate:
        nomination_form = AppealRepresentativeForm(
            representatives=appeal_representatives(),
            initial={"representative": appeal.nominated_representative_id},
        )
    return form_page(
        request,
        "schedule/appeal_detail.html",
        {
            "appeal": appeal,
            "entry": appeal.entry,
            "form": form,
            "may_decide": may_decide_appeal(request.user, appeal),
            "may_nominate": may_nominate,
            "nomination_form": nomination_form,
        },
        form,
    )


def nominate_representative(request, pk):
    """The Monitoring Officer identifies the legal services representative who decides this
    appeal. The form is on the appeal's page; this page shows it again when the choice is refused
    (a decided appeal: the choice stays on the page, with why it was not recorded). Anyone but
    the Monitoring Officer gets the audited 404."""
    appeal = _appeal_or_404(nominable_appeals(request.user), pk)
    audit.record_access(appeal, view="nominate")
    form = AppealRepresentativeForm(
        request.POST if request.method == "POST" else None,
        representatives=appeal_representatives(),
        initial={"representative": appeal.nominated_representative_id},
    )

    def nominate(data):
        representative = data["representative"]
        try:
            appeal_nominate_representative(actor=request.user, appeal=appeal, user=representative)
        except ValidationError as error:
            # The service names the person ``user``; on this form they are the representative.
            raise ValidationError({"representative": error.messages}) from error
        return representative

    if done := submit(request, form, nominate):
        messages.success(
            request,
            f"{done.value} may now decide this appeal, and is told by email. You and "
            "your Deputies still may.",
        )
        return redirect("schedule:appeal_detail", pk=appeal.pk)
    return form_page(
        request,
        "schedule/appeal_nominate.html",
        {"appeal": appeal, "entry": appeal.entry, "form": form},
        form,
    )


urls = [
    path("appeals/", appeal_list, name="appeal_list"),
    path("appeals/<id:pk>/", appeal_detail, name="appeal_detail"),
    path(
        "appeals/<id:pk>/representative/",
        nominate_representative,
        name="appeal_nominate_representative",
    ),
    path("entries/<id:pk>/appeal/", record_appeal, name="appeal_record"),
]
