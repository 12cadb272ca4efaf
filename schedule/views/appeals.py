"""Appeals: the individual's written request that the Monitoring Officer review the panel's
decision (the protocol's "Process for Review of Panel Decisions").

The Assurance team and Legal Services (``APPEAL_RECORD_ROLES``) record an appeal from the entry's
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

from schedule.dates import appeal_deadline
from schedule.forms import AppealDecisionForm, AppealForm, AppealRepresentativeForm
from schedule.models import Appeal, AppealOutcome, Entry
from schedule.selectors import (
    appeal_representatives,
    decidable_appeals,
    may_decide_appeal,
    may_nominate_appeal_representative,
    nominable_appeals,
    visible_appeals,
    visible_entries,
)
from schedule.services import (
    APPEAL_RECORD_ROLES,
    ScheduleTransitionError,
    appeal_decide,
    appeal_nominate_representative,
    appeal_record,
)
from ubpanel import audit
from ubpanel.access import get_object_or_404
from ubpanel.entry_status import EntryStatus
from ubpanel.roles import CASE_ROLES, has_role

APPEALS_PER_PAGE = 25


def _appealable_entries(user) -> QuerySet[Entry]:
    if has_role(user, *APPEAL_RECORD_ROLES):
        return visible_entries(user)
    return Entry.objects.none()


def _case_roles_or_404(view):
    """For the list, which is not one appeal: others get the audited 404 that
    ``get_object_or_404`` gives on the pages that are."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not has_role(request.user, *CASE_ROLES):
            audit.record_denied(Appeal, {})
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
        appeal.yours_to_decide = appeal.is_open and may_decide_appeal(request.user, appeal)
    return render(request, "schedule/appeal_list.html", {"page": page})


def record_appeal(request, pk):
    """The Assurance team or Legal Services record the individual's written request; the entry
    goes under appeal and stays live."""
    entry = get_object_or_404(_appealable_entries(request.user).select_related("person"), pk=pk)
    audit.record_access(entry, view="appeal")
    waiting = entry.appeals.filter(outcome="").first()
    form = AppealForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            appeal = appeal_record(actor=request.user, entry=entry, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        except ScheduleTransitionError as error:
            # Someone recorded it first, or the entry changed: keep what was typed, say why.
            form.add_error(None, str(error))
        else:
            late = (
                f" It arrived after the deadline of {appeal.deadline.day} "
                f"{appeal.deadline:%B %Y}: it is recorded "
                "as late, and the Monitoring Officer decides whether to consider it."
                if appeal.late
                else ""
            )
            messages.success(
                request,
                f"The appeal is recorded. {entry.reference} is under appeal and stays on the "
                f"schedule until the Monitoring Officer decides.{late}",
            )
            return redirect("schedule:appeal_detail", pk=appeal.pk)
    return render(
        request,
        "schedule/appeal_form.html",
        {
            "entry": entry,
            "form": form,
            "waiting": waiting,
            "appealable": entry.status == EntryStatus.ACTIVE and waiting is None,
            "deadline": appeal_deadline(entry.notified_on) if entry.notified_on else None,
        },
        status=400 if form.errors else 200,
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


def _detail(request, appeal, *, form=None, nomination_form=None, status=200):
    may_nominate = may_nominate_appeal_representative(request.user) and appeal.is_open
    if may_nominate and nomination_form is None:
        nomination_form = AppealRepresentativeForm(
            representatives=appeal_representatives(),
            initial={"representative": appeal.nominated_representative_id},
        )
    return render(
        request,
        "schedule/appeal_detail.html",
        {
            "appeal": appeal,
            "entry": appeal.entry,
            "form": form or AppealDecisionForm(),
            "may_decide": may_decide_appeal(request.user, appeal) and appeal.is_open,
            "may_nominate": may_nominate,
            "nomination_form": nomination_form,
        },
        status=status,
    )


def appeal_detail(request, pk):
    """The appeal with the individual's grounds and statement; it is decided here. Only those who
    may decide it (``may_decide_appeal``) may post the decision: others get the audited 404."""
    readable = decidable_appeals if request.method == "POST" else visible_appeals
    appeal = _appeal_or_404(readable(request.user), pk)
    audit.record_access(appeal)
    form = AppealDecisionForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        upheld = form.cleaned_data["outcome"] == AppealOutcome.UPHELD
        try:
            appeal_decide(
                actor=request.user,
                appeal=appeal,
                upheld=upheld,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        except ScheduleTransitionError as error:
            messages.error(request, str(error))
            return redirect("schedule:appeal_detail", pk=appeal.pk)
        else:
            if upheld:
                outcome = (
                    f"The appeal is upheld: {appeal.entry.reference} is removed from the schedule. "
                    "The individual is not told: removal is never communicated to them."
                )
            else:
                outcome = (
                    f"The appeal is dismissed: the panel's decision stands and "
                    f"{appeal.entry.reference} is active again."
                )
            messages.success(request, outcome)
            return redirect("schedule:appeal_detail", pk=appeal.pk)
    return _detail(request, appeal, form=form, status=400 if form.errors else 200)


def nominate_representative(request, pk):
    """The Monitoring Officer identifies the legal services representative who decides this
    appeal. The form is on the appeal's page; this page shows it again when the choice is refused.
    Anyone but the Monitoring Officer gets the audited 404."""
    appeal = _appeal_or_404(nominable_appeals(request.user), pk)
    audit.record_access(appeal, view="nominate")
    form = AppealRepresentativeForm(
        request.POST if request.method == "POST" else None,
        representatives=appeal_representatives(),
        initial={"representative": appeal.nominated_representative_id},
    )
    if form.is_bound and form.is_valid():
        representative = form.cleaned_data["representative"]
        try:
            appeal_nominate_representative(actor=request.user, appeal=appeal, user=representative)
        except ValidationError as error:
            form.add_error("representative", error.message_dict.get("user", error.messages))
        except ScheduleTransitionError as error:
            # Decided meanwhile: keep the choice on the page, and say why it was not recorded.
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"{representative} may now decide this appeal, and is told by email. You and "
                "your Deputies still may.",
            )
            return redirect("schedule:appeal_detail", pk=appeal.pk)
    return render(
        request,
        "schedule/appeal_nominate.html",
        {"appeal": appeal, "entry": appeal.entry, "form": form},
        status=400 if form.errors else 200,
    )


urls = [
    path("appeals/", appeal_list, name="appeal_list"),
    path("appeals/<int:pk>/", appeal_detail, name="appeal_detail"),
    path(
        "appeals/<int:pk>/representative/",
        nominate_representative,
        name="appeal_nominate_representative",
    ),
    path("entries/<int:pk>/appeal/", record_appeal, name="appeal_record"),
]
