"""The schedule's Celery tasks."""

from celery import shared_task

from .services import reviews_remind as remind


@shared_task
def reviews_remind() -> int:
    """Email the reminders for 12-month reviews falling due (run daily by beat)."""
    return len(remind())
