"""The daily review sweep scales (issue 16, point 5): one digest per recipient listing the
references, the reminder dates and history written in bulk with their audit entries, a constant
number of queries however many entries are due, and a re-run the same day adds nothing."""

from datetime import date

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from schedule.models import EntryEvent
from schedule.tasks import reviews_remind
from ubpanel.models import Notification
from ubpanel.roles import Role

from .factories import ActiveEntryFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 24)


@pytest.fixture
def owners():
    return [
        UserFactory(
            username=f"owner{n}", email=f"owner{n}@council.example", roles=[Role.REFERRING_MANAGER]
        )
        for n in (1, 2)
    ]


def _due(count, owners):
    return [
        ActiveEntryFactory(review_due_on=date(2026, 12, 1 + n % 20), record_owner=owners[n % 2])
        for n in range(count)
    ]


def _run(django_capture_on_commit_callbacks):
    with time_machine.travel(TODAY), django_capture_on_commit_callbacks(execute=True):
        return reviews_remind()


def test_each_recipient_gets_one_digest_listing_their_references(
    owners, django_capture_on_commit_callbacks
):
    entries = _due(5, owners)
    ActiveEntryFactory(review_due_on=date(2027, 6, 1), record_owner=owners[0])  # not yet due

    assert _run(django_capture_on_commit_callbacks) == 5

    by_address = {message.to[0]: message for message in mail.outbox}
    assert sorted(by_address) == [
        "owner1@council.example",
        "owner2@council.example",
        "spocassurance@council.example",
    ]
    assurance = by_address["spocassurance@council.example"]
    assert "5 schedule entries" in assurance.subject
    for entry in entries:
        assert entry.reference in assurance.body
        assert str(entry.person) not in assurance.subject + assurance.body
    mine = [e.reference for e in entries if e.record_owner == owners[0]]
    theirs = [e.reference for e in entries if e.record_owner == owners[1]]
    assert all(ref in by_address["owner1@council.example"].body for ref in mine)
    assert not any(ref in by_address["owner1@council.example"].body for ref in theirs)
    assert "1 December 2026" in by_address["owner1@council.example"].body


def test_a_rerun_the_same_day_adds_nothing(owners, django_capture_on_commit_callbacks):
    _due(4, owners)
    assert _run(django_capture_on_commit_callbacks) == 4
    counts = (
        Notification.objects.count(),
        EntryEvent.objects.count(),
        LogEntry.objects.count(),
        len(mail.outbox),
    )

    assert _run(django_capture_on_commit_callbacks) == 0

    assert (
        Notification.objects.count(),
        EntryEvent.objects.count(),
        LogEntry.objects.count(),
        len(mail.outbox),
    ) == counts


def test_each_reminder_date_change_has_its_audit_entry_and_history_event(
    owners, django_capture_on_commit_callbacks
):
    entries = _due(3, owners)

    _run(django_capture_on_commit_callbacks)

    for entry in entries:
        updates = LogEntry.objects.filter(
            content_type__model="entry",
            object_id=entry.pk,
            action=LogEntry.Action.UPDATE,
        )
        assert updates.count() == 1
        changes = updates.get().changes
        assert changes["review_reminder_sent_for"] == [None, str(entry.review_due_on)]
        assert updates.get().additional_data == {"people": [entry.person_id]}
        events = entry.events.filter(kind="review_reminder")
        assert events.count() == 1
        assert "the review is due" in events.get().message
    entry = entries[0]
    entry.refresh_from_db()
    assert entry.review_reminder_sent_for == entry.review_due_on


def _queries(day, django_capture_on_commit_callbacks):
    with (
        CaptureQueriesContext(connection) as queries,
        time_machine.travel(day),
        django_capture_on_commit_callbacks(execute=True),
    ):
        done = reviews_remind()
    return done, len(queries)


def test_the_sweep_makes_the_same_number_of_queries_for_10_or_200_due_entries(
    owners, django_capture_on_commit_callbacks
):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite splits a bulk INSERT by its limit on query parameters")
    for n in range(10):
        ActiveEntryFactory(review_due_on=date(2026, 12, 1), record_owner=owners[n % 2])
    ten = _queries(TODAY, django_capture_on_commit_callbacks)
    for n in range(200):
        ActiveEntryFactory(review_due_on=date(2027, 2, 1), record_owner=owners[n % 2])
    two_hundred = _queries(date(2027, 1, 10), django_capture_on_commit_callbacks)

    assert (ten[0], two_hundred[0]) == (10, 200)
    assert ten[1] == two_hundred[1]
    assert len(mail.outbox) == 6  # Assurance and the two record owners, once a run
