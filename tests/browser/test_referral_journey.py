"""Journey: a manager refers an individual, checks the answers and sends it; Assurance triages,
asks for more, lists it for panel."""

from datetime import date

import pytest
from playwright.sync_api import expect

from referrals.models import Referral, ReferralStatus
from ubpanel.demo import DEMO_PASSWORD, demo_data_load

from .conftest import sign_in
from .dates import fill_date

pytestmark = pytest.mark.django_db(transaction=True)
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def demo(transactional_db):
    demo_data_load()


def test_a_referral_goes_from_the_manager_through_triage_to_the_panel(
    demo, new_page, screenshot, axe, tmp_path
):
    evidence = tmp_path / "call-log.pdf"
    evidence.write_bytes(PDF)

    manager = new_page()
    sign_in(manager, "manager", DEMO_PASSWORD)
    manager.get_by_test_id("role-navigation").get_by_role("link", name="Referrals").click()
    manager.get_by_role("button", name="Refer an individual").click()
    manager.get_by_label("Given names").fill("Jonathon")
    manager.get_by_label("Family name").fill("Smith")
    manager.get_by_label("Postcode").fill("dt1 1aa")
    fill_date(manager, "Date", date(2026, 11, 2))
    manager.get_by_label("Location").fill("Housing office, Dorchester")
    manager.get_by_label("What happened").fill(
        "Shouted at the duty officer and threatened to come back."
    )
    manager.get_by_label("Being abusive, threatening").check()
    manager.set_input_files("input[type=file]", str(evidence))
    manager.get_by_role("button", name="Continue").click()

    # Missing answers are explained beside the fields; what was typed is still there.
    expect(manager.locator(".govuk-error-summary")).to_contain_text(
        "Say why you are referring them"
    )
    expect(manager.locator(".govuk-error-summary")).to_contain_text(
        "Select the risk level you suggest"
    )
    expect(manager.get_by_label("Family name")).to_have_value("Smith")
    expect(manager.get_by_label("What happened")).to_have_value(
        "Shouted at the duty officer and threatened to come back."
    )
    expect(manager.get_by_test_id("evidence-list")).to_contain_text("call-log.pdf")
    screenshot(manager, "form-errors")

    manager.get_by_label("Why are you referring them?").fill(
        "Daily abusive calls; staff are distressed."
    )
    manager.get_by_label("How many incidents have there been?").fill("6")
    manager.get_by_label("Low – vexatious").check()
    manager.get_by_role(
        "group", name="Do you think the individual has underlying health"
    ).get_by_label("Not known").check()
    manager.get_by_role("button", name="Continue").click()

    # Check your answers: everything typed, each with a link back to its field; nothing sent yet.
    expect(manager.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before sending your referral"
    )
    individual = manager.get_by_test_id("check-individual")
    expect(individual).to_contain_text("Jonathon Smith")
    expect(individual).to_contain_text("DT1 1AA")
    expect(
        individual.locator(".govuk-summary-list__row", has_text="Date of birth")
    ).to_contain_text("Not given")
    expect(manager.get_by_test_id("check-incident")).to_contain_text("2 November 2026")
    expect(manager.get_by_test_id("check-behaviour")).to_contain_text("Low")
    expect(manager.get_by_test_id("check-health")).to_contain_text("Not known")
    expect(manager.get_by_test_id("check-evidence")).to_contain_text("call-log.pdf")
    expect(manager.get_by_role("heading", name="Now send your referral")).to_be_visible()
    screenshot(manager, "check-your-answers")
    axe(manager)
    assert Referral.objects.get(subject_family_name="Smith").status == ReferralStatus.DRAFT

    # Change an answer: the link opens the form at that field; Continue comes back here.
    manager.get_by_role("link", name="Change where incident 1 happened").click()
    expect(manager.get_by_label("Location")).to_have_value("Housing office, Dorchester")
    assert manager.url.endswith("#id_incidents-0-location")
    manager.get_by_label("Location").fill("Housing office, Weymouth")
    manager.get_by_role("button", name="Continue").click()
    expect(manager.get_by_test_id("check-incident")).to_contain_text("Housing office, Weymouth")

    manager.get_by_role("button", name="Send referral").click()
    expect(manager.locator(".govuk-notification-banner")).to_contain_text(
        "has been sent to the Assurance team"
    )
    expect(manager.get_by_test_id("status")).to_have_text("Submitted")
    referral = Referral.objects.get(subject_family_name="Smith")

    assurance = new_page()
    sign_in(assurance, "assurance", DEMO_PASSWORD)
    assurance.get_by_test_id("role-navigation").get_by_role("link", name="Referrals").click()
    assurance.get_by_test_id("triage-queue").get_by_role("link", name=referral.reference).click()
    expect(assurance.get_by_test_id("matches")).to_contain_text("Jonathan Smyth")
    screenshot(assurance, "triage")
    assurance.locator("summary", has_text="Ask the referrer").click()
    assurance.get_by_label("What do you need to know?").fill("What time were the calls?")
    assurance.get_by_role("button", name="Ask the referrer").click()
    expect(assurance.get_by_test_id("status")).to_have_text("More information requested")

    manager.reload()
    expect(manager.get_by_test_id("question")).to_have_text("What time were the calls?")
    manager.get_by_label("Your answer").fill("Mostly between 9 and 10 in the morning.")
    manager.get_by_role("button", name="Send your answer").click()
    expect(manager.get_by_test_id("status")).to_have_text("Submitted")
    screenshot(manager, "answered")

    assurance.reload()
    expect(assurance.get_by_test_id("timeline")).to_contain_text("Mostly between 9 and 10")
    assurance.get_by_role("button", name="Link to Jonathan Smyth").click()
    expect(assurance.locator(".govuk-notification-banner")).to_contain_text(
        "linked to Jonathan Smyth"
    )
    assurance.locator("summary", has_text="List for the panel").click()
    assurance.get_by_role("button", name="List for the panel").click()
    expect(assurance.get_by_test_id("status")).to_have_text("Ready for panel")
    screenshot(assurance, "ready-for-panel")

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.READY_FOR_PANEL
    assert referral.evidence.get().original_name == "call-log.pdf"
