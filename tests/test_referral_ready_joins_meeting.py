"""A referral Assurance list for the panel joins the next arranged meeting's agenda at once."""

import pytest

from panel.models import AgendaItem, ItemKind
from referrals import services
from referrals.models import ReferralStatus
from ubpanel.roles import Role

from .factories import (
    ActiveEntryFactory,
    IncidentFactory,
    MeetingFactory,
    PersonFactory,
    SubmittedReferralFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def assurance(make_user):
    return make_user(Role.ASSURANCE_OFFICER, username="assurance")


def test_a_referral_marked_ready_joins_the_arranged_meeting(assurance):
    meeting = MeetingFactory()
    referral = SubmittedReferralFactory(person=PersonFactory())

    services.referral_mark_ready_for_panel(actor=assurance, referral=referral)

    item = AgendaItem.objects.get(referral=referral)
    assert (item.meeting, item.kind) == (meeting, ItemKind.NEW_REFERRAL)


def test_confirmed_repeat_behaviour_joins_it_as_a_referral_back(assurance):
    meeting = MeetingFactory()
    entry = ActiveEntryFactory()
    referral = SubmittedReferralFactory(person=entry.person)
    IncidentFactory(referral=referral)

    services.referral_confirm_repeat_behaviour(actor=assurance, referral=referral)

    item = AgendaItem.objects.get(referral=referral)
    assert (item.meeting, item.kind, item.entry) == (meeting, ItemKind.REFERRAL_BACK, entry)


def test_with_no_meeting_arranged_it_waits_ready_for_panel(assurance):
    referral = SubmittedReferralFactory(person=PersonFactory())

    services.referral_mark_ready_for_panel(actor=assurance, referral=referral)

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.READY_FOR_PANEL
    assert not AgendaItem.objects.filter(referral=referral).exists()
