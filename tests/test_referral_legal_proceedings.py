"""The referral form asks whether legal proceedings have been intimated (the protocol invites a
Legal Services representative to the panel then); the answer is kept with the draft and shown."""

import pytest
from django.urls import reverse

from referrals.models import Referral
from ubpanel.roles import Role

from .factories import ServiceFactory, SubmittedReferralFactory
from .test_referral_form import form_data, send_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client, make_user):
    client.force_login(make_user(Role.REFERRING_MANAGER, service=ServiceFactory(name="Housing")))
    return client


def test_the_form_asks_with_the_protocols_words(manager_client):
    html = manager_client.get(reverse("referrals:new")).content.decode()

    assert 'name="legal_proceedings_intimated"' in html
    assert "The individual has intimated legal proceedings" in html
    assert "cases where legal proceedings have been intimated" in html


def test_the_answer_is_saved_with_a_draft(manager_client):
    data = form_data(legal_proceedings_intimated="on", submit=None, save="1")

    manager_client.post(reverse("referrals:new"), data)

    assert Referral.objects.get().legal_proceedings_intimated is True


def test_the_answer_is_kept_when_the_form_comes_back_with_errors(manager_client):
    response = manager_client.post(
        reverse("referrals:new"), form_data(summary="", legal_proceedings_intimated="on")
    )

    assert response.status_code == 200
    assert Referral.objects.get().legal_proceedings_intimated is True
    html = response.content.decode()
    field = html[html.index('name="legal_proceedings_intimated"') - 200 :][:400]
    assert "checked" in field


def test_a_submitted_referral_keeps_it(manager_client):
    send_referral(manager_client, form_data(legal_proceedings_intimated="on"))

    referral = Referral.objects.get()
    assert (referral.status, referral.legal_proceedings_intimated) == ("submitted", True)


@pytest.mark.parametrize("page", ["referrals:detail", "referrals:triage_detail"])
def test_the_referral_and_triage_pages_show_it(assurance_client, page):
    referral = SubmittedReferralFactory(legal_proceedings_intimated=True)

    html = assurance_client.get(reverse(page, args=[referral.pk])).content.decode()

    assert 'data-testid="legal-proceedings"' in html
    assert "Yes: a Legal Services representative is invited to the panel" in html
