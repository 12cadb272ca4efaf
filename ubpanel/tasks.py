"""The core's Celery tasks. The outbox's send task, ``notification_send``, lives beside ``notify`` in
``ubpanel.outbox`` (imported here, so the worker has it too); its sweeper is here."""

from celery import shared_task
from django.conf import settings
from django.core import management
from django.core.mail import send_mail
from django.urls import reverse

from .audit_chain import chain_verify
from .jobs import scheduled_job
from .outbox import notifications_send_unsent, notify, role_holders
from .roles import Role


@scheduled_job
def sessions_clear_expired() -> None:
    """Remove expired sessions from the database (run hourly by beat)."""
    management.call_command("clearsessions")


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def email_send(*, to: list[str], subject: str, body: str) -> None:
    """Send an email (retried if the mail server is down). Notifications go through the outbox
    now (``notification_send``); this stays for messages queued before it."""
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)


@scheduled_job
def notifications_sweep() -> int:
    """Send every outbox row still unsent (run every few minutes by beat): the broker was down
    when it was written, a worker lost it, or the mail server refused it."""
    return notifications_send_unsent()


def information_asset_owners():
    """The panel chair is the Information Asset Owner of the audit trail."""
    return role_holders(Role.PANEL_CHAIR)


@scheduled_job
def audit_chain_verify() -> bool:
    """Walk the audit trail's hash chain (nightly, by beat) and record the result; on a break,
    tell the Information Asset Owner, with a link and no personal data."""
    result = chain_verify()
    if not result.held:
        link = settings.SITE_URL + reverse("audit_list")
        notify(
            kind="audit-chain-broken",
            users=information_asset_owners(),
            subject="ubpanel: the audit trail's hash chain did not hold",
            body=(
                "Tonight's check of the audit trail found entries changed or removed outside "
                "the application. As the Information Asset Owner, please look into it.\n\n"
                f"See the result in ubpanel: {link}\n"
            ),
            link=link,
        )
    return result.held
