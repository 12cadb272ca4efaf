"""Meetings: the list, scheduling one, its agenda, and opening, joining and closing it.

Who sees a meeting is ``visible_meetings``; who sees an item is ``visible_items`` (the panel and
Assurance see every item, an invitee only the items they are invited to). Every object URL goes
through ``ubpanel.access.get_object_or_404``: anyone else gets the audited 404.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from panel import services
from panel.forms import (
    ElectedChairForm,
    JoinForm,
    MeetingForm,
)
from panel.models import (
    Invitee,
    ItemStatus,
    MeetingStatus,
    Seat,
)
from panel.selectors import (
    AGENDA_ROLES,
    briefing_refusal,
    can_manage_agenda,
    legal_adviser_missing,
    presiding_user_id,
    seats_for,
    sees_all_papers,
    sitting,
    visible_items,
    visible_meetings,
)
from ubpanel import audit
from ubpanel.access import get_object_or_404
from ubpanel.roles import PANEL_ROLES, has_role, role_required

PAST_PER_PAGE = 20


def _agenda(user, meeting):
    """The items of ``meeting`` that ``user`` may see, in order, with their subjects."""
    return (
        visible_items(user)
        .filter(meeting=meeting)
        .select_related(
            "referral__person",
            "entry__person",
            "access_grant__service",
            "access_grant__user",
            "decision",
        )
        .prefetch_related(
            Prefetch("invitees", queryset=Invitee.objects.select_related("user").order_by("pk"))
        )
        .order_by("position", "pk")
    )


def _with_individuals(items):
    """Name each item's individual (or, for an access request, who asks) and collect the people
    shown, for the audit trail."""
    people = []
    for item in items:
        person = None
        if item.referral_id:
            person = item.referral.person
            item.individual = person or item.referral.subject_name
        elif item.entry_id:
            person = item.entry.person
            item.individual = person
        else:
            item.individual = f"Access for {item.access_grant.grantee}"
        if person is not None:
            people.append(person)
    return people


def _message(error) -> str:
    """A service's refusal in words for the field it concerns."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


# --- Meetings ---------------------------------------------------------------------------------


def index(request):
    """Meetings in progress, upcoming and past. Anyone may open it: an invitee sees the meetings
    they are invited to, someone with neither role nor invitation an empty list."""
    user = request.user
    if sees_all_papers(user):
        counted = ~Q(items__status=ItemStatus.WITHDRAWN)
    else:
        counted = Q(items__invitees__user=user) & ~Q(items__status=ItemStatus.WITHDRAWN)
    meetings = visible_meetings(user).annotate(item_count=Count("items", filter=counted))
    in_progress = list(meetings.filter(status=MeetingStatus.OPEN).order_by("starts_at", "pk"))
    upcoming = list(meetings.filter(status=MeetingStatus.SCHEDULED).order_by("starts_at", "pk"))
    past = Paginator(
        meetings.filter(status=MeetingStatus.CLOSED).order_by("-starts_at", "-pk"), PAST_PER_PAGE
    ).get_page(request.GET.get("page"))
    invitations = list(
        Invitee.objects.filter(user=user)
        .exclude(item__meeting__status=MeetingStatus.CLOSED)
        .exclude(item__status=ItemStatus.WITHDRAWN)
        .select_related("item__meeting", "item__referral", "item__entry")
        .order_by("item__meeting__starts_at", "item__position")
    )
    audit.record_access([invitation.item for invitation in invitations], audit.Event.LIST)
    return render(
        request,
        "panel/index.html",
        {
            "in_progress": in_progress,
            "upcoming": upcoming,
            "past": past,
            "invitations": invitations,
            "may_schedule": can_manage_agenda(user),
            "is_panel": has_role(user, *PANEL_ROLES),
        },
    )


@role_required(AGENDA_ROLES)
def meeting_new(request):
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        meeting = services.meeting_schedule(
            actor=request.user,
            kind=data["kind"],
            format=data["format"],
            starts_at=form.starts_at(),
            location=data["location"],
        )
        listed = meeting.items.count()
        waiting = (
            "Nothing was waiting for the panel: add items to the agenda."
            if not listed
            else f"{listed} {'item' if listed == 1 else 'items'} waiting for the panel "
            f"{'was' if listed == 1 else 'were'} put on the agenda automatically."
        )
        when = timezone.localtime(meeting.starts_at)
        messages.success(
            request,
            f"{meeting.get_kind_display()} meeting on {when:%-d %B %Y} at {when:%H:%M} arranged. "
            f"{waiting}",
        )
        return redirect("panel:meeting_detail", pk=meeting.pk)
    return render(
        request, "panel/meeting_form.html", {"form": form}, status=400 if form.errors else 200
    )


def meeting_detail(request, pk):
    """The agenda, and the controls for opening, joining and closing the meeting."""
    meeting = get_object_or_404(
        visible_meetings(request.user).select_related("elected_chair"), pk=pk
    )
    return _render_detail(request, meeting)


