"""Journey: staff search the schedule before contact, results appearing as they type."""

import re

import pytest
from playwright.sync_api import expect

from schedule.models import ContactCheck
from tests.factories import (
    PASSWORD,
    AccessGrantFactory,
    ActiveEntryFactory,
    PersonFactory,
    ServiceFactory,
    UserFactory,
)
from ubpanel.roles import Role

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)
NARRATIVE = "Threatened a housing officer with a knife at the front door."


@pytest.fixture
def register(transactional_db):
    high = ActiveEntryFactory(
        person=PersonFactory(given_names="Zoë", family_name="Whitlock-Jones"), tier="high"
    )
    low = ActiveEntryFactory(
        person=PersonFactory(given_names="Gary", family_name="Lowe"), tier="low"
    )
    return {"high": high, "low": low}


def test_a_frontline_officer_finds_a_misspelt_name_as_they_type(register, page, screenshot):
    officer = UserFactory(username="officer", roles=[Role.FRONTLINE])
    AccessGrantFactory(service=officer.service)
    sign_in(page, "officer", PASSWORD)
    page.goto("/schedule/")

    page.get_by_label("Name, address, postcode, email or phone number").press_sequentially(
        "zoe whitlok jones", delay=20
    )

    result = page.get_by_test_id("result")
    expect(result).to_contain_text("Zoë Whitlock-Jones")
    expect(result.get_by_test_id("tier")).to_have_text("High – violence")
    expect(result.get_by_test_id("how-to-respond")).to_contain_text("Do not visit alone.")
    expect(page.get_by_test_id("search-results")).not_to_contain_text(NARRATIVE)
    assert "zoe" not in page.url
    screenshot(page, "results")

    result.get_by_role("button", name="Checked before visit").click()
    expect(page.get_by_test_id("contact-checked")).to_contain_text("Checked before visit")
    assert ContactCheck.objects.get().entry == register["high"]
    screenshot(page, "checked")
    assert page.console_errors == []


def _results(page) -> str:
    """The results region as rendered, without htmx's passing classes (htmx-added, -settling)."""
    html = page.get_by_test_id("search-results").inner_html()
    return re.sub(r" ?htmx-[a-z]+", "", html)


def test_a_visiting_service_cannot_find_a_low_tier_entry(register, new_page, screenshot):
    visiting = ServiceFactory(name="Environmental Health")
    UserFactory(username="visitor", roles=[Role.FRONTLINE], service=visiting)
    AccessGrantFactory(service=visiting, low=False, medium=True, high=True)
    page = new_page()
    sign_in(page, "visitor", PASSWORD)
    page.goto("/schedule/")
    box = page.get_by_label("Name, address, postcode, email or phone number")

    box.press_sequentially("Gary Lowe", delay=20)
    expect(page.get_by_test_id("no-match")).to_be_visible()
    page.wait_for_load_state("networkidle")
    hidden = _results(page)
    screenshot(page, "hidden-entry")

    box.fill("")
    box.press_sequentially("Nobody Atall", delay=20)
    expect(page.get_by_test_id("no-match")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert _results(page) == hidden

    # Without live search (Enter submits the form): the same answer.
    box.fill("Gary Lowe")
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    expect(page.get_by_test_id("no-match")).to_be_visible()
    assert _results(page) == hidden
    assert "Gary" not in page.url
    screenshot(page, "no-match")
