"""Reviews due and overdue, and emergency additions awaiting ratification: the overview the chair
(the Information Asset Owner) and the Assurance team work from (issue 13, point 4). Anyone else
gets the 404 a missing page gives, audited by ``ubpanel.refusals``."""

from functools import wraps

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from schedule.selectors import may_read_reviews, ratifications_waiting, reviews_due, reviews_overdue
from ubpanel import audit


def _chair_or_assurance_or_404(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not may_read_reviews(request.user):
            raise Http404("No page matches the given query.")
        return view(request, *args, **kwargs)

    return wrapped


@_chair_or_assurance_or_404
def review_overview(request):
    """Overdue reviews first (longest overdue first), then reviews due within the reminder window,
    then emergency additions live without ratification. Three queries, however many rows."""
    today = timezone.localdate()
    related = ("person", "record_owner")
    overdue = list(reviews_overdue(request.user, today).select_related(*related))
    due = list(reviews_due(request.user, today).select_related(*related))
    unratified = list(ratifications_waiting(request.user).select_related(*related))
    audit.record_access([*overdue, *due, *unratified], audit.Event.LIST)
    return render(
        request,
        "schedule/review_overview.html",
        {
            "overdue": overdue,
            "due": due,
            "unratified": unratified,
            "grace_days": settings.REVIEW_GRACE_DAYS,
            "reminder_days": settings.REVIEW_REMINDER_DAYS,
            "limit_days": settings.EMERGENCY_RATIFICATION_LIMIT_DAYS,
            "review_default": settings.REVIEW_OVERDUE_DEFAULT,
            "emergency_default": settings.EMERGENCY_UNRATIFIED_DEFAULT,
        },
    )


urls = [path("reviews/", review_overview, name="review_overview")]
