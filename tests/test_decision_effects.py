"""What a carried decision does: one table, (kind of item, outcome) -> effect, walked whole.

Every outcome each kind of item allows changes the record it is about and writes an event on it
(the referral's timeline, the entry's history, or the audit trail of the access register).
"""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from panel import services
from panel.models import OUTCOMES_FOR, AgendaItem, Decision, ItemKind, Outcome, Seat
from referrals.models import ReferralEvent, ReferralStatus
from schedule.models import AccessGrant, EntryEvent, EntryEventKind
from ubpanel.entry_status import EntryStatus

from .factories import (
    AccessGrantFactory,
    ActiveEntryFactory,
    AgendaItemFactory,
    EntryFactory,
    IncidentFactory,
    MeetingFactory,
    PersonFactory,
    SubmittedReferralFactory,
)
from .panel_setup import carry, open_meeting, propose, seat_holders

pytestmark = pytest.mark.django_db

C = Seat.CHAIR


@pytest.fixture
def holders():
    return seat_holders()


@pytest.fixture
def meeting(holders):
    return open_meeting(holders)


@pytest.fixture
def later_meeting():
    """The next meeting arranged: deferred items go there."""
    return MeetingFactory(starts_at=timezone.now() + timedelta(days=30))


def _ready_referral(person=None):
    referral = SubmittedReferralFactory(
        status=ReferralStatus.READY_FOR_PANEL,
        person=person or PersonFactory(),
        behaviour_categories=["abusive", "threats_of_violence"],
    )
    IncidentFactory(referral=referral, location="Housing office, Weymouth")
    IncidentFactory(referral=referral, location="Phone call to the contact centre")
    return referral


def _item(meeting, kind: ItemKind) -> AgendaItem:
    if kind == ItemKind.NEW_REFERRAL:
        return AgendaItemFactory(meeting=meeting, kind=kind, referral=_ready_referral())
    if kind == ItemKind.REFERRAL_BACK:
        entry = ActiveEntryFactory()
        return AgendaItemFactory(
            meeting=meeting, kind=kind, referral=_ready_referral(entry.person), entry=entry
        )
    if kind == ItemKind.RATIFICATION:
        return AgendaItemFactory(meeting=meeting, kind=kind, referral=None, entry=EntryFactory())
    if kind == ItemKind.REVIEW:
        return AgendaItemFactory(
            meeting=meeting, kind=kind, referral=None, entry=ActiveEntryFactory()
        )
    if kind == ItemKind.UNDERLYING_ISSUE:
        entry = ActiveEntryFactory(underlying_issue_flagged_on=timezone.localdate())
        return AgendaItemFactory(meeting=meeting, kind=kind, referral=None, entry=entry)
    grant = AccessGrantFactory(status="requested", recertify_by=None)
    return AgendaItemFactory(meeting=meeting, kind=kind, referral=None, access_grant=grant)


def _state(item: AgendaItem, later) -> tuple:
    """Everything a decision may change about the item's subject."""
    referral = item.referral
    entries = []
    if item.referral_id and item.referral.person_id:
        entries = list(item.referral.person.schedule_entries.order_by("pk"))
    elif item.entry_id:
        entries = [item.entry]
    for entry in entries:
        entry.refresh_from_db()
    grant = AccessGrant.objects.get(pk=item.access_grant_id) if item.access_grant_id else None
    if referral is not None:
        referral.refresh_from_db()
    return (
        referral.status if referral else None,
        [
            (
                e.status,
                e.tier,
                e.review_due_on,
                e.underlying_issue_flagged_on,
                e.incidents.count(),
                e.reason,
            )
            for e in entries
        ],
        (grant.status, grant.recertify_by) if grant else None,
        later.items.count(),
    )


def _events(item: AgendaItem) -> int:
    referral_events = ReferralEvent.objects.filter(referral_id=item.referral_id).count()
    person = item.referral.person if item.referral_id else None
    entry_events = EntryEvent.objects.filter(
        entry__person=person if person else item.entry.person if item.entry_id else None
    ).count()
    # An access request has no history of its own: the audit trail keeps its changes, and the
    # agenda items made for it.
    grant_changes = (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(AccessGrant),
            object_pk=str(item.access_grant_id),
        ).count()
        + LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(AgendaItem),
            object_pk__in=[
                str(pk)
                for pk in AgendaItem.objects.filter(
                    access_grant_id=item.access_grant_id
                ).values_list("pk", flat=True)
            ],
        ).count()
        if item.access_grant_id
        else 0
    )
    return referral_events + entry_events + grant_changes


