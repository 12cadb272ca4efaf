"""Journeys: Assurance schedule a meeting, reorder its agenda and invite the Operations Manager,
who then sees only that item; the chair records attendance and reads the minutes."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from panel import services
from panel.models import Meeting, Seat
from referrals.models import ReferralStatus
from tests.factories import (
    PASSWORD,
    AgendaItemFactory,
    EntryFactory,
    PersonFactory,
    SubmittedReferralFactory,
    UserFactory,
)
from tests.panel_setup import deputy_for, open_meeting, propose, seat_holders, vote_all
from ubpanel.roles import Role

from .conftest import sign_in
from .dates import fill_date

pytestmark = pytest.mark.django_db(transaction=True)
C, COMPLAINTS, HS, CS, ASC, EQ = Seat.values


def _ready_referral(given, family, days_ago):
    # The agenda lists referrals oldest first: the submission dates fix the order.
    return SubmittedReferralFactory(
        status=ReferralStatus.READY_FOR_PANEL,
        submitted_at=timezone.now() - timedelta(days=days_ago),
        person=PersonFactory(given_names=given, family_name=family),
        subject_given_names=given,
        subject_family_name=family,
    )


def test_assurance_build_the_agenda_and_the_invited_manager_sees_only_their_item(
    new_page, screenshot
):
    UserFactory(
        username="asha", first_name="Asha", last_name="Reid", roles=[Role.ASSURANCE_OFFICER]
    )
    manager = UserFactory(
        username="olive",
        first_name="Olive",
        last_name="Okafor",
        job_title="Housing Operations Manager",
        roles=[Role.REFERRING_MANAGER],
    )
    first = _ready_referral("Jon", "Smythe", days_ago=3)
    _ready_referral("Karen", "Whitlock-Jones", days_ago=2)
    EntryFactory(person=PersonFactory(given_names="Rory", family_name="Blackmore"))
    day = timezone.localdate() + timedelta(days=9)

    assurance = new_page()
    sign_in(assurance, "asha", PASSWORD)
    assurance.get_by_test_id("role-navigation").get_by_role("link", name="Panel").click()
    expect(assurance.get_by_role("heading", level=1)).to_have_text("Panel meetings")
    assurance.get_by_role("button", name="Schedule a meeting").click()

    # Nothing filled in: errors beside the fields, the room kept.
    assurance.get_by_label("Room or link").fill("Committee Room 2, County Hall")
    assurance.get_by_role("button", name="Schedule the meeting").click()
    expect(assurance.locator(".govuk-error-summary")).to_contain_text("Enter the date")
    expect(assurance.get_by_label("Room or link")).to_have_value("Committee Room 2, County Hall")
    screenshot(assurance, "meeting-form-errors")

    assurance.get_by_label("Monthly").check()
    assurance.get_by_label("In person").check()
    fill_date(assurance, "Date", day)
    assurance.get_by_label("Start time").fill("10:30")
    assurance.get_by_role("button", name="Schedule the meeting").click()

    expect(assurance.locator(".govuk-notification-banner")).to_contain_text(
        "3 items waiting for the panel were put on the agenda automatically"
    )
    rows = assurance.get_by_test_id("agenda-item")
    expect(rows).to_have_count(3)
    expect(rows.nth(0).get_by_test_id("individual")).to_have_text("Jon Smythe")
    expect(rows.nth(2).get_by_test_id("individual")).to_have_text("Rory Blackmore")
    screenshot(assurance, "agenda")

    # The emergency addition is the most urgent: move it to the top.
    rows.nth(2).get_by_role("button", name="Move up").click()
    expect(
        assurance.get_by_test_id("agenda-item").nth(1).get_by_test_id("individual")
    ).to_have_text("Rory Blackmore")
    assurance.get_by_test_id("agenda-item").nth(1).get_by_role("button", name="Move up").click()
    individuals = assurance.get_by_test_id("agenda-item").get_by_test_id("individual")
    expect(individuals).to_have_text(["Rory Blackmore", "Jon Smythe", "Karen Whitlock-Jones"])

    # Invite the Operations Manager to present Jon Smythe's case.
    assurance.get_by_test_id("agenda-item").nth(1).get_by_role("link", name="Invitees").click()
    assurance.get_by_label("Operations Manager presenting the case").check()
    assurance.get_by_label("Who").select_option(value=str(manager.pk))
    assurance.get_by_role("button", name="Invite").click()
    expect(assurance.locator(".govuk-notification-banner")).to_contain_text("Olive Okafor invited")
    expect(assurance.get_by_test_id("invitee-list")).to_contain_text("Olive Okafor")
    screenshot(assurance, "invitees")
    assurance.get_by_role("link", name="Agenda").click()
    expect(
        assurance.get_by_test_id("agenda-item").nth(1).get_by_test_id("invitees")
    ).to_contain_text("Olive Okafor")
    screenshot(assurance, "agenda-reordered")
    assurance.get_by_role("link", name="Panel meetings").click()
    screenshot(assurance, "meetings-list")

    meeting = Meeting.objects.get()
    assert [item.referral_id for item in meeting.items.order_by("position")][1] == first.pk

    # The manager reaches the meeting from their invitation and sees only their item.
    om = new_page()
    sign_in(om, "olive", PASSWORD)
    om.goto("/panel/")
    expect(om.get_by_test_id("invitations")).to_contain_text(first.reference)
    screenshot(om, "meetings-list-for-the-invitee")
    om.get_by_test_id("invitations").get_by_role("link").first.click()
    rows = om.get_by_test_id("agenda-item")
    expect(rows).to_have_count(1)
    expect(rows.get_by_test_id("individual")).to_have_text("Jon Smythe")
    expect(om.locator("main")).not_to_contain_text("Rory Blackmore")
    expect(om.locator("main")).not_to_contain_text("Karen Whitlock-Jones")
    expect(om.get_by_role("button", name="Move up")).to_have_count(0)
    screenshot(om, "agenda-for-the-invitee")
    assert [e for e in assurance.console_errors if "status of 400" not in e] == []
    assert om.console_errors == []


def test_the_chair_records_attendance_and_reads_the_minutes(new_page, screenshot):
    holders = seat_holders()
    deputy = deputy_for(EQ, "eq-deputy")
    meeting = open_meeting(holders, join=(COMPLAINTS, HS, CS, ASC))
    item = AgendaItemFactory(meeting=meeting)
    AgendaItemFactory(meeting=meeting)  # not reached: carried forward
    declaration = services.declaration_make(
        actor=holders[CS], item=item, interest="Knows the family through a school governors' board."
    )
    services.declaration_rule(
        actor=holders[C], declaration=declaration, exclude=False, reason="Not a close connection."
    )
    propose(holders[C], item)
    services.ballot_open(actor=holders[C], item=item)
    vote_all(holders, item, {C: "for", COMPLAINTS: "for", HS: "against", CS: "for", ASC: "abstain"})
    services.ballot_close(actor=holders[C], item=item)

    chair = new_page()
    sign_in(chair, C, PASSWORD)
    chair.goto(f"/panel/meetings/{meeting.pk}/attendance/")
    expect(chair.get_by_role("heading", level=1)).to_have_text("Attendance")
    seat = chair.get_by_test_id(f"seat-{EQ}")
    seat.get_by_label("Who sits in this seat").select_option(value=str(deputy.pk))
    seat.get_by_role("button", name="Record").click()
    expect(chair.locator(".govuk-notification-banner")).to_contain_text("Attendance recorded")
    expect(chair.get_by_test_id(f"seat-{EQ}").get_by_test_id("sitter")).to_contain_text("Deputy")
    screenshot(chair, "attendance")

    chair.goto(f"/panel/meetings/{meeting.pk}/")
    chair.get_by_role("button", name="Close the meeting").click()
    expect(chair.get_by_test_id("meeting-status")).to_have_text("Closed")
    chair.get_by_role("link", name="Minutes").click()
    expect(chair.get_by_test_id("decision")).to_contain_text("Add to the schedule")
    expect(chair.get_by_test_id("result")).to_contain_text("Carried")
    expect(chair.locator("main")).to_contain_text("Not a close connection.")
    screenshot(chair, "minutes")
    chair.goto("/panel/")
    screenshot(chair, "meetings-list-for-the-chair")
    assert chair.console_errors == []
