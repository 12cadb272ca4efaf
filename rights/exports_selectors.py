"""Who may make and read subject access exports (issue 14, point 2).

The panel chair (the Information Asset Owner) and the data protection officer make them, about
anyone on record; an export is then its requester's alone: nobody else - not another chair - sees,
polls or downloads it.
"""

from django.db.models import QuerySet

from referrals.models import Person
from ubpanel.roles import SUBJECT_ACCESS_ROLES, has_role

from .models import SubjectAccessExport


def may_request_export(user, person: Person | None = None) -> bool:
    """The chair or the data protection officer may export what is held about anyone on record."""
    return has_role(user, *SUBJECT_ACCESS_ROLES)


def exportable_people(user) -> QuerySet[Person]:
    """The people ``user`` may make an export about: everyone, for the subject access roles."""
    if may_request_export(user):
        return Person.objects.all()
    return Person.objects.none()


def visible_exports(user) -> QuerySet[SubjectAccessExport]:
    """The exports ``user`` asked for (and still holds a subject access role): nobody else's."""
    if not may_request_export(user):
        return SubjectAccessExport.objects.none()
    return SubjectAccessExport.objects.filter(requested_by=user).select_related("person")


def may_download_export(user, export: SubjectAccessExport) -> bool:
    """Only the requester, and only while the file is there."""
    return (
        export.requested_by_id == getattr(user, "pk", None)
        and may_request_export(user)
        and export.downloadable
    )
