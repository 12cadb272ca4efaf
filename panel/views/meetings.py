"""Meetings, agendas, attendance, minutes and the seats.

Who sees a meeting is ``visible_meetings``; who sees an item is ``visible_items`` (the panel and
Assurance see every item, an invitee only the items they are invited to). Every object URL goes
through ``ubpanel.access.get_object_or_404``: anyone else gets the audited 404.
"""

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from panel import services
from panel.forms import (
    AgendaItemForm,
    AttendanceForm,
    InviteeForm,
    JoinForm,
    MeetingForm,
    WithdrawItemForm,
)
from panel.models import (
    UNDECIDED,
    AgendaItem,
    Ballot,
    DecisionCorrection,
    DecisionStatus,
    Declaration,
    Invitee,
    ItemStatus,
    MeetingStatus,
    Seat,
    SeatMember,
    Vote,
)
from panel.selectors import (
    AGENDA_ROLES,
    can_manage_agenda,
    chair_is_absent,
    chair_sitter,
    seats_for,
    sees_all_papers,
    sitting,
    visible_items,
    visible_meetings,
)
from referrals.models import Referral, ReferralStatus
from referrals.selectors import can_see_special_category
from schedule.models import AccessGrant, AccessGrantStatus, Entry, EntryStatus
from ubpanel import audit
from ubpanel.access import get_object_or_404
from ubpanel.models import User
from ubpanel.roles import PANEL_ROLES, USER_ADMIN_ROLES, has_role, role_required

