"""A person's reasonable adjustments: recording one (from the referral's health information or a
returned questionnaire, when started from there) and ending one; and what the person's page shows
of them. Special-category data: only those who may see health see any of it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect

from referrals.adjustment_forms import AdjustmentForm, EndAdjustmentForm
from referrals.models import AdjustmentSource, Person
from referrals.selectors import (
    may_end_adjustment,
    may_record_adjustment,
    visible_adjustments,
    visible_people,
    visible_referrals,
)
from referrals.services import adjustment_end, adjustment_record
from ubpanel import audit, hooks
from ubpanel.access import get_object_or_404
from ubpanel.pages import form_page, submit
from ubpanel.roles import can_see_special_category


def person_adjustments_context(user, person: Person) -> dict:
    """For ``referrals/_person_adjustments.html``: nothing at all for those who may not see
    health, not even that the heading exists."""
    if not can_see_special_category(user):
        return {"show_adjustments": False}
    adjustments = list(
        visible_adjustments(user).filter(person=person).select_related("recorded_by", "ended_by")
    )
    return {
        "show_adjustments": True,
        "current_adjustments": [a for a in adjustments if a.ended_at is None],
        "ended_adjustments": [a for a in adjustments if a.ended_at is not None],
        "may_record_adjustment": may_record_adjustment(user, person),
        "may_end_adjustments": may_record_adjustment(user, person),
    }


def _prefill(request, person: Person) -> tuple[dict, object]:
    """Where the adjustment comes from, when the page was opened from a referral's health
    information (``?referral=``) or a questionnaire return (``?return=``): it must be about this
    person and visible to the user, else the audited 404."""
    if "referral" in request.GET:
        referral = get_object_or_404(
            visible_referrals(request.user).filter(person=person), pk=request.GET["referral"]
        )
        return {"source": AdjustmentSource.REFERRAL, "source_reference": referral.reference}, (
            referral
        )
    if "return" in request.GET:
        reference = hooks.questionnaire_return_reference(
            user=request.user, person=person, pk=request.GET["return"]
        )
        if reference is None:
            # The refusal middleware writes the audited "denied" row, with this reason.
            raise Http404("No questionnaire return about this person visible to this user.")
        return {"source": AdjustmentSource.QUESTIONNAIRE, "source_reference": reference}, None
    return {}, None


def record(request, pk):
    """The panel, Assurance or Adult Social Care record a reasonable adjustment for the person."""
    person = get_object_or_404(visible_people(request.user), pk=pk)
    if not may_record_adjustment(request.user, person):
        raise PermissionDenied("Only the panel, Assurance and Adult Social Care do this.")
    initial, referral = _prefill(request, person)
    form = AdjustmentForm(request.POST or None, initial=initial)
    done = submit(
        request, form, lambda data: adjustment_record(actor=request.user, person=person, **data)
    )
    if done:
        messages.success(request, f"The adjustment is recorded for {person}.")
        return redirect("referrals:person_detail", pk=person.pk)
    audit.record_access([person, *([referral] if referral else [])], view="adjustment")
    return form_page(
        request,
        "referrals/adjustment_form.html",
        {"person": person, "form": form, "referral": referral},
        form,
    )


def end(request, pk):
    """An adjustment that no longer applies is ended, with the reason."""
    adjustment = get_object_or_404(
        visible_adjustments(request.user).filter(ended_at__isnull=True).select_related("person"),
        pk=pk,
    )
    if not may_end_adjustment(request.user, adjustment):
        raise PermissionDenied("Only the panel, Assurance and Adult Social Care do this.")
    person = adjustment.person
    form = EndAdjustmentForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda data: adjustment_end(
            actor=request.user, adjustment=adjustment, reason=data["reason"]
        ),
    )
    if done:
        messages.success(request, f"The adjustment for {person} has ended.")
        return redirect("referrals:person_detail", pk=person.pk)
    audit.record_access(person, view="adjustment-end", adjustment=adjustment.pk)
    return form_page(
        request,
        "referrals/adjustment_end.html",
        {"person": person, "adjustment": adjustment, "form": form},
        form,
    )
