"""Emergency additions: the chair, or the Director for Legal and Democratic in the chair's absence."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from schedule import services
from schedule.models import Entry, EntryEventKind
from ubpanel.entry_status import EntryStatus
from ubpanel.roles import Role

from .factories import (
    ActiveEntryFactory,
    PersonFactory,
    ReferralFactory,
    UserFactory,
    emergency_incidents,
)

pytestmark = pytest.mark.django_db

DETAILS = {
    "reason": "Assaulted a housing officer at the door.",
    "guidance": "Do not visit. Phone contact only, through the SPOC.",
}


def add(actor, person, **kwargs):
    details = {
        **DETAILS,
        "incidents": emergency_incidents(),
        "record_owner": UserFactory(roles=[Role.REFERRING_MANAGER]),
    }
    return services.entry_add_emergency(actor=actor, person=person, **{**details, **kwargs})


def test_the_chair_adds_a_high_risk_individual_live_at_once(make_user):
    chair = make_user(Role.PANEL_CHAIR)
    person = PersonFactory()
    referral = ReferralFactory(person=person)

    with time_machine.travel(date(2026, 11, 24)):
        entry = add(chair, person, referral=referral)

    entry.refresh_from_db()
    assert entry.tier == "high"
    assert entry.status == EntryStatus.PENDING_RATIFICATION
    assert entry.is_live
    assert entry.how_to_respond == DETAILS["guidance"]
    assert entry.emergency_added_at is not None
    assert (entry.decided_on, entry.review_due_on) == (date(2026, 11, 24), date(2027, 11, 24))
    assert list(entry.referrals.all()) == [referral]
    event = entry.events.get()
    assert event.kind == EntryEventKind.EMERGENCY_ADDITION
    assert event.message.startswith("Emergency addition by the chair.")
    assert event.actor == chair


def test_the_director_adds_when_the_chair_is_absent(make_user):
    director = make_user(Role.DIRECTOR_LEGAL)

    entry = add(director, PersonFactory(), chair_absent=True)

    assert "Director for Legal and Democratic, the chair being absent" in entry.events.get().message


def test_the_director_cannot_add_while_the_chair_is_present(make_user):
    person = PersonFactory()

    with pytest.raises(PermissionDenied, match="only when the chair is absent"):
        add(make_user(Role.DIRECTOR_LEGAL), person, chair_absent=False)

    assert not Entry.objects.filter(person=person).exists()


@pytest.mark.parametrize(
    "role",
    [
        Role.PANEL_MEMBER,
        Role.ASSURANCE_OFFICER,
        Role.LEGAL_SERVICES,
        Role.MONITORING_OFFICER,
        Role.ASC_REPRESENTATIVE,
        Role.REFERRING_MANAGER,
        Role.FRONTLINE,
        Role.AUDITOR,
    ],
)
def test_nobody_else_makes_emergency_additions(make_user, role):
    person = PersonFactory()

    with pytest.raises(PermissionDenied, match="Only the panel chair"):
        add(make_user(role), person, chair_absent=True)

    assert not Entry.objects.filter(person=person).exists()


def test_legal_services_are_emailed_without_the_persons_details(
    make_user, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.LEGAL_SERVICES_EMAIL = "legal@council.example"
    person = PersonFactory(given_names="Octavia", family_name="Brannigan")

    with django_capture_on_commit_callbacks(execute=True):
        entry = add(make_user(Role.PANEL_CHAIR), person)

    [email] = mailoutbox
    assert email.to == ["legal@council.example"]
    assert entry.reference in email.subject
    text = email.subject + email.body
    assert "Octavia" not in text
    assert "Brannigan" not in text
    assert DETAILS["reason"] not in text
    assert "draft" in text


def test_no_email_is_sent_when_the_addition_fails(
    make_user, mailoutbox, django_capture_on_commit_callbacks
):
    existing = ActiveEntryFactory()

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(services.ScheduleTransitionError, match="on the schedule already"),
    ):
        add(make_user(Role.PANEL_CHAIR), existing.person)

    assert mailoutbox == []


def test_an_addition_needs_a_reason_and_guidance(make_user):
    with pytest.raises(ValidationError):
        add(make_user(Role.PANEL_CHAIR), PersonFactory(), guidance="  ")


def test_someone_removed_from_the_schedule_can_be_added_again(make_user):
    removed = ActiveEntryFactory(status=EntryStatus.REMOVED)

    entry = add(make_user(Role.PANEL_CHAIR), removed.person)

    assert entry.pk != removed.pk
    assert entry.status == EntryStatus.PENDING_RATIFICATION
