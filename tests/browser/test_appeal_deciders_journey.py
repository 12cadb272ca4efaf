"""Journeys: the Monitoring Officer nominates a legal services representative, who finds the appeal
marked as theirs and upholds it; the Deputy Monitoring Officer dismisses another. Each is recorded
in the capacity they decided in."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from schedule.models import AppealDecider
from tests.factories import PASSWORD, AppealFactory, UserFactory
from ubpanel.entry_status import EntryStatus
from ubpanel.roles import Role

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _appeal(given, family):
    return AppealFactory(
        entry__person__given_names=given,
        entry__person__family_name=family,
        entry__notified_on=date.today() - timedelta(days=10),
        received_on=date.today() - timedelta(days=2),
    )


def test_the_monitoring_officer_nominates_a_representative_who_upholds_the_appeal(
    transactional_db, new_page, screenshot, axe
):
    UserFactory(username="monitoring", roles=[Role.MONITORING_OFFICER])
    UserFactory(username="lee", first_name="Lee", last_name="Carver", roles=[Role.LEGAL_SERVICES])
    appeal = _appeal("Nicole", "Singh")
    other = _appeal("Omar", "Price")

    monitoring = new_page()
    sign_in(monitoring, "monitoring", PASSWORD)
    monitoring.goto(f"/schedule/appeals/{appeal.pk}/")
    expect(monitoring.get_by_test_id("deciders")).to_have_text(
        "the Monitoring Officer or their Deputy"
    )
    monitoring.get_by_role("button", name="Nominate the representative").click()

    # Nobody chosen: the error is beside the field, on the nomination page.
    expect(monitoring.locator("#id_representative-error")).to_contain_text(
        "Choose who in Legal Services"
    )
    screenshot(monitoring, "nominate-with-error")
    axe(monitoring)
    monitoring.get_by_label("Who in Legal Services decides this appeal?").select_option(
        label="Lee Carver"
    )
    monitoring.get_by_role("button", name="Nominate the representative").click()
    expect(monitoring.get_by_test_id("deciders")).to_contain_text("Lee Carver (Legal Services")
    screenshot(monitoring, "nominated")

    lee = new_page()
    sign_in(lee, "lee", PASSWORD)
    lee.get_by_role("link", name="Appeals").first.click()
    row = lee.get_by_test_id("appeal-row").filter(has_text="Nicole Singh")
    expect(row.get_by_test_id("appeal-yours")).to_have_text("Yours to decide")
    expect(
        lee.get_by_test_id("appeal-row")
        .filter(has_text="Omar Price")
        .get_by_test_id("appeal-yours")
    ).to_have_count(0)
    screenshot(lee, "list")
    lee.get_by_role("link", name="Nicole Singh").click()
    lee.get_by_label("Upheld").check()
    lee.get_by_label("Your reasons").fill("The panel did not consider the new evidence.")
    lee.get_by_role("button", name="Record the decision").click()

    expect(lee.get_by_test_id("appeal-status")).to_have_text("Upheld")
    expect(lee.get_by_test_id("decided-by")).to_contain_text(
        "by Lee Carver as the Monitoring Officer's nominated legal representative"
    )
    screenshot(lee, "upheld")
    axe(lee)

    # The other appeal is not theirs: they read it, and are not offered the decision.
    lee.goto(f"/schedule/appeals/{other.pk}/")
    expect(lee.get_by_test_id("waiting")).to_be_visible()
    expect(lee.get_by_label("Your reasons")).to_have_count(0)

    appeal.refresh_from_db()
    appeal.entry.refresh_from_db()
    assert appeal.decided_as == AppealDecider.LEGAL_REPRESENTATIVE
    assert appeal.entry.status == EntryStatus.REMOVED
    for page in (monitoring, lee):
        assert [e for e in page.console_errors if "status of 400" not in e] == []


def test_the_deputy_monitoring_officer_dismisses_an_appeal(transactional_db, new_page, screenshot):
    UserFactory(
        username="deputy",
        first_name="Dee",
        last_name="Puty",
        roles=[Role.DEPUTY_MONITORING_OFFICER],
    )
    appeal = _appeal("Nicole", "Singh")

    deputy = new_page()
    sign_in(deputy, "deputy", PASSWORD)
    deputy.get_by_role("link", name="Appeals").first.click()
    deputy.get_by_role("link", name="Nicole Singh").click()
    deputy.get_by_label("Dismissed").check()
    deputy.get_by_label("Your reasons").fill("The panel followed the protocol.")
    deputy.get_by_role("button", name="Record the decision").click()

    expect(deputy.get_by_test_id("decided-by")).to_contain_text(
        "by Dee Puty as the Deputy Monitoring Officer"
    )
    expect(deputy.get_by_test_id("status")).to_have_text("Active")
    deputy.get_by_role("link", name=appeal.entry.reference).click()
    expect(deputy.get_by_test_id("history")).to_contain_text(
        "decided by Dee Puty as the Deputy Monitoring Officer"
    )
    screenshot(deputy, "dismissed")

    appeal.refresh_from_db()
    assert appeal.decided_as == AppealDecider.DEPUTY
    assert deputy.console_errors == []
