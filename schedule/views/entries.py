"""Schedule entries: the list for the case roles, an entry (the frontline view or the full case
view), and the chair's emergency addition."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import path

from referrals.matching import candidate_people
from referrals.selectors import visible_people, visible_referrals
from referrals.services import person_create
from schedule.forms import (
    NEW_PERSON,
    EmergencyAdditionForm,
    EmergencyIncidentFormSet,
    RecordOwnerForm,
)
from schedule.models import Entry
from schedule.selectors import can_see_narrative, visible_address_warnings, visible_entries
from schedule.services import (
    APPEAL_RECORD_ROLES,
    ScheduleTransitionError,
    entry_add_emergency,
    entry_record_owner_set,
)
from ubpanel import audit
from ubpanel.access import get_object_or_404
from ubpanel.entry_status import LIVE_STATUSES, EntryStatus
from ubpanel.roles import CASE_ROLES, Role, can_see_special_category, has_role, role_required
from ubpanel.tiers import TIER_DEFINITIONS

ENTRIES_PER_PAGE = 25
EMERGENCY_ROLES = {Role.PANEL_CHAIR, Role.DIRECTOR_LEGAL}


@role_required(CASE_ROLES)
def entry_list(request):
    entries = (
        visible_entries(request.user)
        .select_related("person")
        .order_by("person__family_name", "person__given_names", "pk")
    )
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    audit.record_access(page.object_list, audit.Event.LIST)
    return render(
        request,
        "schedule/entry_list.html",
        {"page": page, "may_add_emergency": has_role(request.user, *EMERGENCY_ROLES)},
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
    audit.record_access(entry, view="full" if full else "frontline")
    context = {
        "entry": entry,
        "full": full,
        "tier_definition": TIER_DEFINITIONS.get(entry.tier, ""),
        "address_warnings": list(
            visible_address_warnings(request.user).filter(entry=entry).order_by("pk")
        ),
    }
    if full:
        referrals = list(entry.referrals.order_by("pk"))
        openable = set(
            visible_referrals(request.user)
            .filter(pk__in=[r.pk for r in referrals])
            .values_list("pk", flat=True)
        )
        # The panel builds on the schedule: imported here, not at the top.
        from panel.models import AgendaItem, ItemStatus
        from panel.selectors import visible_items

        decided = list(
            AgendaItem.objects.filter(entry=entry, status=ItemStatus.DECIDED)
            .select_related("meeting", "decision")
            .order_by("decision__decided_at", "pk")
        )
        readable = set(
            visible_items(request.user)
            .filter(pk__in=[item.pk for item in decided])
            .values_list("pk", flat=True)
        )
        from correspondence.models import LetterKind
        from correspondence.selectors import may_draft

        context.update(
            incidents=list(entry.incidents.all()),
            appeals=list(entry.appeals.order_by("-received_on", "-pk")),
            # Assurance and Legal Services record the individual's written appeal.
            may_change_record_owner=entry.is_live and has_role(request.user, *RECORD_OWNER_ROLES),
            may_record_appeal=entry.status == EntryStatus.ACTIVE
            and has_role(request.user, *APPEAL_RECORD_ROLES),
            # Legal Services draft the high-risk letter for the chair's emergency addition.
            may_draft_emergency_letter=entry.status == EntryStatus.PENDING_RATIFICATION
            and may_draft(request.user, LetterKind.HIGH)
            and not entry.letters.exists(),
            decisions=[(item, item.pk in readable) for item in decided],
            events=list(entry.events.select_related("actor")),
            referrals=[(referral, referral.pk in openable) for referral in referrals],
            show_health=can_see_special_category(request.user),
        )
    return render(request, "schedule/entry_detail.html", context)


# Who gives a record to another Operations Manager: the chair (the Information Asset Owner) and
# the Assurance team.
RECORD_OWNER_ROLES = {Role.PANEL_CHAIR, Role.ASSURANCE_OFFICER}


def _owner_changeable(user):
    if has_role(user, *RECORD_OWNER_ROLES):
        return visible_entries(user).filter(status__in=LIVE_STATUSES)
    return Entry.objects.none()


def entry_record_owner(request, pk):
    """The chair or Assurance name the Operations Manager now responsible for a live record.
    Anyone else, and any entry that is not live, gets the audited 404."""
    entry = get_object_or_404(_owner_changeable(request.user).select_related("person"), pk=pk)
    form = RecordOwnerForm(request.POST or None, initial={"record_owner": entry.record_owner_id})
    if request.method == "POST" and form.is_valid():
        try:
            entry_record_owner_set(
                actor=request.user,
                entry=entry,
                owner=form.cleaned_data["record_owner"],
                reason=form.cleaned_data["reason"],
            )
        except ScheduleTransitionError as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, f"{entry.reference} has a new record owner.")
            return redirect("schedule:entry_detail", pk=entry.pk)
    audit.record_access(entry, view="record-owner")
    return render(
        request,
        "schedule/entry_record_owner.html",
        {"entry": entry, "form": form},
        status=400 if form.errors else 200,
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
    """The emergency addition's incidents; "Add another incident" posts with one more form."""
    if data is not None and "add_incident" in data:
        data = data.copy()
        try:
            total = int(data.get("incidents-TOTAL_FORMS") or 1)
        except ValueError:
            total = 1  # a tampered count: the formset reports it; here it just must not crash
        data["incidents-TOTAL_FORMS"] = str(max(total, 0) + 1)
    return EmergencyIncidentFormSet(data, prefix="incidents")


