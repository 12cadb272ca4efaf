"""The record holds at the joins: the entry a decision makes carries the case (every incident and
the reasons) and a record owner; corrections reach the entry; an email divert waits for the ward
councillors; removal is never routed to a letter; the emergency addition takes structured
incidents and keeps the chair's internal notes apart."""

from datetime import date, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from panel import services
from panel.models import ItemKind, LetterRoute, Outcome, Seat
from referrals.models import ReferralStatus
from schedule import services as schedule_services
from schedule.models import Entry, EntryEventKind
from ubpanel.roles import Role

from .factories import (
    ActiveEntryFactory,
    AgendaItemFactory,
    EntryFactory,
    IncidentFactory,
    PersonFactory,
    SubmittedReferralFactory,
    UserFactory,
    emergency_incidents,
)
from .panel_setup import carry, open_meeting, propose, record_owner, seat_holders

pytestmark = pytest.mark.django_db

C = Seat.CHAIR


@pytest.fixture
def holders():
    return seat_holders()


@pytest.fixture
def meeting(holders):
    return open_meeting(holders)


@pytest.fixture
def referral_item(meeting):
    referral = SubmittedReferralFactory(
        status=ReferralStatus.READY_FOR_PANEL,
        person=PersonFactory(given_names="Nadia", family_name="Quell"),
        behaviour_categories=["abusive", "threats_of_violence"],
    )
    IncidentFactory(
        referral=referral,
        occurred_on=date(2026, 9, 1),
        occurred_at=time(9, 15),
        location="Housing office reception, Weymouth",
        description="Threatened to wait for the officer after work.",
    )
    IncidentFactory(
        referral=referral,
        occurred_on=date(2026, 9, 14),
        location="Phone call to the contact centre",
        description="Called the adviser a string of racist names.",
    )
    return AgendaItemFactory(meeting=meeting, referral=referral)


def _carry(holders, item, **fields):
    return carry(holders, item, **fields)[1]


def _client(user):
    client = Client()
    client.force_login(user)
    return client


# --- 3. An entry made by the panel carries the case --------------------------------------------


def test_the_entry_carries_every_incident_and_the_reasons(holders, referral_item):
    _carry(holders, referral_item, reasons="Threats and racist abuse on two occasions.")

    entry = Entry.objects.get(person=referral_item.referral.person)
    incidents = list(entry.incidents.all())
    assert [i.location for i in incidents] == [
        "Housing office reception, Weymouth",
        "Phone call to the contact centre",
    ]
    assert incidents[0].occurred_at == time(9, 15)
    assert incidents[0].categories == ["abusive", "threats_of_violence"]
    assert all(i.source_incident_id for i in incidents)
    assert entry.reason == "Threats and racist abuse on two occasions."


def test_the_entry_page_shows_the_incidents_and_reasons_right_after_the_decision(
    holders, referral_item
):
    _carry(holders, referral_item, reasons="Threats and racist abuse on two occasions.")
    entry = Entry.objects.get(person=referral_item.referral.person)

    html = _client(holders[C]).get(reverse("schedule:entry_detail", args=[entry.pk])).content
    html = html.decode()

    assert "Threatened to wait for the officer after work." in html
    assert "Called the adviser a string of racist names." in html
    assert "1 September 2026 at 09:15, Housing office reception, Weymouth" in html
    assert "Threats and racist abuse on two occasions." in html
    assert "Not recorded" not in html


def test_copying_a_referrals_incidents_twice_keeps_one_copy_each(holders, referral_item):
    _carry(holders, referral_item)
    entry = Entry.objects.get(person=referral_item.referral.person)

    again = schedule_services.entry_incidents_copy(entry=entry, referral=referral_item.referral)

    assert again == []
    assert entry.incidents.count() == 2


# --- 6. Every live entry has a record owner ------------------------------------------------------


def test_adding_to_the_schedule_needs_a_record_owner(holders, referral_item):
    decision = propose(holders[C], referral_item, record_owner=None)

    problems = services.decision_problems(referral_item, decision)

    assert "Choose the record owner: the Operations Manager responsible for the record." in problems
    with pytest.raises(services.PanelError, match="record owner"):
        services.ballot_open(actor=holders[C], item=referral_item)


def test_the_record_owner_chosen_on_the_proposal_owns_the_entry_and_the_page_says_who(
    holders, referral_item
):
    owner = record_owner()
    _carry(holders, referral_item, record_owner=owner)
    entry = Entry.objects.get(person=referral_item.referral.person)

    assert entry.record_owner == owner
    html = _client(holders[C]).get(reverse("schedule:entry_detail", args=[entry.pk])).content
    assert (
        escape(str(owner)) in html.decode().split('data-testid="record-owner"')[1].split("</dd>")[0]
    )


