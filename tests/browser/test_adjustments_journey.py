"""Journey: an Assurance officer records a reasonable adjustment from the referral's health
information; at the meeting the chair's proposal of "written contact only" shows the clash beside
the restrictions and is saved only with a reason, which the decision record then shows."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from panel import services as panel_services
from panel.models import Decision, Meeting
from referrals.models import Adjustment, ReferralStatus
from tests.factories import IncidentFactory, PersonFactory, SubmittedReferralFactory
from ubpanel.demo import DEMO_PASSWORD, demo_data_load
from ubpanel.models import User

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

REASON = "Letters go in 18 point large print and the SPOC phones to read each one aloud."


@pytest.fixture
def item(transactional_db):
    """The demo meeting is open with five members; a referral about someone registered blind is
    on its agenda."""
    demo_data_load()
    person = PersonFactory(given_names="Iris", family_name="Penhallow")
    referral = SubmittedReferralFactory(
        status=ReferralStatus.READY_FOR_PANEL,
        person=person,
        health_concerns="yes",
        health_details="Registered blind; uses a screen reader at home.",
    )
    IncidentFactory(referral=referral, description="Shouted threats at the reception desk.")
    users = {
        name: User.objects.get(username=name)
        for name in ("chair", "complaints", "safety", "panel", "asc", "assurance")
    }
    meeting = Meeting.objects.get()
    panel_services.agenda_add_pending(actor=users["assurance"], meeting=meeting)
    panel_services.meeting_open(actor=users["chair"], meeting=meeting)
    for name in ("complaints", "safety", "panel", "asc"):
        panel_services.meeting_join(actor=users[name], meeting=meeting)
    return meeting.items.get(referral=referral)


def test_an_adjustment_from_the_referral_then_the_chairs_clashing_proposal_needs_a_reason(
    item, new_page, screenshot, axe
):
    referral = item.referral
    officer = new_page()
    sign_in(officer, "assurance", DEMO_PASSWORD)
    officer.goto(reverse("referrals:detail", args=[referral.pk]))
    officer.get_by_test_id("adjustment-from-referral").click()

    expect(officer.get_by_test_id("referral-health")).to_contain_text("Registered blind")
    expect(officer.get_by_label("The referral's health information")).to_be_checked()
    expect(officer.get_by_label("Reference")).to_have_value(referral.reference)
    officer.get_by_label("Visual impairment").check()
    officer.get_by_label("The adjustment the council makes").fill(
        "Letters in 18 point large print; offer a phone call to explain them."
    )
    axe(officer)
    screenshot(officer, "record")
    officer.get_by_test_id("save-adjustment").click()

    expect(officer.locator(".govuk-notification-banner")).to_contain_text("adjustment is recorded")
    current = officer.get_by_test_id("current-adjustments")
    expect(current).to_contain_text("Visual impairment")
    expect(current).to_contain_text(referral.reference)
    axe(officer)
    screenshot(officer, "person")
    # The demo data holds an adjustment of its own (another person's): this one is the new one.
    assert Adjustment.objects.filter(person=referral.person, need="visual_impairment").count() == 1

    chair = new_page()
    sign_in(chair, "chair", DEMO_PASSWORD)
    chair.goto(reverse("panel:proposal", args=[item.pk]))
    expect(chair.get_by_test_id("beside-adjustments")).to_contain_text("Visual impairment")
    chair.get_by_label("The panel has first considered whether the individual").check()
    chair.get_by_role("group", name="Does the behaviour meet the criteria").get_by_label(
        "Yes"
    ).check()
    chair.get_by_role("group", name="At which tier?").get_by_label("Medium").check()
    chair.get_by_label("Add to the schedule").check()
    chair.get_by_label("How staff should respond").fill("Two officers at the front desk.")
    chair.get_by_label("Written contact only").check()
    manager = User.objects.get(username="manager")
    chair.get_by_label("Record owner (Operations Manager)").select_option(str(manager.pk))
    chair.get_by_label("Reasons").fill("Threats at reception.")
    chair.get_by_test_id("save-proposal").click()

    clash = chair.get_by_test_id("adjustment-clash")
    expect(clash).to_contain_text("“Written contact only” clashes with their need")
    expect(clash).to_contain_text("Visual impairment")
    expect(chair.locator("#id_adjustment_clash_reason-error")).to_contain_text(
        "say why the restrictions go ahead"
    )
    expect(chair.get_by_label("Written contact only")).to_be_checked()
    expect(chair.get_by_label("Reasons")).to_have_value("Threats at reception.")
    assert not Decision.objects.filter(item=item).exists()
    axe(chair)
    screenshot(chair, "clash")

    chair.get_by_label("Why the restrictions go ahead despite the person's needs").fill(REASON)
    chair.get_by_test_id("save-proposal").click()

    record = chair.get_by_test_id("restriction-kinds")
    expect(record).to_contain_text("Written contact only")
    expect(record).to_contain_text(REASON)
    screenshot(chair, "decision-record")
    assert Decision.objects.get(item=item).restriction_kinds == ["written_only"]
    assert [e for e in chair.console_errors if "status of 400" not in e] == []
