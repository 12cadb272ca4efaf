"""The chair and every deputy for the chair are absent: the members present choose one of
themselves to chair, the minutes record it, and the Monitoring Officer rules on interests
(issue 10, point 10)."""

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from panel import services
from panel.models import Attendance, MeetingStatus, Ruling, Seat, SeatAttendance, SeatMember
from panel.selectors import chair_is_absent, presides, presiding_user_id
from ubpanel.roles import Role

from .factories import AgendaItemFactory, MeetingFactory, UserFactory
from .panel_setup import deputy_for, propose, seat_holders, vote_all

pytestmark = pytest.mark.django_db

C, COMPLAINTS, HS, CS, ASC, EQ = Seat.values
NOTE = "Chosen by a show of hands of the five members present."


@pytest.fixture
def holders():
    return seat_holders()


def _elect(holders, meeting=None, seat=HS, note=NOTE, join=(COMPLAINTS, CS, ASC, EQ)):
    meeting = meeting or MeetingFactory()
    services.meeting_open_as_elected_chair(actor=holders[seat], meeting=meeting, note=note)
    for other in join:
        services.meeting_join(actor=holders[other], meeting=meeting)
    meeting.refresh_from_db()
    return meeting


def _client(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user)
    return client


def _detail(meeting):
    return reverse("panel:meeting_detail", args=[meeting.pk])


def _open_elected(meeting):
    return reverse("panel:meeting_open_elected", args=[meeting.pk])


# --- The service ------------------------------------------------------------------------------


def test_a_member_chosen_by_those_present_opens_the_meeting_and_sits_in_their_own_seat(holders):
    meeting = _elect(holders, join=())

    assert meeting.status == MeetingStatus.OPEN
    assert (meeting.elected_chair, meeting.elected_chair_note) == (holders[HS], NOTE)
    chair_seat = SeatAttendance.objects.get(meeting=meeting, seat=C)
    assert (chair_seat.attendance, chair_seat.user) == (Attendance.ABSENT, None)
    own = SeatAttendance.objects.get(meeting=meeting, seat=HS)
    assert (own.attendance, own.user) == (Attendance.PRESENT, holders[HS])
    assert presiding_user_id(meeting) == holders[HS].pk
    assert presides(holders[HS], meeting)
    assert not presides(holders[COMPLAINTS], meeting)
    assert chair_is_absent(meeting)


