"""Repeat behaviour (issue 10, point 7): Assurance confirm it at triage; the entry's 12-month clock
restarts from the new incident, the referral and its incidents join the entry, and the referral
goes back to the panel."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from referrals import services
from referrals.models import EventKind, ReferralSource, ReferralStatus
from schedule.models import EntryEventKind
from ubpanel.roles import Role

from .factories import (
    ActiveEntryFactory,
    EntryFactory,
    IncidentFactory,
    PersonFactory,
    ReferralFactory,
    SubmittedReferralFactory,
)

pytestmark = pytest.mark.django_db
S = ReferralStatus
TODAY = date(2026, 11, 30)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(date(2026, 11, 30), tick=False):
        yield


@pytest.fixture
def assurance(make_user):
    return make_user(Role.ASSURANCE_OFFICER, username="assurance")


@pytest.fixture
def entry():
    return ActiveEntryFactory(decided_on=date(2026, 3, 1), review_due_on=date(2027, 3, 1))


@pytest.fixture
def referral(entry):
    referral = SubmittedReferralFactory(person=entry.person, repeat_behaviour=True)
    IncidentFactory(referral=referral, occurred_on=date(2026, 9, 14), location="Library")
    IncidentFactory(referral=referral, occurred_on=date(2026, 11, 20), location="County Hall")
    return referral


# --- The service -------------------------------------------------------------------------------


def test_the_review_moves_to_12_months_after_the_latest_incident(assurance, entry, referral):
    services.referral_confirm_repeat_behaviour(actor=assurance, referral=referral)

    entry.refresh_from_db()
    assert entry.review_due_on == date(2027, 11, 20)
    event = entry.events.get(kind=EntryEventKind.REPEAT_BEHAVIOUR)
    assert event.actor == assurance
    assert referral.reference in event.message
    assert "the 12-month clock restarts from the incident of 20 November 2026" in event.message
    assert "Review now due 20 November 2027 (it was due 1 March 2027)" in event.message


def test_the_referral_is_linked_and_its_incidents_copied_onto_the_entry(assurance, entry, referral):
    services.referral_confirm_repeat_behaviour(actor=assurance, referral=referral)

    assert list(entry.referrals.all()) == [referral]
    copied = list(entry.incidents.order_by("occurred_on"))
    assert [(i.occurred_on, i.location) for i in copied] == [
        (date(2026, 9, 14), "Library"),
        (date(2026, 11, 20), "County Hall"),
    ]
    assert copied[0].categories == referral.behaviour_categories
    assert {i.source_incident.referral_id for i in copied} == {referral.pk}


def test_the_referral_goes_back_to_the_panel_and_its_timeline_says_why(assurance, entry, referral):
    services.referral_confirm_repeat_behaviour(actor=assurance, referral=referral)

    referral.refresh_from_db()
    assert referral.status == S.READY_FOR_PANEL
    assert referral.repeat_behaviour is True
    confirmed = referral.events.get(kind=EventKind.REPEAT_BEHAVIOUR)
    assert confirmed.actor == assurance
    assert entry.reference in confirmed.message
    assert "20 November 2027" in confirmed.message
    listed = referral.events.latest("pk")
    assert (listed.from_status, listed.to_status) == (S.SUBMITTED, S.READY_FOR_PANEL)
    assert "referred back to the panel" in listed.message


def test_it_becomes_a_referral_back_on_the_next_agenda(assurance, entry, referral):
    from panel.models import ItemKind
    from panel.services import agenda_add_pending

    from .factories import MeetingFactory

    services.referral_confirm_repeat_behaviour(actor=assurance, referral=referral)
    meeting = MeetingFactory()
    added = agenda_add_pending(actor=assurance, meeting=meeting)

    [item] = [item for item in added if item.referral_id == referral.pk]
    assert (item.kind, item.entry) == (ItemKind.REFERRAL_BACK, entry)


def test_the_review_is_never_brought_forward_and_the_history_says_so(assurance, referral, entry):
    entry.review_due_on = date(2028, 1, 31)
    entry.save()

    services.referral_confirm_repeat_behaviour(actor=assurance, referral=referral)

    entry.refresh_from_db()
    assert entry.review_due_on == date(2028, 1, 31)
    message = entry.events.get(kind=EntryEventKind.REPEAT_BEHAVIOUR).message
    assert "Twelve months from it is 20 November 2027, earlier than the review already due" in (
        message
    )
    assert "stays due 31 January 2028" in message


def test_an_incident_dated_in_the_future_counts_from_today(assurance, entry, referral):
    IncidentFactory(referral=referral, occurred_on=date(2027, 5, 1))

    services.referral_confirm_repeat_behaviour(actor=assurance, referral=referral)

    entry.refresh_from_db()
    assert entry.review_due_on == date(2027, 11, 30)


def test_a_referral_without_incidents_counts_from_the_day_it_was_received(assurance, entry):
    from datetime import UTC, datetime

    referral = ReferralFactory(
        status=S.DRAFT,
        source=ReferralSource.MAILBOX,
        referrer=None,
        service=None,
        person=entry.person,
    )
    referral.submitted_at = None
    referral.save()
    referral.__class__.objects.filter(pk=referral.pk).update(
        created_at=datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
    )

    services.referral_confirm_repeat_behaviour(actor=assurance, referral=referral)

    entry.refresh_from_db()
    assert entry.review_due_on == date(2027, 10, 5)
    assert "the day it was received" in referral.events.get(kind=EventKind.REPEAT_BEHAVIOUR).message


def test_confirming_twice_is_refused_and_copies_nothing_again(assurance, entry, referral):
    services.referral_confirm_repeat_behaviour(actor=assurance, referral=referral)

    with pytest.raises(services.ReferralTransitionError, match="ready for panel"):
        services.referral_confirm_repeat_behaviour(actor=assurance, referral=referral)

    assert entry.incidents.count() == 2
    assert entry.events.filter(kind=EntryEventKind.REPEAT_BEHAVIOUR).count() == 1


@pytest.mark.parametrize(
    "role", [Role.REFERRING_MANAGER, Role.PANEL_CHAIR, Role.LEGAL_SERVICES, Role.FRONTLINE]
)
def test_only_assurance_confirm_repeat_behaviour(make_user, role, entry, referral):
    with pytest.raises(PermissionDenied):
        services.referral_confirm_repeat_behaviour(actor=make_user(role), referral=referral)

    entry.refresh_from_db()
    assert entry.review_due_on == date(2027, 3, 1)
    referral.refresh_from_db()
    assert referral.status == S.SUBMITTED


CONFIRMABLE = {S.SUBMITTED}


@pytest.mark.parametrize("status", list(S))
def test_every_status_of_a_web_referral(assurance, entry, status):
    referral = ReferralFactory(status=status, person=entry.person)

    if status in CONFIRMABLE:
        services.referral_confirm_repeat_behaviour(actor=assurance, referral=referral)
        referral.refresh_from_db()
        assert referral.status == S.READY_FOR_PANEL
    else:
        with pytest.raises(services.ReferralTransitionError):
            services.referral_confirm_repeat_behaviour(actor=assurance, referral=referral)
        referral.refresh_from_db()
        assert referral.status == status
        assert not entry.events.exists()


def test_a_referral_waiting_for_legal_advice_waits_for_it(assurance, entry):
    referral = SubmittedReferralFactory(status=S.AWAITING_LEGAL_ADVICE, person=entry.person)

    with pytest.raises(services.ReferralTransitionError, match="Legal Services"):
        services.referral_confirm_repeat_behaviour(actor=assurance, referral=referral)


def test_a_referral_not_linked_to_a_person_is_refused(assurance):
    referral = SubmittedReferralFactory()

    with pytest.raises(services.ReferralTransitionError, match="Link"):
        services.referral_confirm_repeat_behaviour(actor=assurance, referral=referral)


@pytest.mark.parametrize("entry_status", ["removed", None])
def test_someone_with_no_live_entry_is_a_new_referral_not_repeat_behaviour(assurance, entry_status):
    person = PersonFactory()
    if entry_status:
        EntryFactory(person=person, status=entry_status)
    referral = SubmittedReferralFactory(person=person)

    with pytest.raises(services.ReferralTransitionError, match="no live entry"):
        services.referral_confirm_repeat_behaviour(actor=assurance, referral=referral)


# --- The triage page ---------------------------------------------------------------------------


def test_the_triage_page_shows_the_entry_and_offers_the_action(assurance_client, entry, referral):
    html = assurance_client.get(reverse("referrals:triage_detail", args=[referral.pk])).content
    html = html.decode()

    assert 'data-testid="on-schedule"' in html
    assert entry.reference in html
    assert reverse("schedule:entry_detail", args=[entry.pk]) in html
    assert entry.get_tier_display() in html
    assert "1 March 2027" in html
    assert reverse("referrals:confirm_repeat_behaviour", args=[referral.pk]) in html


def test_the_action_is_not_offered_for_someone_not_on_the_schedule(assurance_client):
    referral = SubmittedReferralFactory(person=PersonFactory())

    html = assurance_client.get(reverse("referrals:triage_detail", args=[referral.pk])).content

    assert b'data-testid="on-schedule"' not in html
    assert b"Confirm repeat behaviour" not in html


def test_the_action_is_not_offered_once_the_referral_is_listed(assurance_client, entry):
    referral = SubmittedReferralFactory(status=S.READY_FOR_PANEL, person=entry.person)

    html = assurance_client.get(reverse("referrals:triage_detail", args=[referral.pk])).content

    assert b'data-testid="on-schedule"' in html
    assert b"Confirm repeat behaviour" not in html


def test_assurance_confirm_it_from_the_triage_page_and_it_is_audited(
    assurance_client, entry, referral, audit_entries
):
    response = assurance_client.post(
        reverse("referrals:confirm_repeat_behaviour", args=[referral.pk]), follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("referrals:triage_detail", args=[referral.pk])
    html = response.content.decode()
    assert "confirmed as repeat behaviour" in html
    assert "20 November 2027" in html
    referral.refresh_from_db()
    assert referral.status == S.READY_FOR_PANEL
    changes = audit_entries(action=1, content_type__model="referral", object_pk=str(referral.pk))
    assert changes
    assert changes[-1].actor == assurance_client.user
    assert audit_entries(action=1, content_type__model="entry", object_pk=str(entry.pk))


def test_an_action_from_the_wrong_status_says_why(assurance_client, entry):
    referral = SubmittedReferralFactory(status=S.CLOSED, person=entry.person)

    response = assurance_client.post(
        reverse("referrals:confirm_repeat_behaviour", args=[referral.pk]), follow=True
    )

    assert "only a referral waiting for triage" in response.content.decode()
    entry.refresh_from_db()
    assert entry.review_due_on == date(2027, 3, 1)


@pytest.mark.parametrize(
    "role",
    [Role.REFERRING_MANAGER, Role.PANEL_CHAIR, Role.LEGAL_SERVICES, Role.FRONTLINE, None],
    ids=lambda r: r.value if r else "no-role",
)
def test_no_other_role_can_confirm_it(role_client, role, entry, referral):
    response = role_client(role).post(
        reverse("referrals:confirm_repeat_behaviour", args=[referral.pk])
    )

    assert response.status_code in (403, 404)
    referral.refresh_from_db()
    assert referral.status == S.SUBMITTED
    entry.refresh_from_db()
    assert entry.review_due_on == date(2027, 3, 1)


def test_a_referral_assurance_may_not_see_is_an_audited_404(assurance_client, entry, audit_entries):
    draft = ReferralFactory(person=entry.person)  # a manager's unsent web draft

    response = assurance_client.post(reverse("referrals:confirm_repeat_behaviour", args=[draft.pk]))

    assert response.status_code == 404
    assert audit_entries(event="denied")[0].object_pk == str(draft.pk)


def test_the_action_needs_a_csrf_token(client, make_user, entry, referral):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(make_user(Role.ASSURANCE_OFFICER))

    response = csrf_client.post(reverse("referrals:confirm_repeat_behaviour", args=[referral.pk]))

    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.status == S.SUBMITTED


def test_the_action_is_post_only(assurance_client, referral):
    response = assurance_client.get(
        reverse("referrals:confirm_repeat_behaviour", args=[referral.pk])
    )

    assert response.status_code == 405


def test_the_confirmation_names_the_new_review_date_as_people_write_it(assurance_client, entry):
    referral = SubmittedReferralFactory(person=entry.person)
    IncidentFactory(referral=referral, occurred_on=date(2026, 11, 5))

    response = assurance_client.post(
        reverse("referrals:confirm_repeat_behaviour", args=[referral.pk]), follow=True
    )

    assert "is now due for review on 5 November 2027." in response.content.decode()
