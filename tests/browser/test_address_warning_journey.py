"""Journey: the chair puts a warning on an address, a frontline officer searching the postcode sees
it, and it stops showing once the chair ends it."""

import pytest
from playwright.sync_api import expect

from schedule.models import AddressWarning
from tests.factories import PASSWORD, AccessGrantFactory, UserFactory
from ubpanel.roles import Role

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)
GUIDANCE = "Visit in pairs. A large dog is kept loose in the garden."


def search_postcode(page, postcode):
    page.goto("/schedule/")
    page.get_by_label("Name, address, postcode, email or phone number").press_sequentially(
        postcode, delay=20
    )


def test_the_chair_warns_about_an_address_and_frontline_staff_see_it(
    transactional_db, new_page, screenshot
):
    UserFactory(username="chair", roles=[Role.PANEL_CHAIR])
    officer = UserFactory(username="officer", roles=[Role.FRONTLINE])
    AccessGrantFactory(service=officer.service, low=False)

    chair = new_page()
    sign_in(chair, "chair", PASSWORD)
    chair.get_by_role("link", name="Address warnings").first.click()
    expect(chair.get_by_role("heading", name="Address warnings")).to_be_visible()
    chair.get_by_role("button", name="Add an address warning").click()
    chair.get_by_label("Address", exact=True).fill("Flat 2, 9 High East Street\nDorchester")
    chair.get_by_label("Postcode").fill("dt1 1ha")
    chair.get_by_label("Medium – threatening behaviour").check()
    chair.get_by_role("button", name="Add the warning").click()

    # Forgot the guidance: the error is beside the field, and the rest is still there.
    expect(chair.locator("#id_guidance-error")).to_contain_text("Say what staff should do")
    expect(chair.get_by_label("Postcode")).to_have_value("dt1 1ha")
    expect(chair.get_by_label("Medium – threatening behaviour")).to_be_checked()
    screenshot(chair, "add-with-error")
    chair.get_by_label("What staff should do").fill(GUIDANCE)
    chair.get_by_role("button", name="Add the warning").click()

    expect(chair.get_by_test_id("guidance")).to_contain_text(GUIDANCE)
    expect(chair.get_by_test_id("warning-status")).to_have_text("Live")
    screenshot(chair, "detail")
    chair.get_by_role("button", name="Change the tier or guidance").click()
    chair.get_by_label("High – violence").check()
    screenshot(chair, "edit")
    chair.get_by_role("button", name="Save the changes").click()
    expect(chair.get_by_test_id("tier")).to_have_text("High – violence")
    chair.get_by_role("link", name="Address warnings").first.click()
    expect(chair.get_by_test_id("address-warnings")).to_contain_text("DT1 1HA")
    screenshot(chair, "list")

    frontline = new_page()
    sign_in(frontline, "officer", PASSWORD)
    search_postcode(frontline, "DT1 1HA")
    result = frontline.get_by_test_id("result")
    expect(result).to_contain_text("Address warning: Flat 2, 9 High East Street")
    expect(result).to_contain_text(GUIDANCE)
    expect(result.get_by_test_id("tier")).to_have_text("High – violence")
    screenshot(frontline, "frontline-search")

    warning = AddressWarning.objects.get()
    chair.goto(f"/schedule/address-warnings/{warning.pk}/")
    chair.get_by_role("button", name="End the warning").click()
    chair.get_by_label("Why is the warning ending?").fill("The tenant moved away.")
    screenshot(chair, "end")
    chair.get_by_role("button", name="End the warning").click()
    expect(chair.get_by_test_id("ending")).to_contain_text("The tenant moved away.")
    screenshot(chair, "ended")

    search_postcode(frontline, "DT1 1HA")
    expect(frontline.get_by_test_id("no-match")).to_be_visible()
    # The form shown again with its errors answers 400; nothing else may fail.
    assert [e for e in chair.console_errors if "status of 400" not in e] == []
    assert frontline.console_errors == []
