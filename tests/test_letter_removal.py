"""Removal is never communicated (issue 10, point 8). The protocol: "Removal from the list will not
be communicated to the perpetrator as this may re-oxygenate the issues."

No letter is drafted, approved or sent about a removed entry, or after a Remove, Not ratified,
Keep, Grant or Refuse decision, whatever letter route the decision names; a letter drafted while an
emergency addition was pending is cancelled when the panel does not ratify it."""

from datetime import date

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from correspondence import services
from correspondence.models import Letter, LetterKind, LetterStatus
from correspondence.selectors import decisions_waiting_for_letters
from panel.models import Decision, ItemKind, LetterRoute, Outcome
from referrals.models import PersonAddress
from schedule import services as schedule_services
from schedule.models import EntryIncident
from ubpanel.entry_status import EntryStatus
from ubpanel.roles import Role

from .factories import (
    AccessGrantFactory,
    ActiveEntryFactory,
    AgendaItemFactory,
    EntryFactory,
    LetterFactory,
    MeetingFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NO_LETTER = [Outcome.REMOVE, Outcome.NOT_RATIFY, Outcome.KEEP, Outcome.GRANT, Outcome.REFUSE]
ROUTES = [
    LetterRoute.OPERATIONS_MANAGER,
    LetterRoute.LEGAL_SERVICES,
    LetterRoute.EXPECTED_BEHAVIOUR,
]
ITEM_KIND = {
    Outcome.REMOVE: ItemKind.REVIEW,
    Outcome.KEEP: ItemKind.REVIEW,
    Outcome.NOT_RATIFY: ItemKind.RATIFICATION,
    Outcome.GRANT: ItemKind.ACCESS_REQUEST,
    Outcome.REFUSE: ItemKind.ACCESS_REQUEST,
}


@pytest.fixture
def assurance():
    return UserFactory(username="assurance", roles=[Role.ASSURANCE_OFFICER])


@pytest.fixture
def legal():
    return UserFactory(username="legal", roles=[Role.LEGAL_SERVICES])


@pytest.fixture
def chair():
    return UserFactory(username="chair", roles=[Role.PANEL_CHAIR])


def _decision(outcome, route, *, entry=None):
    """A final decision as the panel recorded it - with the letter route the chair chose, whatever
    the panel's own checks would say of it today."""
    kind = ITEM_KIND.get(outcome, ItemKind.NEW_REFERRAL)
    subject = (
        {"access_grant": AccessGrantFactory(), "referral": None}
        if kind == ItemKind.ACCESS_REQUEST
        else {"entry": entry or ActiveEntryFactory(), "referral": None}
    )
    item = AgendaItemFactory(meeting=MeetingFactory(), kind=kind, status="decided", **subject)
    return Decision.objects.create(
        item=item,
        status="final",
        outcome=outcome,
        tier="medium",
        letter_route=route,
        reasons="The panel's reasons.",
        decided_on=timezone.localdate(),
        decided_at=timezone.now(),
    )


def _removed_by_review(chair, route=LetterRoute.OPERATIONS_MANAGER):
    """The panel removed the entry at its 12-month review, and the chair routed a letter."""
    entry = ActiveEntryFactory()
    decision = _decision(Outcome.REMOVE, route, entry=entry)
    schedule_services.entry_remove(actor=chair, entry=entry, reason="Reviewed: no repeat.")
    return decision


def _with_address(entry):
    """Somewhere to send the letter, and the incident it describes."""
    PersonAddress.objects.create(
        person=entry.person, address="2 North Square, Dorchester", postcode="DT1 1HZ"
    )
    EntryIncident.objects.create(
        entry=entry,
        occurred_on=date(2026, 10, 5),
        location="Front door, 2 North Square",
        description="Threatened a housing officer with a knife.",
    )
    return entry


def test_the_outcomes_that_send_nothing_are_the_panels():
    from panel.models import NO_LETTER_OUTCOMES

    assert set(NO_LETTER_OUTCOMES) == set(NO_LETTER)


def test_a_remove_decision_routed_to_the_operations_manager_drafts_no_letter(assurance, chair):
    decision = _removed_by_review(chair)

    with pytest.raises(services.LetterError, match="never communicated"):
        services.letter_draft_from_decision(actor=assurance, decision=decision)

    assert not Letter.objects.exists()


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("outcome", NO_LETTER)
def test_no_letter_is_drafted_after_these_outcomes_whatever_the_route(
    outcome, route, assurance, legal
):
    decision = _decision(outcome, route)
    actor = legal if route == LetterRoute.LEGAL_SERVICES else assurance

    with pytest.raises(services.LetterError, match="The panel decided"):
        services.letter_draft_from_decision(actor=actor, decision=decision)

    assert not Letter.objects.exists()


@pytest.mark.parametrize("kind", LetterKind.values)
def test_no_letter_of_any_kind_is_drafted_for_a_removed_entry(kind, legal, chair):
    entry = ActiveEntryFactory(tier="high")
    schedule_services.entry_remove(actor=chair, entry=entry, reason="Reviewed: no repeat.")

    with pytest.raises(services.LetterError, match="removed from the schedule"):
        services.letter_draft(actor=legal, kind=kind, person=entry.person, entry=entry)


def test_a_pending_high_risk_letter_cannot_be_sent_after_the_panel_does_not_ratify(
    legal, chair, django_capture_on_commit_callbacks
):
    entry = _with_address(EntryFactory())
    letter = services.letter_draft(
        actor=legal, kind=LetterKind.HIGH, person=entry.person, entry=entry
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.letter_approve(actor=legal, letter=letter)

    schedule_services.entry_end_emergency(actor=chair, entry=entry, reason="Not ratified.")

    with pytest.raises(services.LetterError, match="removed from the schedule"):
        services.letter_send(actor=legal, letter=letter, method="post")
    letter.refresh_from_db()
    entry.refresh_from_db()
    assert letter.status == LetterStatus.APPROVED
    assert (letter.sent_on, entry.notified_on) == (None, None)
    assert not entry.events.filter(kind="notified").exists()


def test_a_draft_for_a_removed_entry_cannot_be_approved_or_changed(legal, chair):
    entry = _with_address(EntryFactory())
    letter = services.letter_draft(
        actor=legal, kind=LetterKind.HIGH, person=entry.person, entry=entry
    )
    schedule_services.entry_end_emergency(actor=chair, entry=entry, reason="Not ratified.")

    with pytest.raises(services.LetterError, match="removed from the schedule"):
        services.letter_approve(actor=legal, letter=letter)
    with pytest.raises(services.LetterError, match="removed from the schedule"):
        services.letter_update(actor=legal, letter=letter, fields={"closing": "Regards."})


def test_not_ratifying_cancels_the_letters_drafted_while_the_entry_was_pending(
    legal, chair, audit_entries, django_capture_on_commit_callbacks
):
    entry = _with_address(EntryFactory())
    approved = services.letter_draft(
        actor=legal, kind=LetterKind.HIGH, person=entry.person, entry=entry
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.letter_approve(actor=legal, letter=approved)
    draft = services.letter_draft(
        actor=legal, kind=LetterKind.HIGH, person=entry.person, entry=entry
    )
    sent_before = LetterFactory(person=entry.person, entry=entry, status="sent")

    schedule_services.entry_end_emergency(actor=chair, entry=entry, reason="Not ratified.")
    cancelled = services.letters_cancel_for_entry(
        actor=chair, entry=entry, reason="The panel did not ratify the emergency addition."
    )

    assert {letter.pk for letter in cancelled} == {approved.pk, draft.pk}
    for letter in (approved, draft):
        letter.refresh_from_db()
        assert letter.status == LetterStatus.CANCELLED
        assert letter.cancelled_by == chair
        assert letter.cancelled_at is not None
        assert letter.cancelled_reason == "The panel did not ratify the emergency addition."
    sent_before.refresh_from_db()
    assert sent_before.status == LetterStatus.SENT
    changes = [
        entry.changes["status"]
        for entry in audit_entries(content_type__model="letter", action=LogEntry.Action.UPDATE)
        if entry.changes and "status" in entry.changes
    ]
    assert ["approved", "cancelled"] in changes
    assert ["draft", "cancelled"] in changes


def test_a_cancelled_letter_is_never_approved_changed_or_sent(legal, chair):
    entry = _with_address(EntryFactory())
    letter = services.letter_draft(
        actor=legal, kind=LetterKind.HIGH, person=entry.person, entry=entry
    )
    services.letters_cancel_for_entry(actor=chair, entry=entry, reason="Not ratified.")

    for attempt in (
        lambda: services.letter_approve(actor=legal, letter=letter),
        lambda: services.letter_update(actor=legal, letter=letter, fields={"closing": "x"}),
        lambda: services.letter_send(actor=legal, letter=letter, method="post"),
    ):
        with pytest.raises(services.LetterError, match="cancelled"):
            attempt()
    letter.refresh_from_db()
    assert (letter.status, letter.version) == (LetterStatus.CANCELLED, 1)


def test_a_removed_entry_is_never_recorded_as_notified(chair):
    entry = ActiveEntryFactory()
    schedule_services.entry_remove(actor=chair, entry=entry, reason="Reviewed.")

    with pytest.raises(schedule_services.ScheduleTransitionError):
        schedule_services.entry_record_notification(
            actor=chair, entry=entry, notified_on=date(2026, 11, 23), letter="LET-00001"
        )
    entry.refresh_from_db()
    assert entry.notified_on is None


def test_the_waiting_list_never_offers_a_letter_after_these_outcomes(assurance, chair):
    waiting = _decision(Outcome.ADD_TO_SCHEDULE, LetterRoute.OPERATIONS_MANAGER)
    for outcome in NO_LETTER:
        _decision(outcome, LetterRoute.OPERATIONS_MANAGER)
    _removed_by_review(chair)
    # Added, then removed (an appeal upheld) before anyone drafted the letter.
    added_then_removed = _decision(Outcome.ADD_TO_SCHEDULE, LetterRoute.OPERATIONS_MANAGER)
    added_then_removed.item.entry.status = EntryStatus.REMOVED
    added_then_removed.item.entry.save()

    assert list(decisions_waiting_for_letters(assurance)) == [waiting]


# --- The pages ----------------------------------------------------------------------------------


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_drafting_from_a_remove_decision_shows_why_not_a_500(assurance, chair):
    decision = _removed_by_review(chair)

    response = _client(assurance).post(
        reverse("correspondence:letter_from_decision", args=[decision.pk]), follow=True
    )

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("correspondence:index")
    assert "never communicated to the individual" in response.content.decode()
    assert f'data-testid="draft-{decision.pk}"' not in response.content.decode()
    assert not Letter.objects.exists()


def test_drafting_for_an_emergency_addition_not_ratified_shows_why(legal, chair):
    entry = EntryFactory()
    schedule_services.entry_end_emergency(actor=chair, entry=entry, reason="Not ratified.")

    response = _client(legal).post(
        reverse("correspondence:letter_for_emergency", args=[entry.pk]), follow=True
    )

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("schedule:entry_detail", args=[entry.pk])
    assert "removed from the schedule" in response.content.decode()
    assert not Letter.objects.exists()


def test_the_cancelled_letter_page_says_who_when_and_why_and_offers_nothing(legal, chair):
    entry = _with_address(EntryFactory())
    letter = services.letter_draft(
        actor=legal, kind=LetterKind.HIGH, person=entry.person, entry=entry
    )
    services.letters_cancel_for_entry(
        actor=chair, entry=entry, reason="The panel did not ratify the emergency addition."
    )
    client = _client(legal)

    page = client.get(reverse("correspondence:letter_detail", args=[letter.pk])).content.decode()

    assert 'data-testid="cancelled"' in page
    assert "The panel did not ratify the emergency addition." in page
    assert escape(str(chair)) in page
    for action in ('data-testid="approve"', 'data-testid="edit"', 'data-testid="send"'):
        assert action not in page
    edit = client.get(reverse("correspondence:letter_edit", args=[letter.pk]), follow=True)
    assert "cannot change" in edit.content.decode()
    approve = client.post(reverse("correspondence:letter_approve", args=[letter.pk]), follow=True)
    assert "cancelled" in approve.content.decode()
    index = client.get(reverse("correspondence:index")).content.decode()
    assert "Cancelled" in index
    assert letter.reference in index


def test_a_draft_about_a_removed_entry_says_it_cannot_go(legal, chair):
    entry = _with_address(EntryFactory())
    letter = services.letter_draft(
        actor=legal, kind=LetterKind.HIGH, person=entry.person, entry=entry
    )
    schedule_services.entry_end_emergency(actor=chair, entry=entry, reason="Not ratified.")

    page = (
        _client(legal)
        .get(reverse("correspondence:letter_detail", args=[letter.pk]))
        .content.decode()
    )

    assert 'data-testid="refused"' in page
    assert 'data-testid="approve"' not in page


# The whole status graph is walked in tests/test_letter_graph.py.


def test_the_migration_cancels_letters_drafted_before_that_must_never_go(legal, chair):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("correspondence.migrations.0004_cancel_letters_that_must_never_go")
    removed = _with_address(EntryFactory())
    about_removed = services.letter_draft(
        actor=legal, kind=LetterKind.HIGH, person=removed.person, entry=removed
    )
    schedule_services.entry_end_emergency(actor=chair, entry=removed, reason="Not ratified.")
    after_keep = LetterFactory(decision=_decision(Outcome.KEEP, LetterRoute.LEGAL_SERVICES))
    fine = LetterFactory(decision=_decision(Outcome.ADD_TO_SCHEDULE, LetterRoute.LEGAL_SERVICES))
    sent = LetterFactory(
        decision=_decision(Outcome.REMOVE, LetterRoute.LEGAL_SERVICES), status="sent"
    )

    migration.cancel(apps, None)

    statuses = {
        letter.pk: letter.status
        for letter in Letter.objects.filter(
            pk__in=[about_removed.pk, after_keep.pk, fine.pk, sent.pk]
        )
    }
    assert statuses == {
        about_removed.pk: "cancelled",
        after_keep.pk: "cancelled",
        fine.pk: "draft",
        sent.pk: "sent",
    }
