"""Meetings: the list, scheduling one, its agenda, and opening, joining and closing it.

Who sees a meeting is ``visible_meetings``; who sees an item is ``visible_items`` (the panel and
Assurance see every item, an invitee only the items they are invited to). Every object URL goes
through ``ubpanel.access.get_object_or_404``: anyone else gets the audited 404.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.template.backends.utils import csrf_input
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
    AgendaItem,
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
    may_change_agenda,
    may_close,
    may_invite,
    may_join,
    may_move_item,
    may_open,
    may_open_as_elected_chair,
    may_schedule_meeting,
    may_see_seats,
    may_withdraw,
    presiding_user_id,
    seats_for,
    sees_all_papers,
    sittable_seats,
    sitting,
    visible_items,
    visible_meetings,
)
from ubpanel import audit
from ubpanel.access import get_object_or_404
from ubpanel.errors import error_text
from ubpanel.links import link_maker
from ubpanel.pages import add_refusal, form_page
from ubpanel.pagination import EstimatedCountPaginator
from ubpanel.roles import role_required

PAST_PER_PAGE = 20


def meeting_agenda(user, meeting):
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


def with_individuals(items):
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


# --- Meetings ---------------------------------------------------------------------------------


def index(request):
    """Meetings in progress, upcoming and past. Anyone may open it: an invitee sees the meetings
    they are invited to, someone with neither role nor invitation an empty list."""
    user = request.user
    # Each meeting's items counted in a subquery, not a join: the past meetings' paginator then
    # counts meetings alone and the page's 20 rows each count their own items.
    items = AgendaItem.objects.filter(meeting=OuterRef("pk")).exclude(status=ItemStatus.WITHDRAWN)
    if not sees_all_papers(user):
        items = items.filter(invitees__user=user)
    item_count = items.order_by().values("meeting").annotate(n=Count("pk", distinct=True))
    meetings = visible_meetings(user).annotate(
        item_count=Coalesce(Subquery(item_count.values("n")), 0)
    )
    in_progress = list(meetings.filter(status=MeetingStatus.OPEN).order_by("starts_at", "pk"))
    upcoming = list(meetings.filter(status=MeetingStatus.SCHEDULED).order_by("starts_at", "pk"))
    past = EstimatedCountPaginator(
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
            "may_schedule": may_schedule_meeting(user),
            "is_panel": may_see_seats(user),
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
    return form_page(request, "panel/meeting_form.html", {"form": form}, form)


def meeting_detail(request, pk):
    """The agenda, and the controls for opening, joining and closing the meeting."""
    meeting = get_object_or_404(
        visible_meetings(request.user).select_related("elected_chair"), pk=pk
    )
    return _render_detail(request, meeting)


# Each item's links, made with one reverse() per kind of link for the whole agenda: a reverse()
# and a CSRF token per row were most of the agenda's time per item (issue 16, point 4).
ITEM_LINKS = {
    "detail": "panel:item_detail",
    "move": "panel:item_move",
    "invitees": "panel:item_invitees",
    "withdraw": "panel:item_withdraw",
}


def _render_detail(request, meeting, *, elected_form=None):
    user = request.user
    items = list(meeting_agenda(user, meeting))
    with_individuals(items)
    # One row per item, each naming the individual it shows (AgendaItem.audit_person_ids): "who
    # viewed this person" finds the agenda by it. A second row per individual said the same again
    # and doubled the agenda's audit cost (issue 16, point 4).
    audit.record_access(items, audit.Event.LIST)
    manages = can_manage_agenda(user)
    links = {key: link_maker(name) for key, name in ITEM_LINKS.items()}
    for item in items:
        item.meeting = meeting  # one meeting for the predicates, not a query per item
        item.urls = {key: link(item.pk) for key, link in links.items()}
        item.legal_adviser_missing = manages and legal_adviser_missing(item)
        item.may_move = may_move_item(user, item)
        item.may_invite = may_invite(user, item)
        item.may_withdraw = may_withdraw(user, item)
    movable = [item.pk for item in items if item.may_move]
    memberships = seats_for(user)
    # Deputies sit only when briefed for the seat by the meeting's date: say why not.
    refusals = {m.pk: briefing_refusal(m, meeting) for m in memberships}
    is_open = meeting.status == MeetingStatus.OPEN
    joining = may_join(user, meeting)
    electing = may_open_as_elected_chair(user, meeting)
    if electing and elected_form is None:
        elected_form = ElectedChairForm(
            memberships=[m for m in sittable_seats(user, meeting) if m.seat != Seat.CHAIR]
        )
    return form_page(
        request,
        "panel/meeting_detail.html",
        {
            # One masked token for the page's many small forms, not one per form.
            "csrf_input": csrf_input(request),
            "meeting": meeting,
            "items": items,
            "first_movable": movable[0] if movable else None,
            "last_movable": movable[-1] if movable else None,
            "may_manage": may_change_agenda(user, meeting),
            "legal_missing": [item.position for item in items if item.legal_adviser_missing],
            "sees_all": sees_all_papers(user),
            "may_open": may_open(user, meeting),
            "may_open_elected": electing,
            "elected_form": elected_form if electing else None,
            "not_briefed": [r for r in refusals.values() if r]
            if meeting.status != MeetingStatus.CLOSED
            else [],
            "may_join": joining,
            "join_form": JoinForm(memberships=sittable_seats(user, meeting)) if joining else None,
            "seated": sitting(meeting, user) if is_open else None,
            "presiding": presiding_user_id(meeting) if is_open else None,
            "may_close": may_close(user, meeting),
        },
        elected_form,
    )


def _meeting_action(request, pk, action, done):
    meeting = get_object_or_404(visible_meetings(request.user), pk=pk)
    try:
        action(meeting)
    except services.PanelError as error:
        messages.error(request, error_text(error))
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
    memberships = [m for m in sittable_seats(request.user, meeting) if m.seat != Seat.CHAIR]
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
            add_refusal(form, error, field="note")
        except services.PanelError as error:
            messages.error(request, error_text(error))
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
    path("meetings/<id:pk>/", meeting_detail, name="meeting_detail"),
    path("meetings/<id:pk>/open/", meeting_open, name="meeting_open"),
    path(
        "meetings/<id:pk>/open/elected-chair/",
        meeting_open_elected,
        name="meeting_open_elected",
    ),
    path("meetings/<id:pk>/join/", meeting_join, name="meeting_join"),
    path("meetings/<id:pk>/close/", meeting_close, name="meeting_close"),
]
