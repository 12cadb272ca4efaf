"""Who decides an appeal: the Monitoring Officer, their Deputy, or the legal services representative
the Monitoring Officer identified for that appeal, each recorded as such; and who is told of a new
appeal or a nomination (by email naming the entry, never the individual)."""

from datetime import date, timedelta

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError

from schedule import services
from schedule.models import AppealDecider, AppealGround, EntryEventKind
from schedule.selectors import decidable_appeals, may_decide_appeal
from ubpanel.entry_status import EntryStatus
from ubpanel.roles import Role

from .factories import ActiveEntryFactory, AppealFactory, DismissedAppealFactory, EntryFactory

pytestmark = pytest.mark.django_db
S = EntryStatus
STATEMENT = "I was only asking about my housing repair. I was never abusive."


@pytest.fixture
def monitoring_officer(make_user):
    return make_user(Role.MONITORING_OFFICER, username="mo", first_name="Mo", last_name="Ellison")


@pytest.fixture
def deputy(make_user):
    return make_user(
        Role.DEPUTY_MONITORING_OFFICER, username="dmo", first_name="Dee", last_name="Puty"
    )


@pytest.fixture
def legal(make_user):
    return make_user(Role.LEGAL_SERVICES, username="lee", first_name="Lee", last_name="Carver")


@pytest.fixture
def appeal():
    return AppealFactory()


def nominate(appeal, monitoring_officer, user):
    return services.appeal_nominate_representative(
        actor=monitoring_officer, appeal=appeal, user=user
    )


def decide(actor, appeal, upheld=False, reason="The panel followed the protocol."):
    return services.appeal_decide(actor=actor, appeal=appeal, upheld=upheld, reason=reason)


# --- Deciding ------------------------------------------------------------------------------------


def test_the_monitoring_officer_decides_and_is_recorded_as_the_monitoring_officer(
    monitoring_officer, appeal
):
    decide(monitoring_officer, appeal)

    appeal.refresh_from_db()
    assert (appeal.decided_by, appeal.decided_as) == (
        monitoring_officer,
        AppealDecider.MONITORING_OFFICER,
    )


def test_the_deputy_decides_and_is_recorded_as_the_deputy(deputy, appeal):
    decide(deputy, appeal, upheld=True, reason="The panel did not consider the new evidence.")

    appeal.refresh_from_db()
    appeal.entry.refresh_from_db()
    assert (appeal.outcome, appeal.decided_by, appeal.decided_as) == (
        "upheld",
        deputy,
        AppealDecider.DEPUTY,
    )
    assert appeal.entry.status == S.REMOVED
    event = appeal.entry.events.get()
    assert (event.kind, event.actor) == (EntryEventKind.APPEAL_DECIDED, deputy)
    assert "decided by Dee Puty as the Deputy Monitoring Officer" in event.message
    assert "The panel did not consider the new evidence." in event.message


def test_a_nominated_representative_decides_their_appeal_and_is_recorded_as_such(
    monitoring_officer, legal, appeal
):
    nominate(appeal, monitoring_officer, legal)

    decide(legal, appeal)

    appeal.refresh_from_db()
    appeal.entry.refresh_from_db()
    assert (appeal.outcome, appeal.decided_by, appeal.decided_as) == (
        "dismissed",
        legal,
        AppealDecider.LEGAL_REPRESENTATIVE,
    )
    assert appeal.entry.status == S.ACTIVE
    assert (
        "decided by Lee Carver as the Monitoring Officer's nominated legal representative"
        in appeal.entry.events.get().message
    )


def test_a_nominated_representative_decides_only_the_appeal_nominated_to_them(
    monitoring_officer, legal, appeal
):
    other = AppealFactory()
    appeal = nominate(appeal, monitoring_officer, legal)

    with pytest.raises(PermissionDenied, match="legal services representative"):
        decide(legal, other)

    other.refresh_from_db()
    other.entry.refresh_from_db()
    assert other.is_open
    assert other.entry.status == S.UNDER_APPEAL
    assert may_decide_appeal(legal, appeal)
    assert not may_decide_appeal(legal, other)
    assert list(decidable_appeals(legal)) == [appeal]


def test_legal_services_not_nominated_are_refused(monitoring_officer, legal, make_user, appeal):
    nominate(appeal, monitoring_officer, legal)
    colleague = make_user(Role.LEGAL_SERVICES)

    with pytest.raises(PermissionDenied):
        decide(colleague, appeal)

    appeal.refresh_from_db()
    assert appeal.is_open
    assert not may_decide_appeal(colleague, appeal)
    assert list(decidable_appeals(colleague)) == []


