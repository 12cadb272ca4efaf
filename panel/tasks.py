"""The panel's Celery tasks."""

from celery import shared_task

from panel.services import agenda_fill_next_meeting as fill


@shared_task
def agenda_fill_next_meeting() -> int:
    """Put on the next arranged meeting whatever has come to wait for the panel since it was
    arranged - above all the 12-month reviews that have fallen due before its date (run daily by
    beat). Returns how many items joined the agenda."""
    return len(fill(actor=None))
