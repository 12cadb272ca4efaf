"""The schedule's Celery tasks."""

from celery import shared_task


@shared_task
def reviews_remind() -> int:
    """Email the reminders for 12-month reviews falling due (run daily by beat)."""
    from .services import reviews_remind as remind

    return len(remind())