def test_a_representative_replaced_by_another_may_no_longer_decide(
    monitoring_officer, legal, make_user, appeal
):
    nominate(appeal, monitoring_officer, legal)
    second = make_user(Role.LEGAL_SERVICES)
    nominate(appeal, monitoring_officer, second)

    with pytest.raises(PermissionDenied):
        decide(legal, appeal)

    decide(second, appeal)
    appeal.refresh_from_db()
    assert appeal.decided_by == second


def test_a_representative_who_left_legal_services_may_no_longer_decide(
    monitoring_officer, legal, appeal
):
    nominate(appeal, monitoring_officer, legal)
    legal.groups.clear()
    del legal._ubpanel_roles

    with pytest.raises(PermissionDenied):
        decide(legal, appeal)

    appeal.refresh_from_db()
    assert appeal.is_open


def test_the_monitoring_officer_and_the_deputy_still_decide_a_nominated_appeal(
    monitoring_officer, deputy, legal, appeal
):
    nominate(appeal, monitoring_officer, legal)

    decide(deputy, appeal)

    appeal.refresh_from_db()
    assert appeal.decided_as == AppealDecider.DEPUTY


def test_the_entrys_transition_accepts_the_deputy_and_the_nominee_too(
    deputy, monitoring_officer, legal
):
    entry = EntryFactory(status=S.UNDER_APPEAL)
    services.entry_appeal_decided(actor=deputy, entry=entry, upheld=False, reason="Stands.")
    entry.refresh_from_db()
    assert entry.status == S.ACTIVE

    appeal = AppealFactory()
    nominate(appeal, monitoring_officer, legal)
    services.entry_appeal_decided(actor=legal, entry=appeal.entry, upheld=True, reason="Upheld.")
    appeal.entry.refresh_from_db()
    assert appeal.entry.status == S.REMOVED


def test_the_entrys_transition_refuses_legal_services_without_a_nomination(legal):
    entry = EntryFactory(status=S.UNDER_APPEAL)

    with pytest.raises(PermissionDenied, match="Monitoring Officer"):
        services.entry_appeal_decided(actor=legal, entry=entry, upheld=True, reason="Upheld.")

    entry.refresh_from_db()
    assert entry.status == S.UNDER_APPEAL


# --- Nominating a legal services representative --------------------------------------------------


def test_the_monitoring_officer_nominates_a_legal_services_representative(
    monitoring_officer, legal, appeal
):
    with time_machine.travel("2026-06-01 10:00Z", tick=False):
        nominate(appeal, monitoring_officer, legal)

    appeal.refresh_from_db()
    assert (appeal.nominated_representative, appeal.nominated_by) == (legal, monitoring_officer)
    assert appeal.nominated_at.isoformat() == "2026-06-01T10:00:00+00:00"
    [changed] = LogEntry.objects.get_for_object(appeal).filter(action=LogEntry.Action.UPDATE)
    assert changed.actor == monitoring_officer
    assert "nominated_representative" in changed.changes_dict


@pytest.mark.parametrize(
    "role", [r for r in Role if r != Role.MONITORING_OFFICER], ids=lambda r: r.value
)
def test_nobody_else_nominates(make_user, legal, appeal, role):
    with pytest.raises(PermissionDenied, match="Only the Monitoring Officer"):
        nominate(appeal, make_user(role), legal)

    appeal.refresh_from_db()
    assert appeal.nominated_representative is None


@pytest.mark.parametrize(
    "nominee",
    [
        {"roles": [Role.FRONTLINE]},
        {"roles": [Role.DEPUTY_MONITORING_OFFICER]},
        {"roles": [Role.LEGAL_SERVICES], "is_active": False},
        None,
    ],
    ids=["not-legal-services", "deputy", "inactive", "nobody"],
)
def test_the_representative_must_be_an_active_legal_services_user(
    make_user, monitoring_officer, appeal, nominee
):
    user = make_user(*nominee.pop("roles"), **nominee) if nominee is not None else None

    with pytest.raises(ValidationError) as refused:
        nominate(appeal, monitoring_officer, user)

    assert "user" in refused.value.message_dict
    appeal.refresh_from_db()
    assert appeal.nominated_representative is None


