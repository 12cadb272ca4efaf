"""Journey: staff search the schedule before contact, results appearing as they type."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from referrals.models import PersonAddress
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


def test_namesakes_are_told_apart_by_date_of_birth_and_a_bad_date_is_refused(
    transactional_db, page, screenshot, axe
):
    for born, postcode in [
        ("1961-05-05", "DT1 1AA"),
        ("1975-03-12", "DT4 7AA"),
        ("1980-01-01", "DT2 2AB"),
    ]:
        person = PersonFactory(
            given_names="John",
            family_name="Smith",
            date_of_birth=datetime.date.fromisoformat(born),
        )
        PersonAddress.objects.create(
            person=person,
            address="1 Any Road",
            postcode=postcode,
            postcode_normalised=postcode.replace(" ", ""),
        )
        ActiveEntryFactory(person=person, tier="medium")
    officer = UserFactory(username="officer", roles=[Role.FRONTLINE])
    AccessGrantFactory(service=officer.service)
    sign_in(page, "officer", PASSWORD)
    page.goto("/schedule/")
    box = page.get_by_label("Name, address, postcode, email or phone number")

    box.press_sequentially("john smith 12/03/1975", delay=20)

    first = page.get_by_test_id("result").first
    expect(first).to_contain_text("born 1975")
    expect(first).to_contain_text("DT4")
    expect(first).to_contain_text("Same date of birth")
    expect(page.get_by_test_id("result")).to_have_count(3)
    screenshot(page, "namesakes")
    axe(page)

    box.fill("john smith 31/02/1975")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".govuk-error-message").first).to_contain_text(
        "The date of birth in your search, 31/02/1975, must be a real date"
    )
    expect(page.get_by_label("Name, address, postcode, email or phone number")).to_have_value(
        "john smith 31/02/1975"
    )
    axe(page)
    assert page.console_errors == []
