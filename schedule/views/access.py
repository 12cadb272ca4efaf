"""The access register: who may see the schedule and why, requests for access, the chair's
decisions (approve, decline, re-certify, revoke)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from schedule.forms import (
    AccessRequestForm,
    ApproveAccessForm,
    DeclineAccessForm,
    RevokeAccessForm,
)
from schedule.models import AccessGrant, AccessGrantStatus, SingleAccessStatus
from schedule.register import (
    ROLE_ACCESS,
    XLSX_TYPE,
    access_now,
    may_export_access_register,
    register_csv,
    register_xlsx,
    role_holders_by_role,
)
from schedule.selectors import (
    current_grants,
    may_decide_access,
    may_read_access_register,
    may_revoke_access,
    visible_access_grants,
)
from schedule.services import (
    access_grant_approve,
    access_grant_decline,
    access_grant_recertify,
    access_grant_request,
    access_grant_revoke,
)
from schedule.single_access import visible_single_grants
from schedule.work import RECERTIFY_WITHIN
from ubpanel import audit
from ubpanel.access import get_object_or_404
from ubpanel.pages import form_page, submit
from ubpanel.pagination import EstimatedCountPaginator
from ubpanel.roles import CASE_ROLES, Role, role_required

LIVE_GRANT_STATUSES = (AccessGrantStatus.REQUESTED, AccessGrantStatus.APPROVED)
PAST_GRANTS_PER_PAGE = 25

# Access this close to its re-certification date is flagged in the register, so the panel can
# consider it at its next monthly meeting before it lapses.


def _sections(grants: list[AccessGrant], past) -> list[tuple[str, str, list[AccessGrant]]]:
    today = timezone.localdate()
    waiting, lapsed, current = [], [], []
    for grant in grants:
        grant.recertify_soon = False
        if grant.status == AccessGrantStatus.REQUESTED:
            waiting.append(grant)
        elif (grant.recertify_by or today) < today:
            lapsed.append(grant)
        else:
            grant.recertify_soon = (grant.recertify_by or today) <= today + RECERTIFY_WITHIN
            current.append(grant)
    return [
        ("waiting", "Waiting for the panel's decision", waiting),
        ("lapsed", "Re-certification overdue: no access until the panel re-certifies", lapsed),
        ("current", "Who has access now", current),
        ("past", "Declined or revoked", past),
    ]


@role_required(CASE_ROLES)
def access_register(request):
    """Requests and access held in full (one row per service or officer at most), then the
    declined and revoked, newest first, a page at a time: the history is what grows."""
    grants = visible_access_grants(request.user).select_related(
        "service", "user", "requested_by", "approved_by", "closed_by"
    )
    live = list(grants.filter(status__in=LIVE_GRANT_STATUSES).order_by("pk"))
    past = EstimatedCountPaginator(
        grants.exclude(status__in=LIVE_GRANT_STATUSES).order_by("-pk"), PAST_GRANTS_PER_PAGE
    ).get_page(request.GET.get("page"))
    single = _single_sections(request.user)
    audit.record_access(
        [*live, *past.object_list, *(g for _, _, grants in single for g in grants)],
        audit.Event.LIST,
    )
    return render(
        request,
        "schedule/access_register.html",
        {
            "sections": _sections(live, list(past.object_list)),
            "page": past,
            "may_decide": may_decide_access(request.user),
            "single_sections": single,
            "roles": [(access, holders) for access, holders in _role_holders()],
            "may_export": may_export_access_register(request.user),
            "today": timezone.localdate(),
        },
    )


def _single_sections(user):
    """Need-to-know grants to one record: waiting, in force, and the latest ended ones."""
    today = timezone.localdate()
    grants = visible_single_grants(user).select_related(
        "service", "user", "entry", "address_warning", "requested_by", "decided_by", "closed_by"
    )
    in_force = Q(status=SingleAccessStatus.APPROVED, ends_on__gte=today)
    return [
        (
            "single-waiting",
            "Waiting for the panel's decision",
            list(grants.filter(status=SingleAccessStatus.REQUESTED).order_by("pk")),
        ),
        (
            "single-current",
            "Who has access to one record now",
            list(grants.filter(in_force).order_by("ends_on", "pk")),
        ),
        (
            "single-past",
            f"The last {PAST_GRANTS_PER_PAGE} ended, declined or revoked",
            list(
                grants.exclude(in_force)
                .exclude(status=SingleAccessStatus.REQUESTED)
                .order_by("-pk")[:PAST_GRANTS_PER_PAGE]
            ),
        ),
    ]


def _role_holders():
    holders = role_holders_by_role()
    return [(access, holders[access.role]) for access in ROLE_ACCESS]


def _export(request, kind: str):
    """The whole register as it stands today, for the Information Asset Owner (the chair)."""
    if not may_export_access_register(request.user):
        raise PermissionDenied("Only the Information Asset Owner exports the access register.")
    today = timezone.localdate()
    rows = access_now(today)
    audit.record(
        audit.Event.EXPORT,
        model=AccessGrant,
        object_repr="Access register",
        format=kind,
        rows=len(rows),
    )
    if kind == "csv":
        response = HttpResponse(register_csv(rows, today), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(register_xlsx(rows, today), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="access-register-{today}.{kind}"'
    return response


def access_register_csv(request):
    return _export(request, "csv")


def access_register_xlsx(request):
    return _export(request, "xlsx")


def access_request(request):
    """Any member of staff asks the panel for access, for their service or for themselves."""
    form = AccessRequestForm(request.POST or None, user=request.user)

    def request_access(data):
        grantee = request.user.service if data["grantee"] == "service" else request.user
        access_grant_request(
            actor=request.user,
            service_or_user=grantee,
            tiers=data["tiers"],
            rationale=data["rationale"],
        )
        return grantee

    if done := submit(request, form, request_access):
        messages.success(
            request,
            f"Your request for {done.value} has been sent to the panel. The chair will record "
            "the panel's decision.",
        )
        if may_read_access_register(request.user):
            return redirect("schedule:access_register")
        return redirect("home")
    held = current_grants(request.user).select_related("service", "user").order_by("pk")
    return form_page(request, "schedule/access_request.html", {"form": form, "held": held}, form)


def _decided(request, grant, data, action) -> str:
    if action == "decline":
        access_grant_decline(actor=request.user, grant=grant, reason=data["reason"])
        return "declined"
    if grant.status == AccessGrantStatus.APPROVED:
        access_grant_recertify(actor=request.user, grant=grant, recertify_by=data["recertify_by"])
        return f"re-certified until {data['recertify_by']:%-d %B %Y}"
    access_grant_approve(actor=request.user, grant=grant, recertify_by=data["recertify_by"])
    return "approved"


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
    if action in ("approve", "decline") and (
        done := submit(request, form, lambda data: _decided(request, grant, data, action))
    ):
        messages.success(request, f"Access for {grant.grantee} {done.value}.")
        return redirect("schedule:access_register")
    return form_page(
        request,
        "schedule/access_decide.html",
        {
            "grant": grant,
            "approve_form": approve_form,
            "decline_form": decline_form,
            "may_decide": may_decide_access(request.user, grant),
            "may_revoke": may_revoke_access(request.user, grant),
        },
        approve_form,
        decline_form,
    )


def _revocable(user):
    """The grants ``user`` may revoke: all of them for the chair, none for anyone else, whose
    attempt is then the audited 404."""
    if may_revoke_access(user):
        return visible_access_grants(user)
    return AccessGrant.objects.none()


def access_revoke(request, pk):
    """The chair records that the panel withdrew an approved access: the page asks for the reason
    and to confirm; only the POST revokes."""
    grant = get_object_or_404(
        _revocable(request.user).select_related("service", "user", "approved_by"), pk=pk
    )
    audit.record_access(grant)
    form = RevokeAccessForm(request.POST if request.method == "POST" else None)

    def revoke(data):
        return access_grant_revoke(actor=request.user, grant=grant, reason=data["reason"])

    if submit(request, form, revoke):
        messages.success(request, f"Access for {grant.grantee} revoked: it stopped at once.")
        return redirect("schedule:access_register")
    return form_page(
        request,
        "schedule/access_revoke.html",
        {"grant": grant, "form": form, "may_revoke": may_revoke_access(request.user, grant)},
        form,
    )


urls = [
    path("access/", access_register, name="access_register"),
    path("access/register.csv", access_register_csv, name="access_register_csv"),
    path("access/register.xlsx", access_register_xlsx, name="access_register_xlsx"),
    path("access/request/", access_request, name="access_request"),
    path("access/<id:pk>/decide/", access_decide, name="access_decide"),
    path("access/<id:pk>/revoke/", access_revoke, name="access_revoke"),
]
