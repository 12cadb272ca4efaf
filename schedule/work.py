"""What waits for someone on the schedule, as counts for their work page (the home page).

A selector beside ``schedule.selectors`` (which is at the 400-line limit): each count reads through
the selector its list page uses, so the count agrees with what the page shows.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from ubpanel.roles import APPEAL_DECIDER_ROLES, Role, user_roles

from .models import AccessGrantStatus, SingleAccessStatus
from .selectors import (
    decidable_appeals,
    may_decide_access,
    may_read_reviews,
    ratifications_waiting,
    reviews_due,
    reviews_overdue,
    visible_access_grants,
)
from .single_access import visible_single_grants

# Approved access this close to its re-certification date is flagged in the access register
# (the same window, read by schedule/views/access.py), and so counts as a re-certification due.
RECERTIFY_WITHIN = timedelta(days=31)


def waiting_schedule_work(user) -> dict[str, int]:
    """For the chair and Assurance (``may_read_reviews``): reviews overdue and due, and emergency
    additions awaiting ratification; for whoever decides access (``may_decide_access``): requests
    re-certifications due and requests for one record; for an appeal's deciders: the open appeals theirs to decide
    (``decidable_appeals``). Seven queries at most, however many rows."""
    roles, today, counts = user_roles(user), timezone.localdate(), {}
    if may_read_reviews(user):
        counts["reviews_overdue"] = reviews_overdue(user, today).count()
        counts["reviews_due"] = reviews_due(user, today).count()
        counts["emergency"] = ratifications_waiting(user).count()
    if may_decide_access(user):
        recertify = Q(status=AccessGrantStatus.APPROVED, recertify_by__lte=today + RECERTIFY_WITHIN)
        counts |= visible_access_grants(user).aggregate(
            access_requests=Count("pk", filter=Q(status=AccessGrantStatus.REQUESTED)),
            recertifications=Count("pk", filter=recertify),
        )
        counts["single_access_requests"] = (
            visible_single_grants(user).filter(status=SingleAccessStatus.REQUESTED).count()
        )
    if roles & (APPEAL_DECIDER_ROLES | {Role.LEGAL_SERVICES}):
        counts["appeals"] = decidable_appeals(user).filter(outcome="").count()
    return counts
