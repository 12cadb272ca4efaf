"""A referring manager (or Health and Safety) deletes a draft they have not sent."""

from django.contrib import messages
from django.shortcuts import redirect

from referrals.selectors import may_delete_draft, visible_referrals
from referrals.services import referral_draft_delete
from ubpanel import audit
from ubpanel.access import get_object_or_404
from ubpanel.forms import GovukForm
from ubpanel.pages import form_page, submit
from ubpanel.roles import REFERRER_ROLES, role_required


class DeleteForm(GovukForm):
    """Nothing to fill in: the button is the answer (the form carries the CSRF check)."""


@role_required(REFERRER_ROLES)
def draft_delete(request, pk):
    """Asks first; the draft, its incidents and its evidence go when the manager confirms."""
    referral = get_object_or_404(
        visible_referrals(request.user).filter(referrer=request.user), pk=pk
    )
    if not may_delete_draft(request.user, referral):
        messages.info(request, f"{referral.reference} has been sent: it cannot be deleted.")
        return redirect("referrals:detail", pk=referral.pk)
    form = DeleteForm(request.POST if request.method == "POST" else None)
    done = submit(
        request, form, lambda _: referral_draft_delete(actor=request.user, referral=referral)
    )
    if done.ok:
        messages.success(request, f"Draft {done.value} has been deleted.")
        return redirect("referrals:index")
    if request.method != "POST":
        audit.record_access(referral)
    return form_page(
        request, "referrals/draft_delete.html", {"referral": referral, "form": form}, form
    )
