"""Subject access exports do not outlive their purpose: the file is deleted
``SUBJECT_ACCESS_EXPORT_DAYS`` after it was made (README, "Subject access export")."""

from __future__ import annotations

from rights.models import SubjectAccessExport
from ubpanel import made_files
from ubpanel.services import service

ABANDONED_TEXT = "The export was not finished: the job making it stopped. Ask for a new one."


@service
def subject_access_exports_expire(*, actor=None) -> list[int]:
    """Delete every export file past its expiry date: the row stays, EXPIRED, with when the file
    went (audited as a change of each export, attributed to the system). Also fail exports lost
    with a worker. Returns the ids of the exports expired."""
    return made_files.expire(SubjectAccessExport, abandoned_text=ABANDONED_TEXT)
