"""Emails about referrals. They carry the reference and a link, never the individual's details:
email is not a safe place for personal data."""

from django.conf import settings
from django.urls import reverse

from ubpanel.outbox import notify, role_holders
from ubpanel.roles import Role

ASSURANCE_SUBJECTS = {
    "submitted": "New referral {ref} for the Unreasonable Behaviours Panel",
    "escalated": "Health and Safety escalated an accident/incident report: referral {ref}",
    "answered": "More information provided on referral {ref}",
    "mailbox": "Mailbox email imported as draft referral {ref}",
    "legal_advice": "Legal Services' advice recorded on referral {ref}",
}


def notify_assurance(referral, what: str) -> None:
    link = settings.SITE_URL + reverse("referrals:triage_detail", args=[referral.pk])
    notify(
        kind=f"referral-{what.replace('_', '-')}",
        addresses=[settings.ASSURANCE_EMAIL],
        subject=ASSURANCE_SUBJECTS[what].format(ref=referral.reference),
        body=f"Referral {referral.reference} needs the Assurance team.\n\nOpen it in ubpanel: {link}\n",
        link=link,
        reference=referral.reference,
    )


def notify_referrer(referral) -> None:
    """Tell the referrer that their referral's status changed (and what to do if anything)."""
    referrer = referral.referrer
    if referrer is None:
        return
    link = settings.SITE_URL + reverse("referrals:detail", args=[referral.pk])
    body = f"Your referral {referral.reference} is now: {referral.get_status_display()}.\n\n"
    if referral.status == "more_information":
        body += "The Assurance team needs more information from you. Answer in ubpanel: "
    else:
        body += "See it in ubpanel: "
    notify(
        kind="referral-status",
        users=[referrer],
        subject=f"Referral {referral.reference}: {referral.get_status_display()}",
        body=body + link + "\n",
        link=link,
        reference=referral.reference,
    )


def notify_legal_services(referral) -> None:
    """Ask Legal Services for their advice: their shared address and each active member of staff
    with the Legal Services role. A link and the reference only."""
    link = settings.SITE_URL + reverse("referrals:legal_advice", args=[referral.pk])
    notify(
        kind="legal-advice-needed",
        users=role_holders(Role.LEGAL_SERVICES),
        addresses=[settings.LEGAL_SERVICES_EMAIL],
        link=link,
        reference=referral.reference,
        subject=f"Referral {referral.reference}: Legal Services' advice needed",
        body=(
            f"Referral {referral.reference} is waiting for Legal Services' advice before the "
            "Unreasonable Behaviours protocol is applied.\n\n"
            f"Read it and record your advice in ubpanel: {link}\n"
        ),
    )


def notify_health_safety(referral) -> None:
    """Tell each active member of staff with the Health and Safety role that a manager's referral
    records violence. The reference and a link only: the notice page behind it shows no more than
    Health and Safety need to match it to their accident/incident report."""
    link = settings.SITE_URL + reverse("referrals:health_safety_notice", args=[referral.pk])
    notify(
        kind="health-safety-violence",
        users=role_holders(Role.HEALTH_SAFETY),
        link=link,
        reference=referral.reference,
        subject=f"Referral {referral.reference} records violence",
        body=(
            f"A manager's referral to the Unreasonable Behaviours Panel, {referral.reference}, "
            "records violence or aggression.\n\n"
            "All incidents of violence, aggression and harassment must be reported on the "
            "accident/incident report form. Link your report to the referral in ubpanel: "
            f"{link}\n"
        ),
    )
