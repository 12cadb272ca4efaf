"""Restrictions that clash with a person's reasonable adjustments (issue 14, point 4): the table,
the chair's proposal (page and service), the emergency addition, what the decision copies to the
entry, and what the entry shows to whom."""

import pytest
from django.test import Client
from django.urls import reverse

from panel import services
from panel.models import Decision, Seat
from panel.services import PanelError
from referrals.models import AdjustmentNeed
from referrals.services import adjustment_record
from schedule.adjustments import CLASHES, clashes, restriction_review
from schedule.models import Entry
from schedule.models.entries import ContactRestriction
from schedule.services import ScheduleTransitionError, entry_add_emergency
from ubpanel.roles import Role

from .factories import (
    AccessGrantFactory,
    ActiveEntryFactory,
    AgendaItemFactory,
    PersonFactory,
    UserFactory,
    emergency_incidents,
)
from .panel_setup import carry, open_meeting, propose, record_owner, seat_holders
from .test_schedule_emergency_page import URL as EMERGENCY_URL
from .test_schedule_emergency_page import details as emergency_details

pytestmark = pytest.mark.django_db

R, N = ContactRestriction, AdjustmentNeed
C = Seat.CHAIR

# The issue's pairs, and the one this table adds (BSL needs a face-to-face interpreter).
EXPECTED = {
    (R.WRITTEN_ONLY, N.VISUAL_IMPAIRMENT),
    (R.WRITTEN_ONLY, N.DYSLEXIA),
    (R.WRITTEN_ONLY, N.LEARNING_DISABILITY),
    (R.PHONE_LIMITED, N.HEARING_IMPAIRMENT),
    (R.PHONE_LIMITED, N.BSL),
    (R.ONE_NAMED_CONTACT, N.ADVOCATE),
    (R.NO_FACE_TO_FACE, N.BSL),
}


def needs(person, *need_values):
    chair = UserFactory(roles=[Role.PANEL_CHAIR])
    for need in need_values:
        adjustment_record(
            actor=chair, person=person, need=need, details=f"Adjustment for {need}.", source="panel"
        )
    return person


# --- The table -----------------------------------------------------------------------------


def test_the_table_holds_exactly_the_clashes_the_issue_names_and_bsl_face_to_face():
    assert set(CLASHES) == EXPECTED
    assert all(message.strip().endswith(".") for message in CLASHES.values())


@pytest.mark.parametrize(("restriction", "need"), sorted(EXPECTED))
def test_each_pair_in_the_table_clashes_with_its_own_plain_english_message(restriction, need):
    [clash] = clashes([restriction], [need])

    assert (clash.restriction, clash.need) == (restriction, need)
    assert clash.message == CLASHES[(restriction, need)]
    assert ContactRestriction(restriction).label in str(clash)
    assert AdjustmentNeed(need).label in str(clash)


@pytest.mark.parametrize("restriction", list(R))
@pytest.mark.parametrize("need", list(N))
def test_every_other_pair_does_not_clash(restriction, need):
    assert bool(clashes([restriction], [need])) is ((restriction, need) in EXPECTED)


def test_the_phone_messages_speak_of_relay_calls():
    assert "relay" in CLASHES[(R.PHONE_LIMITED, N.HEARING_IMPAIRMENT)]
    assert "relay" in CLASHES[(R.PHONE_LIMITED, N.BSL)]


def test_nothing_clashes_without_restrictions_or_needs():
    assert clashes([], [N.BSL]) == []
    assert clashes([R.WRITTEN_ONLY], []) == []


# --- The chair's proposal ------------------------------------------------------------------


@pytest.fixture
def holders():
    return seat_holders()


@pytest.fixture
def item(holders):
    meeting = open_meeting(holders)
    item = AgendaItemFactory(meeting=meeting)
    needs(item.referral.person, N.VISUAL_IMPAIRMENT)
    return item


