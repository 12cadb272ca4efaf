"""Journeys (issue 10): Assurance confirm repeat behaviour on someone on the schedule, and Legal
Services record their advice on a journalist's referral, which Assurance then read at triage."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from referrals.models import Person, Referral, ReferralStatus
from referrals.services import referral_save_draft, referral_submit
from schedule.services import twelve_months_after
from ubpanel.demo import DEMO_PASSWORD, demo_data_load
from ubpanel.models import User

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(transactional_db):
    demo_data_load()


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _submitted(*, given, family, occurred_on, **fields) -> Referral:
    manager = User.objects.get(username="manager")
    referral = referral_save_draft(
        actor=manager,
        referral=None,
        fields={
            "subject_given_names": given,
            "subject_family_name": family,
            "summary": "Came back to the office and shouted at the receptionist again.",
            "behaviour_categories": ["abusive"],
            "number_of_incidents": 1,
            "suggested_tier": "medium",
            "health_concerns": "not_known",
            **fields,
        },
        incidents=[
            {
                "occurred_on": occurred_on,
                "location": "County Hall reception",
                "description": "Shouted at the receptionist and would not leave.",
            }
        ],
    )
    return referral_submit(actor=manager, referral=referral)


def test_assurance_confirm_repeat_behaviour_and_the_clock_restarts(demo, new_page, screenshot):
    entry = Person.objects.get(family_name="Nowak").schedule_entries.get()
    entry.review_due_on = timezone.localdate() + timedelta(days=40)
    entry.save()
    occurred_on = timezone.localdate() - timedelta(days=2)
    referral = _submitted(given="Dariusz", family="Nowak", occurred_on=occurred_on)
    new_review = twelve_months_after(occurred_on)

    assurance = new_page()
    sign_in(assurance, "assurance", DEMO_PASSWORD)
    assurance.get_by_test_id("role-navigation").get_by_role("link", name="Referrals").click()
    assurance.get_by_test_id("triage-queue").get_by_role("link", name=referral.reference).click()
    expect(assurance.get_by_test_id("on-schedule")).to_have_count(0)
    assurance.get_by_role("button", name="Link to Dariusz Nowak").click()
    expect(assurance.locator(".govuk-notification-banner")).to_contain_text("repeat behaviour")

    on_schedule = assurance.get_by_test_id("on-schedule")
    expect(on_schedule).to_contain_text(entry.reference)
    expect(on_schedule).to_contain_text(entry.get_tier_display())
    expect(assurance.get_by_test_id("review-due")).to_have_text(
        f"{entry.review_due_on.day} {entry.review_due_on:%B %Y}"
    )
    screenshot(assurance, "on-the-schedule")
    on_schedule.get_by_role("button", name="Confirm repeat behaviour").click()

    expect(assurance.get_by_test_id("status")).to_have_text("Ready for panel")
    expect(assurance.locator(".govuk-notification-banner")).to_contain_text(
        "confirmed as repeat behaviour"
    )
    expect(assurance.get_by_test_id("review-due")).to_have_text(_long(new_review))
    expect(assurance.get_by_test_id("timeline")).to_contain_text("Repeat behaviour confirmed")
    expect(assurance.get_by_role("button", name="Confirm repeat behaviour")).to_have_count(0)
    screenshot(assurance, "confirmed")

    on_schedule.get_by_role("link", name=entry.reference).click()
    expect(assurance.locator("body")).to_contain_text(
        f"Repeat behaviour reported in {referral.reference}"
    )
    entry.refresh_from_db()
    assert entry.review_due_on == new_review
    assert entry.referrals.filter(pk=referral.pk).exists()
    assert assurance.console_errors == []


def test_legal_services_advise_on_a_journalist_and_assurance_read_it(demo, new_page, screenshot):
    referral = _submitted(
        given="Petra",
        family="Quill",
        occurred_on=timezone.localdate() - timedelta(days=5),
        journalist=True,
    )
    assert referral.status == ReferralStatus.AWAITING_LEGAL_ADVICE

    legal = new_page()
    sign_in(legal, "legal", DEMO_PASSWORD)
    legal.get_by_test_id("role-navigation").get_by_role("link", name="Legal advice").click()
    legal.get_by_test_id("legal-queue").get_by_role("link", name=referral.reference).click()
    expect(legal.get_by_test_id("legal-question")).to_contain_text("journalist")
    legal.get_by_role("button", name="Send your advice to the Assurance team").click()
    expect(legal.locator(".govuk-error-summary")).to_contain_text("Enter your advice")
    screenshot(legal, "advice-missing")
    legal.console_errors.clear()  # the refused form answers 400, as it should
    legal.get_by_label("Your advice").fill(
        "Her posts are comment, not journalism: the protocol may be applied."
    )
    legal.get_by_role("button", name="Send your advice to the Assurance team").click()
    expect(legal.locator(".govuk-notification-banner")).to_contain_text("has been recorded")
    expect(legal.get_by_test_id("legal-advised")).to_contain_text(referral.reference)

    assurance = new_page()
    sign_in(assurance, "assurance", DEMO_PASSWORD)
    assurance.get_by_test_id("role-navigation").get_by_role("link", name="Referrals").click()
    assurance.get_by_test_id("triage-queue").get_by_role("link", name=referral.reference).click()
    expect(assurance.get_by_test_id("status")).to_have_text("Submitted")
    expect(assurance.get_by_test_id("legal-advice")).to_contain_text(
        "Her posts are comment, not journalism"
    )
    expect(assurance.get_by_test_id("legal-advice")).to_contain_text("Lee Carver")
    screenshot(assurance, "advice-at-triage")
    assert legal.console_errors == []
    assert assurance.console_errors == []