def test_a_decided_appeal_takes_no_representative(monitoring_officer, legal):
    decided = DismissedAppealFactory()

    with pytest.raises(services.ScheduleTransitionError, match="decided already"):
        nominate(decided, monitoring_officer, legal)

    decided.refresh_from_db()
    assert decided.nominated_representative is None


def test_the_representative_is_told_by_email_naming_the_entry_only(
    monitoring_officer, legal, appeal, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        nominate(appeal, monitoring_officer, legal)

    [email] = mailoutbox
    assert email.to == [legal.email]
    assert appeal.entry.reference in email.subject
    assert f"/schedule/appeals/{appeal.pk}/" in email.body
    _assert_no_personal_data(email, appeal)


def test_nominating_the_same_representative_again_changes_and_sends_nothing(
    monitoring_officer, legal, appeal, mailoutbox, django_capture_on_commit_callbacks
):
    nominate(appeal, monitoring_officer, legal)
    appeal.refresh_from_db()
    first_at = appeal.nominated_at

    with django_capture_on_commit_callbacks(execute=True) as queued:
        nominate(appeal, monitoring_officer, legal)

    assert queued == []
    appeal.refresh_from_db()
    assert appeal.nominated_at == first_at


# --- Who hears of a new appeal -------------------------------------------------------------------


def _assert_no_personal_data(email, appeal):
    person = appeal.entry.person
    text = email.subject + email.body
    for detail in (
        person.given_names,
        person.family_name,
        str(person.date_of_birth),
        f"{person.date_of_birth:%d %B %Y}",
        person.health_and_disability,
        appeal.statement,
    ):
        assert detail not in text


def test_a_new_appeal_emails_the_monitoring_officer_and_every_deputy_with_no_personal_data(
    make_user, monitoring_officer, deputy, mailoutbox, django_capture_on_commit_callbacks
):
    second_deputy = make_user(Role.DEPUTY_MONITORING_OFFICER)
    make_user(Role.DEPUTY_MONITORING_OFFICER, is_active=False, email="gone@council.example")
    make_user(Role.DEPUTY_MONITORING_OFFICER, email="")
    for role in (Role.LEGAL_SERVICES, Role.PANEL_CHAIR, Role.ASSURANCE_OFFICER):
        make_user(role)
    entry = ActiveEntryFactory(
        person__given_names="Nicole", person__family_name="Singh", notified_on=date(2026, 3, 2)
    )

    with (
        time_machine.travel(date(2026, 6, 1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        appeal = services.appeal_record(
            actor=make_user(Role.ASSURANCE_OFFICER),
            entry=entry,
            received_on=date(2026, 3, 9),
            grounds=[AppealGround.UNREASONABLE],
            statement=STATEMENT,
        )

    # One email each (one outbox row per recipient).
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [monitoring_officer.email, deputy.email, second_deputy.email]
    )
    for email in mailoutbox:
        assert entry.reference in email.subject
        assert f"/schedule/appeals/{appeal.pk}/" in email.body
        assert "Nicole" not in email.subject + email.body
        _assert_no_personal_data(email, appeal)


def test_the_email_waits_for_the_appeal_to_be_recorded(
    make_user, monitoring_officer, mailoutbox, django_capture_on_commit_callbacks
):
    entry = ActiveEntryFactory(notified_on=date(2026, 3, 2))

    with (
        time_machine.travel(date(2026, 6, 1)),
        django_capture_on_commit_callbacks(execute=False) as queued,
    ):
        services.appeal_record(
            actor=make_user(Role.ASSURANCE_OFFICER),
            entry=entry,
            received_on=date(2026, 3, 2) + timedelta(days=3),
            grounds=[AppealGround.PROTOCOL_NOT_FOLLOWED],
            statement=STATEMENT,
        )

    assert len(queued) == 1
    assert mailoutbox == []


def test_with_nobody_to_tell_the_appeal_is_still_recorded(
    make_user, mailoutbox, django_capture_on_commit_callbacks
):
    entry = ActiveEntryFactory(notified_on=date(2026, 3, 2))

    with (
        time_machine.travel(date(2026, 6, 1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        appeal = services.appeal_record(
            actor=make_user(Role.ASSURANCE_OFFICER),
            entry=entry,
            received_on=date(2026, 3, 5),
            grounds=[AppealGround.UNREASONABLE],
            statement=STATEMENT,
        )

    assert appeal.is_open
    assert mailoutbox == []
