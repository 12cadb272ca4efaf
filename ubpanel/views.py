import time
from dataclasses import dataclass

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from correspondence.selectors import letters_waiting_for_sender, waiting_letter_work
from panel.selectors import waiting_panel_work
from referrals.selectors import answers_to_read, visible_people, waiting_referral_work
from schedule.work import waiting_schedule_work

from . import audit, audit_chain, audit_words
from .audit_filters import AuditFilterForm
from .forms import SignInForm
from .middleware import SESSION_STARTED_KEY
from .navigation import sections_for
from .pagination import EstimatedCountPaginator
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
    # The things waiting, by name and page, where the list page does not pick them out.
    items: tuple[tuple[str, str], ...] = ()
    # The records those names stand for (audited as shown).
    shown: tuple = ()


# kind -> (what one of them is called, what several are, the page listing them). The count of each
# comes from the app's waiting-work selector, read through the same selector as the page.
WORK = {
    # The whole queue, as its page lists it: those waiting for the referrer's answer or for Legal
    # Services' advice too (their status shows which).
    "triage": (
        "referral in the triage queue",
        "referrals in the triage queue",
        "referrals:triage_queue",
    ),
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
    "reports_to_link": (
        "violent referral to link your accident/incident report to",
        "violent referrals to link your accident/incident report to",
        "referrals:health_safety_list",
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
    "single_access_requests": (
        "request for access to one person or address",
        "requests for access to one person or address",
        "schedule:access_register",
    ),
    "recertifications": (
        "re-certification of access due",
        "re-certifications of access due",
        "schedule:access_register",
    ),
}


# At most this many of one kind are named on the page; the kind's link lists them all.
NAMED_LIMIT = 10


def _panel_url(objects) -> str:
    """The meeting when all are at one; else the panel's meetings."""
    meetings = {o.item.meeting_id for o in objects}
    if len(meetings) == 1:
        return reverse("panel:meeting_detail", args=[meetings.pop()])
    return reverse("panel:index")


def _named(user, counts: dict) -> tuple[dict[str, list[tuple]], object]:
    """The things of each kind whose list page does not pick them out, each as (the record, its
    name, its page): agenda items with a ruling or a vote waiting, referrals the referrer has
    answered, letters to approve or send. Adds their counts to ``counts``; returns the panel's work
    too (its invitations)."""
    panel = waiting_panel_work(user)
    counts |= {"rulings": len(panel.rulings), "votes": len(panel.votes)}
    named = {}
    for kind, objects in (("rulings", panel.rulings), ("votes", panel.votes)):
        items = {o.item_id: o.item for o in objects}.values()
        named[kind] = [
            (
                item,
                f"{item.meeting}, item {item.position}",
                reverse("panel:item_detail", args=[item.pk]),
            )
            for item in items
        ]
    if counts.get("answers"):
        answered = answers_to_read(user).order_by("submitted_at", "pk")[:NAMED_LIMIT]
        named["answers"] = [
            (r, r.reference, reverse("referrals:triage_detail", args=[r.pk])) for r in answered
        ]
    to_approve, to_send = letters_waiting_for_sender(user)
    counts |= {"to_approve": len(to_approve), "to_send": len(to_send)}
    for kind, letters in (("to_approve", to_approve), ("to_send", to_send)):
        named[kind] = [
            (x, x.reference, reverse("correspondence:letter_detail", args=[x.pk])) for x in letters
        ]
    return {kind: rows[:NAMED_LIMIT] for kind, rows in named.items()}, panel


def waiting_work(user) -> tuple[list[Waiting], list]:
    """What waits for ``user``, kind by kind (only the kinds with something waiting), and the
    items they are invited to. A constant number of queries, whatever the number of rows.

    Where the kind's list page does not pick its things out, they are named with a link each; and
    when there is only one, the kind's link goes straight to it."""
    counts = {
        **waiting_referral_work(user),
        **waiting_schedule_work(user),
        **waiting_letter_work(user),
    }
    named, panel = _named(user, counts)
    urls = {"rulings": _panel_url(panel.rulings), "votes": _panel_url(panel.votes)}
    work = []
    for kind, (one, many, url) in WORK.items():
        if not counts.get(kind):
            continue
        rows = named.get(kind, [])
        link = urls.get(kind) or reverse(url)
        if len(rows) == 1:
            link, rows = rows[0][2], []
        work.append(
            Waiting(
                kind,
                counts[kind],
                one if counts[kind] == 1 else many,
                link,
                tuple((name, page) for _, name, page in rows),
                tuple(record for record, _, _ in rows),
            )
        )
    return work, panel.invitations


def home(request):
    """Each person's work page: what waits for them, with a link to each list, and the parts of
    the service their roles open. An Operations Manager or Legal Services adviser invited to
    present or advise on a panel item reaches it from here: the Panel section is for the panel's
    own roles."""
    work, invitations = waiting_work(request.user)
    # The counts show nobody; the records named with a link are audited like any list's rows.
    shown = {invitation.item: None for invitation in invitations}
    shown |= {record: None for waiting in work for record in waiting.shown}
    audit.record_access(list(shown), audit.Event.LIST)
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
    """The audit trail for auditors and the Information Asset Owner, in English: full names, each
    record's label, details as sentences. Reading it is audited too, naming the people whose names
    it showed."""
    form = AuditFilterForm(request.GET or None)
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-pk")
    if form.is_bound and form.is_valid():
        entries = form.filter(entries)
    elif form.is_bound:
        entries = entries.none()
    # Counting a million rows for "page 1 of N" cost more than the page: estimated beyond 10,000.
    page = EstimatedCountPaginator(entries, settings.AUDIT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    named = audit_words.people_named(page.object_list)
    person_names = {
        person.pk: str(person)
        for person in visible_people(request.user)
        .filter(pk__in=named)
        .only("pk", "given_names", "family_name")
    }
    rows = audit_words.describe(page.object_list, person_names)
    audit.record(
        audit.Event.VIEW,
        model=LogEntry,
        object_repr="Audit trail",
        people=person_names,
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
            "rows": rows,
            "query": query.urlencode(),
            "verification": audit_chain.last_verification(),
        },
    )
