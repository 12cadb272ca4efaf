"""Journey: the panel chair signs in with a password, is made to set up an authenticator app (scanning
is replaced by typing the key the page shows), keeps the backup codes, signs out, and signs in again
with a code from the app, then with a backup code."""

import base64
import re

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from ubpanel.roles import Role

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def chair(settings, make_user, password):
    settings.MFA_REQUIRED_ROLES = list(settings.MFA_PRIVILEGED_ROLES)
    return make_user(Role.PANEL_CHAIR, username="chair")


def app_code(secret: str, later: int = 0) -> str:
    """What the authenticator app shows (``later=1``: its next code, which the server also takes)."""
    return f"{totp(base64.b32decode(secret.replace(' ', '')), drift=later):06d}"


def test_the_chair_enrols_in_mfa_and_signs_in_again_with_a_code(
    chair, password, new_page, axe, screenshot
):
    page = new_page()
    sign_in(page, "chair", password)

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
    expect(page.get_by_test_id("mfa-qr-code")).to_be_visible()
    assert page.get_by_test_id("mfa-qr-code").evaluate("img => img.naturalWidth") > 0
    # Nothing else opens until the app is set up.
    page.goto("/schedule/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
    axe(page)
    screenshot(page, "enrol")
    page.get_by_text("I cannot scan the QR code").click()
    secret = page.get_by_test_id("mfa-secret").inner_text()

    page.get_by_label("Code").fill("12345")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the 6-digit code")
    expect(page.get_by_label("Code")).to_have_value("12345")
    axe(page)
    screenshot(page, "enrol-error")

    page.get_by_label("Code").fill(app_code(secret))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Backup codes")
    codes = re.findall(r"[a-z2-7]{8}", page.get_by_test_id("mfa-backup-codes").inner_text())
    assert len(codes) == 10
    axe(page)
    screenshot(page, "backup-codes")
    page.get_by_role("link", name="I have kept my codes, continue").click()
    expect(page).to_have_url(re.compile(r"/schedule/$"))  # where the chair was going
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "chair", password)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    axe(page)
    screenshot(page, "verify")
    page.get_by_label("Code").fill(app_code(secret, later=1))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Unreasonable Behaviours Panel")
    page.goto("/accounts/mfa/")
    expect(page.get_by_test_id("mfa-status")).to_contain_text("Required for your role")
    axe(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "chair", password)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("You used a backup code. You have 9 left.")).to_be_visible()
    # The one the browser logs for the refused code's page (400), and nothing else.
    assert [e for e in page.console_errors if "status of 400" not in e] == [], page.console_errors
