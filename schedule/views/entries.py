"""Schedule entries: the list for the case roles, an entry (the frontline view or the full case
view), and the chair's emergency addition."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import path

from referrals.matching import candidate_people
from referrals.selectors import visible_people, visible_referrals
from referrals.services import person_create
from schedule.adjustments import adjustments_beside, restriction_review
from schedule.forms import (
    NEW_PERSON,
    EmergencyAdditionForm,
    EmergencyIncidentFormSet,
    RecordOwnerForm,
)
from schedule.selectors import (
    EMERGENCY_ROLES,
    can_see_narrative,
    emergency_needs_chair_absent,
    may_add_emergency,
    may_change_record_owner,
    may_record_appeal,
    record_owner_changeable,
    visible_address_warnings,
    visible_entries,
)
from schedule.services import entry_add_emergency, entry_record_owner_set
from schedule.single_access import grants_used
from ubpanel import audit, hooks
from ubpanel.access import get_object_or_404
from ubpanel.errors import DomainError
from ubpanel.form_errors import summary_errors
from ubpanel.pages import form_page, submit
from ubpanel.pagination import EstimatedCountPaginator
from ubpanel.roles import CASE_ROLES, can_see_special_category, role_required
from ubpanel.tiers import TIER_DEFINITIONS

ENTRIES_PER_PAGE = 25


@role_required(CASE_ROLES)
def entry_list(request):
    # Newest reference first, read from the primary key's index: sorting 100,000 entries by
    # their people's names took 400 ms a page (issue 16, point 4); the search finds a name.
    entries = visible_entries(request.user).select_related("person").order_by("-pk")
    page = EstimatedCountPaginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    audit.record_access(page.object_list, audit.Event.LIST)
    return render(
        request,
        "schedule/entry_list.html",
        {"page": page, "may_add_emergency": may_add_emergency(request.user)},
    )


def entry_detail(request, pk):
    """What staff must do about this person; the case roles also see why, and the history.

    Who may open it at all is ``visible_entries``: anyone else gets the audited 404.
    """
    entry = get_object_or_404(
        visible_entries(request.user).select_related("person", "spoc_service", "record_owner"),
        pk=pk,
    )
    full = can_see_narrative(request.user)
    address_warnings = list(
        visible_address_warnings(request.user).filter(entry=entry).order_by("pk")
    )
    # Seen through a need-to-know grant (not a role, a tier or ownership): the audit names it.
    used = grants_used(request.user, [entry], address_warnings)
    audit.record_access(
        entry, view="full" if full else "frontline", **({"access_grants": used} if used else {})
    )
    context = {
        "entry": entry,
        "full": full,
        "tier_definition": TIER_DEFINITIONS.get(entry.tier, ""),
        "restrictions": restriction_review(request.user, entry, entry.person),
        "address_warnings": address_warnings,
    }
    if full:
        referrals = list(entry.referrals.order_by("pk"))
        openable = set(
            visible_referrals(request.user)
            .filter(pk__in=[r.pk for r in referrals])
            .values_list("pk", flat=True)
        )
        context.update(
            incidents=list(entry.incidents.all()),
            appeals=list(entry.appeals.order_by("-received_on", "-pk")),
            may_change_record_owner=may_change_record_owner(request.user, entry),
            may_record_appeal=may_record_appeal(request.user, entry),
            events=list(entry.events.select_related("actor")),
            referrals=[(referral, referral.pk in openable) for referral in referrals],
            show_health=can_see_special_category(request.user),
            # The panel's decisions on the entry and whether its letter may be drafted: the apps
            # built on the schedule add them.
            **hooks.entry_page_context(user=request.user, entry=entry),
        )
    return render(request, "schedule/entry_detail.html", context)


def entry_record_owner(request, pk):
    """The chair or Assurance name the Operations Manager now responsible for a live record.
    Anyone else, and any entry that is not live, gets the audited 404."""
    entry = get_object_or_404(record_owner_changeable(request.user).select_related("person"), pk=pk)
    form = RecordOwnerForm(request.POST or None, initial={"record_owner": entry.record_owner_id})
    done = submit(
        request,
        form,
        lambda data: entry_record_owner_set(
            actor=request.user, entry=entry, owner=data["record_owner"], reason=data["reason"]
        ),
    )
    if done:
        messages.success(request, f"{entry.reference} has a new record owner.")
        return redirect("schedule:entry_detail", pk=entry.pk)
    audit.record_access(entry, view="record-owner")
    return form_page(
        request, "schedule/entry_record_owner.html", {"entry": entry, "form": form}, form
    )


def _candidates(user, form):
    """Known people who may be the individual typed in (only those ``user`` may see); audited."""
    if not form.is_bound:
        return []
    data = form.data
    given, family = data.get("given_names", "").strip(), data.get("family_name", "").strip()
    if not (given or family):
        return []
    date_field = form.fields["date_of_birth"]
    try:
        born = date_field.clean(data.get("date_of_birth", ""))
    except ValidationError:
        born = None
    candidates = candidate_people(
        visible_people(user),
        given_names=given,
        family_name=family,
        date_of_birth=born,
        postcode=data.get("postcode", ""),
        limit=5,
    )
    audit.record_access([c.person for c in candidates], audit.Event.SEARCH, purpose="match")
    return candidates


def _incidents_formset(data=None):
    """The emergency addition's incidents; "Add another incident" posts with one more form.
    There is always at least one form, whatever count is posted."""
    if data is not None:
        data = data.copy()
        adding = "add_incident" in data
        try:
            total = int(data.get("incidents-TOTAL_FORMS") or 1)
        except ValueError:
            total = 1 if adding else None  # a tampered count: the formset reports it
        if total is not None:
            data["incidents-TOTAL_FORMS"] = str(max(total, 1) + adding)
    return EmergencyIncidentFormSet(data, prefix="incidents")


# The fields about who the individual is, above the incidents on the page; the rest come after.
WHO_FIELDS = ("given_names", "family_name", "date_of_birth", "address", "postcode", "person")


def _error_summary(form, incidents) -> list[tuple[str, str]]:
    """The page's error summary, (anchor, message), in the page's order: who the individual is,
    the incidents ("Incident 2: Enter where it happened"; the set's own errors link to the first
    incident, or to the incidents' heading when there is none), then the rest; each message once."""
    own = summary_errors(form) if form.is_bound else []
    who = {form[name].id_for_label or form[name].auto_id for name in WHO_FIELDS}
    entries = [entry for entry in own if entry[0] in who]
    first = "incidents"  # the incidents' heading, when no incident form is shown
    if incidents.forms:
        date = incidents.forms[0]["occurred_on"]
        first = date.id_for_label or date.auto_id
    if incidents.is_bound:
        entries += [(first, str(error)) for error in incidents.non_form_errors()]
        for number, incident in enumerate(incidents.forms, 1):
            entries += [(a, f"Incident {number}: {m}") for a, m in summary_errors(incident)]
    entries += [entry for entry in own if entry[0] not in who]
    seen: set[str] = set()
    return [entry for entry in entries if not (entry[1] in seen or seen.add(entry[1]))]


def _incident_rows(formset) -> list[dict]:
    """The incidents with anything typed in them (the first form, which may not be left out,
    cleans to a row of blanks when nothing is)."""
    return [
        form.cleaned_data
        for form in formset.forms
        if form.is_valid() and any(form.cleaned_data.values())
    ]


def _add_emergency(request, data: dict, incidents: list[dict]):
    """Create the person when they are new, then the entry: both or neither."""
    try:
        with transaction.atomic():
            if data["person"] == NEW_PERSON:
                person = person_create(
                    actor=request.user,
                    given_names=data["given_names"],
                    family_name=data["family_name"],
                    date_of_birth=data["date_of_birth"],
                    addresses=[(data["address"], data["postcode"])],
                )
            else:
                person = get_object_or_404(visible_people(request.user), pk=data["person"])
            return entry_add_emergency(
                actor=request.user,
                person=person,
                incidents=incidents,
                reason=data["reason"],
                internal_notes=data["internal_notes"],
                guidance=data["guidance"],
                permitted_contact=data["permitted_contact"],
                record_owner=data["record_owner"],
                chair_absent=data.get("chair_absent", False),
                restriction_kinds=data["restriction_kinds"],
                adjustment_clash_reason=data["adjustment_clash_reason"],
            )
    except PermissionDenied as error:
        # The Director adds only in the chair's absence: the refusal belongs beside that box.
        raise DomainError(str(error), field="chair_absent") from error


@role_required(EMERGENCY_ROLES)
def emergency_add(request):
    """The chair (or the Director, the chair being absent) puts a high-risk individual on the
    schedule at once. "Find matches" shows known people for the name typed; "Add another
    incident" adds a row; "Add" creates the entry, live and pending ratification."""
    ask_chair_absent = emergency_needs_chair_absent(request.user)
    if request.method != "POST":
        form = EmergencyAdditionForm(show_chair_absent=ask_chair_absent)
        return render(
            request,
            "schedule/emergency_form.html",
            {"form": form, "incidents": _incidents_formset()},
        )

    incidents = _incidents_formset(request.POST)
    unbound = EmergencyAdditionForm(request.POST, show_chair_absent=ask_chair_absent)
    candidates = _candidates(request.user, unbound)
    form = EmergencyAdditionForm(
        request.POST, candidates=candidates, show_chair_absent=ask_chair_absent
    )
    if "find" in request.POST or "add_incident" in request.POST:
        # Only looking for matches, or adding a row: no errors yet for fields not filled in.
        form = EmergencyAdditionForm(
            initial={
                **request.POST.dict(),
                "restriction_kinds": request.POST.getlist("restriction_kinds"),
            },
            candidates=candidates,
            show_chair_absent=ask_chair_absent,
        )
        return render(
            request,
            "schedule/emergency_form.html",
            {
                "form": form,
                "incidents": incidents,
                "searched": True,
                "beside": _adjustments_beside(request.user, unbound, candidates),
                "errors": _error_summary(form, incidents),
            },
        )
    incidents_valid = incidents.is_valid()
    for incident_form in incidents.forms:
        incidents_valid = incident_form.validate_for_addition() and incidents_valid
    if incidents_valid and not _incident_rows(incidents):
        incidents.forms[0].add_error(
            "occurred_on", "Enter the date, place and what happened for at least one incident"
        )
        incidents_valid = False
    form.is_valid()  # its errors show with the incidents', whichever are wrong
    if incidents_valid and (
        done := submit(
            request, form, lambda data: _add_emergency(request, data, _incident_rows(incidents))
        )
    ):
        entry = done.value
        messages.success(
            request,
            f"{entry.reference}: {entry.person} is on the schedule now as high risk, pending "
            "ratification at the next panel meeting. Legal Services have been asked to draft "
            "the letter.",
        )
        return redirect("schedule:entry_detail", pk=entry.pk)
    # Whatever stopped the addition - a field, an incident, a refusal - the page says it.
    return render(
        request,
        "schedule/emergency_form.html",
        {
            "form": form,
            "incidents": incidents,
            "searched": True,
            "beside": _adjustments_beside(request.user, form, candidates),
            "errors": _error_summary(form, incidents),
        },
        status=400,
    )


def _adjustments_beside(user, form, candidates) -> dict:
    """The chosen known person's adjustments beside the restrictions ticked, and any clash."""
    chosen = form.data.get("person")
    person = next((c.person for c in candidates if str(c.person.pk) == chosen), None)
    return adjustments_beside(user, person, form.data.getlist("restriction_kinds"))


urls = [
    path("entries/", entry_list, name="entry_list"),
    path("entries/emergency/", emergency_add, name="emergency_add"),
    path("entries/<id:pk>/", entry_detail, name="entry_detail"),
    path("entries/<id:pk>/record-owner/", entry_record_owner, name="entry_record_owner"),
]
