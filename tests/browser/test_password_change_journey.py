"""Journey: a local account changes its own password from the link in the header."""

import pytest
from playwright.sync_api import expect

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "a-new-and-longer-passphrase-2026"


def test_a_local_user_changes_their_password_from_the_header(
    make_user, password, page, axe, screenshot
):
    make_user(username="pat", first_name="Pat", last_name="Okafor")
    sign_in(page, "pat", password)

    page.get_by_role("link", name="Change password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    axe(page)
    page.get_by_label("Current password").fill("not-my-password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Your current password is not right"
    )
    axe(page)
    screenshot(page, "wrong-current-password")

    page.get_by_label("Current password").fill(password)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your password has been changed."
    )
    screenshot(page, "changed")
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "pat", NEW_PASSWORD)
    expect(page.get_by_test_id("signed-in-user")).to_have_text("Pat Okafor")
    # The one refused form answered 400, which the browser reports; nothing else went wrong.
    assert [error for error in page.console_errors if "(Bad Request)" not in error] == []
