"""Search before contact: the schedule's front page, for everyone who may read the schedule.

The search is a POST, so names, addresses and phone numbers never reach URLs, browser history or
server logs. With JavaScript, results come as you type (htmx swaps ``_results.html``); without it
the same form posts and the page shows the same results. Every search is audited with what it
showed; a visitor can record that they checked before a visit.
"""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from schedule.models import Entry
from schedule.search import Query, search_entries
from schedule.selectors import contact_checkable_entries
from schedule.services import contact_check_record
from schedule.single_access import grants_used
from ubpanel import audit
from ubpanel.access import get_object_or_404
from ubpanel.audit_people import person_ids
from ubpanel.forms import GovukForm
from ubpanel.roles import SCHEDULE_ROLES, role_required


class SearchForm(GovukForm):
    q = forms.CharField(
        label="Name, address, postcode, email or phone number",
        max_length=200,
        error_messages={"required": "Enter a name, address, postcode, email or phone number"},
        help_text=(
            "Spelling, accents and the order of names do not need to be exact. To tell people"
            " with the same name apart, add a date or year of birth or a postcode:"
            " John Smith 1975, John Smith DT1."
        ),
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "spellcheck": "false",
                # Live results (htmx): the form's values, CSRF token included, are posted.
                "hx-post": reverse_lazy("schedule:index"),
                "hx-trigger": "input changed delay:300ms, search",
                "hx-target": "#search-results",
                "hx-sync": "this:replace",
            }
        ),
    )

    def clean_q(self):
        """What was typed, read once (``schedule.search_query.Query``) for the search and its
        audit row; a date of birth that cannot be one is refused beside the box."""
        query = Query.parse(self.cleaned_data["q"])
        if query.problem:
            raise forms.ValidationError(query.problem, code="date_of_birth")
        return query


class ContactCheckForm(GovukForm):
    purpose = forms.CharField(max_length=200, required=False)


@never_cache
@role_required(SCHEDULE_ROLES)
@require_http_methods(["GET", "POST"])
def index(request):
    form = SearchForm(request.POST or None)
    results, searched = [], False
    typed = request.POST.get("q", "").strip()
    if request.htmx and not typed:
        # The box was cleared while typing: clear the results, no error yet.
        form = SearchForm()
    elif form.is_valid():
        query = form.cleaned_data["q"]
        results, searched = search_entries(request.user, query), True
        _audit_search(request.user, typed, query, results)
    # Live results replace only the results region, so a refused search (too long, a NUL) says
    # so there, in the words the full page puts beside the box.
    context = {"form": form, "results": results, "searched": searched, "live": bool(request.htmx)}
    template = "schedule/_results.html" if request.htmx else "schedule/index.html"
    return render(request, template, context)


def _audit_search(user, typed: str, query: Query, results) -> None:
    entries = [r.entry for r in results if r.entry]
    warnings = [r.address_warning for r in results if r.address_warning]
    # What was shown only through a need-to-know grant names the grant (no query otherwise).
    used = grants_used(user, entries, warnings)
    # One INSERT: the search and what it showed are recorded together (it is the app's most
    # frequent write, on every pause in a live search). The query itself is recorded: an auditor
    # must be able to see who looked for whom.
    audit.record_search(
        model=Entry,
        object_repr="Schedule search",
        shown=[*entries, *warnings],
        query=typed,
        read_as=query.kinds,
        entries_shown=[e.pk for e in entries],
        address_warnings_shown=[w.pk for w in warnings],
        **({"access_grants": used} if used else {}),
        # Who the search showed: each hit's person (an address warning's, through its entry).
        people=[pk for hit in [*entries, *warnings] for pk in person_ids(hit)],
    )


@role_required(SCHEDULE_ROLES)
@require_POST
def contact_check(request, pk):
    """The visitor records that they read the entry before a visit or call."""
    entry = get_object_or_404(
        contact_checkable_entries(request.user).select_related("person"),
        pk=pk,
    )
    form = ContactCheckForm(request.POST)
    purpose = form.cleaned_data["purpose"] if form.is_valid() else ""
    check = contact_check_record(actor=request.user, entry=entry, purpose=purpose)
    if request.htmx:
        return render(request, "schedule/_contact_checked.html", {"check": check})
    messages.success(request, f"Recorded that you checked {entry.reference} before contact.")
    return redirect("schedule:index")


urls = [
    path("", index, name="index"),
    path("entries/<id:pk>/checked-before-contact/", contact_check, name="contact_check"),
]
