"""Overdue reviews fail safe (issue 13, point 4): the overview page for the chair and Assurance,
first on the next meeting's agenda, "Review overdue since …" on the entry, and after the grace
period the chair and Assurance told weekly until it is decided - or the entry removed, as
``REVIEW_OVERDUE_DEFAULT`` says."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from panel import services as panel_services
from panel.models import ItemKind, ItemStatus, Seat
from referrals.models import ReferralStatus
from schedule import services
from schedule.models import EntryStatus
from schedule.services import overdue
from schedule.tasks import reviews_escalate_overdue
from ubpanel.roles import Role

from .factories import (
    AccessGrantFactory,
    ActiveEntryFactory,
    AgendaItemFactory,
    LetterFactory,
    MeetingFactory,
    PersonFactory,
    ServiceFactory,
    SubmittedReferralFactory,
    UserFactory,
)
from .panel_setup import open_meeting, seat_holders

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
DUE = date(2026, 10, 1)  # a Thursday; 28 days' grace ends on 29 October


def at(day: date, hour: int = 7):
    return time_machine.travel(
        datetime(day.year, day.month, day.day, hour, tzinfo=LONDON), tick=False
    )


@pytest.fixture
def chair():
    return UserFactory(username="chair", roles=[Role.PANEL_CHAIR])


class Told(list):
    """What ``ubpanel.outbox.notify`` was asked to send (the call goes through to it): how it is
    delivered is the outbox's business and its tests'."""

    def to(self, index=-1) -> set[str]:
        call = self[index]
        return {user.email for user in call["users"]} | set(call["addresses"])


@pytest.fixture
def told(monkeypatch):
    calls = Told()
    real = overdue.notify

    def spy(**kwargs):
        kwargs["users"] = list(kwargs.get("users", ()))
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(overdue, "notify", spy)
    return calls


def _escalate(capture):
    with capture(execute=True):
        return services.reviews_escalate_overdue()


def test_an_undecided_review_is_escalated_weekly_after_the_grace_period_until_decided(
    chair, told, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    with at(date(2026, 9, 1)):
        entry = ActiveEntryFactory(review_due_on=DUE)
        ActiveEntryFactory(review_due_on=date(2026, 12, 1))  # not yet due

    with at(date(2026, 10, 26)):  # Monday, 25 days overdue: within the grace period
        assert _escalate(capture) == []
    with at(date(2026, 11, 2)):  # Monday, 32 days overdue
        assert _escalate(capture) == [entry]
        [call] = told
        assert told.to() == {"chair@council.example", settings.ASSURANCE_EMAIL}
        assert call["reference"] == entry.reference
        assert "1 October 2026" in call["subject"]
        assert str(entry.person) not in call["subject"] + call["body"]
        assert call["link"].endswith(reverse("schedule:entry_detail", args=[entry.pk]))
        assert _escalate(capture) == []  # once a week, however often it runs
    with at(date(2026, 11, 5)):
        assert _escalate(capture) == []
    with at(date(2026, 11, 9)):  # the next Monday
        assert _escalate(capture) == [entry]
        assert len(told) == 2
    assert entry.events.filter(kind="review_overdue").count() == 2

    with at(date(2026, 11, 12)):
        services.entry_review_keep(actor=chair, entry=entry, decided_on=date(2026, 11, 12))
    with at(date(2026, 11, 16)):  # decided: the tellings stop
        assert _escalate(capture) == []
        assert len(told) == 2
    entry.refresh_from_db()
    assert entry.status == EntryStatus.ACTIVE
    assert entry.review_due_on == date(2027, 11, 12)


def test_with_the_remove_default_the_entry_comes_off_the_schedule_after_the_grace_period(
    chair, told, settings, django_capture_on_commit_callbacks
):
    settings.REVIEW_OVERDUE_DEFAULT = "remove"
    with at(date(2026, 9, 1)):
        entry = ActiveEntryFactory(review_due_on=DUE)
        letter = LetterFactory(entry=entry)
    with at(date(2026, 10, 26)):
        assert _escalate(django_capture_on_commit_callbacks) == []
    with at(date(2026, 11, 2)):
        assert _escalate(django_capture_on_commit_callbacks) == [entry]

    entry.refresh_from_db()
    letter.refresh_from_db()
    assert entry.status == EntryStatus.REMOVED
    assert letter.status == "cancelled"  # removal is never communicated to the individual
    assert entry.events.filter(kind="removed", message__contains="letter promised").exists()
    [call] = told
    assert "removed" in call["subject"]
    assert told.to() == {"chair@council.example", settings.ASSURANCE_EMAIL}
    with at(date(2026, 11, 9)):
        assert _escalate(django_capture_on_commit_callbacks) == []


def test_the_documented_default_keeps_the_entry_and_escalates():
    assert settings.REVIEW_OVERDUE_DEFAULT == "keep_and_escalate"
    assert settings.REVIEW_GRACE_DAYS == 28


def test_beat_runs_it_on_mondays_at_seven(chair, django_capture_on_commit_callbacks):
    job = settings.CELERY_BEAT_SCHEDULE["reviews-escalate-overdue"]
    assert job["task"] == "schedule.tasks.reviews_escalate_overdue"
    assert job["schedule"] == crontab(hour=7, minute=0, day_of_week="mon")
    with at(date(2026, 9, 1)):
        ActiveEntryFactory(review_due_on=DUE)
    with at(date(2026, 11, 2)), django_capture_on_commit_callbacks(execute=True):
        assert reviews_escalate_overdue.delay().get() == 1


def test_an_overdue_review_goes_first_on_the_next_meeting_and_carried_items_before_new_ones():
    holders = seat_holders()
    assurance = UserFactory(username="assurance", roles=[Role.ASSURANCE_OFFICER])
    today = timezone.localdate()
    last = open_meeting(holders)
    carried = AgendaItemFactory(meeting=last)  # a referral the last meeting did not reach
    panel_services.meeting_close(actor=holders[Seat.CHAIR], meeting=last)
    SubmittedReferralFactory(status=ReferralStatus.READY_FOR_PANEL, person=PersonFactory())
    due = ActiveEntryFactory(review_due_on=today + timedelta(days=3))
    late = ActiveEntryFactory(review_due_on=today - timedelta(days=40))

    meeting = panel_services.meeting_schedule(
        actor=assurance,
        kind="monthly",
        format="virtual",
        starts_at=timezone.now() + timedelta(days=7),
    )

    items = list(meeting.items.filter(status=ItemStatus.LISTED).order_by("position"))
    assert (items[0].kind, items[0].entry) == (ItemKind.REVIEW, late)
    assert items[1].referral == carried.referral
    assert [item.entry for item in items[2:] if item.kind == ItemKind.REVIEW] == [due]
    assert [item.position for item in items] == list(range(1, len(items) + 1))


def test_an_overdue_review_added_later_goes_ahead_of_what_is_listed():
    assurance = UserFactory(username="assurance", roles=[Role.ASSURANCE_OFFICER])
    meeting = MeetingFactory(starts_at=timezone.now() + timedelta(days=7))
    new = AgendaItemFactory(meeting=meeting, position=1)
    late = ActiveEntryFactory(review_due_on=timezone.localdate() - timedelta(days=1))

    panel_services.agenda_fill_next_meeting(actor=assurance)

    assert [(item.kind, item.entry_id) for item in meeting.items.order_by("position")] == [
        (ItemKind.REVIEW, late.pk),
        (new.kind, None),
    ]


# --- The overview page ---------------------------------------------------------------------------


def _entries(overdue: int, due: int):
    today = timezone.localdate()
    for n in range(overdue):
        ActiveEntryFactory(review_due_on=today - timedelta(days=n + 1))
    for n in range(due):
        ActiveEntryFactory(review_due_on=today + timedelta(days=n))


@pytest.mark.parametrize("fixture", ["chair_client", "assurance_client"])
def test_the_chair_and_assurance_see_reviews_overdue_and_due(request, fixture, audit_entries):
    client = request.getfixturevalue(fixture)
    today = timezone.localdate()
    late = ActiveEntryFactory(review_due_on=today - timedelta(days=10))
    due = ActiveEntryFactory(review_due_on=today + timedelta(days=20))
    later = ActiveEntryFactory(review_due_on=today + timedelta(days=200))

    response = client.get(reverse("schedule:review_overview"))

    assert response.status_code == 200
    html = response.content.decode()
    overdue_table = html.split('data-testid="reviews-overdue"')[1].split("</table>")[0]
    due_table = html.split('data-testid="reviews-due"')[1].split("</table>")[0]
    assert late.reference in overdue_table
    assert due.reference not in overdue_table
    assert due.reference in due_table
    assert late.reference not in due_table
    assert later.reference not in html
    assert "Overdue since" in overdue_table
    listed = {e.object_pk for e in audit_entries(event="list", actor=client.user)}
    assert listed == {str(late.pk), str(due.pk)}


@pytest.mark.parametrize(
    "role", [Role.PANEL_MEMBER, Role.FRONTLINE, Role.LEGAL_SERVICES, Role.MONITORING_OFFICER, None]
)
def test_everyone_else_gets_the_audited_404(role_client, role, audit_entries):
    client = role_client(role)

    response = client.get(reverse("schedule:review_overview"))

    assert response.status_code == 404
    assert audit_entries(event="denied", actor=client.user)


def test_the_overview_takes_the_same_number_of_queries_for_many_rows(chair_client):
    url = reverse("schedule:review_overview")
    _entries(overdue=1, due=1)
    chair_client.get(url)  # warm the session and the role cache
    with CaptureQueriesContext(connection) as few:
        assert chair_client.get(url).status_code == 200
    _entries(overdue=12, due=12)
    with CaptureQueriesContext(connection) as many:
        assert chair_client.get(url).status_code == 200
    assert len(many) == len(few)


# --- The entry page -------------------------------------------------------------------------------


def test_the_entry_says_the_review_is_overdue_to_everyone_who_sees_it(make_user, client):
    service = ServiceFactory(name="Customer Services")
    AccessGrantFactory(service=service)
    with at(date(2026, 9, 1)):
        entry = ActiveEntryFactory(review_due_on=DUE)
    chair = make_user(Role.PANEL_CHAIR)
    frontline = make_user(Role.FRONTLINE, service=service)

    with at(
        date(
            2026,
            10,
            2,
        ),
        hour=10,
    ):
        for user in (chair, frontline):
            client.force_login(user)
            html = client.get(reverse("schedule:entry_detail", args=[entry.pk])).content.decode()
            assert "Review overdue since 1 October 2026" in html
    with at(date(2026, 9, 30), hour=10):  # not yet overdue
        html = client.get(reverse("schedule:entry_detail", args=[entry.pk])).content.decode()
        assert "Review overdue" not in html
