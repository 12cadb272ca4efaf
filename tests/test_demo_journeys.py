"""The demo data (`make run`) holds a starting record for every journey, and loading it twice
changes nothing."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from correspondence.equalities import CATEGORIES
from correspondence.models import Letter, LetterStatus, QuestionnaireReturn
from panel.models import AgendaItem, ItemKind, Meeting
from referrals.models import InboundEmail, Person, Referral, ReferralStatus
from rights.retention import due_within
from schedule.models import (
    AccessGrant,
    AccessGrantStatus,
    AddressWarning,
    Appeal,
    Entry,
    EntryStatus,
)
from ubpanel.demo import DEMO_USERS, demo_data_load
from ubpanel.models import User
from ubpanel.roles import user_roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    demo_data_load()


def snapshot() -> dict:
    models = (
        Person,
        Referral,
        Entry,
        Appeal,
        Letter,
        QuestionnaireReturn,
        InboundEmail,
        AddressWarning,
        AccessGrant,
    )
    counted = {model.__name__: model.objects.count() for model in models}
    counted["items"] = AgendaItem.objects.count()
    counted["meetings"] = Meeting.objects.count()
    return counted


def test_the_next_meeting_has_a_referral_a_ratification_and_a_review_on_its_agenda(loaded):
    meeting = Meeting.objects.get()
    kinds = set(meeting.items.values_list("kind", flat=True))

    assert {ItemKind.NEW_REFERRAL, ItemKind.RATIFICATION, ItemKind.REVIEW} <= kinds
    assert ItemKind.ACCESS_REQUEST in kinds
    assert meeting.starts_at > timezone.now()


def test_an_entry_is_overdue_for_review_and_an_appeal_waits_for_the_monitoring_officer(loaded):
    today = timezone.localdate()
    assert Entry.objects.filter(
        status=EntryStatus.ACTIVE, review_due_on__lt=today - timedelta(days=10)
    ).exists()
    assert Appeal.objects.filter(outcome="").count() == 1
    assert Entry.objects.filter(status=EntryStatus.PENDING_RATIFICATION).exists()
    assert Referral.objects.filter(status=ReferralStatus.READY_FOR_PANEL).exists()


def test_one_letter_waits_for_approval_and_one_sent_carries_a_questionnaire(loaded):
    assert Letter.objects.filter(status=LetterStatus.DRAFT).exists()
    sent = Letter.objects.get(status=LetterStatus.SENT, person__family_name="Ashdown")
    assert sent.has_questionnaire
    assert not sent.returns.exists()


def test_returned_questionnaires_give_the_committee_categories_at_every_tier(loaded):
    returns = QuestionnaireReturn.objects.select_related("letter__entry")

    assert 8 <= len(returns) <= 12
    assert {r.letter.entry.tier for r in returns} == {"low", "medium", "high"}
    for returned in returns:
        assert returned.letter.status == LetterStatus.SENT
        for characteristic, category in returned.categories.items():
            assert category in dict(CATEGORIES[characteristic])
    assert not Entry.objects.filter(underlying_issue_flagged_on__isnull=False).exists()


def test_a_failed_email_address_warnings_and_an_access_request_are_there(loaded):
    assert InboundEmail.objects.filter(status="failed").count() == 1
    assert AddressWarning.objects.count() == 2
    assert AccessGrant.objects.filter(status=AccessGrantStatus.REQUESTED).count() == 1


def test_a_person_has_an_adjustment_and_one_removed_long_ago_is_due_for_retention(loaded):
    assert Person.objects.filter(adjustments__isnull=False).exists()
    due = {item.person.family_name for item in due_within(30) if item.person}
    assert "Pym" in due


def test_the_journeys_are_made_by_the_demo_users_and_audited(loaded):
    made = LogEntry.objects.filter(action=LogEntry.Action.CREATE, content_type__model="appeal")
    assert [entry.actor.username for entry in made] == ["assurance"]


def test_loading_twice_changes_nothing(loaded):
    before = snapshot()
    rows = LogEntry.objects.exclude(content_type__model="user").count()

    demo_data_load()

    assert snapshot() == before
    assert LogEntry.objects.exclude(content_type__model="user").count() == rows


def test_every_login_exists_with_its_role(loaded):
    for username, role, *_ in DEMO_USERS:
        assert user_roles(User.objects.get(username=username)) == {role}, username
