"""Whatever comes to wait for the panel joins the next arranged meeting (issue 10, point 9):
referrals made ready after it was arranged, items not reached at the last meeting, emergency
additions, reviews falling due, entries flagged by a questionnaire."""

from datetime import date, timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.utils import timezone

from panel import services, tasks
from panel.models import ItemKind, ItemStatus, Seat
from referrals.models import ReferralStatus
from referrals.services import referral_mark_ready_for_panel
from schedule import services as schedule_services
from ubpanel.roles import Role

from .factories import (
    AccessGrantFactory,
    ActiveEntryFactory,
    AgendaItemFactory,
    EntryFactory,
    MeetingFactory,
    PersonFactory,
    SubmittedReferralFactory,
    UserFactory,
    emergency_incidents,
)
from .panel_setup import open_meeting, seat_holders

pytestmark = pytest.mark.django_db

C = Seat.CHAIR


@pytest.fixture
def holders():
    return seat_holders()


@pytest.fixture
def assurance():
    return UserFactory(username="assurance", roles=[Role.ASSURANCE_OFFICER])


def _soon(days=7):
    return timezone.now() + timedelta(days=days)


def _subjects(meeting):
    return sorted(
        (item.kind, item.referral_id, item.entry_id, item.access_grant_id)
        for item in meeting.items.filter(status=ItemStatus.LISTED)
    )


def test_a_referral_made_ready_after_the_meeting_is_arranged_joins_it(assurance):
    meeting = services.meeting_schedule(
        actor=assurance, kind="monthly", format="virtual", starts_at=_soon()
    )
    referral = SubmittedReferralFactory(
        status=ReferralStatus.READY_FOR_PANEL, person=PersonFactory()
    )

    added = services.agenda_fill_next_meeting(actor=assurance)

    assert [(item.kind, item.referral) for item in added] == [(ItemKind.NEW_REFERRAL, referral)]
    assert meeting.items.get().referral == referral
    # Filling again adds nothing: it is on an agenda already.
    assert services.agenda_fill_next_meeting(actor=assurance) == []


def test_triage_listing_a_referral_for_panel_puts_it_on_the_arranged_meeting(assurance):
    meeting = services.meeting_schedule(
        actor=assurance, kind="monthly", format="virtual", starts_at=_soon()
    )
    referral = SubmittedReferralFactory(person=PersonFactory())

    referral_mark_ready_for_panel(actor=assurance, referral=referral)

    item = meeting.items.get()
    assert (item.kind, item.referral) == (ItemKind.NEW_REFERRAL, referral)


def test_with_no_meeting_arranged_the_fill_waits_for_the_next_one(assurance):
    referral = SubmittedReferralFactory(
        status=ReferralStatus.READY_FOR_PANEL, person=PersonFactory()
    )

    assert services.agenda_fill_next_meeting(actor=assurance) == []

    meeting = services.meeting_schedule(
        actor=assurance, kind="monthly", format="virtual", starts_at=_soon()
    )
    assert meeting.items.get().referral == referral


def test_the_nearest_arranged_meeting_is_filled(assurance):
    later = MeetingFactory(starts_at=_soon(30))
    nearer = MeetingFactory(starts_at=_soon(5))
    SubmittedReferralFactory(status=ReferralStatus.READY_FOR_PANEL, person=PersonFactory())

    services.agenda_fill_next_meeting(actor=assurance)

    assert nearer.items.count() == 1
    assert later.items.count() == 0


def test_every_kind_of_item_not_reached_joins_the_next_arranged_meeting(holders):
    meeting = open_meeting(holders)
    after = MeetingFactory(starts_at=_soon(30))
    not_reached = [
        AgendaItemFactory(meeting=meeting),
        AgendaItemFactory(
            meeting=meeting, kind="ratification", referral=None, entry=EntryFactory()
        ),
        AgendaItemFactory(
            meeting=meeting,
            kind="review",
            referral=None,
            entry=ActiveEntryFactory(review_due_on=date.today()),
        ),
        AgendaItemFactory(
            meeting=meeting,
            kind="access_request",
            referral=None,
            access_grant=AccessGrantFactory(status="requested", recertify_by=None),
        ),
        AgendaItemFactory(
            meeting=meeting,
            kind="underlying_issue",
            referral=None,
            entry=ActiveEntryFactory(underlying_issue_flagged_on=date.today()),
        ),
        # Put on by hand: a review before it fell due, an entry referred back with no referral.
        AgendaItemFactory(
            meeting=meeting,
            kind="review",
            referral=None,
            entry=ActiveEntryFactory(review_due_on=date.today() + timedelta(days=200)),
        ),
        AgendaItemFactory(
            meeting=meeting,
            kind="referral_back",
            referral=None,
            entry=ActiveEntryFactory(),
            statement="No improvement since the letter.",
        ),
    ]
    referral_back = not_reached[-1]
    assert _subjects(after) == []

    services.meeting_close(actor=holders[C], meeting=meeting)

    assert {item.status for item in meeting.items.all()} == {ItemStatus.WITHDRAWN}
    assert _subjects(after) == sorted(
        (item.kind, item.referral_id, item.entry_id, item.access_grant_id) for item in not_reached
    )
    carried = after.items.get(kind="referral_back")
    assert carried.statement == referral_back.statement
    # Nothing is listed twice when the next fill runs.
    assert services.agenda_fill_next_meeting(actor=holders[C]) == []


