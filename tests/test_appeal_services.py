"""Appeals: the Assurance team or Legal Services record the individual's written request, the entry
stays live under appeal, and only the Monitoring Officer decides it (upheld: removed; dismissed:
active again)."""

from datetime import date, timedelta

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError

from schedule import services
from schedule.dates import appeal_deadline, working_days_after
from schedule.models import Appeal, AppealGround, EntryEventKind
from schedule.selectors import visible_entries
from ubpanel.entry_status import EntryStatus
from ubpanel.roles import APPEAL_DECIDER_ROLES, Role

from .factories import (
    AccessGrantFactory,
    ActiveEntryFactory,
    AppealFactory,
    EntryFactory,
    LetterFactory,
    SentLetterFactory,
)

pytestmark = pytest.mark.django_db
S = EntryStatus
NOTIFIED = date(2026, 3, 2)  # a Monday
DEADLINE = appeal_deadline(NOTIFIED)
STATEMENT = "I was only asking about my housing repair. I was never abusive."


@pytest.fixture
def assurance(make_user):
    return make_user(Role.ASSURANCE_OFFICER)


@pytest.fixture
def monitoring_officer(make_user):
    return make_user(Role.MONITORING_OFFICER)


@pytest.fixture
def entry():
    return ActiveEntryFactory(notified_on=NOTIFIED)


@pytest.fixture
def record(assurance, entry):
    """Record an appeal on ``entry`` as the Assurance team, in time unless told otherwise."""

    def record_appeal(**overrides):
        arguments = {
            "actor": assurance,
            "entry": entry,
            "received_on": NOTIFIED + timedelta(days=7),
            "grounds": [AppealGround.UNREASONABLE],
            "statement": STATEMENT,
            **overrides,
        }
        with time_machine.travel(date(2026, 6, 1)):
            return services.appeal_record(**arguments)

    return record_appeal


# --- Recording -----------------------------------------------------------------------------------


def test_recording_an_appeal_puts_the_entry_under_appeal_and_it_stays_live(
    record, entry, assurance
):
    appeal = record(grounds=[AppealGround.PROTOCOL_NOT_FOLLOWED, AppealGround.NEW_CIRCUMSTANCES])

    entry.refresh_from_db()
    assert entry.status == S.UNDER_APPEAL
    assert entry.is_live
    assert appeal.is_open
    assert appeal.grounds == [AppealGround.PROTOCOL_NOT_FOLLOWED, AppealGround.NEW_CIRCUMSTANCES]
    assert (appeal.statement, appeal.recorded_by) == (STATEMENT, assurance)
    assert (appeal.deadline, appeal.late) == (DEADLINE, False)
    event = entry.events.get()
    assert (event.kind, event.from_status, event.to_status, event.actor) == (
        EntryEventKind.APPEAL_LODGED,
        S.ACTIVE,
        S.UNDER_APPEAL,
        assurance,
    )
    assert "the protocol has not been followed" in event.message
    [created] = LogEntry.objects.get_for_object(appeal).filter(action=LogEntry.Action.CREATE)
    assert created.actor == assurance


def test_frontline_staff_still_see_an_entry_under_appeal_if_their_grant_covers_its_tier(
    record, entry, make_user
):
    covered = make_user(Role.FRONTLINE, service__name="Customer Services")
    AccessGrantFactory(service=covered.service, low=False, medium=True, high=False)
    not_covered = make_user(Role.FRONTLINE, service__name="Waste")
    AccessGrantFactory(service=not_covered.service, low=True, medium=False, high=False)

    record()

    assert entry.tier == "medium"
    assert visible_entries(covered).filter(pk=entry.pk).exists()
    assert not visible_entries(not_covered).filter(pk=entry.pk).exists()


def test_legal_services_record_appeals_too(record, make_user, entry):
    legal = make_user(Role.LEGAL_SERVICES)

    appeal = record(actor=legal)

    assert appeal.recorded_by == legal


