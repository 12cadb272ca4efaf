"""Journey: `make run`'s demo data, loaded as it is (nothing made by hand first), walked by each role
with the demo password: one journey per role, every page reached checked with axe."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from correspondence.models import Letter, LetterStatus
from panel.models import ItemKind, Meeting
from referrals.models import InboundEmail, Person
from schedule.models import Appeal
from ubpanel.demo import DEMO_PASSWORD, demo_data_load

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_each_role_walks_a_journey_through_the_demo_data(transactional_db, page, screenshot, axe):
    demo_data_load()
    meeting = Meeting.objects.get()
    ratification = meeting.items.get(kind=ItemKind.RATIFICATION)
    appeal = Appeal.objects.get(outcome="")
    waiting = Letter.objects.get(status=LetterStatus.DRAFT)
    failed = InboundEmail.objects.get(status="failed")
    karen = Person.objects.get(family_name="Whitlock-Jones")

    def as_user(username):
        page.context.clear_cookies()
        sign_in(page, username, DEMO_PASSWORD)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        axe(page)

    def visit(path, *texts):
        page.goto(path)
        for text in texts:
            expect(page.locator("main")).to_contain_text(text)
        axe(page)

    as_user("chair")
    visit(reverse("panel:meeting_detail", args=[meeting.pk]), "Tamsin Greaves", "Reuben Castle")
    screenshot(page, "chair-meeting")
    visit(reverse("panel:item_detail", args=[ratification.pk]), "Tamsin Greaves")

    as_user("monitoring")
    visit(reverse("schedule:appeal_list"), "Dariusz Nowak")
    visit(reverse("schedule:appeal_detail", args=[appeal.pk]), "only raised his voice")
    screenshot(page, "monitoring-appeal")

    as_user("manager")
    visit(reverse("correspondence:index"), waiting.reference)
    visit(reverse("correspondence:letter_detail", args=[waiting.pk]), "Lewis Penhaligon")
    expect(page.get_by_role("button", name="Approve")).to_be_visible()
    screenshot(page, "manager-letter")

    as_user("assurance")
    visit(reverse("referrals:failed_email", args=[failed.pk]))

    as_user("frontline")
    page.goto(reverse("schedule:index"))
    page.get_by_label("Name, address, postcode, email or phone number").fill("Marcus Webb")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("main")).to_contain_text("Webb")
    axe(page)
    screenshot(page, "frontline-search")

    as_user("auditor")
    visit(reverse("audit_list"))

    as_user("dpo")
    visit(reverse("rights:retention"), "Harold Pym")
    screenshot(page, "dpo-retention")

    as_user("asc")
    visit(reverse("referrals:person_detail", args=[karen.pk]), "Hearing impairment")

    as_user("legal")
    visit(reverse("referrals:legal_queue"))

    as_user("healthsafety")
    visit(reverse("referrals:index"), "Escalate an accident/incident report")
    visit(reverse("referrals:health_safety_list"), "Violent incidents referred by managers")
