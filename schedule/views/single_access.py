"""Need-to-know access to one entry or one address: any member of staff asks; the chair records
the panel's decision, matching the request to the record; the chair revokes."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone

from schedule.forms import DeclineAccessForm, RevokeAccessForm
from schedule.models import SingleAccessKind, SingleAccessStatus
from schedule.selectors import may_read_access_register
from schedule.services import (
    single_access_approve,
    single_access_decline,
    single_access_request,
    single_access_revoke,
)
from schedule.single_access import (
    candidate_address_warnings,
    candidate_entries,
    may_decide_single_access,
    may_revoke_single_access,
    own_single_grants,
    visible_single_grants,
)
from schedule.single_access_forms import ApproveSingleAccessForm, SingleAccessRequestForm
from ubpanel import audit
from ubpanel.access import get_object_or_404
from ubpanel.pages import form_page, submit
from ubpanel.roles import Role, role_required
from ubpanel.tiers import RiskTier

OWN_REQUESTS_SHOWN = 10


def single_access_request_page(request):
    """Any member of staff asks the panel for access to one person or one address, for their
    service or for themselves, until a date."""
    form = SingleAccessRequestForm(request.POST or None, user=request.user)

    def ask(data):
        grantee = request.user.service if data["grantee"] == "service" else request.user
        return single_access_request(
            actor=request.user,
            service_or_user=grantee,
            kind=data["kind"],
            subject=data["subject"],
            postcode=data["postcode"],
            rationale=data["rationale"],
            ends_on=data["ends_on"],
        )

    if done := submit(request, form, ask):
        messages.success(
            request,
            f"Your request for access to {done.value.get_kind_display().lower()} has been sent "
            "to the panel. The chair will record the panel's decision.",
        )
        if may_read_access_register(request.user):
            return redirect("schedule:access_register")
        return redirect("schedule:single_access_request")
    own = list(
        own_single_grants(request.user)
        .select_related("service", "user")
        .order_by("-pk")[:OWN_REQUESTS_SHOWN]
    )
    audit.record_access(own, audit.Event.LIST)
    return form_page(
        request,
        "schedule/single_access_request.html",
        {"form": form, "own": own, "today": timezone.localdate()},
        form,
    )


def _candidates(request, grant):
    """What the chair may match the request to, each with the words the radio shows."""
    if grant.kind == SingleAccessKind.ENTRY:
        found = candidate_entries(request.user, grant)
        return [(entry, _entry_label(entry)) for entry in found]
    found = candidate_address_warnings(grant)
    return [(warning, _warning_label(warning)) for warning in found]


def _entry_label(entry) -> str:
    born = entry.person.date_of_birth
    year = f", born {born.year}" if born else ""
    return f"{entry.reference}: {entry.person}{year} ({RiskTier(entry.tier).label})"


def _warning_label(warning) -> str:
    return f"{warning} ({RiskTier(warning.tier).label})"


@role_required({Role.PANEL_CHAIR})
def single_access_decide(request, pk):
    """The chair records the panel's decision: approved for the record the request means, until a
    date, or declined with the reason."""
    grant = get_object_or_404(
        visible_single_grants(request.user).select_related("service", "user", "requested_by"),
        pk=pk,
    )
    candidates = _candidates(request, grant) if grant.status == SingleAccessStatus.REQUESTED else []
    audit.record_access([grant, *(obj for obj, _ in candidates)], view="single-access-decide")
    action = request.POST.get("action") if request.method == "POST" else None
    approve_form = ApproveSingleAccessForm(
        request.POST if action == "approve" else None,
        prefix="approve",
        candidates=candidates,
        initial={"ends_on": grant.ends_on},
    )
    decline_form = DeclineAccessForm(
        request.POST if action == "decline" else None, prefix="decline"
    )

    def decide(data):
        if action == "decline":
            single_access_decline(actor=request.user, grant=grant, reason=data["reason"])
            return "declined"
        single_access_approve(
            actor=request.user, grant=grant, record=data["record"], ends_on=data["ends_on"]
        )
        return f"approved until {data['ends_on']:%-d %B %Y}"

    form = approve_form if action == "approve" else decline_form
    if action in ("approve", "decline") and (
        done := submit(request, form, decide, field="record" if action == "approve" else None)
    ):
        messages.success(request, f"Access for {grant.grantee} {done.value}.")
        return redirect("schedule:access_register")
    return form_page(
        request,
        "schedule/single_access_decide.html",
        {
            "grant": grant,
            "candidates": candidates,
            "approve_form": approve_form,
            "decline_form": decline_form,
            "may_decide": may_decide_single_access(request.user, grant),
            "may_revoke": may_revoke_single_access(request.user, grant),
        },
        approve_form,
        decline_form,
    )


def _revocable(user):
    if may_revoke_single_access(user):
        return visible_single_grants(user)
    return visible_single_grants(user).none()


def single_access_revoke_page(request, pk):
    """The chair records that the panel withdrew a need-to-know grant: it stops at once."""
    grant = get_object_or_404(
        _revocable(request.user).select_related("service", "user", "entry", "address_warning"),
        pk=pk,
    )
    audit.record_access(grant, view="single-access-revoke")
    form = RevokeAccessForm(request.POST if request.method == "POST" else None)

    def revoke(data):
        return single_access_revoke(actor=request.user, grant=grant, reason=data["reason"])

    if submit(request, form, revoke):
        messages.success(request, f"Access for {grant.grantee} revoked: it stopped at once.")
        return redirect("schedule:access_register")
    return form_page(
        request,
        "schedule/single_access_revoke.html",
        {
            "grant": grant,
            "form": form,
            "may_revoke": may_revoke_single_access(request.user, grant),
        },
        form,
    )


urls = [
    path("access/one/request/", single_access_request_page, name="single_access_request"),
    path("access/one/<id:pk>/decide/", single_access_decide, name="single_access_decide"),
    path("access/one/<id:pk>/revoke/", single_access_revoke_page, name="single_access_revoke"),
]