@pytest.mark.parametrize(
    "role", [r for r in Role if r not in services.APPEAL_RECORD_ROLES], ids=lambda r: r.value
)
def test_nobody_else_records_an_appeal(record, make_user, entry, role):
    with pytest.raises(PermissionDenied):
        record(actor=make_user(role))

    entry.refresh_from_db()
    assert entry.status == S.ACTIVE
    assert not Appeal.objects.exists()


def test_a_second_open_appeal_on_the_same_entry_is_refused(record, entry):
    first = record()

    with pytest.raises(services.AppealAlreadyOpen, match=entry.reference):
        record(received_on=NOTIFIED + timedelta(days=9))

    assert list(Appeal.objects.all()) == [first]
    assert entry.events.count() == 1


def test_once_the_appeal_is_dismissed_a_new_request_can_be_recorded(
    record, entry, monitoring_officer
):
    first = record()
    services.appeal_decide(
        actor=monitoring_officer, appeal=first, upheld=False, reason="The decision stands."
    )

    second = record(received_on=date(2026, 5, 20), grounds=[AppealGround.NEW_CIRCUMSTANCES])

    assert second.is_open
    assert second.late
    entry.refresh_from_db()
    assert entry.status == S.UNDER_APPEAL


@pytest.mark.parametrize("status", [S.PENDING_RATIFICATION, S.REMOVED])
def test_only_an_active_entry_can_be_appealed(record, status):
    entry = EntryFactory(status=status, notified_on=NOTIFIED)

    with pytest.raises(services.ScheduleTransitionError, match=entry.reference):
        record(entry=entry)

    entry.refresh_from_db()
    assert entry.status == status
    assert not Appeal.objects.exists()


# --- The 28 working days -------------------------------------------------------------------------


def test_an_appeal_received_after_the_deadline_is_recorded_but_flagged_late(
    assurance, entry, monitoring_officer
):
    # 28 working days from Monday 2 March 2026, Good Friday and Easter Monday not counted.
    assert date(2026, 4, 13) == DEADLINE
    received = working_days_after(DEADLINE, 1)

    with time_machine.travel(received + timedelta(days=2)):
        appeal = services.appeal_record(
            actor=assurance,
            entry=entry,
            received_on=received,
            grounds=[AppealGround.UNREASONABLE],
            statement=STATEMENT,
        )

    assert (appeal.late, appeal.deadline) == (True, DEADLINE)
    assert "after the deadline of 13 April 2026" in entry.events.get().message
    entry.refresh_from_db()
    assert entry.status == S.UNDER_APPEAL
    # The Monitoring Officer may still decide it.
    services.appeal_decide(
        actor=monitoring_officer, appeal=appeal, upheld=True, reason="Considered despite delay."
    )
    entry.refresh_from_db()
    assert entry.status == S.REMOVED


def test_an_appeal_received_on_the_deadline_is_in_time(record):
    assert record(received_on=DEADLINE).late is False


def test_without_a_recorded_notification_an_appeal_is_never_late(record):
    entry = ActiveEntryFactory(notified_on=None)

    appeal = record(entry=entry, received_on=date(2026, 5, 29))

    assert (appeal.deadline, appeal.late) == (None, False)


def test_the_date_received_cannot_be_in_the_future(record, entry):
    with pytest.raises(ValidationError) as refused:
        record(received_on=date(2026, 6, 2))  # the fixture's today is 1 June 2026

    assert "received_on" in refused.value.message_dict
    entry.refresh_from_db()
    assert entry.status == S.ACTIVE
    assert not Appeal.objects.exists()


@pytest.mark.parametrize("grounds", [[], ["not_a_ground"]])
def test_at_least_one_of_the_protocols_grounds_is_required(record, entry, grounds):
    with pytest.raises(ValidationError) as refused:
        record(grounds=grounds)

    assert "grounds" in refused.value.message_dict
    assert not Appeal.objects.exists()


def test_the_individuals_statement_is_required(record):
    with pytest.raises(ValidationError) as refused:
        record(statement="  ")

    assert "statement" in refused.value.message_dict


