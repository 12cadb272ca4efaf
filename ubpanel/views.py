import time

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from panel.models import Invitee, MeetingStatus

from . import audit, audit_chain
from .audit_filters import AuditFilterForm
from .forms import SignInForm
from .middleware import SESSION_STARTED_KEY
from .navigation import sections_for
from .roles import AUDIT_READERS, role_required


def home(request):
    # An Operations Manager or Legal Services adviser invited to present or advise on a panel item
    # reaches it from here: the Panel section is for the panel's own roles.
    invitations = list(
        Invitee.objects.filter(user=request.user)
        .exclude(item__meeting__status=MeetingStatus.CLOSED)
        .select_related("item__meeting")
        .order_by("item__meeting__starts_at", "item__position")
    )
    return render(
        request,
        "ubpanel/home.html",
        {"sections": sections_for(request.user), "invitations": invitations},
    )


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)  # login() gives the session a new key
        self.request.session[SESSION_STARTED_KEY] = time.time()
        return response


def locked_out(request, credentials=None, *args, **kwargs) -> HttpResponse:
    """What django-axes shows once an account has had too many failed sign-ins."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "registration/locked_out.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes},
        status=429,
    )


@login_not_required
@never_cache
def healthz(request):
    """Kept for load balancers set up before ``/healthz/live`` and ``/healthz/ready``
    (``ubpanel/health.py``): the app answers and the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@role_required(AUDIT_READERS)
def audit_list(request):
    """The audit trail for auditors and the Information Asset Owner. Reading it is audited too."""
    form = AuditFilterForm(request.GET or None)
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-pk")
    if form.is_bound and form.is_valid():
        entries = form.filter(entries)
    elif form.is_bound:
        entries = entries.none()
    page = Paginator(entries, settings.AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    audit.record(
        audit.Event.VIEW,
        model=LogEntry,
        object_repr="Audit trail",
        filters={key: value for key, value in request.GET.items() if value and key != "page"},
        page=page.number,
        shown=len(page.object_list),
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "ubpanel/audit_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "verification": audit_chain.last_verification(),
        },
    )