def test_an_item_not_reached_with_no_meeting_arranged_joins_the_next_one_scheduled(
    holders, assurance
):
    meeting = open_meeting(holders)
    item = AgendaItemFactory(
        meeting=meeting, kind="review", referral=None, entry=ActiveEntryFactory()
    )
    services.meeting_close(actor=holders[C], meeting=meeting)

    after = services.meeting_schedule(
        actor=assurance, kind="monthly", format="virtual", starts_at=_soon(30)
    )

    assert after.items.get().entry == item.entry


def test_a_flagged_entry_whose_item_was_not_reached_comes_back(holders, assurance):
    entry = ActiveEntryFactory(underlying_issue_flagged_on=date.today())
    meeting = open_meeting(holders)
    services.agenda_add_pending(actor=assurance, meeting=meeting)
    assert meeting.items.get().kind == ItemKind.UNDERLYING_ISSUE
    services.meeting_close(actor=holders[C], meeting=meeting)

    after = services.meeting_schedule(
        actor=assurance, kind="monthly", format="virtual", starts_at=_soon(30)
    )

    item = after.items.get()
    assert (item.kind, item.entry) == (ItemKind.UNDERLYING_ISSUE, entry)


def test_an_emergency_addition_with_no_meeting_arranged_joins_the_next_one(holders, assurance):
    entry = schedule_services.entry_add_emergency(
        actor=holders[C],
        person=PersonFactory(),
        reason="Assault on an officer.",
        guidance="Do not visit.",
        incidents=emergency_incidents(),
        record_owner=UserFactory(roles=[Role.REFERRING_MANAGER]),
    )
    assert not entry.agenda_items.exists()

    meeting = services.meeting_schedule(
        actor=assurance, kind="extraordinary", format="virtual", starts_at=_soon(3)
    )

    item = meeting.items.get()
    assert (item.kind, item.entry) == (ItemKind.RATIFICATION, entry)


def test_an_emergency_addition_brings_whatever_else_is_waiting_onto_the_next_meeting(
    holders, assurance
):
    meeting = MeetingFactory(starts_at=_soon(5))
    waiting = SubmittedReferralFactory(
        status=ReferralStatus.READY_FOR_PANEL, person=PersonFactory()
    )

    entry = schedule_services.entry_add_emergency(
        actor=holders[C],
        person=PersonFactory(),
        reason="Assault on an officer.",
        guidance="Do not visit.",
        incidents=emergency_incidents(),
        record_owner=UserFactory(roles=[Role.REFERRING_MANAGER]),
    )

    assert {(i.kind, i.referral_id or i.entry_id) for i in meeting.items.all()} == {
        (ItemKind.NEW_REFERRAL, waiting.pk),
        (ItemKind.RATIFICATION, entry.pk),
    }


def test_a_review_falling_due_after_the_meeting_is_arranged_joins_it_from_the_beat_task(
    assurance,
):
    meeting = services.meeting_schedule(
        actor=assurance, kind="monthly", format="virtual", starts_at=_soon(20)
    )
    assert not meeting.items.exists()
    # Ratified after the meeting was arranged, with its review due before the meeting's date.
    entry = ActiveEntryFactory(review_due_on=date.today() + timedelta(days=10))

    assert tasks.agenda_fill_next_meeting() == 1

    item = meeting.items.get()
    assert (item.kind, item.entry) == (ItemKind.REVIEW, entry)
    assert tasks.agenda_fill_next_meeting() == 0


def test_beat_fills_the_next_meeting_every_day():
    entry = settings.CELERY_BEAT_SCHEDULE["agenda-fill-next-meeting"]

    assert entry["task"] == "panel.tasks.agenda_fill_next_meeting"
    assert isinstance(entry["schedule"], crontab)
    assert entry["schedule"].hour == {5}


def test_an_item_assurance_withdrew_is_not_put_back_on_the_same_meeting(assurance):
    meeting = services.meeting_schedule(
        actor=assurance, kind="monthly", format="virtual", starts_at=_soon()
    )
    item = AgendaItemFactory(meeting=meeting)
    services.agenda_item_withdraw(actor=assurance, item=item, reason="Papers not ready.")

    assert services.agenda_fill_next_meeting(actor=assurance) == []

    # Assurance may still put it back by hand.
    services.agenda_item_add(
        actor=assurance, meeting=meeting, kind="new_referral", referral=item.referral
    )
    assert meeting.items.filter(status=ItemStatus.LISTED).count() == 1
