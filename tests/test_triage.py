"""Assurance's triage views, the referrer's answer, and evidence downloads: access and audit."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from referrals.models import ReferralStatus
from referrals.services import evidence_add, referral_request_information
from ubpanel.roles import Role

from .factories import MailboxDraftFactory, PersonFactory, ReferralFactory, SubmittedReferralFactory

pytestmark = pytest.mark.django_db
S = ReferralStatus
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def test_the_queue_lists_submitted_referrals_and_mailbox_drafts_but_not_web_drafts(
    assurance_client, audit_entries
):
    submitted = SubmittedReferralFactory()
    mailbox = MailboxDraftFactory()
    draft = ReferralFactory()

    response = assurance_client.get(reverse("referrals:triage_queue"))

    assert set(response.context["referrals"]) == {submitted, mailbox}
    assert draft not in response.context["referrals"]
    assert {e.object_pk for e in audit_entries(event="list")} == {
        str(submitted.pk),
        str(mailbox.pk),
    }


@pytest.mark.parametrize("rows", [2, 20])
def test_the_queue_uses_a_constant_number_of_queries(
    assurance_client, rows, django_assert_max_num_queries
):
    SubmittedReferralFactory.create_batch(rows)

    with django_assert_max_num_queries(14):
        assert assurance_client.get(reverse("referrals:triage_queue")).status_code == 200


@pytest.mark.parametrize(
    "role", [Role.REFERRING_MANAGER, Role.PANEL_CHAIR, Role.FRONTLINE, Role.AUDITOR, None]
)
def test_the_queue_is_only_for_assurance(role_client, role):
    assert role_client(role).get(reverse("referrals:triage_queue")).status_code == 403


def test_the_triage_page_shows_the_referral_health_and_matches_and_is_audited(
    assurance_client, audit_entries
):
    person = PersonFactory(given_names="Jonathan", family_name="Smyth")
    referral = SubmittedReferralFactory(
        subject_given_names="Jonathon",
        subject_family_name="Smith",
        health_details="Mentions anxiety",
    )

    response = assurance_client.get(reverse("referrals:triage_detail", args=[referral.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Mentions anxiety" in page
    assert person in [c.person for c in response.context["candidates"]]
    assert audit_entries(event="view", object_pk=str(referral.pk))
    assert audit_entries(event="search", object_pk=str(person.pk))


@pytest.mark.parametrize("role", [Role.PANEL_MEMBER, Role.FRONTLINE, Role.LEGAL_SERVICES, None])
def test_other_roles_cannot_open_the_triage_page(role_client, role):
    referral = SubmittedReferralFactory()

    assert (
        role_client(role).get(reverse("referrals:triage_detail", args=[referral.pk])).status_code
        == 404
    )


def test_a_managers_unsent_draft_is_a_404_to_assurance_and_audited(assurance_client, audit_entries):
    draft = ReferralFactory()

    response = assurance_client.get(reverse("referrals:triage_detail", args=[draft.pk]))

    assert response.status_code == 404
    assert audit_entries(event="denied")[0].object_pk == str(draft.pk)


def test_asking_for_more_information_emails_the_referrer(
    assurance_client, mailoutbox, django_capture_on_commit_callbacks
):
    referral = SubmittedReferralFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = assurance_client.post(
            reverse("referrals:triage_action", args=[referral.pk, "request-information"]),
            {"request-information-reason": "Which dates did the calls happen on?"},
        )

    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == S.MORE_INFORMATION
    [email] = mailoutbox
    assert email.to == [referral.referrer.email]
    assert "more information" in email.body
    assert "Which dates" not in email.body


def test_a_triage_action_without_its_reason_shows_the_error_beside_the_field(assurance_client):
    referral = SubmittedReferralFactory()

    response = assurance_client.post(
        reverse("referrals:triage_action", args=[referral.pk, "close"]), {"close-reason": ""}
    )

    assert response.status_code == 400
    assert "Enter why it is closed" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == S.SUBMITTED


def test_an_illegal_transition_is_refused_with_a_clear_message(assurance_client):
    referral = SubmittedReferralFactory(status=S.CLOSED)

    response = assurance_client.post(
        reverse("referrals:triage_action", args=[referral.pk, "recommend-letter"]),
        {"recommend-letter-reason": "A letter is enough"},
        follow=True,
    )

    assert "cannot be moved" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == S.CLOSED


def test_linking_a_person_and_listing_for_the_panel(assurance_client):
    person = PersonFactory()
    referral = SubmittedReferralFactory()

    assurance_client.post(
        reverse("referrals:link_person", args=[referral.pk]), {"person": person.pk}
    )
    assurance_client.post(
        reverse("referrals:triage_action", args=[referral.pk, "ready-for-panel"]), {}
    )

    referral.refresh_from_db()
    assert (referral.person, referral.status) == (person, S.READY_FOR_PANEL)


def test_recording_a_new_person(assurance_client):
    referral = SubmittedReferralFactory(subject_given_names="Ann", subject_family_name="Other")

    assurance_client.post(reverse("referrals:link_person", args=[referral.pk]), {"person": "new"})

    referral.refresh_from_db()
    assert str(referral.person) == "Ann Other"


def test_merging_by_reference(assurance_client):
    original = SubmittedReferralFactory()
    duplicate = SubmittedReferralFactory()

    response = assurance_client.post(
        reverse("referrals:merge", args=[duplicate.pk]), {"merge-into": original.reference}
    )

    duplicate.refresh_from_db()
    assert response["Location"] == reverse("referrals:triage_detail", args=[original.pk])
    assert (duplicate.status, duplicate.merged_into) == (S.MERGED, original)


def test_merging_into_an_unknown_reference_says_so(assurance_client):
    duplicate = SubmittedReferralFactory()

    response = assurance_client.post(
        reverse("referrals:merge", args=[duplicate.pk]), {"merge-into": "REF-99999"}
    )

    assert response.status_code == 400
    assert "There is no open referral with that reference" in response.content.decode()


def test_the_referrer_answers_in_the_app(
    make_user, client, mailoutbox, django_capture_on_commit_callbacks
):
    referral = SubmittedReferralFactory()
    referral_request_information(
        actor=make_user(Role.ASSURANCE_OFFICER), referral=referral, question="When?"
    )
    client.force_login(referral.referrer)

    page = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "When?" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("referrals:answer", args=[referral.pk]),
            {"reason": "On the 3rd and the 5th.", "files": SimpleUploadedFile("log.pdf", PDF)},
        )

    referral.refresh_from_db()
    assert referral.status == S.SUBMITTED
    assert referral.events.latest("pk").message == "On the 3rd and the 5th."
    assert referral.evidence.get().original_name == "log.pdf"
    assert any(
        "answered" in m.subject or "More information provided" in m.subject for m in mailoutbox
    )


def test_an_empty_answer_is_refused_beside_the_field(make_user, client):
    referral = SubmittedReferralFactory()
    referral_request_information(
        actor=make_user(Role.ASSURANCE_OFFICER), referral=referral, question="When?"
    )
    client.force_login(referral.referrer)

    response = client.post(reverse("referrals:answer", args=[referral.pk]), {"reason": ""})

    assert response.status_code == 400
    assert "Enter your answer" in response.content.decode()


def test_a_colleague_in_the_same_service_sees_the_referral_but_not_health_details(
    make_user, client
):
    referral = SubmittedReferralFactory(health_details="Private detail")
    colleague = make_user(Role.REFERRING_MANAGER, service=referral.service)
    client.force_login(colleague)

    page = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()

    assert referral.reference in page
    assert "Private detail" not in page


def test_a_manager_in_another_service_gets_404(make_user, client, audit_entries):
    from .factories import ServiceFactory

    referral = SubmittedReferralFactory()
    client.force_login(make_user(Role.REFERRING_MANAGER, service=ServiceFactory(name="Waste")))

    assert client.get(reverse("referrals:detail", args=[referral.pk])).status_code == 404
    assert audit_entries(event="denied")


def test_evidence_is_downloaded_only_through_the_checked_view_and_audited(
    make_user, client, audit_entries
):
    referral = SubmittedReferralFactory()
    evidence = evidence_add(
        actor=referral.referrer, referral=referral, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    client.force_login(referral.referrer)

    response = client.get(reverse("referrals:evidence_download", args=[evidence.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert audit_entries(event="download")[0].object_pk == str(evidence.pk)

    client.force_login(make_user(Role.FRONTLINE))
    assert client.get(reverse("referrals:evidence_download", args=[evidence.pk])).status_code == 404
    assert audit_entries(event="denied")[0].object_pk == str(evidence.pk)


def test_assurance_records_who_a_mailbox_email_is_about(assurance_client, audit_entries):
    referral = MailboxDraftFactory(subject_given_names="", subject_family_name="")

    response = assurance_client.post(
        reverse("referrals:subject_edit", args=[referral.pk]),
        {
            "subject-subject_given_names": "Gareth",
            "subject-subject_family_name": "Pryce",
            "subject-subject_postcode": "dt11aa",
        },
    )

    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.subject_name, referral.subject_postcode) == ("Gareth Pryce", "DT1 1AA")
    assert audit_entries(action=1, content_type__model="referral")[0].actor == assurance_client.user


def test_recording_who_it_is_about_needs_a_name_shown_beside_the_field(assurance_client):
    referral = MailboxDraftFactory(subject_given_names="", subject_family_name="")

    response = assurance_client.post(
        reverse("referrals:subject_edit", args=[referral.pk]),
        {"subject-subject_postcode": "DT1 1AA"},
    )

    assert response.status_code == 400
    assert "Enter the individual&#x27;s name" in response.content.decode()
    assert 'value="DT1 1AA"' in response.content.decode()


@pytest.mark.parametrize("role", [Role.REFERRING_MANAGER, Role.FRONTLINE, None])
def test_only_assurance_records_who_it_is_about(role_client, role):
    referral = MailboxDraftFactory()

    response = role_client(role).post(
        reverse("referrals:subject_edit", args=[referral.pk]), {"subject-subject_family_name": "X"}
    )

    assert response.status_code == 404
