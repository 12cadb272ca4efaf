"""Every entry status against every transition: allowed ones move, others are refused."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from schedule import services
from schedule.models import EntryEventKind
from ubpanel.entry_status import EntryStatus
from ubpanel.roles import Role

from .factories import EntryFactory, PersonFactory, ReferralFactory

S = EntryStatus
pytestmark = pytest.mark.django_db

TRANSITIONS = {
    "ratify": (services.entry_ratify, {"note": "Unanimous."}, S.ACTIVE),
    "end_emergency": (services.entry_end_emergency, {"reason": "Not high risk."}, S.REMOVED),
    "remove": (services.entry_remove, {"reason": "Behaviour improved."}, S.REMOVED),
    "appeal_lodged": (services.entry_appeal_lodged, {"note": "Letter received."}, S.UNDER_APPEAL),
    "appeal_upheld": (
        services.entry_appeal_decided,
        {"upheld": True, "reason": "Protocol not followed."},
        S.REMOVED,
    ),
    "appeal_dismissed": (
        services.entry_appeal_decided,
        {"upheld": False, "reason": "The decision stands."},
        S.ACTIVE,
    ),
}

ALLOWED = {
    "ratify": {S.PENDING_RATIFICATION},
    "end_emergency": {S.PENDING_RATIFICATION},
    "remove": {S.ACTIVE},
    "appeal_lodged": {S.ACTIVE},
    "appeal_upheld": {S.UNDER_APPEAL},
    "appeal_dismissed": {S.UNDER_APPEAL},
}


@pytest.fixture
def actor(make_user):
    # The Monitoring Officer may decide appeals; the other transitions are the panel's decisions,
    # whose authority the panel app checks.
    return make_user(Role.MONITORING_OFFICER, Role.PANEL_CHAIR)


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_every_status_against_every_transition(actor, status, name):
    entry = EntryFactory(status=status)
    service, kwargs, to = TRANSITIONS[name]

    if status in ALLOWED[name]:
        service(actor=actor, entry=entry, **kwargs)
        entry.refresh_from_db()
        assert entry.status == to
        event = entry.events.latest("pk")
        assert (event.from_status, event.to_status, event.actor) == (status, to, actor)
    else:
        with pytest.raises(services.ScheduleTransitionError, match=entry.reference):
            service(actor=actor, entry=entry, **kwargs)
        entry.refresh_from_db()
        assert entry.status == status
        assert not entry.events.exists()


@pytest.mark.parametrize("status", list(S))
def test_repeat_behaviour_restarts_the_clock_only_on_a_live_entry(actor, status):
    entry = EntryFactory(status=status, review_due_on=date(2026, 3, 1))
    referral = ReferralFactory(person=entry.person)

    with time_machine.travel(date(2026, 6, 15)):
        if status == S.REMOVED:
            with pytest.raises(services.ScheduleTransitionError, match="live entry"):
                services.entry_record_repeat_behaviour(actor=actor, entry=entry, referral=referral)
            entry.refresh_from_db()
            assert entry.review_due_on == date(2026, 3, 1)
        else:
            services.entry_record_repeat_behaviour(actor=actor, entry=entry, referral=referral)
            entry.refresh_from_db()
            assert entry.review_due_on == date(2027, 6, 15)
            assert entry.status == status


@pytest.mark.parametrize(
    "role", [Role.PANEL_CHAIR, Role.PANEL_MEMBER, Role.ASSURANCE_OFFICER, Role.DIRECTOR_LEGAL]
)
def test_only_the_monitoring_officer_decides_an_appeal(make_user, role):
    entry = EntryFactory(status=S.UNDER_APPEAL)

    with pytest.raises(PermissionDenied, match="Monitoring Officer"):
        services.entry_appeal_decided(
            actor=make_user(role), entry=entry, upheld=True, reason="Because."
        )

    entry.refresh_from_db()
    assert entry.status == S.UNDER_APPEAL


def test_the_history_says_why_the_clock_restarted(actor):
    entry = EntryFactory(status=S.ACTIVE, review_due_on=date(2026, 3, 1))
    referral = ReferralFactory(person=entry.person)

    with time_machine.travel(date(2026, 6, 15)):
        services.entry_record_repeat_behaviour(actor=actor, entry=entry, referral=referral)

    event = entry.events.get()
    assert event.kind == EntryEventKind.REPEAT_BEHAVIOUR
    assert event.actor == actor
    assert referral.reference in event.message
    assert "12-month clock restarts" in event.message
    assert "15 June 2027" in event.message
    assert "1 March 2026" in event.message
    assert list(entry.referrals.all()) == [referral]


def test_repeat_behaviour_reported_about_someone_else_is_refused(actor):
    entry = EntryFactory(status=S.ACTIVE)
    referral = ReferralFactory(person=PersonFactory())

    with pytest.raises(services.ScheduleTransitionError, match="someone else"):
        services.entry_record_repeat_behaviour(actor=actor, entry=entry, referral=referral)


@pytest.mark.parametrize(
    ("day", "due"),
    [
        (date(2028, 2, 29), date(2029, 2, 28)),
        (date(2027, 2, 28), date(2028, 2, 28)),
        (date(2027, 3, 1), date(2028, 3, 1)),
        (date(2026, 12, 31), date(2027, 12, 31)),
    ],
)
def test_twelve_months_after_never_runs_late_from_29_february(day, due):
    assert services.twelve_months_after(day) == due


def test_repeat_behaviour_on_29_february_is_reviewed_on_28_february(actor):
    entry = EntryFactory(status=S.ACTIVE)
    referral = ReferralFactory(person=entry.person)

    with time_machine.travel(date(2028, 2, 29)):
        services.entry_record_repeat_behaviour(actor=actor, entry=entry, referral=referral)

    entry.refresh_from_db()
    assert entry.review_due_on == date(2029, 2, 28)
