"""Journey (issue 14): the Information Asset Owner (the panel chair) opens "who viewed this person",
filters it, and makes and downloads the subject access export of everything held about them."""

import io
import json
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from rights.models import ExportStatus, SubjectAccessExport
from tests.factories import PASSWORD, ActiveEntryFactory, PersonFactory, UserFactory
from ubpanel.roles import Role

from .conftest import sign_in
from .dates import expect_date, fill_date

pytestmark = pytest.mark.django_db(transaction=True)


def _viewed_by(user, entry, address):
    client = Client(REMOTE_ADDR=address)
    client.force_login(user)
    assert client.get(reverse("schedule:entry_detail", args=[entry.pk])).status_code == 200


def test_the_information_asset_owner_sees_who_viewed_a_person_and_downloads_the_export(
    transactional_db, page, screenshot, axe, tmp_path
):
    chair = UserFactory(username="chair", roles=[Role.PANEL_CHAIR])
    entry = ActiveEntryFactory(person=PersonFactory(given_names="Imogen", family_name="Quarrie"))
    other = ActiveEntryFactory(person=PersonFactory(given_names="Tobias", family_name="Vantreight"))
    viewers = [
        UserFactory(first_name="Petra", last_name="Oakhanger", roles=[Role.PANEL_MEMBER]),
        UserFactory(first_name="Rowan", last_name="Ellesmere", roles=[Role.ASSURANCE_OFFICER]),
        UserFactory(first_name="Sasha", last_name="Trevithick", roles=[Role.LEGAL_SERVICES]),
    ]
    for number, viewer in enumerate(viewers, start=1):
        _viewed_by(viewer, entry, f"192.0.2.{number}")
    _viewed_by(viewers[0], other, "192.0.2.9")  # someone else's record: not in her report

    sign_in(page, "chair", PASSWORD)
    page.get_by_role("link", name="People").first.click()
    page.get_by_role("link", name="Imogen Quarrie").click()
    axe(page)
    page.get_by_test_id("who-viewed-link").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Who viewed Imogen Quarrie")
    rows = page.get_by_test_id("who-viewed-rows")
    for viewer, address in zip(viewers, ["192.0.2.1", "192.0.2.2", "192.0.2.3"], strict=True):
        expect(rows).to_contain_text(viewer.get_full_name())
        expect(rows).to_contain_text(address)
    expect(rows).not_to_contain_text("Vantreight")
    expect(rows).not_to_contain_text("192.0.2.9")
    axe(page)
    screenshot(page, "who-viewed")

    # A date range that ends before it starts is refused beside its field, and kept.
    filters = page.get_by_test_id("who-viewed-filters")
    fill_date(filters, "From", date(2030, 1, 2))
    fill_date(filters, "To", date(2030, 1, 1))
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#id_date_to-error")).to_contain_text("same as or after the start date")
    expect_date(filters, "From", date(2030, 1, 2))
    axe(page)
    screenshot(page, "who-viewed-bad-dates")

    page.get_by_role("link", name="Imogen Quarrie").first.click()
    page.get_by_role("link", name="Make a subject access export").click()
    axe(page)
    screenshot(page, "export-request")
    page.get_by_role("button", name="Make the export").click()

    # Tasks run at once in tests: the export is ready when the page opens.
    download_button = page.get_by_role("link", name="Download the export")
    expect(download_button).to_be_visible()
    axe(page)
    screenshot(page, "export-ready")
    with page.expect_download() as waiting:
        download_button.click()
    saved = Path(tmp_path) / "export.zip"
    waiting.value.save_as(saved)

    export = SubjectAccessExport.objects.get()
    assert export.status == ExportStatus.READY
    assert export.requested_by == chair
    with zipfile.ZipFile(io.BytesIO(saved.read_bytes())) as archive:
        names = archive.namelist()
        assert "summary.pdf" in names
        held = json.loads(archive.read("export.json"))
    text = json.dumps(held)
    assert "Quarrie" in text
    assert "Vantreight" not in text
    assert page.console_errors == []
