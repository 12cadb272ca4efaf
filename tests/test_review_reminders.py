"""Reminders go out ahead of each entry's 12-month review: once per review date."""

from datetime import date

import pytest
from django.core import mail

from schedule import services
from schedule.tasks import reviews_remind
from ubpanel.roles import Role

from .factories import ActiveEntryFactory, EntryFactory, SubmittedReferralFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 24)


@pytest.fixture
def owner():
    return UserFactory(
        username="owner", email="owner@council.example", roles=[Role.REFERRING_MANAGER]
    )


def _sent(django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return services.reviews_remind(today=TODAY, **kwargs)


def test_an_entry_due_within_the_window_is_reminded_once(owner, django_capture_on_commit_callbacks):
    entry = ActiveEntryFactory(review_due_on=date(2026, 12, 10), record_owner=owner)
    ActiveEntryFactory(review_due_on=date(2027, 6, 1))  # not yet

    assert _sent(django_capture_on_commit_callbacks) == [entry]
    assert _sent(django_capture_on_commit_callbacks) == []

    # Assurance and the record owner, one email each (one outbox row per recipient).
    assert sorted(m.to[0] for m in mail.outbox) == [
        "owner@council.example",
        "spocassurance@council.example",
    ]
    for message in mail.outbox:
        assert entry.reference in message.subject
        assert "10 December 2026" in message.subject
        assert str(entry.person) not in message.subject + message.body
    assert entry.events.filter(kind="review_reminder").count() == 1


def test_an_overdue_review_is_reminded_too(django_capture_on_commit_callbacks):
    entry = ActiveEntryFactory(review_due_on=date(2026, 10, 1))
    assert _sent(django_capture_on_commit_callbacks) == [entry]


def test_repeat_behaviour_moves_the_date_and_the_new_date_gets_its_own_reminder(
    django_capture_on_commit_callbacks,
):
    entry = ActiveEntryFactory(review_due_on=date(2026, 12, 10))
    _sent(django_capture_on_commit_callbacks)
    referral = SubmittedReferralFactory(person=entry.person)
    services.entry_record_repeat_behaviour(actor=UserFactory(), entry=entry, referral=referral)
    entry.refresh_from_db()
    entry.review_due_on = date(2026, 12, 20)  # as if the clock had restarted a year earlier
    entry.save()

    assert _sent(django_capture_on_commit_callbacks) == [entry]


def test_removed_entries_and_emergency_additions_are_not_reminded(
    django_capture_on_commit_callbacks,
):
    ActiveEntryFactory(review_due_on=date(2026, 12, 1), status="removed")
    EntryFactory(review_due_on=date(2026, 12, 1))  # pending ratification: the panel ratifies first
    assert _sent(django_capture_on_commit_callbacks) == []


def test_the_beat_task_sends_them(settings):
    ActiveEntryFactory(review_due_on=date.today())
    assert reviews_remind.delay().get() == 1
    assert "reviews-remind" in settings.CELERY_BEAT_SCHEDULE
