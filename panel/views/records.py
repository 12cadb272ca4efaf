"""The meeting's record: attendance, the minutes, and the panel's seats."""

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from panel import services
from panel.forms import AttendanceForm
from panel.models import (
    Ballot,
    DecisionCorrection,
    DecisionStatus,
    Declaration,
    ItemStatus,
    Seat,
    SeatMember,
    Vote,
)
from panel.selectors import (
    briefing_refusal,
    chair_is_absent,
    may_manage_seats,
    may_record_attendance,
    sees_all_papers,
    visible_meetings,
)
from panel.views.meetings import meeting_agenda, with_individuals
from ubpanel import audit
from ubpanel.access import get_object_or_404
from ubpanel.form_errors import summary_errors
from ubpanel.pages import form_page, submit
from ubpanel.roles import PANEL_ROLES, can_see_special_category, role_required

SEAT_ORDER = list(Seat.values)
SPECIAL_CATEGORY_FIELDS = {"health_notes", "care_system_notes"}


def _error_summary(form, seat_label: str) -> list[tuple[str, str]]:
    """The refused seat's errors for the summary, each once, saying which seat ("Chair: …")."""
    return [(anchor, f"{seat_label}: {message}") for anchor, message in summary_errors(form)]


def attendance(request, pk):
    """The six seats, who sits in each (holder, briefed deputy, or nobody), and the invitees."""
    meeting = get_object_or_404(
        visible_meetings(request.user).select_related("elected_chair"), pk=pk
    )
    records = {row.seat: row for row in meeting.seats.select_related("user")}
    members = defaultdict(list)
    for member in SeatMember.objects.filter(active=True).select_related("user"):
        # Deputies sit only when briefed for the seat by the meeting's date.
        member.not_briefed = briefing_refusal(member, meeting)
        members[member.seat].append(member)
    may_record = may_record_attendance(request.user, meeting)
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
    if posted is not None and submit(
        request,
        forms[posted],
        lambda data: services.attendance_record(
            actor=request.user, meeting=meeting, seat=posted, user=data["sitter"]
        ),
        field="sitter",
    ):
        messages.success(request, f"Attendance recorded: {Seat(posted).label}.")
        return redirect("panel:attendance", pk=meeting.pk)
    items = list(meeting_agenda(request.user, meeting).exclude(status=ItemStatus.WITHDRAWN))
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
    return form_page(
        request,
        "panel/attendance.html",
        {
            "meeting": meeting,
            "seats": seats,
            "items": items,
            "may_record": may_record,
            "chair_absent": chair_is_absent(meeting),
            "errors": _error_summary(forms.get(posted), Seat(posted).label if posted else ""),
        },
        forms.get(posted),
    )


# --- Minutes ----------------------------------------------------------------------------------


def minutes(request, pk):
    """The meeting record: attendance, invitees, declarations and rulings, ballots and votes, and
    each decision in the protocol's order with any corrections."""
    meeting = get_object_or_404(
        visible_meetings(request.user).select_related("elected_chair"), pk=pk
    )
    items = list(
        meeting_agenda(request.user, meeting)
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
    people = with_individuals(items)
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
            "chair_sitter": records.get(Seat.CHAIR)
            if records.get(Seat.CHAIR) and records[Seat.CHAIR].user_id
            else None,
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
        {
            "rows": rows,
            "may_manage": may_manage_seats(request.user),
            "today": timezone.localdate(),
        },
    )


urls = [
    path("seats/", seats, name="seats"),
    path("meetings/<id:pk>/attendance/", attendance, name="attendance"),
    path("meetings/<id:pk>/minutes/", minutes, name="minutes"),
]
