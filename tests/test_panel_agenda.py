"""Meetings and agendas, and what each kind of item's decision does (issue 5)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from panel import services
from panel.models import ItemKind, ItemStatus, Seat
from referrals.models import ReferralStatus
from schedule import services as schedule_services
from schedule.models import AccessGrantStatus
from ubpanel.entry_status import EntryStatus
from ubpanel.roles import Role

from .factories import (
    AccessGrantFactory,
    ActiveEntryFactory,
    AgendaItemFactory,
    EntryFactory,
    MeetingFactory,
    PersonFactory,
    ServiceFactory,
    SubmittedReferralFactory,
    UserFactory,
    emergency_incidents,
)
from .panel_setup import open_meeting, propose, seat_holders, vote_all

pytestmark = pytest.mark.django_db

C, COMPLAINTS, HS, CS, ASC, EQ = Seat.values
FIVE = {C: "for", COMPLAINTS: "for", HS: "for", CS: "for", ASC: "for"}


@pytest.fixture
def holders():
    return seat_holders()


@pytest.fixture
def assurance():
    return UserFactory(username="assurance", roles=[Role.ASSURANCE_OFFICER])


def _soon(days=7):
    return timezone.now() + timedelta(days=days)


def _decide(holders, item, **fields):
    propose(holders[C], item, **fields)
    services.ballot_open(actor=holders[C], item=item)
    vote_all(holders, item, FIVE)
    ballot = services.ballot_close(actor=holders[C], item=item)
    item.refresh_from_db()
    return ballot


def test_a_new_meeting_takes_everything_waiting_for_the_panel(assurance):
    ready = SubmittedReferralFactory(status=ReferralStatus.READY_FOR_PANEL, person=PersonFactory())
    pending = EntryFactory()
    due = ActiveEntryFactory(review_due_on=date.today() + timedelta(days=3))
    ActiveEntryFactory(review_due_on=date.today() + timedelta(days=200))  # not due
    request = AccessGrantFactory(status="requested", recertify_by=None)

    meeting = services.meeting_schedule(
        actor=assurance, kind="monthly", format="virtual", starts_at=_soon()
    )

    kinds = [
        (item.kind, item.referral_id or item.entry_id or item.access_grant_id)
        for item in meeting.items.all()
    ]
    assert kinds == [
        (ItemKind.NEW_REFERRAL, ready.pk),
        (ItemKind.RATIFICATION, pending.pk),
        (ItemKind.REVIEW, due.pk),
        (ItemKind.ACCESS_REQUEST, request.pk),
    ]
    # Nothing is listed twice.
    again = services.meeting_schedule(
        actor=assurance, kind="extraordinary", format="physical", starts_at=_soon(14)
    )
    assert list(again.items.all()) == []


def test_a_referral_about_someone_on_the_schedule_is_a_referral_back(assurance):
    entry = ActiveEntryFactory()
    SubmittedReferralFactory(status=ReferralStatus.READY_FOR_PANEL, person=entry.person)

    meeting = services.meeting_schedule(
        actor=assurance, kind="monthly", format="virtual", starts_at=_soon()
    )

    item = meeting.items.get()
    assert item.kind == ItemKind.REFERRAL_BACK
    assert item.entry == entry


def test_an_emergency_addition_goes_on_the_next_meeting_at_once(holders, assurance):
    services.meeting_schedule(
        actor=assurance, kind="monthly", format="virtual", starts_at=_soon(20)
    )
    nearer = services.meeting_schedule(
        actor=assurance, kind="monthly", format="virtual", starts_at=_soon(5)
    )

    entry = schedule_services.entry_add_emergency(
        actor=holders[C],
        person=PersonFactory(),
        reason="Assault.",
        guidance="Do not visit.",
        incidents=emergency_incidents(),
        record_owner=UserFactory(roles=[Role.REFERRING_MANAGER]),
    )

    item = nearer.items.get()
    assert (item.kind, item.entry) == (ItemKind.RATIFICATION, entry)


def test_an_access_request_goes_on_the_next_meeting_at_once(assurance):
    meeting = services.meeting_schedule(
        actor=assurance, kind="monthly", format="virtual", starts_at=_soon()
    )
    grant = schedule_services.access_grant_request(
        actor=assurance,
        service_or_user=ServiceFactory(name="Waste"),
        tiers=["medium", "high"],
        rationale="Crews visit addresses.",
    )
    assert meeting.items.get().access_grant == grant


def test_assurance_reorders_the_agenda(assurance):
    meeting = MeetingFactory()
    first, second, third = (AgendaItemFactory(meeting=meeting) for _ in range(3))

    services.agenda_item_move(actor=assurance, item=third, up=True)

    assert list(meeting.items.order_by("position")) == [first, third, second]
    assert [i.position for i in meeting.items.order_by("position")] == [1, 2, 3]


def test_only_assurance_and_the_chair_build_the_agenda(holders):
    with pytest.raises(PermissionDenied):
        services.meeting_schedule(
            actor=holders[HS], kind="monthly", format="virtual", starts_at=_soon()
        )


def test_ratification_confirms_the_emergency_entry(holders):
    meeting = open_meeting(holders)
    item = AgendaItemFactory(
        meeting=meeting, kind="ratification", referral=None, entry=EntryFactory()
    )

    _decide(holders, item, outcome="ratify", tier="", meets_criteria=True)

    item.entry.refresh_from_db()
    assert item.entry.status == EntryStatus.ACTIVE


def test_a_vote_not_to_ratify_ends_the_emergency_entry(holders):
    meeting = open_meeting(holders)
    item = AgendaItemFactory(
        meeting=meeting, kind="ratification", referral=None, entry=EntryFactory()
    )

    _decide(holders, item, outcome="not_ratify", tier="")

    item.entry.refresh_from_db()
    assert item.entry.status == EntryStatus.REMOVED


def test_a_review_keeps_the_entry_for_another_twelve_months(holders):
    meeting = open_meeting(holders)
    entry = ActiveEntryFactory(review_due_on=date.today())
    item = AgendaItemFactory(meeting=meeting, kind="review", referral=None, entry=entry)

    _decide(holders, item, outcome="keep", tier="")

    entry.refresh_from_db()
    assert entry.review_due_on == schedule_services.twelve_months_after(timezone.localdate())


def test_a_review_can_remove_the_entry(holders):
    meeting = open_meeting(holders)
    entry = ActiveEntryFactory()
    item = AgendaItemFactory(meeting=meeting, kind="review", referral=None, entry=entry)

    _decide(holders, item, outcome="remove", tier="")

    entry.refresh_from_db()
    assert entry.status == EntryStatus.REMOVED


def test_a_referral_back_escalates_the_tier(holders):
    meeting = open_meeting(holders)
    entry = ActiveEntryFactory(tier="low")
    referral = SubmittedReferralFactory(status=ReferralStatus.READY_FOR_PANEL, person=entry.person)
    item = AgendaItemFactory(meeting=meeting, kind="referral_back", referral=referral, entry=entry)

    _decide(holders, item, tier="high")

    entry.refresh_from_db()
    assert entry.tier == "high"
    assert referral in entry.referrals.all()


def test_granting_an_access_request_approves_the_grant(holders):
    meeting = open_meeting(holders)
    grant = AccessGrantFactory(status="requested", recertify_by=None)
    item = AgendaItemFactory(
        meeting=meeting, kind="access_request", referral=None, access_grant=grant
    )
    until = date.today() + timedelta(days=365)

    _decide(holders, item, outcome="grant", tier="", recertify_by=until)

    grant.refresh_from_db()
    assert grant.status == AccessGrantStatus.APPROVED
    assert grant.recertify_by == until


def test_refusing_an_access_request_declines_the_grant(holders):
    meeting = open_meeting(holders)
    grant = AccessGrantFactory(status="requested", recertify_by=None)
    item = AgendaItemFactory(
        meeting=meeting, kind="access_request", referral=None, access_grant=grant
    )

    _decide(holders, item, outcome="refuse", tier="", reasons="No contact with the public.")

    grant.refresh_from_db()
    assert grant.status == AccessGrantStatus.DECLINED


def test_a_deferred_item_goes_to_the_next_meeting(holders, assurance):
    meeting = open_meeting(holders)
    item = AgendaItemFactory(meeting=meeting)
    later = MeetingFactory(starts_at=_soon(30))

    _decide(holders, item, outcome="defer", tier="", reasons="")

    assert item.status == ItemStatus.DECIDED
    carried = later.items.get()
    assert carried.referral == item.referral
    item.referral.refresh_from_db()
    assert item.referral.status == ReferralStatus.READY_FOR_PANEL


def test_closing_the_meeting_carries_unreached_items_forward(holders, assurance):
    meeting = open_meeting(holders)
    item = AgendaItemFactory(meeting=meeting)

    services.meeting_close(actor=holders[C], meeting=meeting)

    item.refresh_from_db()
    assert item.status == ItemStatus.WITHDRAWN
    assert "carried forward" in item.withdrawn_reason
    assert meeting.seats.get(seat=EQ).attendance == "absent"
    nxt = services.meeting_schedule(
        actor=assurance, kind="monthly", format="virtual", starts_at=_soon(30)
    )
    assert nxt.items.get().referral == item.referral


def test_a_closed_meetings_agenda_does_not_change(holders, assurance):
    meeting = open_meeting(holders)
    first, second = AgendaItemFactory(meeting=meeting), AgendaItemFactory(meeting=meeting)
    services.meeting_close(actor=holders[C], meeting=meeting)

    with pytest.raises(services.PanelError):
        services.agenda_item_move(actor=assurance, item=second, up=True)
    with pytest.raises(services.PanelError):
        services.invitee_add(
            actor=assurance,
            item=first,
            user=UserFactory(roles=[Role.REFERRING_MANAGER]),
            role="operations_manager",
        )


def test_the_entry_links_to_the_panel_decisions_about_it(holders, client):
    meeting = open_meeting(holders)
    item = AgendaItemFactory(
        meeting=meeting, kind="ratification", referral=None, entry=EntryFactory()
    )
    _decide(holders, item, outcome="ratify", tier="", meets_criteria=True)
    client.force_login(holders[HS])

    page = client.get(reverse("schedule:entry_detail", args=[item.entry.pk]))

    assert reverse("panel:item_detail", args=[item.pk]).encode() in page.content
