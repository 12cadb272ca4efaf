"""Legal Services' side: the referrals waiting for their advice, and recording it.

The protocol: for journalists and publishers "advice should be sought from legal services before
the protocol is applied"; when behaviours do not improve the matter may be "escalated to Legal
Services".
"""

from django.contrib import messages
from django.shortcuts import redirect, render

from referrals.forms import LegalAdviceForm
from referrals.models import EventKind, ReferralStatus
from referrals.selectors import legal_advice_queue, may_record_legal_advice, visible_referrals
from referrals.services import referral_record_legal_advice
from ubpanel import audit
from ubpanel.access import get_object_or_404
from ubpanel.pages import form_page, submit
from ubpanel.roles import Role, role_required

from .referrer import _detail_context

LEGAL = {Role.LEGAL_SERVICES}


@role_required(LEGAL)
def legal_queue(request):
    """What waits for the adviser's advice, oldest first, and the latest they advised on."""
    queue = legal_advice_queue(request.user).select_related("service")
    waiting = list(
        queue.filter(status=ReferralStatus.AWAITING_LEGAL_ADVICE).order_by(
            "submitted_at", "created_at", "pk"
        )
    )
    advised = list(
        queue.exclude(status=ReferralStatus.AWAITING_LEGAL_ADVICE).order_by(
            "-legal_advice_at", "-pk"
        )[:50]
    )
    audit.record_access(waiting + advised, audit.Event.LIST)
    return render(request, "referrals/legal_queue.html", {"waiting": waiting, "advised": advised})


def _advice_page(request, referral, form):
    audit.record_access(referral)
    context = _detail_context(request, referral, form=form)
    asked = next(
        (
            e
            for e in reversed(context["events"])
            if e.to_status == ReferralStatus.AWAITING_LEGAL_ADVICE and e.message
        ),
        None,
    )
    context["asked"] = asked
    context["may_advise"] = may_record_legal_advice(request.user, referral)
    context["advice_events"] = [e for e in context["events"] if e.kind == EventKind.LEGAL_ADVICE]
    return form_page(request, "referrals/legal_advice.html", context, form)


@role_required(LEGAL)
def legal_advice(request, pk):
    """Read a referral that waits for legal advice, and record the advice."""
    referral = get_object_or_404(
        visible_referrals(request.user).select_related("service", "referrer", "person"), pk=pk
    )
    form = LegalAdviceForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda data: referral_record_legal_advice(
            actor=request.user, referral=referral, advice=data["advice"]
        ),
    )
    if done:
        messages.success(
            request,
            f"Your advice on {referral.reference} has been recorded and sent to the Assurance "
            "team.",
        )
        return redirect("referrals:legal_queue")
    return _advice_page(request, referral, form)
