"""Journey: the Assurance team records the individual's written appeal from the entry's page, and the
Monitoring Officer finds it in their list and dismisses it; the entry is active again."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from schedule.models import Appeal
from tests.factories import PASSWORD, ActiveEntryFactory, UserFactory
from ubpanel.entry_status import EntryStatus
from ubpanel.roles import Role

from .conftest import sign_in
from .dates import expect_date, fill_date

pytestmark = pytest.mark.django_db(transaction=True)
STATEMENT = "I was only asking about my housing repair. I was never abusive."


def test_assurance_records_an_appeal_and_the_monitoring_officer_dismisses_it(
    transactional_db, new_page, screenshot
):
    UserFactory(username="assurance", roles=[Role.ASSURANCE_OFFICER])
    UserFactory(username="monitoring", roles=[Role.MONITORING_OFFICER])
    today = date.today()
    entry = ActiveEntryFactory(
        person__given_names="Nicole",
        person__family_name="Singh",
        notified_on=today - timedelta(days=10),
    )
    received = today - timedelta(days=2)

    assurance = new_page()
    sign_in(assurance, "assurance", PASSWORD)
    assurance.goto(f"/schedule/entries/{entry.pk}/")
    expect(assurance.get_by_test_id("entry-appeals")).to_contain_text("No appeals")
    assurance.get_by_role("button", name="Record an appeal").click()
    expect(assurance.get_by_test_id("deadline")).to_contain_text("28 working days")
    fill_date(assurance, "When did the written request arrive?", received)
    assurance.get_by_label("What does the individual say?").fill(STATEMENT)
    assurance.get_by_role("button", name="Record the appeal").click()

    # Forgot the grounds: the error is beside the field, and what was typed is still there.
    expect(assurance.locator("#id_grounds-error")).to_contain_text("Choose the grounds")
    expect(assurance.get_by_label("What does the individual say?")).to_have_value(STATEMENT)
    expect_date(assurance, "When did the written request arrive?", received)
    screenshot(assurance, "record-with-error")
    assurance.get_by_label("The decision was unreasonable").check()
    assurance.get_by_role("button", name="Record the appeal").click()

    expect(assurance.get_by_test_id("appeal-status")).to_have_text("Waiting for a decision")
    expect(assurance.get_by_test_id("statement")).to_contain_text(STATEMENT)
    expect(assurance.get_by_test_id("status")).to_have_text("Under appeal")
    screenshot(assurance, "recorded")

    monitoring = new_page()
    sign_in(monitoring, "monitoring", PASSWORD)
    monitoring.get_by_role("link", name="Appeals").first.click()
    expect(monitoring.get_by_test_id("appeals")).to_contain_text("Nicole Singh")
    screenshot(monitoring, "list")
    monitoring.get_by_role("link", name="Nicole Singh").click()
    monitoring.get_by_label("Dismissed").check()
    monitoring.get_by_role("button", name="Record the decision").click()

    # No reasons yet: the error is beside the field, and the outcome chosen is kept.
    expect(monitoring.locator("#id_reason-error")).to_contain_text("Give the reasons")
    expect(monitoring.get_by_label("Dismissed")).to_be_checked()
    screenshot(monitoring, "decide-with-error")
    monitoring.get_by_label("Your reasons").fill("The panel followed the protocol.")
    monitoring.get_by_role("button", name="Record the decision").click()

    expect(monitoring.get_by_test_id("appeal-status")).to_have_text("Dismissed")
    expect(monitoring.get_by_test_id("reason")).to_contain_text("The panel followed the protocol.")
    expect(monitoring.get_by_test_id("status")).to_have_text("Active")
    screenshot(monitoring, "dismissed")

    entry.refresh_from_db()
    assert entry.status == EntryStatus.ACTIVE
    assert Appeal.objects.get().outcome == "dismissed"
    # The form shown again with its errors answers 400; nothing else may fail.
    for page in (assurance, monitoring):
        assert [e for e in page.console_errors if "status of 400" not in e] == []
