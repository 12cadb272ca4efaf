from celery import shared_task
from django.conf import settings
from django.core import management
from django.core.mail import send_mail


@shared_task
def sessions_clear_expired() -> None:
    """Remove expired sessions from the database (run hourly by beat)."""
    management.call_command("clearsessions")


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def email_send(*, to: list[str], subject: str, body: str) -> None:
    """Send a notification email (retried if the mail server is down)."""
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
