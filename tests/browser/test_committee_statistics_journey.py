"""Journey (issue 17): the chair opens the committee statistics for a period, reads a chart beside
its table, downloads a table as CSV and makes the committee report's PDF."""

import csv
import io
import subprocess
from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import expect

from referrals.models import Referral
from tests.factories import PASSWORD, ServiceFactory, UserFactory
from ubpanel.roles import Role

from .conftest import sign_in
from .dates import fill_date

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_chair_reads_the_statistics_and_downloads_a_table_and_the_report(
    transactional_db, page, screenshot, axe, tmp_path, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    UserFactory(username="chair", roles=[Role.PANEL_CHAIR])
    housing, libraries = ServiceFactory(name="Housing"), ServiceFactory(name="Libraries")
    for service, count in ((housing, 5), (libraries, 2)):
        Referral.objects.bulk_create(
            Referral(
                status="submitted",
                service=service,
                subject_family_name="Quartermain",
                submitted_at=datetime(2026, 3, 1, 12, tzinfo=UTC),
                behaviour_categories=["abusive"],
            )
            for _ in range(count)
        )

    sign_in(page, "chair", PASSWORD)
    page.get_by_role("link", name="Committee statistics").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Committee statistics")

    # A period that ends before it starts is named beside the field; the dates typed are kept.
    fill_date(page, "From", date(2026, 7, 1))
    fill_date(page, "To", date(2026, 1, 1))
    page.get_by_role("button", name="Show the figures").click()
    expect(
        page.get_by_text("The period must end on or after the day it starts").first
    ).to_be_visible()
    axe(page)
    fill_date(page, "To", date(2026, 6, 30))
    fill_date(page, "From", date(2026, 1, 1))
    page.get_by_role("button", name="Show the figures").click()
    expect(page.get_by_role("heading", name="1 January 2026 to 30 June 2026")).to_be_visible()

    # The chart of referrals by service: an image named by its title and described by its
    # summary, with the same numbers in the table beside it.
    chart = page.get_by_role("img", name="Chart: Referrals received, by service")
    expect(chart).to_be_visible()
    expect(chart).to_have_accessible_description("Most referrals came from Housing (5 of 7).")
    table = page.get_by_test_id("table-referrals-by-service")
    expect(table.get_by_role("row", name="Housing 5 0")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Quartermain")
    table.scroll_into_view_if_needed()
    screenshot(page, "statistics")
    axe(page)

    with page.expect_download() as info:
        page.get_by_test_id("csv-referrals-by-service").click()
    rows = list(csv.reader(io.StringIO(info.value.path().read_text())))
    assert rows[1:4] == [
        ["Service", "Referrals", "Added to the schedule"],
        ["Housing", "5", "0"],
        ["Libraries", "2", "0"],
    ]

    # The committee report: made by the task, its progress shown, then downloaded.
    page.get_by_role("button", name="Make the committee report (PDF)").click()
    expect(page.get_by_test_id("export-status")).to_contain_text("Ready to download")
    screenshot(page, "committee-report")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the committee report").click()
    pdf = tmp_path / "report.pdf"
    info.value.save_as(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Audit and Governance Committee" in text
    assert "Referrals received, by service" in text
    assert "Quartermain" not in text
