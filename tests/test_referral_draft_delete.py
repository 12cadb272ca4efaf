"""A referring manager deletes a draft they have not sent; nobody else does, and nothing sent."""

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse

from referrals.models import Incident, Referral, ReferralStatus
from ubpanel.roles import Role

from .factories import IncidentFactory, ReferralFactory, SubmittedReferralFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(make_user):
    referral = ReferralFactory(referrer=make_user(Role.REFERRING_MANAGER))
    IncidentFactory(referral=referral)
    return referral


def signed_in(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user)
    return client


def test_the_referrer_is_asked_before_the_draft_is_deleted(draft):
    response = signed_in(draft.referrer).get(reverse("referrals:draft_delete", args=[draft.pk]))
    assert response.status_code == 200
    assert b"Are you sure you want to delete this draft?" in response.content
    assert Referral.objects.filter(pk=draft.pk).exists()


def test_the_referrer_deletes_their_draft_with_its_incidents_and_it_is_audited(draft):
    response = signed_in(draft.referrer).post(reverse("referrals:draft_delete", args=[draft.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:index")
    assert not Referral.objects.filter(pk=draft.pk).exists()
    assert not Incident.objects.filter(referral_id=draft.pk).exists()
    deleted = LogEntry.objects.get(
        action=LogEntry.Action.DELETE, object_pk=str(draft.pk), content_type__model="referral"
    )
    assert deleted.actor == draft.referrer


def test_another_manager_cannot_delete_the_draft(draft, make_user):
    other = make_user(Role.REFERRING_MANAGER, service=draft.service)
    response = signed_in(other).post(reverse("referrals:draft_delete", args=[draft.pk]))
    assert response.status_code == 404
    assert Referral.objects.filter(pk=draft.pk).exists()


def test_the_assurance_team_cannot_delete_a_draft(draft, make_user):
    response = signed_in(make_user(Role.ASSURANCE_OFFICER)).post(
        reverse("referrals:draft_delete", args=[draft.pk])
    )
    assert response.status_code in (403, 404)
    assert Referral.objects.filter(pk=draft.pk).exists()


def test_a_sent_referral_is_not_deleted(make_user):
    sent = SubmittedReferralFactory(referrer=make_user(Role.REFERRING_MANAGER))
    response = signed_in(sent.referrer).post(reverse("referrals:draft_delete", args=[sent.pk]))
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.status == ReferralStatus.SUBMITTED


def test_deleting_a_draft_needs_the_csrf_token(draft):
    client = signed_in(draft.referrer, enforce_csrf_checks=True)
    response = client.post(reverse("referrals:draft_delete", args=[draft.pk]))
    assert response.status_code == 403
    assert Referral.objects.filter(pk=draft.pk).exists()
