"""Journey: Assurance download a mailbox email exactly as it arrived, from the draft referral it
made and from the page of an email that could not be read; a referring manager cannot."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from referrals.models import InboundEmail
from tests.mail import keep_private_files_in
from ubpanel.demo import DEMO_PASSWORD, demo_data_load
from ubpanel.demo_journeys import FAILED_EMAIL

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)
MAIL = Path(__file__).resolve().parents[1] / "fixtures" / "mail"
EMAIL = MAIL / "multipart_alternative_pdf.eml"


@pytest.fixture
def mailbox(transactional_db, monkeypatch, tmp_path):
    """The demo data (which holds an email that could not be read) and an email imported as a
    draft referral; the raw emails kept in a folder of the test's own."""
    keep_private_files_in(monkeypatch, tmp_path / "private")
    demo_data_load()
    call_command("import_mail", str(EMAIL))
    return InboundEmail.objects.get(status="imported")


def _download(page, link):
    with page.expect_download() as info:
        link.click()
    return info.value


def test_assurance_download_the_original_email_from_the_referral_and_the_failed_email(
    mailbox, new_page, axe, audit_entries
):
    failed = InboundEmail.objects.get(status="failed")
    page = new_page()
    sign_in(page, "assurance", DEMO_PASSWORD)
    page.get_by_test_id("role-navigation").get_by_role("link", name="Referrals").click()
    page.get_by_test_id("triage-queue").get_by_role("link", name=mailbox.referral.reference).click()
    link = page.get_by_test_id("raw-email")
    expect(link).to_contain_text("Download the original email (.eml)")
    axe(page)

    download = _download(page, link)

    assert download.suggested_filename == f"email-{mailbox.pk}.eml"
    assert Path(download.path()).read_bytes() == EMAIL.read_bytes()

    page.get_by_test_id("role-navigation").get_by_role("link", name="Referrals").click()
    page.get_by_test_id("failed-emails").get_by_role("link").first.click()
    expect(page.get_by_test_id("failure-reason")).not_to_be_empty()

    download = _download(page, page.get_by_test_id("raw-email"))

    assert download.suggested_filename == f"email-{failed.pk}.eml"
    assert Path(download.path()).read_bytes() == FAILED_EMAIL
    downloaded = [row.object_pk for row in audit_entries(event="download")]
    assert downloaded == [str(mailbox.pk), str(failed.pk)]


def test_a_referring_manager_gets_not_found_for_the_original_email(
    mailbox, new_page, audit_entries
):
    page = new_page()
    sign_in(page, "manager", DEMO_PASSWORD)

    response = page.goto(reverse("referrals:raw_email", args=[mailbox.pk]))

    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_contain_text("not found", ignore_case=True)
    assert not audit_entries(event="download")
    [refusal] = audit_entries(event="denied")
    assert refusal.additional_data["path"] == reverse("referrals:raw_email", args=[mailbox.pk])
