"""Subject access exports (UK GDPR art. 15): asking for one. The export is made by a Celery task
(``rights.tasks.exports``) and deleted after ``SUBJECT_ACCESS_EXPORT_DAYS`` by a daily job."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from referrals.models import Person
from rights.exports_selectors import may_request_export
from rights.models import SubjectAccessExport
from rights.tasks.exports import subject_access_export_build
from ubpanel import audit
from ubpanel.services import service


@service
def subject_access_export_request(
    *, actor, person: Person, redact_staff_names: bool
) -> SubjectAccessExport:
    """The Information Asset Owner (or the data protection officer) asked for everything the
    council holds about the person, to answer their subject access request. It is made in the
    background; only the requester may download it."""
    if not may_request_export(actor, person):
        raise PermissionDenied(
            "Only the panel chair or the data protection officer may make a subject access export."
        )
    export = SubjectAccessExport.objects.create(
        person=person, requested_by=actor, redact_staff_names=redact_staff_names
    )
    audit.record(
        audit.Event.EXPORT,
        objects=[export],
        step="requested",
        redact_staff_names=redact_staff_names,
    )
    subject_access_export_build.delay_on_commit(export_id=export.pk)
    return export
