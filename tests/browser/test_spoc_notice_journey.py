"""Journey: the panel appoints a single point of contact without an unreasonable finding; the
decision waits on the Letters page for its SPOC notice, which the Operations Manager drafts,
approves and sends; then nothing waits (issue 18, point 4)."""

import pytest
from playwright.sync_api import expect

from correspondence.models import Letter, LetterKind
from panel import services as panel_services
from panel.models import Meeting
from referrals.models import PersonAddress, ReferralStatus
from tests.factories import IncidentFactory, PersonFactory, SubmittedReferralFactory
from tests.panel_setup import propose
from ubpanel.demo import DEMO_PASSWORD, demo_data_load
from ubpanel.models import Service, User

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def decision(transactional_db):
    """The demo panel appointed Sam Carter of Housing as Ann Lowe's single point of contact,
    without finding her behaviour unreasonable."""
    demo_data_load()
    users = {
        name: User.objects.get(username=name)
        for name in ("chair", "complaints", "safety", "panel", "asc", "manager", "assurance")
    }
    person = PersonFactory(given_names="Ann", family_name="Lowe")
    PersonAddress.objects.create(
        person=person,
        address="9 Mill Street, Dorchester",
        postcode="DT1 2AB",
        postcode_normalised="DT12AB",
    )
    referral = SubmittedReferralFactory(
        status=ReferralStatus.READY_FOR_PANEL, person=person, referrer=users["manager"]
    )
    IncidentFactory(referral=referral, location="Housing office, Dorchester")
    meeting = Meeting.objects.get()
    panel_services.agenda_add_pending(actor=users["assurance"], meeting=meeting)
    item = meeting.items.get(referral=referral)
    panel_services.meeting_open(actor=users["chair"], meeting=meeting)
    for name in ("complaints", "safety", "panel", "asc"):
        panel_services.meeting_join(actor=users[name], meeting=meeting)
    propose(
        users["chair"],
        item,
        outcome="spoc_only",
        tier="",
        meets_criteria=False,
        how_to_respond="",
        letter_route="none",
        spoc_name="Sam Carter",
        spoc_service=Service.objects.get(name="Housing"),
        spoc_contact_details="sam.carter@council.example\n01305 221133",
        reasons="Contact is spread across five services: one officer will coordinate it.",
    )
    panel_services.ballot_open(actor=users["chair"], item=item)
    for name in ("chair", "complaints", "safety", "panel"):
        panel_services.vote_cast(actor=users[name], item=item, choice="for")
    panel_services.ballot_close(actor=users["chair"], item=item)
    item.refresh_from_db()
    return item.decision


def test_the_operations_manager_sends_the_spoc_notice_the_decision_waits_for(
    decision, new_page, screenshot
):
    manager = new_page()
    sign_in(manager, "manager", DEMO_PASSWORD)
    expect(manager.get_by_test_id("work-to_draft")).to_contain_text("letter to draft")
    manager.get_by_test_id("role-navigation").get_by_role("link", name="Letters").click()
    expect(manager.get_by_test_id(f"letter-due-{decision.pk}")).to_contain_text(
        "SPOC notice: the contact details of Sam Carter"
    )
    screenshot(manager, "waiting")
    manager.get_by_test_id(f"draft-{decision.pk}").click()

    # Pre-filled from the decision: who the SPOC is and how to reach them; nothing about behaviour.
    spoc = manager.get_by_label("The SPOC: name, service and contact details")
    expect(spoc).to_have_value("Sam Carter, Housing\nsam.carter@council.example\n01305 221133")
    expect(manager.get_by_label("Why the behaviour is unreasonable")).to_have_count(0)
    manager.get_by_label("Anything else").fill("Sam works Monday to Thursday.")
    screenshot(manager, "edit")
    manager.get_by_test_id("save-letter").click()

    letter = Letter.objects.get(decision=decision)
    assert letter.kind == LetterKind.SPOC_NOTICE
    expect(manager.locator("main")).to_contain_text(
        "Letter or email giving the single point of contact's details"
    )
    screenshot(manager, "letter")
    manager.get_by_test_id("preview").click()
    preview = manager.get_by_test_id("letter-preview")
    expect(preview).to_contain_text("Your single point of contact")
    expect(preview).to_contain_text("sam.carter@council.example")
    expect(preview).not_to_contain_text("Equalities and Diversity questionnaire")
    screenshot(manager, "preview")
    manager.go_back()

    manager.get_by_test_id("approve").click()
    expect(manager.get_by_test_id("letter-status")).to_have_text("Approved")
    manager.get_by_label("By post").check()
    manager.get_by_test_id("send").click()
    expect(manager.get_by_test_id("letter-status")).to_have_text("Sent")
    # Not a notification of a schedule entry: no appeal deadline.
    expect(manager.get_by_test_id("appeal-deadline")).to_have_count(0)
    screenshot(manager, "sent")

    manager.get_by_role("link", name="Letters").first.click()
    expect(manager.get_by_test_id(f"draft-{decision.pk}")).to_have_count(0)
    assert manager.console_errors == []
