"""The retention schedule's daily run (beat: 03:30, after the audit chain's nightly check)."""

from rights.services.retention import retention_apply as apply
from ubpanel.jobs import scheduled_job


@scheduled_job
def retention_apply() -> dict:
    """Anonymise the people, and delete the files, that the retention schedule says are due today.
    Acts as no user: the audit trail attributes every change to the system."""
    return apply(actor=None)