def _render_detail(request, meeting, *, elected_form=None):
    user = request.user
    items = list(_agenda(user, meeting))
    people = _with_individuals(items)
    audit.record_access([*items, *people], audit.Event.LIST)
    movable = [item.pk for item in items if item.status == ItemStatus.LISTED]
    manages = can_manage_agenda(user)
    for item in items:
        item.legal_adviser_missing = manages and legal_adviser_missing(item)
    memberships = seats_for(user)
    # Deputies sit only when briefed for the seat by the meeting's date: say why not.
    refusals = {m.pk: briefing_refusal(m, meeting) for m in memberships}
    sittable = [m for m in memberships if refusals[m.pk] is None]
    scheduled = meeting.status == MeetingStatus.SCHEDULED
    is_open = meeting.status == MeetingStatus.OPEN
    presiding = presiding_user_id(meeting) if is_open else None
    seated = sitting(meeting, user) if is_open else None
    may_join = is_open and bool(sittable) and seated is None
    may_open = scheduled and any(m.seat == Seat.CHAIR for m in sittable)
    elected_seats = [m for m in sittable if m.seat != Seat.CHAIR]
    may_open_elected = scheduled and not may_open and bool(elected_seats)
    if may_open_elected and elected_form is None:
        elected_form = ElectedChairForm(memberships=elected_seats)
    return render(
        request,
        "panel/meeting_detail.html",
        {
            "meeting": meeting,
            "items": items,
            "first_movable": movable[0] if movable else None,
            "last_movable": movable[-1] if movable else None,
            "may_manage": manages and meeting.status != MeetingStatus.CLOSED,
            "legal_missing": [item.position for item in items if item.legal_adviser_missing],
            "sees_all": sees_all_papers(user),
            "may_open": may_open,
            "may_open_elected": may_open_elected,
            "elected_form": elected_form if may_open_elected else None,
            "not_briefed": [r for r in refusals.values() if r] if scheduled or is_open else [],
            "may_join": may_join,
            "join_form": JoinForm(memberships=sittable) if may_join else None,
            "seated": seated,
            "presiding": presiding,
            "may_close": presiding is not None and presiding == user.pk,
        },
        status=400 if elected_form is not None and elected_form.errors else 200,
    )


def _meeting_action(request, pk, action, done):
    meeting = get_object_or_404(visible_meetings(request.user), pk=pk)
    try:
        action(meeting)
    except services.PanelError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("panel:meeting_detail", pk=meeting.pk)


@require_POST
def meeting_open(request, pk):
    return _meeting_action(
        request,
        pk,
        lambda meeting: services.meeting_open(actor=request.user, meeting=meeting),
        "The meeting is open. You are sitting in the chair's seat.",
    )


@require_POST
def meeting_open_elected(request, pk):
    """The chair and every deputy for the chair are absent: the members present chose the person
    opening the meeting to chair it."""
    meeting = get_object_or_404(
        visible_meetings(request.user).select_related("elected_chair"), pk=pk
    )
    memberships = [
        m
        for m in seats_for(request.user)
        if m.seat != Seat.CHAIR and briefing_refusal(m, meeting) is None
    ]
    if not memberships:
        raise PermissionDenied("Only a member of the panel may be chosen to chair.")
    form = ElectedChairForm(request.POST, memberships=memberships)
    if form.is_valid():
        try:
            services.meeting_open_as_elected_chair(
                actor=request.user,
                meeting=meeting,
                note=form.cleaned_data["note"],
                seat=form.cleaned_data["seat"],
            )
        except ValidationError as error:
            form.add_error("note", _message(error))
        except services.PanelError as error:
            messages.error(request, str(error))
            return redirect("panel:meeting_detail", pk=meeting.pk)
        else:
            messages.success(
                request,
                "The meeting is open and you are chairing it, chosen by the members present. "
                "The Monitoring Officer rules on declared interests in the chair's absence.",
            )
            return redirect("panel:meeting_detail", pk=meeting.pk)
    return _render_detail(request, meeting, elected_form=form)


@require_POST
def meeting_join(request, pk):
    seat = request.POST.get("seat") or None
    if seat is not None and seat not in Seat.values:
        raise PermissionDenied("That is not a seat on the panel.")
    return _meeting_action(
        request,
        pk,
        lambda meeting: services.meeting_join(actor=request.user, meeting=meeting, seat=seat),
        "You have taken your seat.",
    )


@require_POST
def meeting_close(request, pk):
    return _meeting_action(
        request,
        pk,
        lambda meeting: services.meeting_close(actor=request.user, meeting=meeting),
        "The meeting is closed. Items not reached are carried forward to the next meeting.",
    )


# --- The agenda -------------------------------------------------------------------------------


urls = [
    path("", index, name="index"),
    path("meetings/new/", meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/open/", meeting_open, name="meeting_open"),
    path(
        "meetings/<int:pk>/open/elected-chair/",
        meeting_open_elected,
        name="meeting_open_elected",
    ),
    path("meetings/<int:pk>/join/", meeting_join, name="meeting_join"),
    path("meetings/<int:pk>/close/", meeting_close, name="meeting_close"),
]
