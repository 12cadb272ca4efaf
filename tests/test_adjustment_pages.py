"""The reasonable-adjustment pages: recording one (from the person's page, a referral's health
information or a questionnaire return), ending one, and what the person's page shows."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from correspondence.models import QuestionnaireReturn
from referrals.models import Adjustment, AdjustmentNeed
from referrals.services import adjustment_record
from ubpanel.roles import Role

from .factories import PersonFactory, SentLetterFactory, SubmittedReferralFactory, UserFactory

pytestmark = pytest.mark.django_db


def _client(role, **kwargs):
    user = UserFactory(roles=[role] if role else [], **kwargs)
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def record_url(person, **query):
    url = reverse("referrals:adjustment_record", args=[person.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def an_adjustment(person, **fields):
    return adjustment_record(
        actor=UserFactory(roles=[Role.PANEL_CHAIR]),
        person=person,
        need=fields.get("need", AdjustmentNeed.BSL),
        details=fields.get("details", "Book a BSL interpreter for every meeting."),
        source="panel",
    )


POSTED = {
    "need": "hearing_impairment",
    "details": "Reply by text relay; allow extra time on calls.",
    "source": "questionnaire",
    "source_reference": "LET-00034",
}


@pytest.mark.parametrize(
    "role", [Role.PANEL_CHAIR, Role.PANEL_MEMBER, Role.ASSURANCE_OFFICER, Role.ASC_REPRESENTATIVE]
)
def test_the_panel_assurance_and_adult_social_care_record_an_adjustment(role, audit_entries):
    person = PersonFactory()
    client = _client(role)

    page = client.get(record_url(person))
    assert page.status_code == 200
    assert b"Record a reasonable adjustment" in page.content
    assert audit_entries(event="view", object_pk=str(person.pk))

    response = client.post(record_url(person), POSTED)

    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:person_detail", args=[person.pk])
    adjustment = Adjustment.objects.get()
    assert (adjustment.person, adjustment.need, adjustment.recorded_by) == (
        person,
        "hearing_impairment",
        client.user,
    )


def test_a_referring_manager_who_sees_the_person_is_refused_with_403_and_it_is_audited(
    audit_entries,
):
    client = _client(Role.REFERRING_MANAGER)
    person = PersonFactory(recorded_by_service=client.user.service)

    assert client.get(record_url(person)).status_code == 403
    assert client.post(record_url(person), POSTED).status_code == 403
    assert not Adjustment.objects.exists()
    assert len(audit_entries(event="denied")) == 2


@pytest.mark.parametrize("role", [Role.FRONTLINE, Role.AUDITOR, None])
def test_roles_that_do_not_see_people_get_the_audited_404(role, audit_entries):
    person = PersonFactory()
    adjustment = an_adjustment(person)
    client = _client(role)

    assert client.get(record_url(person)).status_code == 404
    assert client.get(reverse("referrals:adjustment_end", args=[adjustment.pk])).status_code == 404
    assert len(audit_entries(event="denied")) == 2


@pytest.mark.parametrize("role", [Role.REFERRING_MANAGER, Role.LEGAL_SERVICES])
def test_those_who_may_not_see_health_do_not_learn_an_adjustment_exists(role, audit_entries):
    client = _client(role)
    person = PersonFactory(recorded_by_service=client.user.service)
    adjustment = an_adjustment(person)

    response = client.get(reverse("referrals:adjustment_end", args=[adjustment.pk]))

    assert response.status_code == 404
    assert len(audit_entries(event="denied")) == 1
    page = client.get(reverse("referrals:person_detail", args=[person.pk]))
    assert page.status_code == 200
    assert b"Reasonable adjustments" not in page.content
    assert b"interpreter" not in page.content
    assert b"Record an adjustment" not in page.content


def test_the_person_page_lists_current_adjustments_and_folds_away_ended_ones():
    person = PersonFactory()
    an_adjustment(person)
    ended = an_adjustment(person, need="advocate", details="Talk to their advocate, Sam.")
    ended.ended_at, ended.end_reason = ended.recorded_at, "Advocate withdrew."
    ended.save()

    page = _client(Role.ASC_REPRESENTATIVE).get(
        reverse("referrals:person_detail", args=[person.pk])
    )

    html = page.content.decode()
    assert "Reasonable adjustments" in html
    assert "Book a BSL interpreter for every meeting." in html
    assert 'data-testid="ended-adjustments"' in html
    assert "Advocate withdrew." in html
    assert "Record an adjustment" in html
    assert reverse("referrals:adjustment_end", args=[ended.pk]) not in html


def test_bad_input_is_shown_beside_the_fields_and_what_was_typed_is_kept():
    person = PersonFactory()
    client = _client(Role.PANEL_CHAIR)

    response = client.post(
        record_url(person),
        {"need": "", "details": "Large print, please.", "source": "other", "source_reference": ""},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose the person&#x27;s need" in html
    assert "Large print, please." in html
    assert 'value="other" checked' in html
    assert not Adjustment.objects.exists()


def test_the_service_refusal_lands_beside_the_field():
    person = PersonFactory()
    an_adjustment(person)
    client = _client(Role.PANEL_CHAIR)

    response = client.post(
        record_url(person),
        {"need": "bsl", "details": "Book a BSL interpreter for every meeting.", "source": "panel"},
    )

    assert response.status_code == 400
    assert "recorded for them already" in response.content.decode()


def test_it_is_prefilled_from_the_referrals_health_information(audit_entries):
    person = PersonFactory()
    referral = SubmittedReferralFactory(
        person=person, health_concerns="yes", health_details="Registered blind."
    )
    client = _client(Role.ASSURANCE_OFFICER)

    detail = client.get(reverse("referrals:detail", args=[referral.pk]))
    link = record_url(person, referral=referral.pk)
    assert link in detail.content.decode()
    assert "Record a reasonable adjustment from this" in detail.content.decode()

    page = client.get(link)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Registered blind." in html
    assert 'value="referral" checked' in html
    assert f'value="{referral.reference}"' in html
    assert audit_entries(event="view", object_pk=str(referral.pk))


def test_a_referral_about_someone_else_is_not_a_source_for_this_person(audit_entries):
    referral = SubmittedReferralFactory(person=PersonFactory())
    client = _client(Role.ASSURANCE_OFFICER)

    response = client.get(record_url(PersonFactory(), referral=referral.pk))

    assert response.status_code == 404
    assert len(audit_entries(event="denied")) == 1


def test_no_link_from_a_referral_not_linked_to_a_person():
    referral = SubmittedReferralFactory(
        person=None, health_concerns="yes", health_details="Registered blind."
    )

    detail = _client(Role.ASSURANCE_OFFICER).get(reverse("referrals:detail", args=[referral.pk]))

    assert b"Registered blind." in detail.content
    assert b"Record a reasonable adjustment" not in detail.content


def returned_questionnaire(person):
    letter = SentLetterFactory(person=person)
    return QuestionnaireReturn.objects.create(
        letter=letter,
        answers={"disability": "Deaf, uses BSL"},
        underlying_issue=True,
        issue_details="Deaf; uses British Sign Language.",
        received_on=date(2026, 11, 20),
        recorded_by=UserFactory(roles=[Role.ASSURANCE_OFFICER]),
    )


def test_it_is_prefilled_from_a_questionnaire_return():
    person = PersonFactory()
    returned = returned_questionnaire(person)
    client = _client(Role.ASSURANCE_OFFICER)

    letter_page = client.get(reverse("correspondence:letter_detail", args=[returned.letter.pk]))
    link = record_url(person, **{"return": returned.pk})
    assert link in letter_page.content.decode()

    page = client.get(link)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="questionnaire" checked' in html
    assert f'value="{returned.letter.reference}"' in html


def test_the_letters_page_offers_no_link_to_those_who_may_not_record_one():
    returned = returned_questionnaire(PersonFactory())

    page = _client(Role.LEGAL_SERVICES).get(
        reverse("correspondence:letter_detail", args=[returned.letter.pk])
    )

    assert page.status_code == 200
    assert b"Record a reasonable adjustment" not in page.content


@pytest.mark.parametrize("value", ["999999", "abc", "99999999999999999999999"])
def test_a_return_that_is_not_the_persons_or_does_not_exist_is_refused(value, audit_entries):
    person = PersonFactory()
    other = returned_questionnaire(PersonFactory())
    client = _client(Role.PANEL_CHAIR)

    assert client.get(record_url(person, **{"return": other.pk})).status_code == 404
    assert client.get(record_url(person, **{"return": value})).status_code == 404
    assert len(audit_entries(event="denied")) == 2


def test_ending_an_adjustment_with_a_reason(audit_entries):
    person = PersonFactory()
    adjustment = an_adjustment(person)
    client = _client(Role.PANEL_MEMBER)
    url = reverse("referrals:adjustment_end", args=[adjustment.pk])

    assert client.get(url).status_code == 200
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400
    assert "Say why the adjustment no longer applies" in refused.content.decode()

    response = client.post(url, {"reason": "They no longer need an interpreter."})

    assert response.status_code == 302
    adjustment.refresh_from_db()
    assert adjustment.end_reason == "They no longer need an interpreter."
    assert client.get(url).status_code == 404  # ended: nothing left to end


def test_the_pages_refuse_a_post_without_csrf():
    person = PersonFactory()
    adjustment = an_adjustment(person)
    user = UserFactory(roles=[Role.PANEL_CHAIR])
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    assert client.post(record_url(person), POSTED).status_code == 403
    assert (
        client.post(
            reverse("referrals:adjustment_end", args=[adjustment.pk]), {"reason": "x"}
        ).status_code
        == 403
    )
    assert Adjustment.objects.count() == 1
