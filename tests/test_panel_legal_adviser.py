"""A high-risk item, or one where legal proceedings were intimated, prompts Assurance to invite a
Legal Services adviser; the item screen and the agenda warn while none is invited (issue 10,
point 12). The protocol: "For High risk incidents, or cases where legal proceedings have been
intimated, a Legal Services representative will also be invited in an advisory capacity.\""""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from panel.models import Decision, ItemStatus, Seat
from panel.selectors import legal_adviser_missing, legal_adviser_reasons, needs_legal_adviser
from ubpanel.roles import Role

from .factories import (
    ActiveEntryFactory,
    AgendaItemFactory,
    MeetingFactory,
    PersonFactory,
    SubmittedReferralFactory,
    UserFactory,
)
from .panel_setup import seat_holders

pytestmark = pytest.mark.django_db

WARNING = (
    "The protocol asks for a Legal Services representative to be invited in an advisory capacity"
)


def _referral_item(meeting=None, **referral):
    return AgendaItemFactory(
        meeting=meeting or MeetingFactory(),
        referral=SubmittedReferralFactory(
            status="ready_for_panel",
            person=PersonFactory(),
            **{"suggested_tier": "low", "violence": False, **referral},
        ),
    )


def _fresh(item):
    """As the pages read it: with its referral, entry, decision and invitees."""
    return (
        type(item)
        .objects.select_related("referral", "entry", "decision")
        .prefetch_related("invitees")
        .get(pk=item.pk)
    )


def _lawyer():
    return UserFactory(roles=[Role.LEGAL_SERVICES], first_name="Lee", last_name="Lawyer")


# --- The rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("referral", "reason"),
    [
        ({"suggested_tier": "high"}, "the referral suggests the high risk tier"),
        ({"violence": True}, "the referral reports violence"),
        ({"legal_proceedings_intimated": True}, "legal proceedings have been intimated"),
    ],
)
def test_a_referral_that_is_high_risk_or_intimates_proceedings_needs_legal_services(
    referral, reason
):
    item = _fresh(_referral_item(**referral))

    assert needs_legal_adviser(item)
    assert legal_adviser_reasons(item) == [reason]


def test_a_high_risk_entry_needs_legal_services():
    item = AgendaItemFactory(kind="review", referral=None, entry=ActiveEntryFactory(tier="high"))

    assert legal_adviser_reasons(_fresh(item)) == ["the entry is high risk"]


def test_a_decision_drafted_at_the_high_tier_needs_legal_services():
    item = _referral_item()
    assert not needs_legal_adviser(_fresh(item))

    Decision.objects.create(item=item, tier="high", outcome="add_to_schedule")

    assert legal_adviser_reasons(_fresh(item)) == ["the proposed decision is at the high risk tier"]


def test_a_low_risk_item_with_no_proceedings_needs_no_legal_services():
    item = AgendaItemFactory(kind="review", referral=None, entry=ActiveEntryFactory(tier="low"))

    assert not needs_legal_adviser(_fresh(item))
    assert not legal_adviser_missing(_fresh(item))


def test_the_prompt_stops_once_a_legal_adviser_is_invited():
    item = _referral_item(violence=True)
    item.invitees.create(user=UserFactory(), role="operations_manager")
    assert legal_adviser_missing(_fresh(item))

    item.invitees.create(user=_lawyer(), role="legal_adviser")

    assert not legal_adviser_missing(_fresh(item))


def test_a_decided_item_prompts_nobody():
    item = _referral_item(violence=True)
    type(item).objects.filter(pk=item.pk).update(status=ItemStatus.DECIDED)

    assert not legal_adviser_missing(_fresh(item))


# --- The item screen --------------------------------------------------------------------------


def test_assurance_are_warned_on_the_item_screen_until_legal_services_are_invited(
    assurance_client,
):
    item = _referral_item(legal_proceedings_intimated=True)
    url = reverse("panel:item_detail", args=[item.pk])

    html = assurance_client.get(url).content.decode()
    assert WARNING in html
    assert "legal proceedings have been intimated" in html
    assert reverse("panel:item_invitees", args=[item.pk]) in html

    item.invitees.create(user=_lawyer(), role="legal_adviser")
    assert WARNING not in assurance_client.get(url).content.decode()


