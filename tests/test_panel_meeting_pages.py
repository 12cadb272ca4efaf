"""The meetings list, scheduling a meeting, opening, joining and closing it, and the seats."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from panel.models import Meeting, MeetingStatus, Seat, SeatAttendance, SeatMember
from referrals.models import ReferralStatus
from ubpanel.roles import Role

from .factories import (
    AgendaItemFactory,
    EntryFactory,
    MeetingFactory,
    PersonFactory,
    SeatMemberFactory,
    SubmittedReferralFactory,
    UserFactory,
)
from .panel_setup import deputy_for, open_meeting, seat_holders

pytestmark = pytest.mark.django_db

INDEX = reverse("panel:index")
NEW = reverse("panel:meeting_new")
C, COMPLAINTS, HS, CS, ASC, EQ = Seat.values


def _detail(meeting):
    return reverse("panel:meeting_detail", args=[meeting.pk])


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _future(days=7):
    return timezone.localdate() + timedelta(days=days)


# --- The meetings list ------------------------------------------------------------------------


def test_the_panel_sees_meetings_in_progress_upcoming_and_past(panel_client):
    holders = seat_holders()
    running = open_meeting(holders)
    upcoming = MeetingFactory()
    past = MeetingFactory(starts_at=timezone.now() - timedelta(days=40), status="closed")

    response = panel_client.get(INDEX)

    assert response.status_code == 200
    assert list(response.context["in_progress"]) == [running]
    assert list(response.context["upcoming"]) == [upcoming]
    assert list(response.context["past"].object_list) == [past]
    assert "Schedule a meeting" not in response.content.decode()


def test_assurance_see_the_button_to_schedule_a_meeting(assurance_client):
    response = assurance_client.get(INDEX)

    assert response.status_code == 200
    assert NEW in response.content.decode()


def test_an_invited_manager_sees_only_the_meetings_they_are_invited_to(manager_client):
    invited = AgendaItemFactory()
    invited.invitees.create(user=manager_client.user, role="operations_manager")
    MeetingFactory()  # not invited

    response = manager_client.get(INDEX)

    assert response.status_code == 200
    assert list(response.context["upcoming"]) == [invited.meeting]
    html = response.content.decode()
    assert "Your panel invitations" in html
    assert invited.subject_reference in html
    # Invitees see neither the button nor the seats.
    assert NEW not in html


def test_someone_with_no_role_and_no_invitation_sees_an_empty_list(outsider_client):
    MeetingFactory()

    response = outsider_client.get(INDEX)

    assert response.status_code == 200
    assert list(response.context["upcoming"]) == []
    assert 'data-testid="no-upcoming"' in response.content.decode()


def test_the_invitations_on_the_list_are_audited(manager_client, audit_entries):
    item = AgendaItemFactory()
    item.invitees.create(user=manager_client.user, role="operations_manager")

    manager_client.get(INDEX)

    assert audit_entries(event="list", object_pk=str(item.pk), actor=manager_client.user)


def test_past_meetings_are_paginated(panel_client):
    for days in range(25):
        MeetingFactory(starts_at=timezone.now() - timedelta(days=days + 1), status="closed")

    first = panel_client.get(INDEX)
    second = panel_client.get(INDEX, {"page": 2})

    assert len(first.context["past"].object_list) == 20
    assert len(second.context["past"].object_list) == 5


@pytest.mark.parametrize("meetings", [1, 6])
def test_the_list_uses_a_constant_number_of_queries(
    panel_client, meetings, django_assert_max_num_queries
):
    for n in range(meetings):
        AgendaItemFactory(meeting=MeetingFactory())
        MeetingFactory(starts_at=timezone.now() - timedelta(days=n + 1), status="closed")
        MeetingFactory(status="open")

    with django_assert_max_num_queries(11):
        assert panel_client.get(INDEX).status_code == 200


# --- Scheduling a meeting ---------------------------------------------------------------------


def test_assurance_schedule_a_meeting_and_waiting_items_go_on_its_agenda(
    assurance_client, audit_entries
):
    referral = SubmittedReferralFactory(
        status=ReferralStatus.READY_FOR_PANEL, person=PersonFactory()
    )
    entry = EntryFactory()
    day = _future()

    response = assurance_client.post(
        NEW,
        {
            "kind": "monthly",
            "format": "virtual",
            "date": day.isoformat(),
            "time": "10:30",
            "location": "Teams link in the calendar invitation",
        },
        follow=True,
    )

    meeting = Meeting.objects.get()
    assert response.redirect_chain[-1][0] == _detail(meeting)
    assert timezone.localtime(meeting.starts_at).date() == day
    assert timezone.localtime(meeting.starts_at).strftime("%H:%M") == "10:30"
    assert meeting.created_by == assurance_client.user
    assert [item.referral_id or item.entry_id for item in meeting.items.all()] == [
        referral.pk,
        entry.pk,
    ]
    assert "2 items waiting for the panel were put on the agenda automatically" in (
        response.content.decode()
    )
    assert audit_entries(action=0, object_pk=str(meeting.pk))  # auditlog CREATE


def test_a_meeting_with_nothing_waiting_says_so(chair_client):
    response = chair_client.post(
        NEW,
        {"kind": "extraordinary", "format": "physical", "date": _future(1), "time": "14:00"},
        follow=True,
    )

    assert "Nothing was waiting for the panel" in response.content.decode()


def test_a_meeting_without_a_date_or_with_a_past_date_is_refused_beside_the_field(
    assurance_client,
):
    response = assurance_client.post(
        NEW, {"kind": "monthly", "format": "", "date": "2020-01-01", "time": "", "location": "R1"}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_date-error"' in html
    assert "The meeting must be today or in the future" in html
    assert 'id="id_format-error"' in html
    assert 'id="id_time-error"' in html
    assert 'value="R1"' in html  # what was typed is kept
    # The date is shown again in its day, month and year boxes.
    assert 'name="date_day" value="1"' in html
    assert 'name="date_month" value="1"' in html
    assert 'name="date_year" value="2020"' in html
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    "role", [Role.PANEL_MEMBER, Role.REFERRING_MANAGER, Role.FRONTLINE, None], ids=str
)
def test_only_assurance_and_the_chair_schedule_meetings(role_client, role):
    client = role_client(role)

    assert client.get(NEW).status_code == 403
    response = client.post(
        NEW, {"kind": "monthly", "format": "virtual", "date": _future(), "time": "10:00"}
    )
    assert response.status_code == 403
    assert not Meeting.objects.exists()


def test_scheduling_needs_csrf():
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(roles=[Role.ASSURANCE_OFFICER]))

    response = client.post(
        NEW, {"kind": "monthly", "format": "virtual", "date": _future(), "time": "10:00"}
    )

    assert response.status_code == 403
    assert not Meeting.objects.exists()


# --- The meeting page: open, join, close ------------------------------------------------------


def test_a_stranger_gets_a_404_for_a_meeting_and_it_is_audited(manager_client, audit_entries):
    meeting = MeetingFactory()

    response = manager_client.get(_detail(meeting))

    assert response.status_code == 404
    assert audit_entries(event="denied", object_pk=str(meeting.pk), actor=manager_client.user)


def test_the_chair_is_offered_to_open_the_meeting_and_opens_it():
    holders = seat_holders()
    meeting = MeetingFactory()
    chair = _signed_in(holders[C])

    assert "Open the meeting" in chair.get(_detail(meeting)).content.decode()
    response = chair.post(reverse("panel:meeting_open", args=[meeting.pk]), follow=True)

    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.OPEN
    assert "The meeting is open" in response.content.decode()
    assert meeting.seats.get(seat=C).user == holders[C]


def test_a_member_is_not_offered_to_open_the_meeting_and_may_not():
    holders = seat_holders()
    meeting = MeetingFactory()
    member = _signed_in(holders[HS])

    html = member.get(_detail(meeting)).content.decode()
    # Only the chair's way in; a member is chosen to chair only with the chair and deputies absent.
    assert f'action="{reverse("panel:meeting_open", args=[meeting.pk])}"' not in html
    assert "The chair and their deputies are absent" in html
    response = member.post(reverse("panel:meeting_open", args=[meeting.pk]))

    assert response.status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED


def test_a_member_joins_an_open_meeting():
    holders = seat_holders()
    meeting = open_meeting(holders, join=())
    member = _signed_in(holders[HS])

    assert "Join the meeting" in member.get(_detail(meeting)).content.decode()
    member.post(reverse("panel:meeting_join", args=[meeting.pk]))

    assert SeatAttendance.objects.get(meeting=meeting, seat=HS).user == holders[HS]
    html = member.get(_detail(meeting)).content.decode()
    assert "Join the meeting" not in html
    assert "You are sitting as Health and Safety Manager" in html


def test_someone_deputising_for_two_seats_chooses_which_to_sit_in():
    holders = seat_holders()
    deputy = deputy_for(EQ, "two-seats")
    SeatMemberFactory(seat=CS, user=deputy, is_deputy=True)
    meeting = open_meeting(holders, join=())
    client = _signed_in(deputy)

    html = client.get(_detail(meeting)).content.decode()
    assert "Which seat are you sitting in?" in html
    client.post(reverse("panel:meeting_join", args=[meeting.pk]), {"seat": EQ})

    sat = SeatAttendance.objects.get(meeting=meeting, user=deputy)
    assert (sat.seat, sat.as_deputy) == (EQ, True)


def test_joining_a_meeting_not_yet_open_shows_why():
    holders = seat_holders()
    meeting = MeetingFactory()

    response = _signed_in(holders[HS]).post(
        reverse("panel:meeting_join", args=[meeting.pk]), follow=True
    )

    assert "not in progress" in response.content.decode()
    assert not SeatAttendance.objects.exists()


def test_the_chair_sitting_closes_the_meeting():
    holders = seat_holders()
    meeting = open_meeting(holders)
    chair = _signed_in(holders[C])

    assert "Close the meeting" in chair.get(_detail(meeting)).content.decode()
    assert "Close the meeting" not in _signed_in(holders[HS]).get(_detail(meeting)).content.decode()
    chair.post(reverse("panel:meeting_close", args=[meeting.pk]))

    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CLOSED


def test_a_member_may_not_close_the_meeting():
    holders = seat_holders()
    meeting = open_meeting(holders)

    response = _signed_in(holders[HS]).post(reverse("panel:meeting_close", args=[meeting.pk]))

    assert response.status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.OPEN


@pytest.mark.parametrize("action", ["meeting_open", "meeting_join", "meeting_close"])
def test_the_meeting_controls_need_csrf(action):
    holders = seat_holders()
    meeting = MeetingFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(holders[C])

    assert client.post(reverse(f"panel:{action}", args=[meeting.pk])).status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED


@pytest.mark.parametrize("action", ["meeting_open", "meeting_join", "meeting_close"])
def test_the_meeting_controls_answer_strangers_with_a_404(action, manager_client, audit_entries):
    meeting = MeetingFactory()

    response = manager_client.post(reverse(f"panel:{action}", args=[meeting.pk]))

    assert response.status_code == 404
    assert audit_entries(event="denied", object_pk=str(meeting.pk))


def test_the_meeting_controls_refuse_a_get(chair_client):
    meeting = MeetingFactory()

    assert chair_client.get(reverse("panel:meeting_open", args=[meeting.pk])).status_code == 405


# --- The seats --------------------------------------------------------------------------------


def test_the_panel_sees_each_seat_with_its_holder_and_briefed_deputies(panel_client):
    holders = seat_holders()
    deputy = deputy_for(HS, "hs-deputy")
    SeatMember.objects.filter(user=deputy).update(briefed_on=_future(-30))

    response = panel_client.get(reverse("panel:seats"))

    assert response.status_code == 200
    html = response.content.decode()
    assert str(holders[HS]) in html
    assert f"{escape(deputy)}, briefed on {_future(-30):%-d %B %Y}" in html
    assert "admin/panel/seatmember" not in html  # only Assurance manage them


def test_assurance_are_sent_to_the_admin_to_change_the_seats(assurance_client):
    response = assurance_client.get(reverse("panel:seats"))

    assert reverse("admin:panel_seatmember_changelist") in response.content.decode()


def test_the_seats_are_for_the_panel_roles_only(frontline_client):
    assert frontline_client.get(reverse("panel:seats")).status_code == 403


def test_assurance_add_a_briefed_deputy_in_the_admin(assurance_client, audit_entries):
    deputy = UserFactory(username="new-deputy", roles=[Role.PANEL_MEMBER])

    response = assurance_client.post(
        reverse("admin:panel_seatmember_add"),
        {
            "seat": HS,
            "user": deputy.pk,
            "is_deputy": "on",
            "briefed_on": _future(-1).isoformat(),
            "active": "on",
        },
    )

    assert response.status_code == 302
    member = SeatMember.objects.get(user=deputy)
    assert (member.seat, member.is_deputy, member.briefed_on) == (HS, True, _future(-1))
    assert audit_entries(action=0, object_pk=str(member.pk))


def test_the_admin_refuses_a_second_holder_for_a_seat(assurance_client):
    seat_holders()
    other = UserFactory(username="second-holder")

    response = assurance_client.post(
        reverse("admin:panel_seatmember_add"),
        {"seat": HS, "user": other.pk, "active": "on"},
    )

    assert response.status_code == 200
    assert not SeatMember.objects.filter(user=other).exists()


def test_panel_members_cannot_change_the_seats_in_the_admin(panel_client):
    response = panel_client.get(reverse("admin:panel_seatmember_changelist"))

    assert response.status_code in (302, 403)
