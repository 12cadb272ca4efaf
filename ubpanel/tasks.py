from celery import shared_task
from django.core import management


@shared_task
def sessions_clear_expired() -> None:
    """Remove expired sessions from the database (run hourly by beat)."""
    management.call_command("clearsessions")
