"""Journey: the data protection officer opens the retention schedule, finds a person whose records
are due within the month, places a legal hold on them (a reason is needed), sees it stand on the
person's page and the schedule, and lifts it again with a reason."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from referrals.statuses import ReferralStatus
from rights.models import LegalHold
from tests.factories import PASSWORD, UserFactory
from tests.factories_retention import at, person_with_details, referral_for
from ubpanel.roles import Role

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_data_protection_officer_holds_a_person_due_soon_then_lifts_the_hold(
    transactional_db, page, screenshot, axe
):
    UserFactory(
        username="dpo", first_name="Dana", last_name="Protector", roles=[Role.DATA_PROTECTION]
    )
    # Closed without inclusion two years ago, less ten days: due in ten days.
    ended = timezone.now() - datetime.timedelta(days=2 * 365 - 10)
    with at(ended):
        person = person_with_details("Cora", "Soonfield")
    referral_for(person, status=ReferralStatus.CLOSED, ended_at=ended)
    due_on = timezone.localdate(ended) + datetime.timedelta(days=2 * 365)

    sign_in(page, "dpo", PASSWORD)
    page.get_by_role("link", name="Retention schedule").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Retention schedule")
    row = page.get_by_test_id(f"due-closed-{person.pk}")
    expect(row).to_contain_text("Cora Soonfield")
    expect(row).to_contain_text(f"{due_on:%-d %b %Y}")
    expect(row).to_contain_text("Referral closed without inclusion")
    expect(page.get_by_test_id("no-holds")).to_be_visible()
    axe(page)
    screenshot(page, "schedule")

    row.get_by_role("link", name="Cora Soonfield", exact=True).click()
    rights = page.get_by_test_id("retention")
    expect(rights).to_contain_text(f"anonymises these records on {due_on:%-d %B %Y}")
    axe(page)
    rights.get_by_role("link", name="Place a legal hold").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Place a legal hold")
    axe(page)
    page.get_by_role("button", name="Place the legal hold").click()
    expect(page.locator("#id_reason-error")).to_contain_text("Say why the records must be kept")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why the records must be kept")
    axe(page)
    screenshot(page, "hold-with-error")
    page.get_by_label("Why the person's records must be kept").fill(
        "A complaint to the Ombudsman about the referral is under investigation."
    )
    page.get_by_role("button", name="Place the legal hold").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text("Legal hold placed")
    holds = page.get_by_test_id("holds")
    expect(holds).to_contain_text("Cora Soonfield")
    expect(holds).to_contain_text("complaint to the Ombudsman")
    expect(holds).to_contain_text("Dana Protector")
    expect(page.get_by_test_id(f"due-closed-{person.pk}")).to_have_count(0)
    axe(page)
    screenshot(page, "schedule-with-hold")

    holds.get_by_role("link", name="Cora Soonfield", exact=True).click()
    expect(page.get_by_test_id("retention")).to_contain_text("A legal hold has stood since")
    axe(page)
    screenshot(page, "person-with-hold")
    page.get_by_test_id("retention").get_by_role("link", name="Lift the legal hold").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Lift the legal hold")
    axe(page)
    page.get_by_role("button", name="Lift the legal hold").click()
    expect(page.locator("#id_reason-error")).to_contain_text("Say why the hold is lifted")
    page.get_by_label("Why the hold is lifted").fill("The Ombudsman closed the complaint.")
    screenshot(page, "lift")
    page.get_by_role("button", name="Lift the legal hold").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text("lifted")
    expect(page.get_by_test_id("no-holds")).to_be_visible()
    expect(page.get_by_test_id(f"due-closed-{person.pk}")).to_contain_text("Cora Soonfield")
    axe(page)
    screenshot(page, "schedule-after")
    hold = LegalHold.objects.get(person=person)
    assert hold.lifted_at is not None
    assert hold.lift_reason == "The Ombudsman closed the complaint."
    assert [e for e in page.console_errors if "status of 400" not in e] == []