def test_ratifying_an_emergency_entry_without_an_owner_needs_one_named(holders, meeting):
    entry = EntryFactory(record_owner=None)
    item = AgendaItemFactory(
        meeting=meeting, kind=ItemKind.RATIFICATION, referral=None, entry=entry
    )
    decision = propose(holders[C], item, outcome=Outcome.RATIFY, record_owner=None)

    assert "Choose the record owner" in " ".join(services.decision_problems(item, decision))

    owner = record_owner()
    _carry(holders, item, outcome=Outcome.RATIFY, record_owner=owner)
    entry.refresh_from_db()
    assert entry.record_owner == owner


def test_the_entry_page_warns_when_a_live_entry_has_no_record_owner(chair_client):
    entry = ActiveEntryFactory(record_owner=None)

    html = chair_client.get(reverse("schedule:entry_detail", args=[entry.pk])).content.decode()

    assert 'data-testid="no-record-owner"' in html


# --- 2. Corrections reach the entry ----------------------------------------------------------


def test_a_corrected_tier_changes_the_entry_with_an_event(holders, referral_item):
    decision = _carry(holders, referral_item, tier="medium")
    entry = Entry.objects.get(person=referral_item.referral.person)

    services.decision_correct(
        actor=holders[C], decision=decision, field="tier", value="high", reason="Typed wrongly."
    )

    entry.refresh_from_db()
    assert entry.tier == "high"
    event = entry.events.get(kind=EntryEventKind.CORRECTED)
    assert "from “medium – threatening behaviour” to “high – violence”" in event.message
    assert "Typed wrongly." in event.message


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("how_to_respond", "Never visit alone; two officers at all times."),
        ("permitted_contact", "Letters only."),
        ("contact_restrictions", "No phone calls."),
        ("service_restrictions", "No home visits."),
        ("spoc_name", "Robin Spoc"),
        ("reasons", "Racist abuse on two occasions."),
    ],
)
def test_a_corrected_text_the_entry_holds_changes_the_entry(holders, referral_item, field, value):
    decision = _carry(holders, referral_item)
    entry = Entry.objects.get(person=referral_item.referral.person)

    services.decision_correct(
        actor=holders[C], decision=decision, field=field, value=value, reason="Corrected."
    )

    entry.refresh_from_db()
    assert getattr(entry, "reason" if field == "reasons" else field) == value
    assert entry.events.filter(kind=EntryEventKind.CORRECTED).count() == 1


def test_a_correction_to_a_decision_that_set_nothing_on_the_entry_leaves_it_alone(holders, meeting):
    entry = ActiveEntryFactory()
    item = AgendaItemFactory(meeting=meeting, kind=ItemKind.REVIEW, referral=None, entry=entry)
    decision = _carry(holders, item, outcome=Outcome.KEEP)
    before = entry.how_to_respond

    services.decision_correct(
        actor=holders[C],
        decision=decision,
        field="how_to_respond",
        value="Something else.",
        reason="Tidying the record.",
    )

    entry.refresh_from_db()
    assert entry.how_to_respond == before
    assert not entry.events.filter(kind=EntryEventKind.CORRECTED).exists()


@pytest.mark.parametrize("field", ["care_system_notes", "care_system_consulted"])
def test_a_correction_never_touches_the_care_system_consultation(holders, referral_item, field):
    decision = _carry(holders, referral_item)

    with pytest.raises(ValidationError, match="Adult Social Care"):
        services.decision_correct(
            actor=holders[C], decision=decision, field=field, value="x", reason="No."
        )


def test_the_correction_page_corrects_the_tier_and_the_entry_follows(holders, referral_item):
    decision = _carry(holders, referral_item, tier="medium")
    entry = Entry.objects.get(person=referral_item.referral.person)
    url = reverse("panel:decision_correct", args=[decision.pk])
    client = _client(holders[C])

    page = client.get(url).content.decode()
    assert 'value="care_system_notes"' not in page
    response = client.post(url, {"field": "tier", "tier": "low", "reason": "It was low."})

    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.tier == "low"


def test_a_tier_correction_without_a_tier_is_refused_beside_the_field(holders, referral_item):
    decision = _carry(holders, referral_item)
    url = reverse("panel:decision_correct", args=[decision.pk])

    response = _client(holders[C]).post(url, {"field": "tier", "reason": "Kept this reason."})

    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_tier-error"' in html
    assert "Kept this reason." in html


# --- 14. An email divert needs the ward councillors' answer first ---------------------------------


def test_an_email_divert_needs_who_was_asked_and_what_they_said(holders, referral_item):
    decision = propose(holders[C], referral_item, email_divert=True)
    problem = (
        "Before an email divert, the panel liaises with the ward councillors: record which ward "
        "councillors were asked and what they said."
    )
    assert problem in services.decision_problems(referral_item, decision)

    decision = propose(
        holders[C],
        referral_item,
        email_divert=True,
        ward_councillors_consulted=True,
        ward_councillors_asked="Cllr A. Ward and Cllr B. Ward (Weymouth East)",
        ward_councillors_response="Both want the divert to apply to their addresses.",
    )
    assert problem not in services.decision_problems(referral_item, decision)


