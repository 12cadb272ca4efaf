"""The Health and Safety Team's side of the route: the managers' referrals that record violence,
each on a page that shows what they need to match it to their accident/incident report, and
nothing of the individual or the narrative. (Their escalation of a report is the referral form:
``referrer.referral_escalate``.)"""

from django.contrib import messages
from django.shortcuts import redirect, render

from referrals.health_safety_forms import ReportLinkForm
from referrals.models import BehaviourCategory, EventKind
from referrals.selectors import health_safety_notices, may_link_health_safety_report
from referrals.services import referral_link_health_safety_report
from ubpanel import audit
from ubpanel.access import get_object_or_404
from ubpanel.pages import form_page, submit
from ubpanel.roles import Role, role_required

HEALTH_SAFETY = {Role.HEALTH_SAFETY}
# The behaviour categories the notice page names: which kind of violence, no more.
VIOLENCE_SHOWN = (BehaviourCategory.ACTUAL_VIOLENCE, BehaviourCategory.THREATS_OF_VIOLENCE)


@role_required(HEALTH_SAFETY)
def notice_list(request):
    """Managers' referrals that record violence, newest first; those without a report first."""
    notices = list(
        health_safety_notices(request.user)
        .select_related("service")
        .order_by("-health_safety_notified_at", "-pk")[:200]
    )
    audit.record_access(notices, audit.Event.LIST, purpose="health_safety")
    waiting = [referral for referral in notices if not referral.health_safety_reference]
    linked = [referral for referral in notices if referral.health_safety_reference]
    return render(
        request, "referrals/health_safety_list.html", {"waiting": waiting, "linked": linked}
    )


@role_required(HEALTH_SAFETY)
def notice(request, pk):
    """One referral that records violence, as Health and Safety see it, and their report linked."""
    referral = get_object_or_404(
        health_safety_notices(request.user).select_related("service"), pk=pk
    )
    initial = {"reference": referral.health_safety_reference}
    form = ReportLinkForm(request.POST if request.method == "POST" else None, initial=initial)
    done = submit(
        request,
        form,
        lambda data: referral_link_health_safety_report(
            actor=request.user, referral=referral, reference=data["reference"]
        ),
    )
    if done.ok:
        messages.success(
            request,
            f"Accident/incident report {done.value.health_safety_reference} is linked to "
            f"referral {referral.reference}.",
        )
        return redirect("referrals:health_safety_notice", pk=referral.pk)
    audit.record_access(referral, purpose="health_safety")
    violence = [
        category.label
        for category in VIOLENCE_SHOWN
        if category.value in referral.behaviour_categories
    ]
    context = {
        "referral": referral,
        "form": form,
        "may_link": may_link_health_safety_report(request.user, referral),
        "violence": violence,
        "incident_dates": [
            incident.occurred_on for incident in referral.incidents.only("occurred_on")
        ],
        "links": list(
            referral.events.filter(kind=EventKind.HEALTH_SAFETY_REPORT)
            .select_related("actor")
            .order_by("created_at", "pk")
        ),
    }
    return form_page(request, "referrals/health_safety_notice.html", context, form)
