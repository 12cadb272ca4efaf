"""Journey: each demo role signs in and sees its own navigation; a wrong role meets a 404 that the
auditor then finds in the audit trail."""

import pytest
from playwright.sync_api import expect

from referrals.models import Person
from ubpanel.demo import DEMO_PASSWORD, DEMO_USERS, demo_data_load
from ubpanel.models import User
from ubpanel.navigation import sections_for

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(transactional_db):
    demo_data_load()


def test_each_demo_role_signs_in_and_sees_its_own_navigation(demo, new_page, screenshot):
    for username, role, *_ in DEMO_USERS:
        page = new_page()
        sign_in(page, username, DEMO_PASSWORD)

        expect(page.get_by_test_id("signed-in-user")).to_be_visible()
        expected = [s["label"] for s in sections_for(User.objects.get(username=username))]
        navigation = page.get_by_test_id("role-navigation").get_by_role("link")
        expect(navigation).to_have_text(expected)
        expect(page.get_by_role("heading", level=1)).to_have_text("Unreasonable Behaviours Panel")
        assert role.label in page.locator("main").inner_text()
        screenshot(page, f"home-{username}")
        assert page.console_errors == [], page.console_errors

        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_a_wrong_password_keeps_the_username_and_explains_the_problem(demo, page, screenshot):
    sign_in(page, "chair", "not-the-password")

    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter a correct username and password"
    )
    expect(page.get_by_label("Username")).to_have_value("chair")
    screenshot(page, "wrong-password")


def test_a_wrong_role_gets_404_and_the_auditor_sees_the_refusal(demo, new_page, screenshot):
    person = Person.objects.order_by("pk").first()
    frontline = new_page()
    sign_in(frontline, "frontline", DEMO_PASSWORD)

    response = frontline.goto(f"/referrals/people/{person.pk}/")

    assert response.status == 404
    expect(frontline.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert person.family_name not in frontline.content()
    screenshot(frontline, "frontline-404")

    auditor = new_page()
    sign_in(auditor, "auditor", DEMO_PASSWORD)
    auditor.get_by_test_id("role-navigation").get_by_role("link", name="Audit trail").click()
    auditor.get_by_label("Who did it").fill("frontline")
    auditor.get_by_label("Action").select_option("denied")
    auditor.get_by_role("button", name="Filter").click()

    rows = auditor.get_by_test_id("audit-entries").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(User.objects.get(username="frontline").get_full_name())
    expect(rows.first).to_contain_text("Refused (no access)")
    expect(rows.first).to_contain_text(f"Person {person.pk}")
    screenshot(auditor, "auditor-sees-denial")
