"""The forms reached from the item screen: declaring an interest, ruling on one, the chair's
proposal, and correcting a closed decision record."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.urls import path

from panel import services
from panel.item_forms import CorrectionForm, DeclarationForm, ProposalForm, RulingForm
from panel.models import Decision, DecisionStatus, Declaration
from panel.selectors import may_correct, may_rule, presides, visible_items
from panel.views.items import back, item_for
from schedule.adjustments import adjustments_beside
from ubpanel import audit
from ubpanel.access import get_object_or_404
from ubpanel.pages import form_page, submit
from ubpanel.tiers import TIER_DEFINITIONS


def declare(request, pk):
    item = item_for(request, pk)
    form = DeclarationForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda data: services.declaration_make(
            actor=request.user, item=item, interest=data["interest"]
        ),
        field="interest",
    )
    if done:
        messages.success(
            request,
            "Your interest is recorded. The chair (or, in the chair's absence, the Monitoring "
            "Officer) will rule on whether you take part in the decision.",
        )
        return back(item)
    return form_page(request, "panel/item_declare.html", {"item": item, "form": form}, form)


def declaration_rule(request, pk):
    declaration = get_object_or_404(
        Declaration.objects.filter(item__in=visible_items(request.user)).select_related(
            "item__meeting", "user"
        ),
        pk=pk,
    )
    if not may_rule(request.user, declaration):
        raise PermissionDenied
    item = declaration.item
    form = RulingForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda data: services.declaration_rule(
            actor=request.user,
            declaration=declaration,
            exclude=data["ruling"] == "exclude",
            reason=data["reason"],
        ),
        field="reason",
    )
    if done:
        messages.success(request, f"Your ruling on {declaration.user}'s interest is recorded.")
        return back(item)
    return form_page(
        request,
        "panel/item_rule.html",
        {"item": item, "declaration": declaration, "form": form},
        form,
    )


def proposal(request, pk):
    """The chair records the proposed decision, in the protocol's order, before putting it to the
    vote."""
    item = item_for(request, pk)
    if not presides(request.user, item.meeting):
        raise PermissionDenied
    decision = Decision.objects.filter(item=item).first()
    form = ProposalForm(request.POST or None, instance=decision or Decision(item=item), item=item)
    done = submit(
        request,
        form,
        lambda data: services.decision_draft_save(
            actor=request.user, item=item, **{name: data[name] for name in form.fields}
        ),
    )
    if done:
        problems = services.decision_problems(item, Decision.objects.filter(item=item).first())
        if problems:
            messages.warning(request, "Saved. Before it can go to the vote: " + " ".join(problems))
        else:
            messages.success(request, "The proposal is recorded. Put it to the vote when ready.")
        return back(item)
    audit.record_access([item, *([item.referral] if item.referral_id else [])])
    return form_page(
        request,
        "panel/item_proposal.html",
        {
            "item": item,
            "form": form,
            "tier_definitions": TIER_DEFINITIONS,
            # The person's adjustments beside the restrictions, and what clashes with those typed.
            "beside": adjustments_beside(
                request.user,
                services.person_of(item),
                request.POST.getlist("restriction_kinds")
                if form.is_bound
                else form.initial.get("restriction_kinds"),
            ),
        },
        form,
    )


def decision_correct(request, pk):
    decision = get_object_or_404(
        Decision.objects.filter(
            item__in=visible_items(request.user), status=DecisionStatus.FINAL
        ).select_related("item__meeting"),
        pk=pk,
    )
    if not may_correct(request.user, decision):
        raise PermissionDenied
    form = CorrectionForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda data: services.decision_correct(
            actor=request.user,
            decision=decision,
            field=data["field"],
            value=data["value"],
            reason=data["reason"],
        ),
        field="tier" if request.POST.get("field") == "tier" else "value",
    )
    if done:
        messages.success(request, "The correction is recorded with the decision.")
        return back(decision.item)
    return form_page(
        request,
        "panel/item_correct.html",
        {"item": decision.item, "decision": decision, "form": form},
        form,
    )


urls = [
    path("items/<id:pk>/declare/", declare, name="declare"),
    path("items/<id:pk>/proposal/", proposal, name="proposal"),
    path("declarations/<id:pk>/rule/", declaration_rule, name="declaration_rule"),
    path("decisions/<id:pk>/correct/", decision_correct, name="decision_correct"),
]