def test_the_service_refuses_a_clashing_proposal_without_a_reason(holders, item):
    with pytest.raises(PanelError) as refused:
        propose(holders[C], item, restriction_kinds=[R.WRITTEN_ONLY])

    assert refused.value.field == "adjustment_clash_reason"
    assert "Visual" not in refused.value.message  # the refusal names no need
    assert not Decision.objects.filter(item=item).exists()


def test_the_service_accepts_it_with_a_reason(holders, item):
    decision = propose(
        holders[C],
        item,
        restriction_kinds=[R.WRITTEN_ONLY],
        adjustment_clash_reason="Letters in large print; the SPOC reads them out on request.",
    )

    assert decision.restriction_kinds == [R.WRITTEN_ONLY]
    assert services.decision_problems(item, decision) == []


def test_a_restriction_that_does_not_clash_needs_no_reason(holders, item):
    decision = propose(holders[C], item, restriction_kinds=[R.ONE_NAMED_CONTACT])

    assert decision.adjustment_clash_reason == ""


def test_an_unknown_kind_of_restriction_is_refused(holders, item):
    with pytest.raises(PanelError) as refused:
        propose(holders[C], item, restriction_kinds=["no_pigeons"])
    assert refused.value.field == "restriction_kinds"


def test_an_adjustment_recorded_after_the_proposal_stops_the_vote_until_a_reason_is_given(
    holders, item
):
    decision = propose(holders[C], item, restriction_kinds=[R.PHONE_LIMITED])
    needs(item.referral.person, N.HEARING_IMPAIRMENT)

    problems = services.decision_problems(item, decision)

    assert any("clashes with a reasonable adjustment" in problem for problem in problems)


def _proposal(**extra):
    return {
        "health_considered": "on",
        "meets_criteria": "yes",
        "tier": "medium",
        "outcome": "add_to_schedule",
        "how_to_respond": "Two officers on any visit.",
        "permitted_contact": "Letters to the SPOC only.",
        "record_owner": str(record_owner().pk),
        "reasons": "Threats to a housing officer.",
        **extra,
    }


def _chair(holders):
    client = Client()
    client.force_login(holders[C])
    return client


