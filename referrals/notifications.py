"""Emails about referrals. They carry the reference and a link, never the individual's details:
email is not a safe place for personal data."""

from django.conf import settings
from django.urls import reverse

from ubpanel.tasks import email_send

ASSURANCE_SUBJECTS = {
    "submitted": "New referral {ref} for the Unreasonable Behaviours Panel",
    "answered": "More information provided on referral {ref}",
    "mailbox": "Mailbox email imported as draft referral {ref}",
}


def notify_assurance(referral, what: str) -> None:
    link = settings.SITE_URL + reverse("referrals:triage_detail", args=[referral.pk])
    email_send.delay_on_commit(
        to=[settings.ASSURANCE_EMAIL],
        subject=ASSURANCE_SUBJECTS[what].format(ref=referral.reference),
        body=f"Referral {referral.reference} needs the Assurance team.\n\nOpen it in ubpanel: {link}\n",
    )


def notify_referrer(referral) -> None:
    """Tell the referrer that their referral's status changed (and what to do if anything)."""
    referrer = referral.referrer
    if referrer is None or not referrer.email:
        return
    link = settings.SITE_URL + reverse("referrals:detail", args=[referral.pk])
    body = f"Your referral {referral.reference} is now: {referral.get_status_display()}.\n\n"
    if referral.status == "more_information":
        body += "The Assurance team needs more information from you. Answer in ubpanel: "
    else:
        body += "See it in ubpanel: "
    email_send.delay_on_commit(
        to=[referrer.email],
        subject=f"Referral {referral.reference}: {referral.get_status_display()}",
        body=body + link + "\n",
    )
