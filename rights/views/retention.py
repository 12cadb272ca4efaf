"""The retention schedule's page (what the daily task will do in the coming weeks, the legal holds
standing, the latest anonymisations) and placing and lifting a legal hold. Every page naming
people is audited against each of them."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render

from rights.models import Anonymisation
from rights.retention import (
    due_within,
    recent_anonymisations,
    retention_people,
    standing_hold,
    standing_holds,
    visible_holds,
)
from rights.services.retention import legal_hold_lift as lift
from rights.services.retention import legal_hold_place as place
from ubpanel import audit
from ubpanel.access import get_object_or_404
from ubpanel.forms import GovukForm
from ubpanel.pages import form_page, submit
from ubpanel.roles import RETENTION_ROLES, role_required


class LegalHoldForm(GovukForm):
    reason = forms.CharField(
        label="Why the person's records must be kept",
        help_text="For example litigation, a complaint to the Ombudsman or the ICO, or a police "
        "matter. The retention schedule leaves the records as they are until the hold is lifted.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why the records must be kept"},
    )


class LiftHoldForm(GovukForm):
    reason = forms.CharField(
        label="Why the hold is lifted",
        help_text="The retention schedule applies to the person again from its next daily run.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why the hold is lifted"},
    )


@role_required(RETENTION_ROLES)
def retention_upcoming(request):
    days = settings.RETENTION_LOOKAHEAD_DAYS
    upcoming = due_within(days)
    holds = list(standing_holds())
    recent = list(recent_anonymisations())
    people = {
        item.person.pk: item.person
        for item in [*upcoming, *holds, *recent]
        if getattr(item, "person", None) is not None
    }
    # Referrals nobody linked to a person are listed by their reference: audited against each.
    referrals = {
        item.referral.pk: item.referral
        for item in [*upcoming, *recent]
        if getattr(item, "referral", None) is not None
    }
    if people or referrals:
        audit.record_access([*people.values(), *referrals.values()], audit.Event.LIST)
    else:
        audit.record(audit.Event.LIST, model=Anonymisation, object_repr="Retention schedule")
    return render(
        request,
        "rights/retention.html",
        {
            "days": days,
            "upcoming": upcoming,
            "holds": holds,
            "recent": recent,
            "periods": settings.RETENTION,
        },
    )


@role_required(RETENTION_ROLES)
def legal_hold_place(request, pk):
    person = get_object_or_404(retention_people(request.user), pk=pk)
    audit.record_access(person)
    hold = standing_hold(person)
    form = LegalHoldForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda data: place(actor=request.user, person=person, reason=data["reason"]),
        field="reason",
    )
    if done:
        messages.success(request, f"Legal hold placed on {person}: the retention schedule waits.")
        return redirect("rights:retention")
    return form_page(
        request,
        "rights/legal_hold_place.html",
        {"person": person, "hold": hold, "form": form},
        form,
    )


@role_required(RETENTION_ROLES)
def legal_hold_lift(request, pk):
    hold = get_object_or_404(visible_holds(request.user), pk=pk)
    audit.record_access([hold, hold.person])
    form = LiftHoldForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda data: lift(actor=request.user, hold=hold, reason=data["reason"]),
        field="reason",
    )
    if done:
        messages.success(request, f"Legal hold on {hold.person} lifted.")
        return redirect("rights:retention")
    return form_page(request, "rights/legal_hold_lift.html", {"hold": hold, "form": form}, form)
