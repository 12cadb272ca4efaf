"""Your notifications: what each person has been told, newest first (issue 13, point 2)."""

from django.core.paginator import Paginator
from django.shortcuts import render

from . import audit
from .models import Notification
from .outbox import notifications_for

PAGE_SIZE = 25


def notification_list(request):
    """Everyone signed in reads their own notifications, and only theirs: a link and a reference
    each. Reading the page is audited (one entry: the rows hold no personal data)."""
    page = Paginator(notifications_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    audit.record(
        audit.Event.LIST,
        model=Notification,
        object_repr="Your notifications",
        page=page.number,
        shown=len(page.object_list),
    )
    return render(request, "ubpanel/notification_list.html", {"page": page})
