"""Journey: from the panel's decision the Operations Manager drafts, approves and sends the letter,
downloads its PDF and sees the appeal deadline; the auditor finds each step in the audit trail."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from correspondence.models import Letter
from panel import services as panel_services
from panel.models import Meeting
from referrals.models import PersonAddress, ReferralStatus
from schedule.dates import appeal_deadline
from tests.factories import IncidentFactory, PersonFactory, SubmittedReferralFactory
from tests.panel_setup import propose
from ubpanel.demo import DEMO_PASSWORD, demo_data_load
from ubpanel.models import User

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def decision(transactional_db):
    """The demo panel decided to add Gary Thornton at medium risk; the manager owns the record."""
    demo_data_load()
    person = PersonFactory(given_names="Gary", family_name="Thornton")
    PersonAddress.objects.create(
        person=person,
        address="4 Icen Way, Dorchester",
        postcode="DT1 1EW",
        postcode_normalised="DT11EW",
    )
    referral = SubmittedReferralFactory(status=ReferralStatus.READY_FOR_PANEL, person=person)
    IncidentFactory(referral=referral, location="Housing office, Dorchester")
    users = {
        name: User.objects.get(username=name)
        for name in ("chair", "complaints", "safety", "panel", "asc", "manager", "assurance")
    }
    meeting = Meeting.objects.get()
    panel_services.agenda_add_pending(actor=users["assurance"], meeting=meeting)
    item = meeting.items.get(referral=referral)
    panel_services.meeting_open(actor=users["chair"], meeting=meeting)
    for name in ("complaints", "safety", "panel", "asc"):
        panel_services.meeting_join(actor=users[name], meeting=meeting)
    propose(users["chair"], item, record_owner=users["manager"])
    panel_services.ballot_open(actor=users["chair"], item=item)
    for name in ("chair", "complaints", "safety", "panel"):
        panel_services.vote_cast(actor=users[name], item=item, choice="for")
    panel_services.ballot_close(actor=users["chair"], item=item)
    item.refresh_from_db()
    assert item.entry.record_owner == users["manager"]
    return item.decision


def test_the_operations_manager_sends_the_letter_the_panel_decided(
    decision, new_page, screenshot, tmp_path
):
    manager = new_page()
    sign_in(manager, "manager", DEMO_PASSWORD)
    manager.get_by_test_id("role-navigation").get_by_role("link", name="Letters").click()
    manager.get_by_test_id(f"draft-{decision.pk}").click()

    # Pre-filled from the decision: the manager checks it and saves.
    expect(manager.get_by_label("Where it happened")).to_have_value("Housing office, Dorchester")
    expect(manager.get_by_label("Single point of contact and how to reach them")).to_contain_text(
        "Pat Spoc"
    )
    manager.get_by_label("Why the behaviour is unreasonable").fill(
        "You threatened a housing officer on three occasions."
    )
    screenshot(manager, "edit")
    manager.get_by_test_id("save-letter").click()

    manager.get_by_test_id("preview").click()
    expect(manager.get_by_test_id("letter-preview")).to_contain_text(
        "You threatened a housing officer"
    )
    expect(manager.get_by_test_id("letter-preview")).to_contain_text(
        "Equalities and Diversity questionnaire"
    )
    screenshot(manager, "preview")
    manager.go_back()

    manager.get_by_test_id("approve").click()
    expect(manager.get_by_test_id("letter-status")).to_have_text("Approved")
    with manager.expect_download() as download:
        manager.get_by_test_id("download-pdf").click()
    path = tmp_path / "letter.pdf"
    download.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")

    manager.get_by_label("By post").check()
    manager.get_by_test_id("send").click()
    letter = Letter.objects.get(decision=decision)
    deadline = appeal_deadline(letter.sent_on)
    expect(manager.get_by_test_id("letter-status")).to_have_text("Sent")
    expect(manager.get_by_test_id("appeal-deadline")).to_contain_text(
        f"Appeal deadline: {deadline:%A} {deadline.day} {deadline:%B %Y}"
    )
    screenshot(manager, "sent")

    auditor = new_page()
    sign_in(auditor, "auditor", DEMO_PASSWORD)
    auditor.goto(reverse("audit_list") + f"?object_id={letter.pk}")
    trail = auditor.locator("main")
    expect(trail).to_contain_text("Status changed from Approved to Sent")
    expect(trail).to_contain_text("Status changed from Draft to Approved")
    expect(trail).to_contain_text("Why the behaviour is unreasonable set to")
    auditor.goto(reverse("audit_list") + "?action=download")
    expect(auditor.locator("main")).to_contain_text(letter.reference)
    screenshot(auditor, "audit")
    assert manager.console_errors == []