def _incident_rows(formset) -> list[dict]:
    return [form.cleaned_data for form in formset.forms if form.is_valid() and form.cleaned_data]


@role_required(EMERGENCY_ROLES)
def emergency_add(request):
    """The chair (or the Director, the chair being absent) puts a high-risk individual on the
    schedule at once. "Find matches" shows known people for the name typed; "Add another
    incident" adds a row; "Add" creates the entry, live and pending ratification."""
    is_chair = has_role(request.user, Role.PANEL_CHAIR)
    if request.method != "POST":
        form = EmergencyAdditionForm(show_chair_absent=not is_chair)
        return render(
            request,
            "schedule/emergency_form.html",
            {"form": form, "incidents": _incidents_formset()},
        )

    incidents = _incidents_formset(request.POST)
    unbound = EmergencyAdditionForm(request.POST, show_chair_absent=not is_chair)
    candidates = _candidates(request.user, unbound)
    form = EmergencyAdditionForm(
        request.POST, candidates=candidates, show_chair_absent=not is_chair
    )
    if "find" in request.POST or "add_incident" in request.POST:
        # Only looking for matches, or adding a row: no errors yet for fields not filled in.
        form = EmergencyAdditionForm(
            initial=request.POST.dict(), candidates=candidates, show_chair_absent=not is_chair
        )
        return render(
            request,
            "schedule/emergency_form.html",
            {"form": form, "incidents": incidents, "searched": True},
        )
    incidents_valid = incidents.is_valid()
    for incident_form in incidents.forms:
        incidents_valid = incident_form.validate_for_addition() and incidents_valid
    if incidents_valid and not _incident_rows(incidents):
        incidents.forms[0].add_error(
            "occurred_on", "Enter the date, place and what happened for at least one incident"
        )
        incidents_valid = False
    if form.is_valid() and incidents_valid:
        data = form.cleaned_data
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
                entry = entry_add_emergency(
                    actor=request.user,
                    person=person,
                    incidents=_incident_rows(incidents),
                    reason=data["reason"],
                    internal_notes=data["internal_notes"],
                    guidance=data["guidance"],
                    permitted_contact=data["permitted_contact"],
                    record_owner=data["record_owner"],
                    chair_absent=data.get("chair_absent", False),
                )
        except PermissionDenied as error:
            form.add_error("chair_absent" if "chair_absent" in form.fields else None, str(error))
        except ScheduleTransitionError as error:
            form.add_error("person", str(error))
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(
                request,
                f"{entry.reference}: {person} is on the schedule now as high risk, pending "
                "ratification at the next panel meeting. Legal Services have been asked to draft "
                "the letter.",
            )
            return redirect("schedule:entry_detail", pk=entry.pk)
    return render(
        request,
        "schedule/emergency_form.html",
        {"form": form, "incidents": incidents, "searched": True},
        status=400,
    )


urls = [
    path("entries/", entry_list, name="entry_list"),
    path("entries/emergency/", emergency_add, name="emergency_add"),
    path("entries/<int:pk>/", entry_detail, name="entry_detail"),
    path("entries/<int:pk>/record-owner/", entry_record_owner, name="entry_record_owner"),
]
