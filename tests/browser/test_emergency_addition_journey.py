"""Journey: the chair makes an emergency addition, live at once; frontline staff see what to do."""

from datetime import date

import pytest
from playwright.sync_api import expect

from schedule.models import Entry
from ubpanel.demo import DEMO_PASSWORD, demo_data_load

from .conftest import sign_in
from .dates import fill_date

pytestmark = pytest.mark.django_db(transaction=True)
INCIDENT = "Struck a refuse collector with a bin lid on Monday morning."
GUIDANCE = "Do not approach. Call the police if they are aggressive."
SECOND_INCIDENT = "Rang the depot and said he would do it again."
INTERNAL = "Police reference DP-2026-0042."
MANAGER = "Morgan Hale"


@pytest.fixture
def demo(transactional_db):
    demo_data_load()


def test_the_chair_makes_an_emergency_addition_that_is_live_at_once(
    demo, new_page, screenshot, axe
):
    chair = new_page()
    sign_in(chair, "chair", DEMO_PASSWORD)
    chair.get_by_test_id("role-navigation").get_by_role("link", name="Schedule entries").click()
    chair.get_by_role("button", name="Make an emergency addition").click()
    chair.get_by_label("Given names").fill("Rory")
    chair.get_by_label("Family name").fill("Blackmore")
    first = chair.get_by_test_id("incident").nth(0)
    first.get_by_label("What happened").fill(INCIDENT)
    chair.get_by_role("button", name="Add to the schedule now").click()

    # Nothing chosen and the rest missing: the errors are beside the fields, the typing kept.
    summary = chair.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Choose who this is, or record a new person")
    expect(summary).to_contain_text("Incident 1: Enter where it happened")
    expect(summary).to_contain_text("Choose the record owner")
    expect(first.get_by_label("What happened")).to_have_value(INCIDENT)
    expect(chair.get_by_label("Family name")).to_have_value("Blackmore")
    axe(chair)
    screenshot(chair, "form-errors")

    # The incidents are structured, as on a referral; a second one is added without script.
    fill_date(first, name="occurred_on", value=date(2026, 11, 23))
    first.locator("input[name$='occurred_at']").fill("07:40")
    first.get_by_label("Where it happened").fill("Collection round, Weymouth Avenue")
    first.get_by_label("Actual violence").check()
    chair.get_by_role("button", name="Add another incident").click()
    second = chair.get_by_test_id("incident").nth(1)
    expect(first.get_by_label("Where it happened")).to_have_value(
        "Collection round, Weymouth Avenue"
    )
    fill_date(second, name="occurred_on", value=date(2026, 11, 24))
    second.get_by_label("Where it happened").fill("Phone call to the depot")
    second.get_by_label("What happened").fill(SECOND_INCIDENT)

    chair.get_by_role("button", name="Find matches").click()
    expect(chair.get_by_test_id("matches")).to_contain_text("No one known matches")
    chair.get_by_label("None of these: record a new person").check()
    chair.get_by_label("Why the behaviour is unreasonable").fill("Violence towards staff.")
    chair.get_by_label("Internal notes for the panel").fill(INTERNAL)
    chair.get_by_label("Record owner").select_option(label=MANAGER)
    chair.get_by_label("How staff should respond").fill(GUIDANCE)
    chair.get_by_label("Permitted means of contact").fill("Letters to the SPOC only.")
    screenshot(chair, "form")
    chair.get_by_role("button", name="Add to the schedule now").click()

    expect(chair.locator(".govuk-notification-banner")).to_contain_text(
        "is on the schedule now as high risk"
    )
    expect(chair.get_by_test_id("status")).to_have_text("Pending ratification")
    expect(chair.get_by_test_id("incidents")).to_contain_text(INCIDENT)
    expect(chair.get_by_test_id("incidents")).to_contain_text(SECOND_INCIDENT)
    expect(chair.get_by_test_id("incidents")).to_contain_text(
        "23 November 2026 at 07:40, Collection round, Weymouth Avenue"
    )
    expect(chair.get_by_test_id("internal-notes")).to_have_text(INTERNAL)
    expect(chair.get_by_test_id("record-owner")).to_contain_text(MANAGER)
    axe(chair)
    expect(chair.get_by_test_id("history")).to_contain_text("Emergency addition by the chair")
    screenshot(chair, "entry-for-the-chair")
    entry = Entry.objects.get(person__family_name="Blackmore")
    assert entry.status == "pending_ratification"

    # Customer Services hold the protocol's default all-tier grant.
    frontline = new_page()
    sign_in(frontline, "frontline", DEMO_PASSWORD)
    frontline.goto(f"/schedule/entries/{entry.pk}/")
    expect(frontline.get_by_role("heading", level=1)).to_have_text("Rory Blackmore")
    expect(frontline.get_by_test_id("how-to-respond")).to_have_text(GUIDANCE)
    expect(frontline.get_by_test_id("tier")).to_have_text("High – violence")
    expect(frontline.locator("main")).not_to_contain_text(INCIDENT)
    expect(frontline.locator("main")).not_to_contain_text("Violence towards staff.")
    expect(frontline.locator("main")).not_to_contain_text(INTERNAL)
    expect(frontline.get_by_test_id("narrative")).to_have_count(0)
    screenshot(frontline, "entry-for-frontline")
    # The form shown again with its errors answers 400; nothing else may fail.
    assert [e for e in chair.console_errors if "status of 400" not in e] == []
    assert frontline.console_errors == []
