"""Journey: a whole panel meeting. The chair opens it, four members join from their own browsers,
one declares an interest and is excluded, four eligible seats vote, every screen sees the votes
within 2 seconds, the chair closes the vote and the individual is on the schedule at the tier
decided. On a second item two exclusions leave three eligible: it cannot be decided."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from panel import services
from panel.models import Meeting, Seat
from referrals.models import ReferralStatus
from schedule.models import Entry
from tests.factories import IncidentFactory, PersonFactory, SubmittedReferralFactory
from ubpanel.demo import DEMO_PASSWORD, demo_data_load
from ubpanel.models import User

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

# The issue: every screen shows the votes within 2 seconds.
LIVE = 2_000
MEMBERS = ("complaints", "safety", "panel", "asc")


@pytest.fixture
def meeting(transactional_db):
    demo_data_load()
    for days_ago, family in ((3, "Thornton"), (2, "Pryce")):
        # The agenda lists referrals oldest first: Thornton's is item 1.
        referral = SubmittedReferralFactory(
            status=ReferralStatus.READY_FOR_PANEL,
            submitted_at=timezone.now() - timedelta(days=days_ago),
            person=PersonFactory(given_names="Gary", family_name=family),
            summary=f"Threats to the housing team by Mr {family}.",
        )
        IncidentFactory(referral=referral, description="Threatened to slash an officer's tyres.")
    meeting = Meeting.objects.get()
    services.agenda_add_pending(actor=User.objects.get(username="assurance"), meeting=meeting)
    return meeting


def _signed_in(new_page, username):
    page = new_page()
    sign_in(page, username, DEMO_PASSWORD)
    return page


def test_a_whole_meeting_decides_an_addition_to_the_schedule(meeting, new_page, screenshot):
    # The demo's meeting has its own agenda too: these are the two referrals added here.
    first = meeting.items.get(referral__person__family_name="Thornton")
    second = meeting.items.get(referral__person__family_name="Pryce")
    meeting_url = reverse("panel:meeting_detail", args=[meeting.pk])
    item_url = reverse("panel:item_detail", args=[first.pk])

    chair = _signed_in(new_page, "chair")
    chair.goto(meeting_url)
    chair.get_by_role("button", name="Open the meeting").click()
    expect(chair.locator(".govuk-notification-banner")).to_be_visible()

    members = {}
    for username in MEMBERS:
        page = _signed_in(new_page, username)
        page.goto(meeting_url)
        page.get_by_role("button", name="Join the meeting").click()
        expect(page.locator(".govuk-notification-banner")).to_be_visible()
        members[username] = page

    # The Health and Safety Manager declares an interest; the chair excludes them.
    safety = members["safety"]
    safety.goto(item_url)
    safety.get_by_test_id("declare").click()
    safety.get_by_label("Your interest in this item").fill("I manage the officer he threatened.")
    safety.get_by_role("button", name="Declare the interest").click()
    expect(safety.get_by_test_id("declarations")).to_contain_text("Awaiting a ruling")

    chair.goto(item_url)
    chair.get_by_role("link", name="Rule on this").click()
    chair.get_by_label("Exclude the member from the decision on this item").check()
    chair.get_by_label("Reason").fill("Line manager of the officer concerned.")
    chair.get_by_role("button", name="Record the ruling").click()
    expect(chair.get_by_test_id("eligible-count")).to_have_text("4 eligible")
    expect(chair.get_by_test_id("quorum")).to_have_text("4")

    # The chair records the proposal in the protocol's order, health first.
    chair.get_by_test_id("record-proposal").click()
    chair.get_by_label("The panel has first considered whether the individual").check()
    chair.get_by_label("What the panel noted about health").fill("No condition known.")
    chair.get_by_role("group", name="Does the behaviour meet the criteria").get_by_label(
        "Yes"
    ).check()
    chair.get_by_role("group", name="At which tier?").get_by_label("High").check()
    chair.get_by_label("Add to the schedule").check()
    chair.get_by_label("How staff should respond").fill("Never visit alone; call the police.")
    chair.get_by_label("Record owner (Operations Manager)").select_option(label="Morgan Hale")
    chair.get_by_label("Reasons").fill("Threats of violence on three occasions.")
    screenshot(chair, "proposal")
    chair.get_by_test_id("save-proposal").click()

    # Every member has the item open before the vote starts: their screens update by themselves.
    for page in members.values():
        page.goto(item_url)
    chair.get_by_test_id("open-vote").click()
    expect(chair.get_by_test_id("ballot-open")).to_be_visible()
    for username in ("complaints", "panel", "asc"):
        expect(members[username].get_by_test_id("vote-for")).to_be_visible(timeout=LIVE)
    expect(safety.get_by_test_id("cannot-vote")).to_be_visible(timeout=LIVE)

    members["complaints"].get_by_test_id("vote-for").click()
    expect(chair.get_by_test_id("voted-count")).to_contain_text("1 of 4", timeout=LIVE)
    members["panel"].get_by_test_id("vote-for").click()
    members["asc"].get_by_test_id("vote-against").click()
    chair.get_by_test_id("vote-for").click()
    for page in (chair, *members.values()):
        expect(page.get_by_test_id("voted-count")).to_contain_text("4 of 4", timeout=LIVE)
    expect(chair.get_by_test_id(f"voted-{Seat.ADULT_SOCIAL_CARE}")).to_have_text("Voted")
    screenshot(chair, "votes-live")

    chair.get_by_test_id("close-vote").click()
    expect(chair.get_by_test_id("carried")).to_be_visible()
    for page in members.values():
        expect(page.get_by_test_id("carried")).to_be_visible(timeout=LIVE)
    expect(members["asc"].get_by_test_id(f"voted-{Seat.ADULT_SOCIAL_CARE}")).to_have_text("Against")
    screenshot(members["complaints"], "carried-on-a-members-screen")

    entry = Entry.objects.get(person__family_name="Thornton")
    assert (entry.tier, entry.status) == ("high", "active")
    chair.goto(reverse("schedule:entry_detail", args=[entry.pk]))
    expect(chair.get_by_test_id("status")).to_have_text("Active")
    expect(chair.locator("body")).to_contain_text("Never visit alone; call the police.")
    screenshot(chair, "entry-on-the-schedule")

    # Item two: two exclusions leave three eligible seats, short of the quorum of four.
    for username in ("safety", "complaints"):
        declaration = services.declaration_make(
            actor=User.objects.get(username=username), item=second, interest="Knows him."
        )
        services.declaration_rule(
            actor=User.objects.get(username="chair"),
            declaration=declaration,
            exclude=True,
            reason="Personal acquaintance.",
        )
    chair.goto(reverse("panel:item_detail", args=[second.pk]))
    expect(chair.get_by_test_id("eligible-count")).to_have_text("3 eligible")
    expect(chair.get_by_test_id("problem")).to_contain_text(
        "Not quorate: 3 eligible seats present, and the protocol's quorum is 4."
    )
    expect(chair.get_by_test_id("open-vote")).to_have_count(0)
    screenshot(chair, "not-quorate")
    for page in (chair, *members.values()):
        assert page.console_errors == []
