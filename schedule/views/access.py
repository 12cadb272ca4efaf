"""The access register: who may see the schedule and why, requests for access, the chair's
decisions (approve, decline, re-certify, revoke)."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from schedule.forms import (
    AccessRequestForm,
    ApproveAccessForm,
    DeclineAccessForm,
    RevokeAccessForm,
)
from schedule.models import AccessGrant, AccessGrantStatus
from schedule.selectors import current_grants, visible_access_grants
from schedule.services import (
    AccessAlreadyHeld,
    AccessAlreadyRequested,
    ScheduleTransitionError,
    access_grant_approve,
    access_grant_decline,
    access_grant_recertify,
    access_grant_request,
    access_grant_revoke,
)
from ubpanel import audit
from ubpanel.access import get_object_or_404
from ubpanel.roles import CASE_ROLES, Role, has_role, role_required

# Access this close to its re-certification date is flagged in the register, so the panel can
# consider it at its next monthly meeting before it lapses.
RECERTIFY_SOON = timedelta(days=31)


def _sections(grants: list[AccessGrant]) -> list[tuple[str, str, list[AccessGrant]]]:
    today = timezone.localdate()
    waiting, lapsed, current, past = [], [], [], []
    for grant in grants:
        grant.recertify_soon = False
        if grant.status == AccessGrantStatus.REQUESTED:
            waiting.append(grant)
        elif grant.status == AccessGrantStatus.APPROVED and (grant.recertify_by or today) < today:
            lapsed.append(grant)
        elif grant.status == AccessGrantStatus.APPROVED:
            grant.recertify_soon = (grant.recertify_by or today) <= today + RECERTIFY_SOON
            current.append(grant)
        else:
            past.append(grant)
    return [
        ("waiting", "Waiting for the panel's decision", waiting),
        ("lapsed", "Re-certification overdue: no access until the panel re-certifies", lapsed),
        ("current", "Who has access now", current),
        ("past", "Declined or revoked", past),
    ]


@role_required(CASE_ROLES)
def access_register(request):
    grants = list(
        visible_access_grants(request.user).select_related(
            "service", "user", "requested_by", "approved_by", "closed_by"
        )
    )
    audit.record_access(grants, audit.Event.LIST)
    return render(
        request,
        "schedule/access_register.html",
        {
            "sections": _sections(grants),
            "may_decide": has_role(request.user, Role.PANEL_CHAIR),
        },
    )


def access_request(request):
    """Any member of staff asks the panel for access, for their service or for themselves."""
    form = AccessRequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        grantee = request.user.service if data["grantee"] == "service" else request.user
        try:
            access_grant_request(
                actor=request.user,
                service_or_user=grantee,
                tiers=data["tiers"],
                rationale=data["rationale"],
            )
        except ValidationError as error:
            form.add_error("rationale", error)
        except AccessAlreadyRequested as error:
            form.add_error("grantee", str(error))
        except AccessAlreadyHeld as error:
            form.add_error("tiers", str(error))
        else:
            messages.success(
                request,
                f"Your request for {grantee} has been sent to the panel. The chair will record "
                "the panel's decision.",
            )
            if has_role(request.user, *CASE_ROLES):
                return redirect("schedule:access_register")
            return redirect("home")
    status = 400 if form.errors else 200
    held = current_grants(request.user).select_related("service", "user").order_by("pk")
    return render(
        request, "schedule/access_request.html", {"form": form, "held": held}, status=status
    )


@role_required({Role.PANEL_CHAIR})
def access_decide(request, pk):
    """The chair records the panel's decision on a request: approved until a date, or declined."""
    grant = get_object_or_404(
        visible_access_grants(request.user).select_related("service", "user", "requested_by"),
        pk=pk,
    )
    audit.record_access(grant)
    action = request.POST.get("action") if request.method == "POST" else None
    approve_form = ApproveAccessForm(
        request.POST if action == "approve" else None, prefix="approve"
    )
    decline_form = DeclineAccessForm(
        request.POST if action == "decline" else None, prefix="decline"
    )
    form = approve_form if action == "approve" else decline_form
    if action in ("approve", "decline") and form.is_valid():
        data = form.cleaned_data
        try:
            if action == "decline":
                access_grant_decline(actor=request.user, grant=grant, reason=data["reason"])
                done = "declined"
            elif grant.status == AccessGrantStatus.APPROVED:
                access_grant_recertify(
                    actor=request.user, grant=grant, recertify_by=data["recertify_by"]
                )
                done = f"re-certified until {data['recertify_by']:%-d %B %Y}"
            else:
                access_grant_approve(
                    actor=request.user, grant=grant, recertify_by=data["recertify_by"]
                )
                done = "approved"
        except ValidationError as error:
            form.add_error("recertify_by" if action == "approve" else "reason", error)
        except ScheduleTransitionError as error:
            messages.error(request, str(error))
            return redirect("schedule:access_register")
        else:
            messages.success(request, f"Access for {grant.grantee} {done}.")
            return redirect("schedule:access_register")
    return render(
        request,
        "schedule/access_decide.html",
        {"grant": grant, "approve_form": approve_form, "decline_form": decline_form},
        status=400 if action and form.errors else 200,
    )


def _chairs_grants(user):
    """The grants ``user`` may act on: all of them for the chair, none for anyone else, whose
    attempt is then the audited 404."""
    if has_role(user, Role.PANEL_CHAIR):
        return visible_access_grants(user)
    return AccessGrant.objects.none()


def access_revoke(request, pk):
    """The chair records that the panel withdrew an approved access: the page asks for the reason
    and to confirm; only the POST revokes."""
    grant = get_object_or_404(
        _chairs_grants(request.user).select_related("service", "user", "approved_by"), pk=pk
    )
    audit.record_access(grant)
    form = RevokeAccessForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            access_grant_revoke(actor=request.user, grant=grant, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error("reason", error)
        except ScheduleTransitionError as error:
            messages.error(request, str(error))
            return redirect("schedule:access_register")
        else:
            messages.success(request, f"Access for {grant.grantee} revoked: it stopped at once.")
            return redirect("schedule:access_register")
    return render(
        request,
        "schedule/access_revoke.html",
        {"grant": grant, "form": form},
        status=400 if form.errors else 200,
    )


urls = [
    path("access/", access_register, name="access_register"),
    path("access/request/", access_request, name="access_request"),
    path("access/<int:pk>/decide/", access_decide, name="access_decide"),
    path("access/<int:pk>/revoke/", access_revoke, name="access_revoke"),
]
