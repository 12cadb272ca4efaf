"""Journey: the chair opens the reviews overview, finds a review overdue and an emergency addition
waiting, and follows each to its entry, which says so; frontline staff with access read the same
overdue line on the entry."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import (
    PASSWORD,
    AccessGrantFactory,
    ActiveEntryFactory,
    EntryFactory,
    ServiceFactory,
    UserFactory,
)
from ubpanel.roles import Role

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_chair_follows_overdue_and_unratified_entries_from_the_overview(
    transactional_db, new_page, axe, screenshot
):
    UserFactory(username="chair", roles=[Role.PANEL_CHAIR])
    service = ServiceFactory(name="Customer Services")
    AccessGrantFactory(service=service)
    UserFactory(username="frontline", roles=[Role.FRONTLINE], service=service)
    today = timezone.localdate()
    late = ActiveEntryFactory(
        person__given_names="Nicole",
        person__family_name="Singh",
        review_due_on=today - timedelta(days=40),
    )
    ActiveEntryFactory(review_due_on=today + timedelta(days=10))
    waiting = EntryFactory(emergency_added_at=timezone.now() - timedelta(days=41))
    overdue_line = f"Review overdue since {late.review_due_on.day} {late.review_due_on:%B %Y}"

    chair = new_page()
    sign_in(chair, "chair", PASSWORD)
    chair.goto("/schedule/reviews/")
    expect(chair.get_by_test_id("reviews-overdue")).to_contain_text(late.reference)
    expect(chair.get_by_test_id("reviews-due").get_by_test_id("review-row")).to_have_count(1)
    expect(chair.get_by_test_id("ratifications-waiting")).to_contain_text("41 days")
    axe(chair)
    screenshot(chair, "overview")

    chair.get_by_test_id("reviews-overdue").get_by_role("link", name="Nicole Singh").click()
    expect(chair.get_by_test_id("review-overdue")).to_contain_text(overdue_line)
    chair.go_back()
    chair.get_by_test_id("ratifications-waiting").get_by_role("link").first.click()
    expect(chair.get_by_test_id("unratified-since")).to_contain_text(
        "Live without ratification for 41 days"
    )
    assert chair.url.endswith(f"/schedule/entries/{waiting.pk}/")
    axe(chair)

    frontline = new_page()
    sign_in(frontline, "frontline", PASSWORD)
    frontline.goto(f"/schedule/entries/{late.pk}/")
    expect(frontline.get_by_test_id("review-overdue")).to_contain_text(overdue_line)
    frontline.goto("/schedule/reviews/")
    expect(frontline.locator("h1")).not_to_have_text("Reviews due and overdue")
