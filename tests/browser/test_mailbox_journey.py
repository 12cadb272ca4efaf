"""Journey: an email to the spocassurance mailbox is imported and triaged by Assurance."""

from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from referrals.models import InboundEmail, ReferralStatus
from ubpanel.demo import DEMO_PASSWORD, demo_data_load

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)
MAIL = Path(__file__).resolve().parents[1] / "fixtures" / "mail"


def test_assurance_triages_an_imported_email(transactional_db, new_page, screenshot):
    demo_data_load()
    call_command(
        "import_mail", str(MAIL / "multipart_alternative_pdf.eml"), str(MAIL / "malformed.eml")
    )
    inbound = InboundEmail.objects.get(status="imported")
    referral = inbound.referral

    page = new_page()
    sign_in(page, "assurance", DEMO_PASSWORD)
    page.get_by_test_id("role-navigation").get_by_role("link", name="Referrals").click()
    expect(page.get_by_test_id("failed-emails")).to_have_count(1)
    page.get_by_test_id("triage-queue").get_by_role("link", name=referral.reference).click()

    expect(page.get_by_test_id("email-body")).to_contain_text(inbound.body.split()[0])
    expect(page.get_by_test_id("evidence-list")).to_be_visible()
    screenshot(page, "mailbox-draft")
    # The email names the individual only in its text: Assurance records who it is about.
    page.get_by_test_id("subject-form").get_by_label("Given names").fill("Gareth")
    page.get_by_test_id("subject-form").get_by_label("Family name").fill("Pryce")
    page.get_by_role("button", name="Save details").click()
    page.get_by_test_id("matches").get_by_role("button", name="Record as a new person").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("linked to Gareth Pryce")
    page.locator("summary", has_text="Recommend a letter instead").click()
    page.get_by_label("Why a letter of expected behaviour is enough").fill(
        "A first contact about tone: the service should write setting out expected behaviour."
    )
    page.get_by_role("button", name="Recommend a letter instead").click()
    expect(page.get_by_test_id("status")).to_have_text("Letter of expected behaviour recommended")
    screenshot(page, "letter-recommended")

    page.get_by_role("link", name="Referrals to triage").click()
    page.get_by_test_id("failed-emails").get_by_role("link").first.click()
    expect(page.get_by_test_id("failure-reason")).not_to_be_empty()
    screenshot(page, "failed-email")

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.LETTER_RECOMMENDED
    assert referral.person is not None