def test_the_proposal_page_shows_the_adjustments_beside_the_restrictions(holders, item):
    page = _chair(holders).get(reverse("panel:proposal", args=[item.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "The person's reasonable adjustments" in html
    assert "Adjustment for visual_impairment." in html
    assert html.index('data-testid="adjustments-beside"') < html.index('name="restriction_kinds"')
    assert 'data-testid="adjustment-clash"' not in html


def test_the_proposal_page_warns_of_the_clash_and_keeps_what_was_typed(holders, item):
    response = _chair(holders).post(
        reverse("panel:proposal", args=[item.pk]),
        _proposal(restriction_kinds=[R.WRITTEN_ONLY, R.ONE_NAMED_CONTACT]),
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="adjustment-clash"' in html
    assert "“Written contact only” clashes with their need: “Visual impairment”" in html
    assert "say why the restrictions go ahead despite it" in html
    assert 'value="written_only" checked' in html
    assert 'value="one_named_contact" checked' in html
    assert "Threats to a housing officer." in html
    assert not Decision.objects.filter(item=item).exists()


def test_the_proposal_page_saves_it_with_a_reason_and_the_record_shows_it(holders, item):
    client = _chair(holders)
    response = client.post(
        reverse("panel:proposal", args=[item.pk]),
        _proposal(
            restriction_kinds=[R.WRITTEN_ONLY],
            adjustment_clash_reason="Large print letters; the SPOC phones to read them.",
        ),
    )

    assert response.status_code == 302
    decision = Decision.objects.get(item=item)
    assert decision.restriction_kinds == [R.WRITTEN_ONLY]
    html = client.get(reverse("panel:item_detail", args=[item.pk])).content.decode()
    assert "Written contact only" in html
    assert "Large print letters; the SPOC phones to read them." in html


def test_the_decision_copies_the_kinds_and_the_reason_to_the_entry(holders, item):
    carry(
        holders,
        item,
        restriction_kinds=[R.WRITTEN_ONLY],
        adjustment_clash_reason="Large print letters.",
    )

    entry = Entry.objects.get(person=item.referral.person)
    assert entry.restriction_kinds == [R.WRITTEN_ONLY]
    assert entry.adjustment_clash_reason == "Large print letters."


# --- The entry -----------------------------------------------------------------------------


@pytest.fixture
def entry():
    person = needs(PersonFactory(), N.BSL)
    return ActiveEntryFactory(
        person=person,
        restriction_kinds=[R.PHONE_LIMITED],
        adjustment_clash_reason="Relay calls go straight to the SPOC.",
    )


def _entry_page(role, entry):
    client = Client()
    client.force_login(UserFactory(roles=[role]))
    return client.get(reverse("schedule:entry_detail", args=[entry.pk]))


@pytest.mark.parametrize("role", [Role.PANEL_CHAIR, Role.ASSURANCE_OFFICER])
def test_the_entry_shows_the_clash_and_the_reason_to_those_who_may_see_health(role, entry):
    html = _entry_page(role, entry).content.decode()

    assert "No phone calls, or phone calls limited" in html
    assert "clashes with their need: “Uses British Sign Language”" in html
    assert "Relay calls go straight to the SPOC." in html


@pytest.mark.parametrize("role", [Role.FRONTLINE, Role.LEGAL_SERVICES])
def test_others_see_the_kinds_of_restriction_and_only_that_they_were_reviewed(role, entry):
    viewer = UserFactory(roles=[role])
    if role == Role.FRONTLINE:
        AccessGrantFactory(user=viewer, service=None)  # frontline staff see what they are granted
    client = Client()
    client.force_login(viewer)
    response = client.get(reverse("schedule:entry_detail", args=[entry.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "No phone calls, or phone calls limited" in html
    assert "These restrictions were reviewed against the person's needs." in html
    assert "Sign Language" not in html
    assert "Relay calls go straight to the SPOC." not in html


def test_the_review_names_no_need_to_those_who_may_not_see_health(entry):
    review = restriction_review(UserFactory(roles=[Role.FRONTLINE]), entry, entry.person)

    assert review["restriction_kinds"] == ["No phone calls, or phone calls limited"]
    assert review["clashes"] == []
    assert "clash_reason" not in review


# --- The emergency addition ----------------------------------------------------------------


def test_an_emergency_addition_with_a_clash_needs_a_reason_service():
    person = needs(PersonFactory(), N.ADVOCATE)
    chair = UserFactory(roles=[Role.PANEL_CHAIR])
    fields = {
        "actor": chair,
        "person": person,
        "reason": "Violence towards staff.",
        "guidance": "Do not approach.",
        "incidents": emergency_incidents(),
        "record_owner": record_owner(),
        "restriction_kinds": [R.ONE_NAMED_CONTACT],
    }
    with pytest.raises(ScheduleTransitionError) as refused:
        entry_add_emergency(**fields)
    assert refused.value.field == "adjustment_clash_reason"

    entry = entry_add_emergency(**fields, adjustment_clash_reason="The advocate may write too.")

    assert entry.restriction_kinds == [R.ONE_NAMED_CONTACT]
    assert entry.adjustment_clash_reason == "The advocate may write too."


def test_the_emergency_page_warns_and_keeps_what_was_typed_then_adds_with_a_reason(chair_client):
    known = needs(PersonFactory(given_names="Rory", family_name="Blackmore"), N.DYSLEXIA)
    posted = emergency_details(person=str(known.pk), restriction_kinds=[R.WRITTEN_ONLY])

    refused = chair_client.post(EMERGENCY_URL, posted)

    html = refused.content.decode()
    assert refused.status_code == 400
    assert "“Written contact only” clashes with their need" in html
    assert 'value="written_only" checked' in html
    assert "Violence towards staff." in html
    assert not Entry.objects.exists()

    response = chair_client.post(
        EMERGENCY_URL, {**posted, "adjustment_clash_reason": "Short plain letters, read aloud."}
    )

    assert response.status_code == 302
    assert Entry.objects.get().restriction_kinds == [R.WRITTEN_ONLY]
