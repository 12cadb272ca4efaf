"""Journey: Health and Safety escalate an accident/incident report to the panel (a missing reference
is explained beside the field, nothing typed lost), Assurance find it in triage with the report's
reference; a manager's violent referral reaches Health and Safety as a notification whose link
opens a page without the individual, where they link their own report."""

from datetime import date

import pytest
from playwright.sync_api import expect

from referrals.models import Referral, ReferralSource, ReferralStatus
from referrals.services import referral_save_draft, referral_submit
from ubpanel.demo import DEMO_PASSWORD, demo_data_load
from ubpanel.models import User

from .conftest import sign_in
from .dates import fill_date

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(transactional_db):
    demo_data_load()


def test_health_and_safety_escalate_a_report_and_assurance_triage_it(
    demo, new_page, screenshot, axe
):
    safety = new_page()
    sign_in(safety, "healthsafety", DEMO_PASSWORD)
    safety.get_by_test_id("role-navigation").get_by_role("link", name="Referrals").click()
    screenshot(safety, "index")
    safety.get_by_role("button", name="Escalate an accident/incident report").click()
    expect(safety.get_by_role("heading", level=1)).to_have_text(
        "Escalate an accident/incident report to the panel"
    )
    safety.get_by_label("Given names").fill("Robin")
    safety.get_by_label("Family name").fill("Quarry")
    fill_date(safety, "Date", date(2026, 11, 20))
    safety.get_by_label("Location").fill("Weymouth library")
    safety.get_by_label("What happened").fill("Pushed a librarian against the counter.")
    safety.get_by_label("Actual violence").check()
    safety.get_by_label("Why are you referring them?").fill("Assault on a member of staff.")
    safety.get_by_label("How many incidents have there been?").fill("1")
    safety.get_by_label("High – violence").check()
    safety.get_by_role(
        "group", name="Do you think the individual has underlying health"
    ).get_by_label("Not known").check()
    safety.get_by_role("button", name="Continue").click()

    # The report's reference is required: said beside the field; everything typed is kept.
    summary = safety.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the accident/incident report reference")
    expect(safety.get_by_label("Family name")).to_have_value("Quarry")
    expect(safety.get_by_label("What happened")).to_have_value(
        "Pushed a librarian against the counter."
    )
    axe(safety)
    screenshot(safety, "reference-missing")
    summary.get_by_role("link", name="Enter the accident/incident report reference").click()
    safety.get_by_label("Accident/incident report reference").fill("air-2026-0311")
    safety.get_by_role("button", name="Continue").click()

    expect(safety.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before sending your escalation"
    )
    expect(safety.get_by_test_id("check-report")).to_contain_text("AIR-2026-0311")
    screenshot(safety, "check-your-answers")
    safety.get_by_role("button", name="Send referral").click()
    expect(safety.locator(".govuk-notification-banner")).to_contain_text(
        "has been sent to the Assurance team"
    )
    expect(safety.get_by_test_id("health-safety-report")).to_contain_text("AIR-2026-0311")
    referral = Referral.objects.get(subject_family_name="Quarry")
    assert referral.source == ReferralSource.HEALTH_SAFETY
    assert referral.status == ReferralStatus.SUBMITTED

    assurance = new_page()
    sign_in(assurance, "assurance", DEMO_PASSWORD)
    assurance.get_by_test_id("role-navigation").get_by_role("link", name="Referrals").click()
    assurance.get_by_test_id("triage-queue").get_by_role("link", name=referral.reference).click()
    expect(assurance.get_by_test_id("health-safety-report")).to_contain_text(
        "AIR-2026-0311 (escalated by Health and Safety)"
    )
    screenshot(assurance, "triage")


def test_a_violent_referral_reaches_health_and_safety_who_link_their_report(
    demo, new_page, screenshot, live_server, settings
):
    settings.SITE_URL = live_server.url
    manager = User.objects.get(username="manager")
    referral = referral_save_draft(
        actor=manager,
        referral=None,
        fields={
            "subject_given_names": "Robin",
            "subject_family_name": "Quarry",
            "summary": "Threw a chair at the housing officer.",
            "behaviour_categories": ["actual_violence"],
            "number_of_incidents": 1,
            "suggested_tier": "high",
            "health_concerns": "not_known",
            "violence": True,
            "incident_report_reference": "AIR-2026-0400",
        },
        incidents=[
            {
                "occurred_on": date(2026, 11, 24),
                "location": "Housing office, Dorchester",
                "description": "Threw a chair at the housing officer.",
            }
        ],
    )
    referral_submit(actor=manager, referral=referral)

    safety = new_page()
    sign_in(safety, "healthsafety", DEMO_PASSWORD)
    safety.get_by_role("link", name="Your notifications").click()
    notification = safety.get_by_test_id("notifications").get_by_role(
        "link", name=f"Referral {referral.reference} records violence"
    )
    notification.click()
    expect(safety.get_by_role("heading", level=1)).to_have_text(
        f"Referral {referral.reference} records violence"
    )
    notice = safety.get_by_test_id("health-safety-notice")
    expect(notice).to_contain_text("24 November 2026")
    expect(notice).to_contain_text("AIR-2026-0400")
    expect(safety.locator("main")).not_to_contain_text("Quarry")
    expect(safety.locator("main")).not_to_contain_text("chair")
    screenshot(safety, "notice")

    safety.get_by_label("Your accident/incident report reference").fill("not known")
    safety.get_by_role("button", name="Link your report").click()
    expect(safety.locator(".govuk-error-summary")).to_contain_text(
        "Enter the accident/incident report reference as it is on the form"
    )
    expect(safety.get_by_label("Your accident/incident report reference")).to_have_value(
        "not known"
    )
    screenshot(safety, "link-error")
    safety.get_by_label("Your accident/incident report reference").fill("HS/2026/118")
    safety.get_by_role("button", name="Link your report").click()
    expect(safety.locator(".govuk-notification-banner")).to_contain_text(
        f"Accident/incident report HS/2026/118 is linked to referral {referral.reference}"
    )
    expect(safety.get_by_test_id("linked-report")).to_have_text("HS/2026/118")

    safety.get_by_test_id("role-navigation").get_by_role("link", name="Violent incidents").click()
    expect(safety.get_by_test_id("health-safety-linked")).to_contain_text(referral.reference)
    screenshot(safety, "list")