# --- Deciding ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [r for r in Role if r not in APPEAL_DECIDER_ROLES], ids=lambda r: r.value
)
def test_only_the_monitoring_officer_or_their_deputy_decides_an_unnominated_appeal(make_user, role):
    appeal = AppealFactory()

    with pytest.raises(PermissionDenied):
        services.appeal_decide(actor=make_user(role), appeal=appeal, upheld=True, reason="No.")

    appeal.refresh_from_db()
    appeal.entry.refresh_from_db()
    assert appeal.is_open
    assert appeal.entry.status == S.UNDER_APPEAL


def test_an_upheld_appeal_removes_the_entry_and_nothing_is_sent_to_the_individual(
    monitoring_officer, make_user, mailoutbox, django_capture_on_commit_callbacks
):
    appeal = AppealFactory()
    officer = make_user(Role.FRONTLINE)
    AccessGrantFactory(service=officer.service)
    assert visible_entries(officer).filter(pk=appeal.entry.pk).exists()

    with django_capture_on_commit_callbacks(execute=True) as queued:
        services.appeal_decide(
            actor=monitoring_officer,
            appeal=appeal,
            upheld=True,
            reason="The panel did not consider the underlying health issue.",
        )

    appeal.refresh_from_db()
    entry = appeal.entry
    entry.refresh_from_db()
    assert entry.status == S.REMOVED
    assert (appeal.outcome, appeal.decided_by) == ("upheld", monitoring_officer)
    assert appeal.decided_at is not None
    assert appeal.reason == "The panel did not consider the underlying health issue."
    event = entry.events.get()
    assert (event.kind, event.to_status, event.actor) == (
        EntryEventKind.APPEAL_DECIDED,
        S.REMOVED,
        monitoring_officer,
    )
    # Removal is never communicated to the individual, and frontline staff stop seeing it.
    assert queued == []
    assert mailoutbox == []
    assert not visible_entries(officer).filter(pk=entry.pk).exists()


def test_an_upheld_appeal_cancels_any_letter_not_yet_sent_about_the_entry(monitoring_officer):
    appeal = AppealFactory()
    draft = LetterFactory(person=appeal.entry.person, entry=appeal.entry)
    sent = SentLetterFactory(person=appeal.entry.person, entry=appeal.entry)

    services.appeal_decide(
        actor=monitoring_officer, appeal=appeal, upheld=True, reason="Not followed."
    )

    draft.refresh_from_db()
    sent.refresh_from_db()
    assert draft.status == "cancelled"
    assert "removal is not communicated" in draft.cancelled_reason
    assert sent.status == "sent"


def test_a_dismissed_appeal_returns_the_entry_to_active(monitoring_officer):
    appeal = AppealFactory()

    services.appeal_decide(
        actor=monitoring_officer, appeal=appeal, upheld=False, reason="The decision stands."
    )

    appeal.refresh_from_db()
    appeal.entry.refresh_from_db()
    assert appeal.outcome == "dismissed"
    assert appeal.entry.status == S.ACTIVE
    assert "dismissed" in appeal.entry.events.get().message


def test_the_monitoring_officer_must_give_reasons(monitoring_officer):
    appeal = AppealFactory()

    with pytest.raises(ValidationError) as refused:
        services.appeal_decide(actor=monitoring_officer, appeal=appeal, upheld=False, reason=" ")

    assert "reason" in refused.value.message_dict
    appeal.refresh_from_db()
    appeal.entry.refresh_from_db()
    assert appeal.is_open
    assert appeal.entry.status == S.UNDER_APPEAL


def test_a_decided_appeal_cannot_be_decided_again(monitoring_officer):
    appeal = AppealFactory()
    services.appeal_decide(
        actor=monitoring_officer, appeal=appeal, upheld=False, reason="The decision stands."
    )

    with pytest.raises(services.ScheduleTransitionError, match="decided already"):
        services.appeal_decide(
            actor=monitoring_officer, appeal=appeal, upheld=True, reason="Changed my mind."
        )

    appeal.refresh_from_db()
    appeal.entry.refresh_from_db()
    assert appeal.outcome == "dismissed"
    assert appeal.entry.status == S.ACTIVE