def test_the_entry_keeps_which_ward_councillors_were_asked(holders, referral_item):
    _carry(
        holders,
        referral_item,
        email_divert=True,
        ward_councillors_consulted=True,
        ward_councillors_asked="Cllr A. Ward (Weymouth East)",
        ward_councillors_response="Wants the divert.",
    )
    entry = Entry.objects.get(person=referral_item.referral.person)

    assert entry.ward_councillors_asked == "Cllr A. Ward (Weymouth East)"
    html = _client(holders[C]).get(reverse("schedule:entry_detail", args=[entry.pk])).content
    assert "Cllr A. Ward (Weymouth East)" in html.decode()


# --- 8. Removal is never routed to a letter ------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "outcome"),
    [
        (ItemKind.REVIEW, Outcome.REMOVE),
        (ItemKind.RATIFICATION, Outcome.NOT_RATIFY),
        (ItemKind.REVIEW, Outcome.KEEP),
    ],
)
def test_a_no_letter_outcome_cannot_be_routed_to_a_letter(holders, meeting, kind, outcome):
    entry = EntryFactory() if kind == ItemKind.RATIFICATION else ActiveEntryFactory()
    item = AgendaItemFactory(meeting=meeting, kind=kind, referral=None, entry=entry)

    decision = propose(
        holders[C], item, outcome=outcome, letter_route=LetterRoute.OPERATIONS_MANAGER
    )

    problems = " ".join(services.decision_problems(item, decision))
    assert "“No letter”" in problems
    with pytest.raises(services.PanelError, match="No letter"):
        services.ballot_open(actor=holders[C], item=item)


def test_the_proposal_form_says_removal_is_not_communicated_quoting_the_protocol(holders, meeting):
    item = AgendaItemFactory(
        meeting=meeting, kind=ItemKind.REVIEW, referral=None, entry=ActiveEntryFactory()
    )

    html = _client(holders[C]).get(reverse("panel:proposal", args=[item.pk])).content.decode()

    assert "The individual will not be told, and no letter can be sent." in html
    assert "may re-oxygenate the issues" in html


# --- 4. Emergency additions take structured incidents -----------------------------------------


def test_an_emergency_addition_keeps_structured_incidents_and_internal_notes_apart(make_user):
    chair = make_user(Role.PANEL_CHAIR)
    owner = UserFactory(roles=[Role.REFERRING_MANAGER])

    entry = schedule_services.entry_add_emergency(
        actor=chair,
        person=PersonFactory(),
        reason="Pushed an officer down the steps: violence towards staff.",
        internal_notes="Police reference DP-2026-0042; frontline never see this.",
        guidance="Do not visit.",
        incidents=[
            *emergency_incidents(),
            {
                "occurred_on": date(2026, 3, 4),
                "occurred_at": None,
                "location": "Phone call",
                "description": "Threatened to do it again.",
                "categories": ["threats_of_violence"],
            },
        ],
        record_owner=owner,
    )

    assert [(i.location, i.categories) for i in entry.incidents.all()] == [
        ("Housing office, Dorchester", ["actual_violence"]),
        ("Phone call", ["threats_of_violence"]),
    ]
    assert entry.internal_notes.startswith("Police reference")
    assert entry.record_owner == owner
    assert "DP-2026" not in entry.events.get().message


@pytest.mark.parametrize(
    ("incidents", "message"),
    [
        ([], "at least one incident"),
        (emergency_incidents(location=""), "Incident 1: enter where it happened"),
        (
            emergency_incidents(occurred_on=timezone.localdate() + timedelta(days=1)),
            "Incident 1: the date must be today or in the past",
        ),
    ],
)
def test_an_emergency_addition_refuses_incomplete_incidents(make_user, incidents, message):
    with pytest.raises(ValidationError, match=message):
        schedule_services.entry_add_emergency(
            actor=make_user(Role.PANEL_CHAIR),
            person=PersonFactory(),
            reason="Violence.",
            guidance="Do not visit.",
            incidents=incidents,
            record_owner=UserFactory(roles=[Role.REFERRING_MANAGER]),
        )
    assert not Entry.objects.exists()


def test_an_emergency_addition_needs_a_record_owner(make_user):
    with pytest.raises(ValidationError) as refused:
        schedule_services.entry_add_emergency(
            actor=make_user(Role.PANEL_CHAIR),
            person=PersonFactory(),
            reason="Violence.",
            guidance="Do not visit.",
            incidents=emergency_incidents(),
            record_owner=None,
        )
    assert "record_owner" in refused.value.message_dict