def _decide(holders, item, outcome: Outcome):
    extra = {"outcome": outcome, "reasons": "The panel's reasons for this outcome."}
    if outcome == Outcome.GRANT:
        extra["recertify_by"] = timezone.localdate() + timedelta(days=365)
    return carry(holders, item, **extra)[0]


def test_the_table_has_one_effect_for_every_outcome_each_kind_allows():
    allowed = {(kind, outcome) for kind, outcomes in OUTCOMES_FOR.items() for outcome in outcomes}

    assert set(services.EFFECTS) == allowed


@pytest.mark.parametrize(
    ("kind", "outcome"),
    [(kind, outcome) for kind, outcomes in OUTCOMES_FOR.items() for outcome in outcomes],
    ids=lambda value: str(value),
)
def test_every_outcome_changes_the_record_and_writes_an_event(
    holders, meeting, later_meeting, kind, outcome, django_capture_on_commit_callbacks
):
    item = _item(meeting, kind)
    before, events_before = _state(item, later_meeting), _events(item)

    with django_capture_on_commit_callbacks(execute=True):
        ballot = _decide(holders, item, outcome)

    assert ballot.carried
    item.refresh_from_db()
    assert _state(item, later_meeting) != before, f"{kind} / {outcome} changed nothing"
    assert _events(item) > events_before, f"{kind} / {outcome} wrote no event"


def test_a_carried_keep_on_an_underlying_issue_clears_the_flag_and_says_why(holders, meeting):
    item = _item(meeting, ItemKind.UNDERLYING_ISSUE)

    _decide(holders, item, Outcome.KEEP)

    item.entry.refresh_from_db()
    assert item.entry.underlying_issue_flagged_on is None
    assert item.entry.status == EntryStatus.ACTIVE
    event = item.entry.events.get(kind=EntryEventKind.UNDERLYING_ISSUE_CONSIDERED)
    assert "Kept on the schedule" in event.message
    assert "The panel's reasons for this outcome." in event.message


def test_a_carried_remove_on_an_underlying_issue_takes_them_off_the_schedule(holders, meeting):
    item = _item(meeting, ItemKind.UNDERLYING_ISSUE)

    _decide(holders, item, Outcome.REMOVE)

    item.entry.refresh_from_db()
    assert item.entry.status == EntryStatus.REMOVED
    assert item.entry.underlying_issue_flagged_on is None


def test_a_deferred_referral_waits_for_the_next_meeting_with_its_timeline_saying_so(
    holders, meeting, later_meeting
):
    item = _item(meeting, ItemKind.NEW_REFERRAL)

    _decide(holders, item, Outcome.DEFER)

    item.referral.refresh_from_db()
    assert item.referral.status == ReferralStatus.READY_FOR_PANEL
    assert later_meeting.items.get().referral == item.referral
    assert item.referral.events.filter(message__startswith="Deferred by the panel").exists()


def test_an_outcome_outside_the_table_is_refused_not_ignored(holders, meeting):
    item = _item(meeting, ItemKind.REVIEW)
    decision = propose(holders[C], item, outcome=Outcome.KEEP, reasons="Kept.")
    decision.outcome = Outcome.GRANT  # not an outcome for a review: the table has no effect

    with pytest.raises(services.PanelError, match="not an outcome for 12-month review"):
        services.decision_act(actor=holders[C], item=item, decision=decision)


@pytest.mark.parametrize("outcome", [Outcome.KEEP, Outcome.REMOVE, Outcome.REFER_TO_LEGAL])
def test_a_review_decision_keeps_the_date_the_review_was_due(holders, meeting, outcome):
    """Committee reports tell reviews held on time from late ones (issue 17): keeping the entry
    moves its date on, so the decision keeps the date it met."""
    item = _item(meeting, ItemKind.REVIEW)
    due = item.entry.review_due_on

    _decide(holders, item, outcome)

    assert Decision.objects.get(item=item).review_was_due_on == due
    item.entry.refresh_from_db()
    if outcome == Outcome.KEEP:
        assert item.entry.review_due_on != due


def test_a_deferred_review_records_no_due_date(holders, meeting):
    item = _item(meeting, ItemKind.REVIEW)

    _decide(holders, item, Outcome.DEFER)

    assert Decision.objects.get(item=item).review_was_due_on is None
