"""Journey: a visiting officer asks for access to one address, the chair grants it, the officer
finds it in search before contact, and it disappears after its end date."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from schedule.models import AddressWarning, SingleAccessGrant
from tests.factories import PASSWORD, ServiceFactory, UserFactory
from ubpanel.roles import Role

from .conftest import sign_in
from .dates import expect_date, fill_date

pytestmark = pytest.mark.django_db(transaction=True)
GUIDANCE = "Visit in pairs. Do not go inside."


def search(page, text):
    page.goto("/schedule/")
    box = page.get_by_label("Name, address, postcode, email or phone number")
    box.fill(text)
    box.press("Enter")


def test_a_visiting_officer_gets_one_address_until_a_date(transactional_db, new_page, screenshot):
    today = timezone.localdate()
    ends = today + timedelta(days=2)
    UserFactory(username="chair", roles=[Role.PANEL_CHAIR])
    UserFactory(username="visitor", roles=[Role.FRONTLINE], service=ServiceFactory(name="Repairs"))
    AddressWarning.objects.create(
        address="14 Mill Lane\nBridport",
        postcode="DT6 3AB",
        postcode_normalised="DT63AB",
        tier="high",
        guidance=GUIDANCE,
    )

    officer = new_page()
    sign_in(officer, "visitor", PASSWORD)
    search(officer, "DT6 3AB")
    expect(officer.get_by_test_id("no-match")).to_be_visible()
    officer.get_by_role("link", name="request access to one person or address").click()

    officer.get_by_label("Only me").check()
    officer.get_by_label("One address").check()
    officer.get_by_label("The person, or the address").fill("14 Mill Lane, Bridport")
    officer.get_by_label("Postcode").fill("dt6 3ab")
    fill_date(officer, "Access ends on", ends)
    officer.get_by_role("button", name="Send the request").click()
    # Forgot the rationale: named beside the field, and nothing typed is lost.
    expect(officer.locator("#id_rationale-error")).to_contain_text("Give the risk-based rationale")
    expect(officer.get_by_label("Postcode")).to_have_value("dt6 3ab")
    expect_date(officer, "Access ends on", ends)
    screenshot(officer, "request-with-error")
    officer.get_by_label("Why is the access needed?").fill("Boiler repair visit on Thursday.")
    officer.get_by_role("button", name="Send the request").click()
    expect(officer.locator(".govuk-notification-banner")).to_contain_text("sent to the panel")
    expect(officer.get_by_test_id("own-requests")).to_contain_text("Requested")
    screenshot(officer, "requested")

    chair = new_page()
    sign_in(chair, "chair", PASSWORD)
    chair.get_by_role("link", name="Access register").first.click()
    waiting = chair.get_by_test_id("grants-single-waiting")
    expect(waiting).to_contain_text("14 Mill Lane, Bridport")
    screenshot(chair, "register-waiting")
    waiting.get_by_role("link", name="Decide access to one record for").click()
    expect(chair.get_by_test_id("rationale")).to_contain_text("Boiler repair visit")
    chair.get_by_role("button", name="Approve the access").click()
    expect(chair.locator("#id_approve-record-error")).to_contain_text("Choose the record")
    chair.get_by_label("14 Mill Lane, Bridport, DT6 3AB (High – violence)").check()
    screenshot(chair, "decide")
    chair.get_by_role("button", name="Approve the access").click()
    expect(chair.locator(".govuk-notification-banner")).to_contain_text("approved until")
    expect(chair.get_by_test_id("grants-single-current")).to_contain_text("Ends on")
    screenshot(chair, "register-granted")

    search(officer, "DT6 3AB")
    expect(officer.get_by_test_id("result")).to_contain_text(GUIDANCE)
    screenshot(officer, "found")

    # The day after the end date, the address is gone from the officer's search.
    with time_machine.travel(datetime.combine(ends + timedelta(days=1), time(9)), tick=True):
        later = new_page()
        sign_in(later, "visitor", PASSWORD)
        search(later, "DT6 3AB")
        expect(later.get_by_test_id("no-match")).to_be_visible()
        later.goto("/schedule/access/one/request/")
        expect(later.get_by_test_id("own-requests")).to_contain_text("Ended")
        screenshot(later, "ended")
    assert SingleAccessGrant.objects.get().status == "approved"  # ended by date; the job tidies
