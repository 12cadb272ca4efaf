"""Attendance: the six seats, who sits in each (holder, briefed deputy, or nobody), the invitees."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from panel.models import Seat, SeatAttendance
from ubpanel.roles import Role

from .factories import AgendaItemFactory, MeetingFactory, UserFactory
from .panel_setup import deputy_for, open_meeting, seat_holders

pytestmark = pytest.mark.django_db

C, COMPLAINTS, HS, CS, ASC, EQ = Seat.values


def _url(meeting):
    return reverse("panel:attendance", args=[meeting.pk])


def _client(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


@pytest.fixture
def holders():
    return seat_holders()


def test_the_page_shows_each_seat_who_sits_and_the_invitees(panel_client, holders):
    meeting = open_meeting(holders, join=(COMPLAINTS,))
    deputy = deputy_for(HS, "hs-deputy")
    SeatAttendance.objects.create(
        meeting=meeting, seat=HS, attendance="present", user=deputy, as_deputy=True
    )
    SeatAttendance.objects.create(meeting=meeting, seat=EQ, attendance="absent")
    item = AgendaItemFactory(meeting=meeting)
    lawyer = UserFactory(roles=[Role.LEGAL_SERVICES], first_name="Lee", last_name="Lawyer")
    item.invitees.create(user=lawyer, role="legal_adviser")

    response = panel_client.get(_url(meeting))

    assert response.status_code == 200
    html = response.content.decode()
    for seat in Seat:
        assert seat.label in html
    assert str(holders[C]) in html
    assert escape(str(deputy)) in html
    assert "Deputy" in html
    assert "Absent" in html
    assert "Lee Lawyer, legal services adviser" in html
    # Members see it but do not record it.
    assert 'name="seat"' not in html


def test_the_page_is_audited(panel_client, holders, audit_entries):
    meeting = open_meeting(holders)
    item = AgendaItemFactory(meeting=meeting)

    panel_client.get(_url(meeting))

    assert audit_entries(event="view", object_pk=str(meeting.pk), actor=panel_client.user)
    assert audit_entries(event="view", object_pk=str(item.pk), actor=panel_client.user)


def test_assurance_record_a_briefed_deputy_sitting_for_a_seat(assurance_client, holders):
    meeting = MeetingFactory()
    deputy = deputy_for(HS, "hs-deputy")

    html = assurance_client.get(_url(meeting)).content.decode()
    assert "briefed deputy" in html
    response = assurance_client.post(_url(meeting), {"seat": HS, f"{HS}-sitter": deputy.pk})

    assert response.status_code == 302
    record = SeatAttendance.objects.get(meeting=meeting, seat=HS)
    assert (record.user, record.as_deputy, record.recorded_by) == (
        deputy,
        True,
        assurance_client.user,
    )


def test_the_chair_sitting_records_a_seat_as_absent(holders):
    meeting = open_meeting(holders)
    chair = _client(holders[C])

    response = chair.post(_url(meeting), {"seat": EQ, f"{EQ}-sitter": "absent"})

    assert response.status_code == 302
    assert SeatAttendance.objects.get(meeting=meeting, seat=EQ).attendance == "absent"


def test_someone_who_cannot_sit_in_that_seat_is_refused_beside_the_field(assurance_client, holders):
    meeting = MeetingFactory()

    response = assurance_client.post(_url(meeting), {"seat": HS, f"{HS}-sitter": holders[EQ].pk})

    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{HS}-sitter-error"' in html
    assert "Select a valid choice" in html
    assert not SeatAttendance.objects.exists()


def test_a_member_already_in_another_seat_is_refused_beside_the_field(assurance_client, holders):
    meeting = open_meeting(holders, join=(COMPLAINTS,))
    deputy = deputy_for(HS, COMPLAINTS + "-and-hs")
    SeatAttendance.objects.filter(meeting=meeting, seat=COMPLAINTS).update(user=deputy)

    response = assurance_client.post(_url(meeting), {"seat": HS, f"{HS}-sitter": deputy.pk})

    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{HS}-sitter-error"' in html
    assert "sits in another seat at this meeting already" in html
    assert f'value="{deputy.pk}" selected' in html


def test_a_member_may_not_record_attendance(holders):
    meeting = open_meeting(holders)

    response = _client(holders[HS]).post(_url(meeting), {"seat": EQ, f"{EQ}-sitter": "absent"})

    assert response.status_code == 403
    assert not SeatAttendance.objects.filter(seat=EQ).exists()


def test_a_closed_meeting_shows_attendance_but_takes_no_changes(assurance_client, holders):
    meeting = open_meeting(holders)
    from panel import services

    services.meeting_close(actor=holders[C], meeting=meeting)

    assert 'name="seat"' not in assurance_client.get(_url(meeting)).content.decode()
    response = assurance_client.post(_url(meeting), {"seat": EQ, f"{EQ}-sitter": "absent"})
    assert response.status_code == 403


def test_the_chair_absent_note_names_the_monitoring_officer(assurance_client, holders):
    meeting = MeetingFactory()
    SeatAttendance.objects.create(meeting=meeting, seat=C, attendance="absent")

    html = assurance_client.get(_url(meeting)).content.decode()

    assert "The chair is absent: the Monitoring Officer rules on declared interests" in html


def test_the_chair_absent_note_is_not_shown_when_the_chair_sits(assurance_client, holders):
    meeting = open_meeting(holders)

    html = assurance_client.get(_url(meeting)).content.decode()

    assert "The chair is absent" not in html


def test_a_stranger_gets_an_audited_404(manager_client, audit_entries):
    meeting = MeetingFactory()

    response = manager_client.get(_url(meeting))

    assert response.status_code == 404
    assert audit_entries(event="denied", object_pk=str(meeting.pk), actor=manager_client.user)


def test_recording_attendance_needs_csrf(holders):
    meeting = MeetingFactory()
    client = _client(UserFactory(roles=[Role.ASSURANCE_OFFICER]), enforce_csrf_checks=True)

    response = client.post(_url(meeting), {"seat": EQ, f"{EQ}-sitter": "absent"})

    assert response.status_code == 403
    assert not SeatAttendance.objects.exists()


@pytest.mark.parametrize("deputies", [0, 5])
def test_the_page_uses_a_constant_number_of_queries(
    assurance_client, holders, deputies, django_assert_max_num_queries
):
    meeting = open_meeting(holders)
    for n in range(deputies):
        deputy_for(Seat.values[n % 6], f"deputy-{n}")
        AgendaItemFactory(meeting=meeting).invitees.create(
            user=UserFactory(), role="operations_manager"
        )

    with django_assert_max_num_queries(14):
        assert assurance_client.get(_url(meeting)).status_code == 200
