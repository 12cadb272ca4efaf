"""Journey: each person with work waiting signs in, sees it counted on their home page, and follows
each link to a page that shows the thing waiting (issue 13, point 1)."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from correspondence.models import Letter
from panel.models import Ballot, Decision, Declaration
from referrals.models import EventKind, Referral, ReferralStatus
from schedule.models import AccessGrant, Appeal, Entry, SingleAccessGrant
from tests.factories import PASSWORD
from tests.test_work_page import build_waiting_work, expected

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def shown_on_the_linked_page() -> dict[str, dict[str, str]]:
    """For each person and kind of work, a text the page the home page links to must show: the
    reference (or name) of the one thing of that kind waiting for them; with the test id of the
    part of the page that must show it, where the page has several."""
    today = timezone.localdate()
    submitted = Referral.objects.filter(status=ReferralStatus.SUBMITTED)
    answered = submitted.filter(events__kind=EventKind.INFORMATION_PROVIDED).get()
    untouched = submitted.exclude(pk=answered.pk).get()
    draft, approved, sent = (
        Letter.objects.filter(kind="high", status=status).get().reference
        for status in ("draft", "approved", "sent")
    )
    review_overdue = Entry.objects.get(status="active", review_due_on__lt=today).reference
    review_due = Entry.objects.get(status="active", review_due_on__gt=today).reference
    emergency = Entry.objects.get(status="pending_ratification").reference
    # On the overview, each in its own table.
    reviews = {
        "reviews_overdue": ("reviews-overdue", review_overdue),
        "reviews_due": ("reviews-due", review_due),
        "emergency": ("ratifications-waiting", emergency),
    }
    decision = Decision.objects.get()
    ballot = Ballot.objects.get()
    declaration = Declaration.objects.get()
    return {
        "assurance": {
            "triage": untouched.reference,
            "answers": answered.reference,
            "failed_emails": "Unreadable email 0",
            "to_draft": f"{decision.item.meeting.reference} item {decision.item.position}",
            "returns": sent,
            **reviews,
        },
        "chair": {
            "rulings": declaration.interest,
            "votes": ballot.motion,
            **reviews,
            "access_requests": str(AccessGrant.objects.get(status="requested").grantee),
            "recertifications": str(
                AccessGrant.objects.get(status="approved", recertify_by__isnull=False).grantee
            ),
            "single_access_requests": (
                "grants-single-waiting",
                SingleAccessGrant.objects.get(status="requested").subject,
            ),
        },
        "member": {"votes": ballot.motion},
        "legal": {
            "legal_advice": Referral.objects.get(status="awaiting_legal_advice").reference,
            "to_approve": draft,
            "to_send": approved,
        },
        "manager": {
            "questions": Referral.objects.get(status="more_information").reference,
            "to_draft": f"{decision.item.meeting.reference} item {decision.item.position}",
            "to_approve": Letter.objects.get(kind="low_medium").reference,
        },
        "monitoring": {"appeals": Appeal.objects.get().entry.reference},
    }


def test_each_person_follows_their_work_page_to_what_waits(
    transactional_db, new_page, screenshot, axe
):
    people = build_waiting_work(1)
    targets = shown_on_the_linked_page()
    for who, kinds in targets.items():
        page = new_page()
        sign_in(page, people[who].username, PASSWORD)
        work = page.get_by_test_id("work")
        wanted = {kind: count for kind, count in expected(1)[who].items() if count}
        assert set(wanted) == set(kinds), who
        expect(work.locator("li")).to_have_count(len(wanted))
        axe(page)
        screenshot(page, f"home-{who}")
        for kind, text in kinds.items():
            link = page.get_by_test_id(f"work-{kind}").get_by_role("link").first
            expect(link).to_contain_text(f"{wanted[kind]} ")
            link.click()
            scope, text = text if isinstance(text, tuple) else ("", text)
            where = page.get_by_test_id(scope) if scope else page.locator("main")
            expect(where).to_contain_text(text)
            page.go_back()
        page.context.close()


def test_someone_with_nothing_waiting_is_told_so(transactional_db, new_page, screenshot, axe):
    people = build_waiting_work(1)
    page = new_page()
    sign_in(page, people["frontline"].username, PASSWORD)
    expect(page.get_by_test_id("nothing-waiting")).to_have_text("Nothing is waiting for you.")
    expect(page.get_by_test_id("work")).to_have_count(0)
    axe(page)
    screenshot(page, "home-nothing-waiting")


def test_the_chair_reaches_each_item_with_a_declaration_to_rule_on(
    transactional_db, page, screenshot, axe
):
    people = build_waiting_work(2)
    sign_in(page, people["chair"].username, PASSWORD)
    items = page.get_by_test_id("work-rulings-items").get_by_role("link")
    expect(items).to_have_count(2)
    axe(page)
    screenshot(page, "home-chair-two-items")
    for index in range(2):
        page.get_by_test_id("work-rulings-items").get_by_role("link").nth(index).click()
        expect(page.get_by_role("link", name="Rule on this")).to_be_visible()
        page.go_back()
