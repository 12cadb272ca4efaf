"""Journey: referral -> panel -> schedule -> letter, and the case travels with it.

A referral with two incidents goes before the panel; the chair records the proposal (with the
record owner) and closes the vote; the entry the decision made shows both incidents, the reasons
and the record owner straight away; the Operations Manager's letter, drafted from the decision,
describes both incidents and the review date, and so does its PDF.
"""

import subprocess
from datetime import date, time

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from panel import services as panel_services
from panel.models import Meeting
from referrals.models import PersonAddress, ReferralStatus
from schedule.models import Entry
from tests.factories import IncidentFactory, PersonFactory, SubmittedReferralFactory
from ubpanel.demo import DEMO_PASSWORD, demo_data_load
from ubpanel.models import User

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

FIRST = "Threatened to wait for the housing officer after work."
SECOND = "Called the contact centre adviser a string of racist names."
REASONS = "Threats and racist abuse towards staff on two occasions."


@pytest.fixture
def item(transactional_db):
    """The demo meeting is open with five members; a referral with two incidents is item 1."""
    demo_data_load()
    person = PersonFactory(given_names="Nadia", family_name="Quell")
    PersonAddress.objects.create(
        person=person, address="9 High West Street, Dorchester", postcode="DT1 1UP"
    )
    referral = SubmittedReferralFactory(
        status=ReferralStatus.READY_FOR_PANEL,
        person=person,
        behaviour_categories=["abusive", "threats_of_violence"],
    )
    IncidentFactory(
        referral=referral,
        occurred_on=date(2026, 9, 1),
        occurred_at=time(9, 15),
        location="Housing office reception, Weymouth",
        description=FIRST,
    )
    IncidentFactory(
        referral=referral,
        occurred_on=date(2026, 9, 14),
        location="Phone call to the contact centre",
        description=SECOND,
    )
    users = {
        name: User.objects.get(username=name)
        for name in ("chair", "complaints", "safety", "panel", "asc", "assurance")
    }
    meeting = Meeting.objects.get()
    panel_services.agenda_add_pending(actor=users["assurance"], meeting=meeting)
    panel_services.meeting_open(actor=users["chair"], meeting=meeting)
    for name in ("complaints", "safety", "panel", "asc"):
        panel_services.meeting_join(actor=users[name], meeting=meeting)
    item = meeting.items.get(referral=referral)
    item.users = users
    return item


def test_the_case_travels_from_referral_to_entry_and_letter(
    item, new_page, screenshot, axe, tmp_path
):
    chair = new_page()
    sign_in(chair, "chair", DEMO_PASSWORD)
    chair.goto(reverse("panel:item_detail", args=[item.pk]))
    chair.get_by_test_id("record-proposal").click()
    chair.get_by_label("The panel has first considered whether the individual").check()
    chair.get_by_role("group", name="Does the behaviour meet the criteria").get_by_label(
        "Yes"
    ).check()
    chair.get_by_role("group", name="At which tier?").get_by_label("Medium").check()
    chair.get_by_label("Add to the schedule").check()
    chair.get_by_label("How staff should respond").fill("Two officers on any visit.")
    manager = User.objects.get(username="manager")
    chair.get_by_label("Record owner (Operations Manager)").select_option(str(manager.pk))
    chair.get_by_label("Reasons").fill(REASONS)
    axe(chair)
    chair.get_by_test_id("save-proposal").click()
    chair.get_by_test_id("open-vote").click()
    expect(chair.get_by_test_id("ballot-open")).to_be_visible()
    for name in ("chair", "complaints", "safety", "panel"):
        panel_services.vote_cast(actor=item.users[name], item=item, choice="for")
    chair.get_by_test_id("close-vote").click()
    expect(chair.get_by_test_id("carried")).to_be_visible()

    # The entry shows the case at once: both incidents, the reasons, who owns the record.
    entry = Entry.objects.get(person=item.referral.person)
    chair.goto(reverse("schedule:entry_detail", args=[entry.pk]))
    incidents = chair.get_by_test_id("incidents")
    expect(incidents).to_contain_text(FIRST)
    expect(incidents).to_contain_text(SECOND)
    expect(incidents).to_contain_text("1 September 2026 at 09:15, Housing office reception")
    expect(chair.get_by_test_id("reason")).to_have_text(REASONS)
    expect(chair.get_by_test_id("record-owner")).to_contain_text(str(manager))
    expect(chair.locator("main")).not_to_contain_text("Not recorded")
    axe(chair)
    screenshot(chair, "entry")

    # The Operations Manager's letter describes every incident, and so does its PDF.
    ops = new_page()
    sign_in(ops, "manager", DEMO_PASSWORD)
    ops.get_by_test_id("role-navigation").get_by_role("link", name="Letters").click()
    ops.get_by_test_id(f"draft-{item.decision.pk}").click()
    expect(ops.get_by_label("The incident: what happened")).to_contain_text(FIRST)
    expect(ops.get_by_label("The incident: what happened")).to_contain_text(SECOND)
    ops.get_by_test_id("save-letter").click()
    ops.get_by_test_id("approve").click()
    expect(ops.get_by_test_id("letter-status")).to_have_text("Approved")
    with ops.expect_download() as download:
        ops.get_by_test_id("download-pdf").click()
    pdf = tmp_path / "letter.pdf"
    download.value.save_as(pdf)
    text = " ".join(
        subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert " ".join(FIRST.split()) in text
    assert " ".join(SECOND.split()) in text
    assert "Housing office reception, Weymouth" in text
    assert REASONS in text
    review = entry.review_due_on
    assert f"{review.day} {review:%B %Y}" in text
    screenshot(ops, "letter")
    assert chair.console_errors == []
    assert ops.console_errors == []
