"""The spocassurance mailbox's original emails, for the Assurance team."""

from django.http import FileResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from referrals.selectors import mailbox_emails
from ubpanel import audit
from ubpanel.access import get_object_or_404
from ubpanel.roles import Role, role_required


@require_GET
@role_required({Role.ASSURANCE_OFFICER})
def raw_email(request, pk):
    """The email exactly as it arrived (.eml), to read what the evidence check refused.

    Always a download, never shown in the browser: the sender's HTML and files stay inert.
    """
    email = get_object_or_404(mailbox_emails(request.user).select_related("referral"), pk=pk)
    reference = email.referral.reference if email.referral_id else ""
    if email.raw_removed_at is None and email.raw:
        try:
            file = email.raw.open("rb")
        except FileNotFoundError:
            file = None
        if file is not None:
            audit.record_access(email, audit.Event.DOWNLOAD, referral=reference)
            response = FileResponse(
                file,
                as_attachment=True,
                filename=f"email-{email.pk}.eml",
                content_type="application/octet-stream",
            )
            response["X-Content-Type-Options"] = "nosniff"
            return response
    audit.record_access(email)
    return render(request, "referrals/raw_email_gone.html", {"email": email}, status=410)
