"""What the rights app adds to a person's page (the ``person_page_context`` hook): links to who
viewed them, subject access and the retention schedule, for those whose roles reach them."""

from ubpanel.roles import RETENTION_ROLES, SUBJECT_ACCESS_ROLES, WHO_VIEWED_READERS, has_role

from .retention import person_retention


def person_page_context(*, user, person) -> dict:
    context = {
        "may_see_who_viewed": has_role(user, *WHO_VIEWED_READERS),
        "may_export": has_role(user, *SUBJECT_ACCESS_ROLES),
        "may_manage_retention": has_role(user, *RETENTION_ROLES),
    }
    if context["may_manage_retention"]:
        context.update(person_retention(person))  # the standing hold, or when the records are due
    return context