PAST_PER_PAGE = 20
SEAT_ORDER = list(Seat.values)
SPECIAL_CATEGORY_FIELDS = {"health_notes", "care_system_notes"}


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
    meeting = get_object_or_404(visible_meetings(request.user), pk=pk)
    items = list(_agenda(request.user, meeting))
    people = _with_individuals(items)
    audit.record_access([*items, *people], audit.Event.LIST)
    movable = [item.pk for item in items if item.status == ItemStatus.LISTED]
    memberships = seats_for(request.user)
    chair = chair_sitter(meeting) if meeting.status == MeetingStatus.OPEN else None
    seated = sitting(meeting, request.user) if meeting.status == MeetingStatus.OPEN else None
    may_join = meeting.status == MeetingStatus.OPEN and memberships and seated is None
    return render(
        request,
        "panel/meeting_detail.html",
        {
            "meeting": meeting,
            "items": items,
            "first_movable": movable[0] if movable else None,
            "last_movable": movable[-1] if movable else None,
            "may_manage": can_manage_agenda(request.user)
            and meeting.status != MeetingStatus.CLOSED,
            "sees_all": sees_all_papers(request.user),
            "may_open": meeting.status == MeetingStatus.SCHEDULED
            and any(m.seat == Seat.CHAIR for m in memberships),
            "may_join": may_join,
            "join_form": JoinForm(memberships=memberships) if may_join else None,
            "seated": seated,
            "chair": chair,
            "may_close": chair is not None and chair.user_id == request.user.pk,
        },
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


def _waiting_subjects():
    """What may still go on an agenda: nothing already waiting on one."""
    on_agenda = AgendaItem.objects.filter(status__in=UNDECIDED)
    referrals = (
        Referral.objects.filter(status=ReferralStatus.READY_FOR_PANEL)
        .exclude(pk__in=on_agenda.filter(referral__isnull=False).values("referral_id"))
        .select_related("person")
        .order_by("submitted_at", "pk")
    )
    entries = (
        Entry.objects.filter(status__in=[EntryStatus.PENDING_RATIFICATION, EntryStatus.ACTIVE])
        .exclude(pk__in=on_agenda.filter(entry__isnull=False).values("entry_id"))
        .select_related("person")
        .order_by("person__family_name", "person__given_names", "pk")
    )
    grants = (
        AccessGrant.objects.filter(status=AccessGrantStatus.REQUESTED)
        .exclude(pk__in=on_agenda.filter(access_grant__isnull=False).values("access_grant_id"))
        .select_related("service", "user")
        .order_by("requested_at", "pk")
    )
    return list(referrals), list(entries), list(grants)


@role_required(AGENDA_ROLES)
def item_add(request, pk):
    meeting = get_object_or_404(visible_meetings(request.user), pk=pk)
    if meeting.status == MeetingStatus.CLOSED:
        messages.error(request, "The meeting is closed: nothing more goes on its agenda.")
        return redirect("panel:meeting_detail", pk=meeting.pk)
    referrals, entries, grants = _waiting_subjects()
    audit.record_access([*referrals, *entries, *grants], audit.Event.LIST)
    form = AgendaItemForm(
        request.POST or None, referrals=referrals, entries=entries, access_grants=grants
    )
    if request.method == "POST" and form.is_valid():
        subject = form.subject()
        try:
            item = services.agenda_item_add(
                actor=request.user,
                meeting=meeting,
                kind=form.cleaned_data["kind"],
                statement=form.cleaned_data["statement"],
                **subject,
            )
        except (services.PanelError, ValidationError) as error:
            field = "entry" if "entry" in subject else next(iter(subject))
            form.add_error(field, _message(error))
        else:
            messages.success(request, f"Item {item.position} added: {item.get_kind_display()}.")
            return redirect("panel:meeting_detail", pk=meeting.pk)
    return render(
        request,
        "panel/agenda_item_form.html",
        {"form": form, "meeting": meeting},
        status=400 if form.errors else 200,
    )


def _agenda_items(user):
    """Items ``user`` may change on the agenda: every visible item for Assurance and the chair."""
    return visible_items(user).select_related("meeting")


@require_POST
@role_required(AGENDA_ROLES)
def item_move(request, pk):
    item = get_object_or_404(_agenda_items(request.user), pk=pk)
    if item.meeting.status == MeetingStatus.CLOSED:
        messages.error(request, "The meeting is closed: its agenda is part of the minutes.")
    else:
        item = services.agenda_item_move(
            actor=request.user, item=item, up=request.POST.get("direction") == "up"
        )
        messages.success(request, f"{item.get_kind_display()} is item {item.position} now.")
    return redirect(reverse("panel:meeting_detail", args=[item.meeting_id]) + f"#item-{item.pk}")


@role_required(AGENDA_ROLES)
def item_withdraw(request, pk):
    """Take an item off the agenda before it is decided: the page asks why; only the POST does it."""
    item = get_object_or_404(
        _agenda_items(request.user).select_related(
            "referral__person", "entry__person", "access_grant__service", "access_grant__user"
        ),
        pk=pk,
    )
    people = _with_individuals([item])
    audit.record_access([item, *people])
    form = WithdrawItemForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.agenda_item_withdraw(
                actor=request.user, item=item, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error("reason", error)
        except services.PanelError as error:
            messages.error(request, str(error))
            return redirect("panel:meeting_detail", pk=item.meeting_id)
        else:
            messages.success(request, f"Item {item.position} withdrawn from the agenda.")
            return redirect("panel:meeting_detail", pk=item.meeting_id)
    return render(
        request,
        "panel/agenda_item_withdraw.html",
        {"item": item, "form": form},
        status=400 if form.errors else 200,
    )


@role_required(AGENDA_ROLES)
def item_invitees(request, pk):
    """Invite the Operations Manager to present the case, or a Legal Services adviser."""
    item = get_object_or_404(
        _agenda_items(request.user).select_related(
            "referral__person", "entry__person", "access_grant__service", "access_grant__user"
        ),
        pk=pk,
    )
    people = _with_individuals([item])
    audit.record_access([item, *people])
    invitees = list(item.invitees.select_related("user", "invited_by").order_by("pk"))
    may_invite = item.status in UNDECIDED and item.meeting.status != MeetingStatus.CLOSED
    users = User.objects.filter(is_active=True, is_superuser=False).select_related("service")
    form = InviteeForm(
        request.POST if request.method == "POST" else None,
        users=users.order_by("first_name", "last_name", "username"),
    )
    if may_invite and form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            invitee = services.invitee_add(
                actor=request.user, item=item, user=data["user"], role=data["role"]
            )
        except (ValidationError, services.PanelError) as error:
            form.add_error("user", _message(error))
        else:
            messages.success(request, f"{invitee.user} invited as {invitee.get_role_display()}.")
            return redirect("panel:item_invitees", pk=item.pk)
    return render(
        request,
        "panel/agenda_item_invitees.html",
        {"item": item, "invitees": invitees, "form": form, "may_invite": may_invite},
        status=400 if form.errors else 200,
    )


@require_POST
@role_required(AGENDA_ROLES)
def invitee_remove(request, pk):
    invitee = get_object_or_404(
        Invitee.objects.filter(item__in=visible_items(request.user)).select_related("user"),
        pk=pk,
    )
    services.invitee_remove(actor=request.user, invitee=invitee)
    messages.success(request, f"{invitee.user} is no longer invited.")
    return redirect("panel:item_invitees", pk=invitee.item_id)


# --- Attendance -------------------------------------------------------------------------------


def _may_record_attendance(user, meeting) -> bool:
    if meeting.status == MeetingStatus.CLOSED:
        return False
    if can_manage_agenda(user):
        return True
    chair = chair_sitter(meeting)
    return chair is not None and chair.user_id == user.pk


def attendance(request, pk):
    """The six seats, who sits in each (holder, briefed deputy, or nobody), and the invitees."""
    meeting = get_object_or_404(visible_meetings(request.user), pk=pk)
    records = {row.seat: row for row in meeting.seats.select_related("user")}
    members = defaultdict(list)
    for member in SeatMember.objects.filter(active=True).select_related("user"):
        members[member.seat].append(member)
    may_record = _may_record_attendance(request.user, meeting)
    posted = request.POST.get("seat") if request.method == "POST" else None
    if posted is not None and (not may_record or posted not in Seat.values):
        raise PermissionDenied("Only the chair or Assurance record attendance.")
    forms = {}
    for seat in Seat.values:
        forms[seat] = AttendanceForm(
            request.POST if seat == posted else None,
            seat=seat,
            members=members[seat],
            current=records.get(seat),
        )
    if posted is not None and forms[posted].is_valid():
        form = forms[posted]
        try:
            services.attendance_record(
                actor=request.user,
                meeting=meeting,
                seat=posted,
                user=form.cleaned_data["sitter"],
            )
        except (ValidationError, services.PanelError) as error:
            form.add_error("sitter", _message(error))
        else:
            messages.success(request, f"Attendance recorded: {Seat(posted).label}.")
            return redirect("panel:attendance", pk=meeting.pk)
    items = list(_agenda(request.user, meeting).exclude(status=ItemStatus.WITHDRAWN))
    audit.record_access([meeting, *items])
    seats = [
        {
            "seat": seat,
            "label": Seat(seat).label,
            "record": records.get(seat),
            "members": members[seat],
            "form": forms[seat] if may_record else None,
        }
        for seat in Seat.values
    ]
    return render(
        request,
        "panel/attendance.html",
        {
            "meeting": meeting,
            "seats": seats,
            "items": items,
            "may_record": may_record,
            "chair_absent": chair_is_absent(meeting),
            "errors": posted is not None,
        },
        status=400 if posted is not None else 200,
    )


# --- Minutes ----------------------------------------------------------------------------------


def minutes(request, pk):
    """The meeting record: attendance, invitees, declarations and rulings, ballots and votes, and
    each decision in the protocol's order with any corrections."""
    meeting = get_object_or_404(visible_meetings(request.user), pk=pk)
    items = list(
        _agenda(request.user, meeting)
        .select_related(
            "decision__spoc_service", "decision__record_owner", "decision__care_system_consulted_by"
        )
        .prefetch_related(
            Prefetch(
                "declarations",
                queryset=Declaration.objects.select_related("user", "ruled_by").order_by(
                    "declared_at", "pk"
                ),
            ),
            Prefetch(
                "ballots",
                queryset=Ballot.objects.select_related("opened_by", "closed_by")
                .prefetch_related(Prefetch("votes", queryset=Vote.objects.select_related("user")))
                .order_by("number"),
            ),
        )
    )
    people = _with_individuals(items)
    corrections = defaultdict(list)
    for correction in DecisionCorrection.objects.filter(
        decision__item__in=[item.pk for item in items]
    ).select_related("corrected_by", "decision"):
        corrections[correction.decision.item_id].append(correction)
    show_health = can_see_special_category(request.user)
    for item in items:
        decision = getattr(item, "decision", None)
        item.record = decision if decision and decision.status == DecisionStatus.FINAL else None
        item.proposed = decision is not None and item.record is None
        item.corrections = corrections[item.pk]
        for correction in item.corrections:
            correction.hidden = correction.field in SPECIAL_CATEGORY_FIELDS and not show_health
            correction.label = decision._meta.get_field(correction.field).verbose_name
        for ballot in item.ballots.all():
            votes = {vote.seat: vote for vote in ballot.votes.all()}
            ballot.seat_votes = [
                (Seat(seat).label, votes.get(seat)) for seat in _seat_list(ballot.eligible_seats)
            ]
        if item.record is not None:
            item.record.eligible_labels = [
                Seat(seat).label for seat in _seat_list(item.record.eligible_seats)
            ]
    audit.record_access([meeting, *items, *people])
    records = {row.seat: row for row in meeting.seats.select_related("user")}
    return render(
        request,
        "panel/minutes.html",
        {
            "meeting": meeting,
            "items": items,
            "seats": [(Seat(seat).label, records.get(seat)) for seat in Seat.values],
            "show_health": show_health,
            "sees_all": sees_all_papers(request.user),
        },
    )


def _seat_list(seats):
    return sorted((seat for seat in seats if seat in SEAT_ORDER), key=SEAT_ORDER.index)


# --- The seats --------------------------------------------------------------------------------


@role_required(PANEL_ROLES)
def seats(request):
    """The six seats, each holder and the briefed deputies. Assurance manage them in the admin."""
    members = defaultdict(list)
    for member in SeatMember.objects.filter(active=True).select_related("user"):
        members[member.seat].append(member)
    rows = [
        {
            "label": Seat(seat).label,
            "holder": next((m for m in members[seat] if not m.is_deputy), None),
            "deputies": [m for m in members[seat] if m.is_deputy],
        }
        for seat in Seat.values
    ]
    return render(
        request,
        "panel/seats.html",
        {"rows": rows, "may_manage": has_role(request.user, *USER_ADMIN_ROLES)},
    )


urls = [
    path("", index, name="index"),
    path("seats/", seats, name="seats"),
    path("meetings/new/", meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/open/", meeting_open, name="meeting_open"),
    path("meetings/<int:pk>/join/", meeting_join, name="meeting_join"),
    path("meetings/<int:pk>/close/", meeting_close, name="meeting_close"),
    path("meetings/<int:pk>/attendance/", attendance, name="attendance"),
    path("meetings/<int:pk>/minutes/", minutes, name="minutes"),
    path("meetings/<int:pk>/items/new/", item_add, name="item_add"),
    path("items/<int:pk>/move/", item_move, name="item_move"),
    path("items/<int:pk>/withdraw/", item_withdraw, name="item_withdraw"),
    path("items/<int:pk>/invitees/", item_invitees, name="item_invitees"),
    path("invitees/<int:pk>/remove/", invitee_remove, name="invitee_remove"),
]
