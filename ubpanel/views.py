import time
from dataclasses import dataclass

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from correspondence.selectors import waiting_letter_work
from panel.selectors import waiting_panel_work
from referrals.selectors import waiting_referral_work
from schedule.work import waiting_schedule_work

from . import audit, audit_chain
from .audit_filters import AuditFilterForm
from .forms import SignInForm
from .middleware import SESSION_STARTED_KEY
from .navigation import sections_for
from .roles import AUDIT_READERS, role_required

# Reviews due and overdue, and emergency additions awaiting ratification: the chair's and
# Assurance's overview, read through the same selectors as the counts.
REVIEWS_URL = "schedule:review_overview"


@dataclass(frozen=True)
class Waiting:
    """One kind of work waiting for the signed-in person: how many, and the page that lists them."""

    kind: str
    count: int
    label: str
    url: str
    # The panel's work, on a few agenda items: each item's name and page, as the list pages do not
    # pick out the items with a ruling or a vote waiting.
    items: tuple[tuple[str, str], ...] = ()
    shown: tuple = ()


# kind -> (what one of them is called, what several are, the page listing them). The count of each
# comes from the app's waiting-work selector, read through the same selector as the page.
WORK = {
    "triage": ("referral to triage", "referrals to triage", "referrals:triage_queue"),
    "answers": (
        "answer from a referrer to read",
        "answers from referrers to read",
        "referrals:triage_queue",
    ),
    "legal_advice": (
        "referral awaiting your legal advice",
        "referrals awaiting your legal advice",
        "referrals:legal_queue",
    ),
    "questions": (
        "question from the Assurance team to answer",
        "questions from the Assurance team to answer",
        "referrals:index",
    ),
    "failed_emails": (
        "mailbox email that could not be read",
        "mailbox emails that could not be read",
        "referrals:triage_queue",
    ),
    "rulings": ("declared interest to rule on", "declared interests to rule on", None),
    "votes": ("proposal to vote on", "proposals to vote on", None),
    "to_draft": ("letter to draft", "letters to draft", "correspondence:index"),
    "to_approve": ("letter to approve", "letters to approve", "correspondence:index"),
    "to_send": ("letter to send", "letters to send", "correspondence:index"),
    "returns": (
        "sent letter whose questionnaire return is not recorded",
        "sent letters whose questionnaire return is not recorded",
        "correspondence:index",
    ),
    "appeals": ("appeal to decide", "appeals to decide", "schedule:appeal_list"),
    "reviews_overdue": ("review overdue", "reviews overdue", REVIEWS_URL),
    "reviews_due": ("review due soon", "reviews due soon", REVIEWS_URL),
    "emergency": (
        "emergency addition awaiting ratification",
        "emergency additions awaiting ratification",
        REVIEWS_URL,
    ),
    "access_requests": ("request for access", "requests for access", "schedule:access_register"),
    "recertifications": (
        "re-certification of access due",
        "re-certifications of access due",
        "schedule:access_register",
    ),
}


def _panel_items(objects) -> dict:
    """The agenda items ``objects`` (declarations, ballots) are on, in agenda order."""
    return {o.item_id: o.item for o in objects}


def _panel_url(objects) -> str:
    """The item when all are on one; the meeting when all are at one; else the panel's meetings."""
    items = {o.item_id for o in objects}
    if len(items) == 1:
        return reverse("panel:item_detail", args=[items.pop()])
    meetings = {o.item.meeting_id for o in objects}
    if len(meetings) == 1:
        return reverse("panel:meeting_detail", args=[meetings.pop()])
    return reverse("panel:index")


def waiting_work(user) -> tuple[list[Waiting], list]:
    """What waits for ``user``, kind by kind (only the kinds with something waiting), and the
    items they are invited to. A constant number of queries, whatever the number of rows."""
    counts = {
        **waiting_referral_work(user),
        **waiting_schedule_work(user),
        **waiting_letter_work(user),
    }
    panel = waiting_panel_work(user)
    urls = {"rulings": _panel_url(panel.rulings), "votes": _panel_url(panel.votes)}
    counts |= {"rulings": len(panel.rulings), "votes": len(panel.votes)}
    # Several items: each is linked too (one item is the link itself).
    items = {"rulings": _panel_items(panel.rulings), "votes": _panel_items(panel.votes)}
    items = {kind: listed for kind, listed in items.items() if len(listed) > 1}
    links = {
        kind: tuple(
            (f"{item.meeting}, item {item.position}", reverse("panel:item_detail", args=[pk]))
            for pk, item in listed.items()
        )
        for kind, listed in items.items()
    }
    work = [
        Waiting(
            kind,
            counts[kind],
            one if counts[kind] == 1 else many,
            urls.get(kind) or reverse(url),
            links.get(kind, ()),
            tuple(items.get(kind, {}).values()),
        )
        for kind, (one, many, url) in WORK.items()
        if counts.get(kind)
    ]
    return work, panel.invitations


def home(request):
    """Each person's work page: what waits for them, with a link to each list, and the parts of
    the service their roles open. An Operations Manager or Legal Services adviser invited to
    present or advise on a panel item reaches it from here: the Panel section is for the panel's
    own roles."""
    work, invitations = waiting_work(request.user)
    # The counts show nobody; the agenda items named with a link are audited like any list's rows.
    shown = {invitation.item for invitation in invitations}
    shown |= {item for waiting in work for item in waiting.shown}
    audit.record_access(sorted(shown, key=lambda item: item.pk), audit.Event.LIST)
    return render(
        request,
        "ubpanel/home.html",
        {"sections": sections_for(request.user), "work": work, "invitations": invitations},
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