def test_the_chair_is_warned_and_members_are_not():
    holders = seat_holders()
    item = _referral_item(suggested_tier="high")
    url = reverse("panel:item_detail", args=[item.pk])

    for seat, warned in ((Seat.CHAIR, True), (Seat.HEALTH_AND_SAFETY, False)):
        client = Client()
        client.force_login(holders[seat])
        assert (WARNING in client.get(url).content.decode()) is warned


def test_no_warning_for_a_low_risk_item(assurance_client):
    item = _referral_item()

    html = assurance_client.get(reverse("panel:item_detail", args=[item.pk])).content.decode()

    assert WARNING not in html


def test_the_invitees_page_says_why_legal_services_are_needed_until_one_is_invited(
    assurance_client,
):
    item = _referral_item(violence=True)
    url = reverse("panel:item_invitees", args=[item.pk])

    html = assurance_client.get(url).content.decode()
    assert WARNING in html
    assert "the referral reports violence" in html

    response = assurance_client.post(url, {"role": "legal_adviser", "user": _lawyer().pk})
    assert response.status_code == 302
    assert WARNING not in assurance_client.get(url).content.decode()


# --- The agenda -------------------------------------------------------------------------------


def test_the_agenda_warns_assurance_which_items_need_legal_services(assurance_client):
    meeting = MeetingFactory()
    _referral_item(meeting)
    high = _referral_item(meeting, violence=True)
    invited = _referral_item(meeting, suggested_tier="high")
    invited.invitees.create(user=_lawyer(), role="legal_adviser")

    response = assurance_client.get(reverse("panel:meeting_detail", args=[meeting.pk]))

    html = response.content.decode()
    assert WARNING in html
    assert f"Nobody from Legal Services is invited yet for item {high.position}." in html
    assert html.count('data-testid="legal-adviser-missing"') == 1


def test_members_see_no_legal_services_warning_on_the_agenda(panel_client):
    meeting = MeetingFactory()
    _referral_item(meeting, violence=True)

    html = panel_client.get(reverse("panel:meeting_detail", args=[meeting.pk])).content.decode()

    assert WARNING not in html


@pytest.mark.parametrize("items", [1, 5])
def test_the_agenda_with_warnings_uses_a_constant_number_of_queries(
    assurance_client, items, django_assert_max_num_queries
):
    meeting = MeetingFactory()
    for n in range(items):
        item = _referral_item(meeting, violence=True)
        Decision.objects.create(item=item, tier="high", outcome="add_to_schedule")
        if n % 2:
            item.invitees.create(user=UserFactory(), role="operations_manager")
        AgendaItemFactory(meeting=meeting, kind="review", referral=None, entry=ActiveEntryFactory())

    with django_assert_max_num_queries(12):
        response = assurance_client.get(reverse("panel:meeting_detail", args=[meeting.pk]))
    assert response.status_code == 200
    assert WARNING in response.content.decode()


def test_the_item_screen_with_a_warning_reads_the_same_queries_as_without(
    assurance_client, django_assert_num_queries
):
    quiet = _referral_item()
    loud = _referral_item(violence=True, legal_proceedings_intimated=True)
    Decision.objects.create(item=loud, tier="high", outcome="add_to_schedule")
    Decision.objects.create(item=quiet, tier="low", outcome="add_to_schedule")
    assurance_client.get(reverse("panel:item_detail", args=[quiet.pk]))  # warm the session

    with CaptureQueriesContext(connection) as without:
        assurance_client.get(reverse("panel:item_detail", args=[quiet.pk]))
    with django_assert_num_queries(len(without.captured_queries)):
        html = assurance_client.get(reverse("panel:item_detail", args=[loud.pk])).content
    assert WARNING.encode() in html
