"""The panel's Celery tasks."""

from panel.notifications import meetings_week_ahead_notify as week_ahead
from panel.services import agenda_fill_next_meeting as fill
from panel.services.meetings import meeting_ensure_monthly
from ubpanel.jobs import scheduled_job


@scheduled_job
def agenda_fill_next_meeting() -> int:
    """Put on the next arranged meeting whatever has come to wait for the panel since it was
    arranged - above all the 12-month reviews that have fallen due before its date (run daily by
    beat). Returns how many items joined the agenda."""
    return len(fill(actor=None))


@scheduled_job
def monthly_meetings_ensure() -> int:
    """Arrange the monthly meetings due in the next few weeks that are not arranged yet, and tell
    Assurance (run daily by beat). Returns how many were arranged."""
    return len(meeting_ensure_monthly(actor=None).arranged)


@scheduled_job
def meetings_week_ahead_notify() -> int:
    """Remind the panel's members of each meeting a week ahead, once each (run daily by beat).
    Returns how many were told."""
    return week_ahead()
