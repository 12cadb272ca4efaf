"""Committee reports are deleted ``COMMITTEE_REPORT_DAYS`` after they were made: the committee has
its copy, and the statistics page makes a new one for any period."""

from __future__ import annotations

from ubpanel import made_files
from ubpanel.services import service

from .models import CommitteeReport

ABANDONED_TEXT = "The report was not finished: the job making it stopped. Ask for a new one."


@service
def committee_reports_expire(*, actor=None) -> list[int]:
    """Delete every report file past its expiry date: the row stays, EXPIRED, with when the file
    went (audited, attributed to the system). Also fail reports lost with a worker. Returns the
    ids of the reports expired."""
    return made_files.expire(CommitteeReport, abandoned_text=ABANDONED_TEXT)
