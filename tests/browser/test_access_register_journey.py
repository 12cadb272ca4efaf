"""Journey: the chair keeps the access register - re-certifies lapsed access, revokes access the
panel withdrew - and staff cannot ask twice for the same access."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from schedule.models import AccessGrant
from tests.factories import PASSWORD, AccessGrantFactory, ServiceFactory, UserFactory
from ubpanel.roles import Role

from .conftest import sign_in
from .dates import fill_date

pytestmark = pytest.mark.django_db(transaction=True)
TODAY = timezone.localdate()


def test_the_chair_re_certifies_lapsed_access_and_revokes_another(
    transactional_db, page, screenshot
):
    UserFactory(username="chair", roles=[Role.PANEL_CHAIR])
    lapsed = AccessGrantFactory(
        service=ServiceFactory(name="Libraries"),
        low=False,
        rationale="Library staff meet the public alone in branch libraries.",
        recertify_by=TODAY - timedelta(days=2),
    )
    AccessGrantFactory(
        service=ServiceFactory(name="Waste"),
        rationale="Crews collect from customers' homes.",
        recertify_by=TODAY + timedelta(days=12),
    )
    sign_in(page, "chair", PASSWORD)
    page.get_by_role("link", name="Access register").first.click()

    overdue = page.get_by_test_id("grants-lapsed")
    expect(overdue).to_contain_text("Libraries")
    expect(overdue.get_by_test_id("recertify-overdue")).to_have_text("Re-certification overdue")
    expect(page.get_by_test_id("recertify-soon")).to_have_text("Re-certify soon")
    screenshot(page, "register")

    overdue.get_by_role("link", name="Re-certify access for Libraries").click()
    fill_date(page, "Re-certify by", TODAY + timedelta(days=365))
    page.get_by_role("button", name="Re-certify the access").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("re-certified until")
    expect(page.get_by_test_id("grants-lapsed")).to_have_count(0)
    lapsed.refresh_from_db()
    assert lapsed.recertify_by == TODAY + timedelta(days=365)

    page.get_by_role("link", name="Revoke access for Waste").click()
    page.get_by_role("button", name="Revoke the access").click()
    expect(page.locator("#id_reason-error")).to_contain_text("Say why the panel revoked")
    screenshot(page, "revoke-with-error")
    page.get_by_label("Why the panel revoked it").fill("Collections are now contracted out.")
    screenshot(page, "revoke")
    page.get_by_role("button", name="Revoke the access").click()

    expect(page.get_by_test_id("grants-past")).to_contain_text(
        "Collections are now contracted out."
    )
    assert AccessGrant.objects.get(service__name="Waste").status == "revoked"
    screenshot(page, "register-after")
    assert [e for e in page.console_errors if "status of 400" not in e] == []


def test_staff_cannot_ask_again_while_a_request_waits(transactional_db, page, screenshot):
    officer = UserFactory(username="officer", roles=[Role.FRONTLINE])
    AccessGrantFactory(service=officer.service, status="requested", recertify_by=None)
    sign_in(page, "officer", PASSWORD)
    page.goto("/schedule/access/request/")

    page.get_by_label(f"My service: {officer.service}").check()
    page.get_by_label("High – violence").check()
    page.get_by_label("Why is the access needed?").fill("Tenancy visits to known addresses.")
    page.get_by_role("button", name="Send the request").click()

    expect(page.locator("#id_grantee-error")).to_contain_text("waiting for the panel")
    expect(page.get_by_label("Why is the access needed?")).to_have_value(
        "Tenancy visits to known addresses."
    )
    expect(page.get_by_label("High – violence")).to_be_checked()
    screenshot(page, "already-requested")
    assert AccessGrant.objects.count() == 1
    assert [e for e in page.console_errors if "status of 400" not in e] == []