def test_the_elected_chair_runs_the_vote_and_votes_in_their_own_seat(holders):
    meeting = _elect(holders)
    item = AgendaItemFactory(meeting=meeting)
    chosen = holders[HS]

    propose(chosen, item)
    ballot = services.ballot_open(actor=chosen, item=item)
    assert sorted(ballot.eligible_seats) == sorted([COMPLAINTS, HS, CS, ASC, EQ])
    vote_all(holders, item, {HS: "for", COMPLAINTS: "for", CS: "for", ASC: "for"})
    closed = services.ballot_close(actor=chosen, item=item)

    assert closed.carried
    assert closed.votes.get(seat=HS).user == chosen
    services.meeting_close(actor=chosen, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CLOSED


def test_other_members_do_not_run_the_meeting(holders):
    meeting = _elect(holders)
    item = AgendaItemFactory(meeting=meeting)

    with pytest.raises(PermissionDenied):
        propose(holders[COMPLAINTS], item)
    with pytest.raises(PermissionDenied):
        services.meeting_close(actor=holders[COMPLAINTS], meeting=meeting)
    with pytest.raises(PermissionDenied):
        services.attendance_record(actor=holders[COMPLAINTS], meeting=meeting, seat=EQ, user=None)
    # The elected chair records attendance as the chair would.
    services.attendance_record(actor=holders[HS], meeting=meeting, seat=EQ, user=None)


def test_the_monitoring_officer_rules_on_interests_under_an_elected_chair(holders):
    meeting = _elect(holders)
    item = AgendaItemFactory(meeting=meeting)
    declaration = services.declaration_make(
        actor=holders[COMPLAINTS], item=item, interest="Dealt with their complaint."
    )
    monitoring_officer = UserFactory(username="mo", roles=[Role.MONITORING_OFFICER])

    assert services.who_rules(declaration) == "monitoring_officer"
    for not_them in (holders[HS], holders[C]):
        with pytest.raises(PermissionDenied):
            services.declaration_rule(
                actor=not_them, declaration=declaration, exclude=True, reason="Implicated."
            )
    ruled = services.declaration_rule(
        actor=monitoring_officer, declaration=declaration, exclude=True, reason="Implicated."
    )
    assert (ruled.ruling, ruled.ruled_as) == (Ruling.EXCLUDED, "Monitoring Officer")


def test_nobody_is_elected_while_the_chair_could_sit(holders):
    meeting = MeetingFactory()
    # The chair holds only the chair's seat: they open the meeting in it.
    with pytest.raises(PermissionDenied):
        services.meeting_open_as_elected_chair(actor=holders[C], meeting=meeting, note=NOTE)
    # A member who is also a briefed deputy for the chair sits in the chair's seat instead.
    SeatMember.objects.create(seat=C, user=holders[EQ], is_deputy=True, briefed_on="2020-01-06")
    with pytest.raises(services.PanelError, match="open the meeting in the chair's seat"):
        services.meeting_open_as_elected_chair(actor=holders[EQ], meeting=meeting, note=NOTE)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED
    assert meeting.elected_chair is None


def test_an_elected_chair_needs_a_note_and_a_scheduled_meeting(holders):
    meeting = MeetingFactory()
    with pytest.raises(ValidationError):
        services.meeting_open_as_elected_chair(actor=holders[HS], meeting=meeting, note="  ")
    _elect(holders, meeting=meeting, join=())
    with pytest.raises(services.PanelError, match="already"):
        services.meeting_open_as_elected_chair(actor=holders[CS], meeting=meeting, note=NOTE)


def test_someone_with_no_seat_is_not_chosen(holders):
    with pytest.raises(PermissionDenied):
        services.meeting_open_as_elected_chair(
            actor=UserFactory(roles=[Role.PANEL_MEMBER]), meeting=MeetingFactory(), note=NOTE
        )


def test_an_unbriefed_deputy_is_not_chosen(holders):
    deputy = deputy_for(CS, "cs-deputy")
    SeatMember.objects.filter(user=deputy).update(briefed_on=None)

    with pytest.raises(services.PanelError, match="has not been briefed for the seat"):
        services.meeting_open_as_elected_chair(actor=deputy, meeting=MeetingFactory(), note=NOTE)


def test_when_the_chair_arrives_and_takes_their_seat_they_preside(holders):
    meeting = _elect(holders)

    services.meeting_join(actor=holders[C], meeting=meeting)

    assert presiding_user_id(meeting) == holders[C].pk
    assert not presides(holders[HS], meeting)
    assert not chair_is_absent(meeting)


# --- The meeting page -------------------------------------------------------------------------


def test_a_member_opens_the_meeting_as_the_chosen_chair_from_the_meeting_page(holders):
    meeting = MeetingFactory()
    member = _client(holders[HS])

    html = member.get(_detail(meeting)).content.decode()
    assert "The chair and their deputies are absent" in html
    assert _open_elected(meeting) in html
    response = member.post(
        _open_elected(meeting),
        {"elected-confirm": "on", "elected-note": NOTE, "elected-seat": HS},
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.status, meeting.elected_chair) == (MeetingStatus.OPEN, holders[HS])
    html = member.get(_detail(meeting)).content.decode()
    assert "Close the meeting" in html
    assert "chosen by the members present" in html
    assert "You are sitting as Health and Safety Manager" in html


def test_opening_as_the_chosen_chair_is_audited(holders):
    meeting = MeetingFactory()

    _client(holders[HS]).post(
        _open_elected(meeting),
        {"elected-confirm": "on", "elected-note": NOTE, "elected-seat": HS},
    )

    changes = LogEntry.objects.filter(
        content_type__model="meeting", object_pk=str(meeting.pk), action=LogEntry.Action.UPDATE
    )
    assert changes.exists()
    assert changes.last().actor == holders[HS]
    assert "elected_chair" in changes.last().changes_dict


def test_the_chair_is_not_offered_the_chosen_chair_form(holders):
    meeting = MeetingFactory()

    html = _client(holders[C]).get(_detail(meeting)).content.decode()

    assert "Open the meeting" in html
    assert _open_elected(meeting) not in html


def test_without_the_confirmation_and_the_note_the_page_says_why_and_keeps_the_text(holders):
    meeting = MeetingFactory()

    response = _client(holders[HS]).post(
        _open_elected(meeting), {"elected-note": "Half the panel agreed", "elected-seat": HS}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Confirm that the chair and their deputies are absent and you were chosen" in html
    assert "govuk-error-summary" in html
    assert "Half the panel agreed" in html
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED

    response = _client(holders[HS]).post(
        _open_elected(meeting), {"elected-confirm": "on", "elected-seat": HS}
    )
    assert response.status_code == 400
    assert "Say how the members present chose you to chair" in response.content.decode()


def test_the_chair_may_not_post_the_chosen_chair_form(holders):
    meeting = MeetingFactory()

    response = _client(holders[C]).post(
        _open_elected(meeting), {"elected-confirm": "on", "elected-note": NOTE}
    )

    assert response.status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED


def test_strangers_get_the_audited_404(manager_client, audit_entries):
    meeting = MeetingFactory()

    response = manager_client.post(
        _open_elected(meeting), {"elected-confirm": "on", "elected-note": NOTE}
    )

    assert response.status_code == 404
    assert audit_entries(event="denied", object_pk=str(meeting.pk))


def test_the_chosen_chair_form_needs_csrf(holders):
    meeting = MeetingFactory()
    client = _client(holders[HS], enforce_csrf_checks=True)

    response = client.post(
        _open_elected(meeting),
        {"elected-confirm": "on", "elected-note": NOTE, "elected-seat": HS},
    )

    assert response.status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED


def test_a_get_is_refused(holders):
    assert _client(holders[HS]).get(_open_elected(MeetingFactory())).status_code == 405


# --- The minutes and attendance ---------------------------------------------------------------


def test_the_minutes_say_who_chaired_and_how_they_were_chosen(holders):
    meeting = _elect(holders)
    services.meeting_close(actor=holders[HS], meeting=meeting)

    html = _client(holders[CS]).get(reverse("panel:minutes", args=[meeting.pk])).content.decode()

    assert (
        f"Chaired by {holders[HS]}, chosen by the members present (the chair and their deputies "
        "were absent)."
    ) in html
    assert NOTE in html


def test_minutes_of_a_meeting_the_chair_chaired_say_nothing_of_an_election(holders):
    meeting = MeetingFactory()
    services.meeting_open(actor=holders[C], meeting=meeting)

    html = _client(holders[CS]).get(reverse("panel:minutes", args=[meeting.pk])).content.decode()

    assert "chosen by the members present" not in html


def test_the_attendance_page_names_the_chosen_chair_and_the_monitoring_officer(
    assurance_client, holders
):
    meeting = _elect(holders)

    html = assurance_client.get(reverse("panel:attendance", args=[meeting.pk])).content.decode()

    assert f"Chaired by {holders[HS]}" in html
    assert "the Monitoring Officer rules on declared interests" in html
