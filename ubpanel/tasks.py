from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import management
from django.core.mail import send_mail
from django.urls import reverse

from .audit_chain import chain_verify
from .roles import Role


@shared_task
def sessions_clear_expired() -> None:
    """Remove expired sessions from the database (run hourly by beat)."""
    management.call_command("clearsessions")


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def email_send(*, to: list[str], subject: str, body: str) -> None:
    """Send a notification email (retried if the mail server is down)."""
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)


def information_asset_owners() -> list[str]:
    """The panel chair is the Information Asset Owner of the audit trail."""
    return list(
        get_user_model()
        .objects.filter(groups__name=Role.PANEL_CHAIR.label, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
        .distinct()
    )


@shared_task
def audit_chain_verify() -> bool:
    """Walk the audit trail's hash chain (nightly, by beat) and record the result; on a break,
    tell the Information Asset Owner, with a link and no personal data."""
    result = chain_verify()
    if not result.held:
        owners = information_asset_owners()
        if owners:
            link = settings.SITE_URL + reverse("audit_list")
            email_send.delay(
                to=owners,
                subject="ubpanel: the audit trail's hash chain did not hold",
                body=(
                    "Tonight's check of the audit trail found entries changed or removed outside "
                    "the application. As the Information Asset Owner, please look into it.\n\n"
                    f"See the result in ubpanel: {link}\n"
                ),
            )
    return result.held
