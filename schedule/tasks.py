"""The schedule's Celery tasks."""

from ubpanel.jobs import scheduled_job

from .services import emergencies_escalate_unratified as escalate_unratified
from .services import reviews_escalate_overdue as escalate_overdue
from .services import reviews_remind as remind
from .services import single_access_expire as end_single_access


@scheduled_job
def reviews_remind() -> int:
    """Email the reminders for 12-month reviews falling due (run daily by beat)."""
    return len(remind())


@scheduled_job
def reviews_escalate_overdue() -> int:
    """Reviews overdue past the grace period: tell the chair and Assurance, or remove, as
    ``REVIEW_OVERDUE_DEFAULT`` says (beat: Mondays 07:00)."""
    return len(escalate_overdue())


@scheduled_job
def emergencies_escalate_unratified() -> int:
    """Emergency additions unratified past the limit: tell the chair, the Director and the
    Monitoring Officer, or end them, as ``EMERGENCY_UNRATIFIED_DEFAULT`` says (beat: Mondays
    07:00)."""
    return len(escalate_unratified())


@scheduled_job
def single_access_expire() -> int:
    """End the need-to-know grants past their end date and delete their permissions (beat:
    daily 00:10)."""
    return len(end_single_access())
