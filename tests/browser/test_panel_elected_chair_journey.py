"""Journey: the chair and their deputies are absent. The Health and Safety Manager, chosen by the
members present, opens the meeting from the meeting page and chairs it from their own seat; the
attendance page says the Monitoring Officer rules on interests; the minutes record who chaired and
how they were chosen. Assurance, beforehand, are warned that a violent case needs a Legal Services
adviser invited."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from panel import services
from panel.models import Meeting
from referrals.models import ReferralStatus
from tests.factories import PersonFactory, SubmittedReferralFactory
from ubpanel.demo import DEMO_PASSWORD, demo_data_load
from ubpanel.models import User

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

NOTE = "The chair and her deputy sent apologies; the five members present chose Sol by consensus."


@pytest.fixture
def meeting(transactional_db):
    demo_data_load()
    SubmittedReferralFactory(
        status=ReferralStatus.READY_FOR_PANEL,
        submitted_at=timezone.now() - timedelta(days=2),
        person=PersonFactory(given_names="Gary", family_name="Thornton"),
        violence=True,
        incident_report_reference="AIR-2026-118",
    )
    meeting = Meeting.objects.get()
    services.agenda_add_pending(actor=User.objects.get(username="assurance"), meeting=meeting)
    return meeting


def _signed_in(new_page, username):
    page = new_page()
    sign_in(page, username, DEMO_PASSWORD)
    return page


def test_the_members_present_choose_one_of_themselves_to_chair(meeting, new_page, screenshot, axe):
    meeting_url = reverse("panel:meeting_detail", args=[meeting.pk])

    # Before the meeting, Assurance see that the violent case needs Legal Services invited.
    assurance = _signed_in(new_page, "assurance")
    assurance.goto(meeting_url)
    expect(assurance.get_by_test_id("agenda-legal-adviser-missing")).to_contain_text(
        "Legal Services representative to be invited in an advisory capacity"
    )

    chosen = _signed_in(new_page, "safety")
    chosen.goto(meeting_url)
    expect(chosen.get_by_role("button", name="Open the meeting", exact=True)).to_have_count(0)
    chosen.get_by_text("The chair and their deputies are absent").click()
    axe(chosen)
    # Without the confirmation, the page says why and keeps the note.
    chosen.get_by_label("How were you chosen?").fill(NOTE)
    chosen.get_by_role("button", name="Open the meeting and chair it").click()
    expect(chosen.locator(".govuk-error-summary")).to_contain_text(
        "Confirm that the chair and their deputies are absent and you were chosen"
    )
    expect(chosen.get_by_label("How were you chosen?")).to_have_value(NOTE)
    screenshot(chosen, "confirmation-missing")
    # The form answered 400 on purpose; the browser logs that as a console error.
    assert chosen.console_errors == [
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
    chosen.console_errors.clear()

    chosen.get_by_label("The chair and every deputy for the chair are absent").check()
    chosen.get_by_role("button", name="Open the meeting and chair it").click()
    expect(chosen.locator(".govuk-notification-banner")).to_contain_text("you are chairing it")
    expect(chosen.get_by_test_id("elected-chair")).to_contain_text(
        "Chaired by Sol Hayward, chosen by the members present"
    )
    expect(chosen.get_by_test_id("seated")).to_contain_text("Health and Safety Manager")
    expect(chosen.get_by_role("button", name="Close the meeting")).to_be_visible()

    # Another member joins from their own screen, and does not run the meeting.
    member = _signed_in(new_page, "complaints")
    member.goto(meeting_url)
    member.get_by_role("button", name="Join the meeting").click()
    expect(member.locator(".govuk-notification-banner")).to_be_visible()
    expect(member.get_by_role("button", name="Close the meeting")).to_have_count(0)

    chosen.goto(reverse("panel:attendance", args=[meeting.pk]))
    expect(chosen.get_by_test_id("chair-absent")).to_contain_text("the Monitoring Officer rules")
    expect(chosen.get_by_test_id("seat-chair").get_by_test_id("sitter")).to_have_text("Absent")
    screenshot(chosen, "attendance")

    chosen.goto(meeting_url)
    chosen.get_by_role("button", name="Close the meeting").click()
    chosen.get_by_role("link", name="Minutes").click()
    expect(chosen.get_by_test_id("minutes-elected-chair")).to_contain_text(
        "Chaired by Sol Hayward, chosen by the members present (the chair and their deputies "
        "were absent)."
    )
    expect(chosen.get_by_test_id("minutes-elected-chair")).to_contain_text(NOTE)
    screenshot(chosen, "minutes")
    axe(chosen)
    for page in (assurance, chosen, member):
        assert page.console_errors == []
