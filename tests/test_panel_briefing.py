"""Deputies sit only when briefed for the seat by the meeting's date; holders need no briefing
(issue 10, point 11). The protocol: "a suitably briefed deputy"."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from panel import services
from panel.models import MeetingStatus, Seat, SeatAttendance, SeatMember
from panel.selectors import briefing_refusal

from .factories import MeetingFactory
from .panel_setup import deputy_for, open_meeting, seat_holders

pytestmark = pytest.mark.django_db

C, COMPLAINTS, HS, CS, ASC, EQ = Seat.values


@pytest.fixture
def holders():
    return seat_holders()


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _briefed(user, briefed_on):
    SeatMember.objects.filter(user=user).update(briefed_on=briefed_on)
    return SeatMember.objects.get(user=user)


def _meeting_date(meeting):
    return timezone.localdate(meeting.starts_at)


def test_a_deputy_briefed_on_or_before_the_meeting_day_may_sit(holders):
    meeting = MeetingFactory()
    deputy = deputy_for(HS)

    assert briefing_refusal(_briefed(deputy, _meeting_date(meeting)), meeting) is None


def test_holders_need_no_briefing(holders):
    meeting = MeetingFactory()
    holder = _briefed(holders[HS], None)
    assert briefing_refusal(holder, meeting) is None

    meeting = open_meeting(holders, meeting=meeting, join=(HS,))
    assert SeatAttendance.objects.get(meeting=meeting, seat=HS).user == holders[HS]


def test_a_deputy_with_no_briefing_date_cannot_join_and_is_told_why(holders):
    deputy = deputy_for(HS, "hs-deputy")
    _briefed(deputy, None)
    meeting = open_meeting(holders, join=())

    with pytest.raises(services.PanelError) as refused:
        services.meeting_join(actor=deputy, meeting=meeting)

    assert f"{deputy} has not been briefed for the seat of Health and Safety Manager" in str(
        refused.value
    )
    assert not SeatAttendance.objects.filter(user=deputy).exists()


def test_a_deputy_briefed_after_the_meeting_date_cannot_join(holders):
    deputy = deputy_for(HS, "hs-deputy")
    meeting = open_meeting(holders, join=())
    later = _meeting_date(meeting) + timedelta(days=3)
    _briefed(deputy, later)

    with pytest.raises(services.PanelError, match=f"recorded for {later:%-d %B %Y}"):
        services.meeting_join(actor=deputy, meeting=meeting)


def test_an_unbriefed_deputy_for_the_chair_cannot_open_the_meeting(holders):
    deputy = deputy_for(C, "chair-deputy")
    _briefed(deputy, None)
    meeting = MeetingFactory()

    with pytest.raises(services.PanelError, match="has not been briefed for the seat"):
        services.meeting_open(actor=deputy, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED


def test_a_briefed_deputy_for_the_chair_opens_the_meeting(holders):
    deputy = deputy_for(C, "chair-deputy")
    meeting = MeetingFactory()

    services.meeting_open(actor=deputy, meeting=meeting)

    sat = SeatAttendance.objects.get(meeting=meeting, seat=C)
    assert (sat.user, sat.as_deputy) == (deputy, True)


def test_an_unbriefed_deputy_cannot_be_recorded_in_the_seat(holders):
    deputy = deputy_for(HS, "hs-deputy")
    _briefed(deputy, None)
    meeting = MeetingFactory()

    with pytest.raises(ValidationError, match="has not been briefed for the seat"):
        services.attendance_record(actor=holders[C], meeting=meeting, seat=HS, user=deputy)


def test_someone_deputising_for_two_seats_joins_the_one_they_are_briefed_for(holders):
    deputy = deputy_for(EQ, "two-seats")
    _briefed(deputy, None)
    SeatMember.objects.create(seat=CS, user=deputy, is_deputy=True, briefed_on="2020-01-06")
    meeting = open_meeting(holders, join=())

    sat = services.meeting_join(actor=deputy, meeting=meeting)

    assert sat.seat == CS


# --- Pages ------------------------------------------------------------------------------------


def test_the_meeting_page_tells_an_unbriefed_deputy_why_they_cannot_join(holders):
    deputy = deputy_for(HS, "hs-deputy")
    _briefed(deputy, None)
    meeting = open_meeting(holders, join=())
    client = _client(deputy)

    html = client.get(reverse("panel:meeting_detail", args=[meeting.pk])).content.decode()

    assert "Join the meeting" not in html
    assert "has not been briefed for the seat of Health and Safety Manager" in html
    response = client.post(reverse("panel:meeting_join", args=[meeting.pk]), follow=True)
    assert "has not been briefed for the seat" in response.content.decode()
    assert not SeatAttendance.objects.filter(user=deputy).exists()


def test_the_attendance_page_refuses_an_unbriefed_deputy_beside_the_field(
    assurance_client, holders
):
    deputy = deputy_for(HS, "hs-deputy")
    _briefed(deputy, None)
    meeting = MeetingFactory()
    url = reverse("panel:attendance", args=[meeting.pk])

    assert "Not briefed" in assurance_client.get(url).content.decode()
    response = assurance_client.post(url, {"seat": HS, f"{HS}-sitter": deputy.pk})

    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{HS}-sitter-error"' in html
    assert "has not been briefed for the seat" in html
    assert not SeatAttendance.objects.exists()


def test_the_seats_page_shows_the_briefing_date_or_that_there_is_none(panel_client, holders):
    briefed = deputy_for(HS, "hs-deputy")
    unbriefed = deputy_for(CS, "cs-deputy")
    _briefed(unbriefed, None)

    html = panel_client.get(reverse("panel:seats")).content.decode()

    assert f"{escape(briefed)}, briefed on 6 January 2020" in html
    assert (
        f'{escape(unbriefed)}, <strong class="govuk-tag govuk-tag--grey">Not briefed</strong>'
        in html
    )


def test_the_seats_page_says_when_a_deputy_is_still_to_be_briefed(panel_client, holders):
    deputy = deputy_for(HS, "hs-deputy")
    soon = timezone.localdate() + timedelta(days=10)
    _briefed(deputy, soon)

    html = panel_client.get(reverse("panel:seats")).content.decode()

    assert f"{escape(deputy)}, to be briefed on {soon:%-d %B %Y}" in html
