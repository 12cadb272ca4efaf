"""Emergency additions escalate if not ratified at the next meeting (issue 13, point 5): carried,
first, to the following meeting; the chair, the Director for Legal and Democratic and the Monitoring
Officer told; the entry says how long it has been live without ratification; past
``EMERGENCY_RATIFICATION_LIMIT_DAYS`` told weekly (``escalate``) or ended (``end``)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from panel import services as panel_services
from panel.models import ItemKind, ItemStatus, Outcome, Seat
from schedule import services
from schedule.models import EntryStatus
from schedule.services import overdue
from schedule.tasks import emergencies_escalate_unratified
from ubpanel.roles import Role

from .factories import (
    AgendaItemFactory,
    LetterFactory,
    MeetingFactory,
    PersonFactory,
    UserFactory,
    emergency_incidents,
)
from .panel_setup import carry, open_meeting, seat_holders

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
TOLD = {"chair@council.example", "director@council.example", "mo@council.example"}


def at(day: date, hour: int = 9):
    moment = datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)
    return time_machine.travel(moment, tick=False)


class Told(list):
    """What ``ubpanel.outbox.notify`` was asked to send (the call goes through to it)."""

    def to(self, index=-1) -> set[str]:
        call = self[index]
        return {user.email for user in call["users"]} | set(call["addresses"])


@pytest.fixture
def told(monkeypatch):
    calls = Told()
    real = overdue.notify

    def spy(**kwargs):
        kwargs["users"] = list(kwargs.get("users", ()))
        kwargs.setdefault("addresses", [])
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(overdue, "notify", spy)
    return calls


@pytest.fixture
def holders():
    holders = seat_holders()
    holders[Seat.CHAIR].email = "chair@council.example"
    holders[Seat.CHAIR].save()
    UserFactory(username="director", roles=[Role.DIRECTOR_LEGAL])
    UserFactory(username="mo", roles=[Role.MONITORING_OFFICER])
    return holders


def _add(holders):
    return services.entry_add_emergency(
        actor=holders[Seat.CHAIR],
        person=PersonFactory(),
        reason="Assault on an officer.",
        guidance="Do not visit.",
        incidents=emergency_incidents(),
        record_owner=UserFactory(roles=[Role.REFERRING_MANAGER]),
    )


def _listed(meeting):
    return list(meeting.items.filter(status=ItemStatus.LISTED).order_by("position"))


def test_an_addition_not_reached_is_carried_first_and_the_three_are_told_once(holders, told):
    with at(date(2026, 11, 2)):
        first = MeetingFactory(starts_at=timezone.now() + timedelta(hours=2))
        entry = _add(holders)
        assert first.items.get().entry == entry
        following = MeetingFactory(starts_at=timezone.now() + timedelta(days=30))
        new = AgendaItemFactory(meeting=following, position=1)
        open_meeting(holders, meeting=first)
        assert told == []

        panel_services.meeting_close(actor=holders[Seat.CHAIR], meeting=first)

        items = _listed(following)
        assert [(item.kind, item.entry_id) for item in items] == [
            (ItemKind.RATIFICATION, entry.pk),
            (new.kind, None),
        ]
        [call] = told
        assert told.to() == TOLD
        assert first.reference in call["subject"]
        assert call["reference"] == entry.reference
        assert str(entry.person) not in call["subject"] + call["body"]
        assert entry.events.filter(kind="ratification_overdue").count() == 1
        # The daily fill, run again, tells nobody twice about one missed meeting.
        panel_services.agenda_fill_next_meeting(actor=None)
        assert len(told) == 1

    entry.refresh_from_db()
    assert entry.status == EntryStatus.PENDING_RATIFICATION


def test_a_deferred_ratification_goes_first_on_the_following_meeting_and_is_told(holders, told):
    with at(date(2026, 11, 2)):
        first = MeetingFactory(starts_at=timezone.now() + timedelta(hours=2))
        entry = _add(holders)
        following = MeetingFactory(starts_at=timezone.now() + timedelta(days=30))
        AgendaItemFactory(meeting=following, position=1)
        open_meeting(holders, meeting=first)
        carry(holders, first.items.get(), outcome=Outcome.DEFER, reasons="Police report awaited.")

        assert _listed(following)[0].entry == entry
        assert told == []  # told when the meeting closes without ratifying it
        panel_services.meeting_close(actor=holders[Seat.CHAIR], meeting=first)

        assert told.to() == TOLD
        assert _listed(following)[0].entry == entry


def test_the_entry_says_how_long_it_has_been_live_without_ratification(holders, client):
    with at(date(2026, 11, 2)):
        entry = _add(holders)
    with at(date(2026, 12, 13)):
        client.force_login(holders[Seat.CHAIR])
        html = client.get(reverse("schedule:entry_detail", args=[entry.pk])).content.decode()
    assert "Live without ratification for 41 days, since 2 November 2026" in html

    with at(date(2026, 12, 14)):
        client.force_login(holders[Seat.CHAIR])
        services.entry_ratify(actor=holders[Seat.CHAIR], entry=entry)
        html = client.get(reverse("schedule:entry_detail", args=[entry.pk])).content.decode()
    assert "Live without ratification" not in html


def _escalate(capture):
    with capture(execute=True):
        return services.emergencies_escalate_unratified()


def test_past_the_limit_the_three_are_told_weekly_until_it_is_decided(
    holders, told, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    with at(date(2026, 9, 1)):
        entry = _add(holders)
    with at(date(2026, 10, 12)):  # Monday, 41 days: within the limit of 42
        assert _escalate(capture) == []
    with at(date(2026, 10, 19)):  # Monday, 48 days
        assert _escalate(capture) == [entry]
        assert told.to() == TOLD
        assert "48 days, since 1 September 2026" in told[-1]["body"]
        assert _escalate(capture) == []
    with at(date(2026, 10, 22)):
        assert _escalate(capture) == []
    with at(date(2026, 10, 26)):
        assert _escalate(capture) == [entry]
    assert len(told) == 2
    with at(date(2026, 10, 28)):
        services.entry_ratify(actor=holders[Seat.CHAIR], entry=entry)
    with at(date(2026, 11, 2)):
        assert _escalate(capture) == []
    assert len(told) == 2


def test_with_the_end_default_the_addition_ends_past_the_limit(
    holders, told, settings, django_capture_on_commit_callbacks
):
    settings.EMERGENCY_UNRATIFIED_DEFAULT = "end"
    with at(date(2026, 9, 1)):
        entry = _add(holders)
        letter = LetterFactory(entry=entry)
    with at(date(2026, 10, 19)):
        assert _escalate(django_capture_on_commit_callbacks) == [entry]

    entry.refresh_from_db()
    letter.refresh_from_db()
    assert entry.status == EntryStatus.REMOVED
    assert letter.status == "cancelled"
    assert entry.events.filter(kind="emergency_ended", message__contains="42 days").exists()
    assert told.to() == TOLD
    assert "ended" in told[-1]["subject"]


def test_the_documented_default_escalates_and_beat_runs_it_on_mondays_at_seven(
    holders, django_capture_on_commit_callbacks
):
    assert settings.EMERGENCY_UNRATIFIED_DEFAULT == "escalate"
    assert settings.EMERGENCY_RATIFICATION_LIMIT_DAYS == 42
    job = settings.CELERY_BEAT_SCHEDULE["emergencies-escalate-unratified"]
    assert job["task"] == "schedule.tasks.emergencies_escalate_unratified"
    assert job["schedule"] == crontab(hour=7, minute=0, day_of_week="mon")
    with at(date(2026, 9, 1)):
        _add(holders)
    with at(date(2026, 10, 19)), django_capture_on_commit_callbacks(execute=True):
        assert emergencies_escalate_unratified.delay().get() == 1
