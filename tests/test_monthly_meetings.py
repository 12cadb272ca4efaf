"""The panel meets monthly (issue 13, point 3): each morning beat arranges every monthly meeting due
in the next PANEL_MONTHLY_MEETING_WEEKS_AHEAD weeks on the PANEL_MONTHLY_MEETING day, never twice,
and tells Assurance what it arranged or could not arrange."""

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from auditlog.models import LogEntry
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from panel import tasks
from panel.models import ItemKind, Meeting, MeetingKind, MeetingStatus, Seat, SeatMember
from panel.services import meetings
from referrals.models import ReferralStatus
from ubpanel import jobs

from .factories import MeetingFactory, PersonFactory, SubmittedReferralFactory
from .panel_setup import deputy_for, seat_holders

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
ROOT = Path(__file__).resolve().parent.parent


def at(*moment) -> datetime:
    """A moment in local (London) time."""
    return datetime(*moment, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def _no_records():
    """ "Told already" marks from another test never stop this one telling Assurance."""
    jobs.forget_all()
    yield
    jobs.forget_all()


@pytest.fixture
def told(monkeypatch):
    """What Assurance were told: each call to notify, which still runs for real."""
    calls = []
    real = meetings.notify

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(meetings, "notify", spy)
    return calls


@pytest.fixture
def chair():
    return seat_holders()[Seat.CHAIR]


def _ensure():
    return meetings.meeting_ensure_monthly(actor=None)


def _held_on() -> list[tuple[date, str]]:
    return [
        (timezone.localtime(m.starts_at).date(), timezone.localtime(m.starts_at).strftime("%H:%M"))
        for m in Meeting.objects.order_by("starts_at")
    ]


def test_the_first_tuesdays_of_the_next_six_weeks_are_arranged_at_ten(chair, told):
    with time_machine.travel(at(2026, 1, 1, 5, 0), tick=False):
        result = _ensure()

    assert _held_on() == [(date(2026, 1, 6), "10:00"), (date(2026, 2, 3), "10:00")]
    assert result.arranged == list(Meeting.objects.order_by("starts_at"))
    for meeting in result.arranged:
        assert (meeting.kind, meeting.status, meeting.format) == (
            MeetingKind.MONTHLY,
            MeetingStatus.SCHEDULED,
            "virtual",
        )
        assert meeting.created_by is None  # the system arranged it
    # Assurance told of each, with a link to the meeting and its reference only.
    assert [call["kind"] for call in told] == ["monthly-meeting-arranged"] * 2
    first = told[0]
    assert first["addresses"] == [settings.ASSURANCE_EMAIL]
    assert first["reference"] == result.arranged[0].reference
    assert first["link"] == f"{settings.SITE_URL}/panel/meetings/{result.arranged[0].pk}/"
    assert "Tuesday 6 January 2026" in first["subject"]


def test_running_again_arranges_nothing_and_tells_nobody(chair, told):
    with time_machine.travel(at(2026, 1, 1, 5, 0), tick=False):
        _ensure()
        again = _ensure()
    with time_machine.travel(at(2026, 1, 2, 5, 0), tick=False):
        next_day = _ensure()

    assert again.arranged == next_day.arranged == []
    assert Meeting.objects.count() == 2
    assert len(told) == 2


def test_meetings_appear_month_by_month_across_the_year_end(chair):
    # Beat's daily run, from the middle of November to the end of February.
    day = at(2026, 11, 15, 5, 0)
    while day < at(2027, 3, 1, 5, 0):
        with time_machine.travel(day, tick=False):
            _ensure()
        day = day + (at(2026, 1, 2) - at(2026, 1, 1))

    assert [held for held, _ in _held_on()] == [
        date(2026, 12, 1),
        date(2027, 1, 5),
        date(2027, 2, 2),
        date(2027, 3, 2),
        date(2027, 4, 6),  # six weeks ahead of 28 February
    ]


def test_in_summer_time_the_meeting_is_still_at_ten_local_time(chair):
    with time_machine.travel(at(2026, 6, 20, 5, 0), tick=False):
        [meeting] = _ensure().arranged

    assert meeting.starts_at == datetime(2026, 7, 7, 9, 0, tzinfo=UTC)  # 10:00 BST


def test_a_bank_holiday_moves_the_meeting_to_the_next_working_day(chair):
    # 1 January 2030 is the first Tuesday of the month, and New Year's Day.
    with time_machine.travel(at(2029, 12, 20, 5, 0), tick=False):
        _ensure()

    assert [held for held, _ in _held_on()] == [date(2030, 1, 2)]


@override_settings(PANEL_MONTHLY_MEETING="last friday 14:30")
def test_the_day_is_a_setting_and_christmas_moves_it_past_boxing_day(chair):
    # The last Friday of December 2026 is Christmas Day; Boxing Day's substitute is Monday 28th.
    with time_machine.travel(at(2026, 12, 1, 5, 0), tick=False):
        _ensure()

    assert _held_on() == [(date(2026, 12, 29), "14:30")]


@override_settings(PANEL_MONTHLY_MEETING_WEEKS_AHEAD=2)
def test_only_meetings_within_the_weeks_ahead_are_arranged(chair):
    with time_machine.travel(at(2026, 1, 1, 5, 0), tick=False):
        _ensure()
    assert [held for held, _ in _held_on()] == [date(2026, 1, 6)]


def test_a_meeting_already_on_that_day_stands_for_it_and_is_left_alone(chair, told):
    extraordinary = MeetingFactory(
        kind=MeetingKind.EXTRAORDINARY, starts_at=at(2026, 1, 6, 14, 0), location="Room 1"
    )

    with time_machine.travel(at(2026, 1, 1, 5, 0), tick=False):
        result = _ensure()

    assert [timezone.localtime(m.starts_at).date() for m in result.arranged] == [date(2026, 2, 3)]
    extraordinary.refresh_from_db()
    assert (extraordinary.kind, extraordinary.location) == (MeetingKind.EXTRAORDINARY, "Room 1")
    assert Meeting.objects.filter(starts_at__date=date(2026, 1, 6)).count() == 1


def test_a_monthly_meeting_moved_to_another_day_of_the_month_counts(chair):
    MeetingFactory(kind=MeetingKind.MONTHLY, starts_at=at(2026, 1, 13, 10, 0))

    with time_machine.travel(at(2026, 1, 1, 5, 0), tick=False):
        result = _ensure()

    assert [timezone.localtime(m.starts_at).date() for m in result.arranged] == [date(2026, 2, 3)]


def test_a_meeting_later_today_is_not_arranged(chair):
    # At 05:00 on the first Tuesday itself: too late to arrange the 10:00 meeting.
    with time_machine.travel(at(2026, 1, 6, 5, 0), tick=False):
        result = _ensure()

    assert [timezone.localtime(m.starts_at).date() for m in result.arranged] == [date(2026, 2, 3)]


def test_without_a_chair_nothing_is_arranged_and_assurance_are_told_weekly(told):
    with time_machine.travel(at(2026, 1, 1, 5, 0), tick=False):
        result = _ensure()
        _ensure()  # the next run the same week does not tell them again

    assert Meeting.objects.count() == 0
    assert set(result.missing) == {date(2026, 1, 6), date(2026, 2, 3)}
    assert [call["kind"] for call in told] == ["monthly-meeting-missing"] * 2
    first = told[0]
    assert first["addresses"] == [settings.ASSURANCE_EMAIL]
    assert "Tuesday 6 January 2026" in first["subject"]
    assert "no chair" in first["body"]
    assert first["link"] == f"{settings.SITE_URL}/panel/"


def test_a_briefed_deputy_for_the_chair_is_enough(told):
    deputy_for(Seat.CHAIR)

    with time_machine.travel(at(2026, 1, 1, 5, 0), tick=False):
        assert len(_ensure().arranged) == 2


def test_an_inactive_chair_is_no_chair(chair):
    SeatMember.objects.filter(seat=Seat.CHAIR).update(active=False)

    with time_machine.travel(at(2026, 1, 1, 5, 0), tick=False):
        result = _ensure()

    assert result.arranged == []
    assert len(result.missing) == 2


def test_waiting_business_joins_the_next_meeting_not_the_one_after(chair):
    referral = SubmittedReferralFactory(
        status=ReferralStatus.READY_FOR_PANEL, person=PersonFactory()
    )

    with time_machine.travel(at(2026, 1, 1, 5, 0), tick=False):
        january, february = _ensure().arranged

    assert [(i.kind, i.referral) for i in january.items.all()] == [
        (ItemKind.NEW_REFERRAL, referral)
    ]
    assert not february.items.exists()


def test_each_meeting_arranged_is_in_the_audit_trail_as_the_systems(chair):
    with time_machine.travel(at(2026, 1, 1, 5, 0), tick=False):
        arranged = _ensure().arranged

    created = LogEntry.objects.filter(
        content_type__model="meeting", action=LogEntry.Action.CREATE
    ).order_by("pk")
    assert [int(row.object_pk) for row in created] == [m.pk for m in arranged]
    assert all(row.actor is None for row in created)


@override_settings(PANEL_MONTHLY_MEETING="")
def test_with_no_monthly_day_set_nothing_is_arranged(chair):
    with time_machine.travel(at(2026, 1, 1, 5, 0), tick=False):
        assert _ensure().arranged == []
    assert not Meeting.objects.exists()


def test_beat_runs_it_each_morning_before_the_agenda_is_filled_and_the_run_is_recorded(chair):
    entry = settings.CELERY_BEAT_SCHEDULE["monthly-meetings-ensure"]
    fill = settings.CELERY_BEAT_SCHEDULE["agenda-fill-next-meeting"]["schedule"]
    assert entry["task"] == "panel.tasks.monthly_meetings_ensure"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({5}, {0})
    assert (min(fill.hour), min(fill.minute)) > (5, 0)

    with time_machine.travel(at(2026, 1, 1, 5, 0), tick=False):
        assert tasks.monthly_meetings_ensure.delay().get() == 2
        run = jobs.last_run("panel.tasks.monthly_meetings_ensure")
    assert run.ok is True
    assert run.succeeded == at(2026, 1, 1, 5, 0).timestamp()


def _settings_in_a_fresh_process(value: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; settings.INSTALLED_APPS"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_ENV": "test",
            "DJANGO_SETTINGS_MODULE": "ubpanel.settings",
            "PANEL_MONTHLY_MEETING": value,
        },
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_monthly_day_that_is_not_one_stops_the_start_naming_the_setting():
    bad = _settings_in_a_fresh_process("fifth sunday at noon")
    good = _settings_in_a_fresh_process("Second Wednesday 9:30")

    assert bad.returncode != 0
    assert "PANEL_MONTHLY_MEETING" in bad.stderr
    assert "first tuesday 10:00" in bad.stderr
    assert good.returncode == 0, good.stderr
