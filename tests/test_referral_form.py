"""The referral form: drafts, the protocol's routing rules on "Continue", evidence, nothing lost.
A complete draft goes on to the check page (tests/test_referral_check.py), which sends it."""

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from referrals.models import Evidence, Referral, ReferralStatus
from ubpanel.roles import Role

from .factories import ReferralFactory, ServiceFactory, SubmittedReferralFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def form_data(**overrides):
    data = {
        "subject_given_names": "Jonathan",
        "subject_family_name": "Smyth",
        "subject_postcode": "DT1 1AA",
        "summary": "Abusive phone calls every day.",
        "behaviour_categories": ["abusive", "excessive_demands"],
        "number_of_incidents": "4",
        "suggested_tier": "low",
        "health_concerns": "no",
        "incidents-TOTAL_FORMS": "1",
        "incidents-INITIAL_FORMS": "0",
        "incidents-MIN_NUM_FORMS": "1",
        "incidents-MAX_NUM_FORMS": "50",
        "incidents-0-occurred_on": "2026-11-02",
        "incidents-0-occurred_at": "10:15",
        "incidents-0-location": "County Hall reception",
        "incidents-0-description": "Shouted and swore at the receptionist.",
        "submit": "1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def send_referral(client, data, url=None):
    """What a manager does: fill in the form, press "Continue", then "Send referral" on the check
    page. Returns the check page's answer to the send."""
    response = client.post(url or reverse("referrals:new"), data)
    assert response.status_code == 302, "the form came back: the draft is not complete"
    referral = Referral.objects.order_by("-pk").first()
    assert response["Location"] == reverse("referrals:check", args=[referral.pk])
    assert referral.status == ReferralStatus.DRAFT
    return client.post(response["Location"])


@pytest.fixture
def manager(make_user):
    return make_user(Role.REFERRING_MANAGER, service=ServiceFactory(name="Housing"))


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def test_a_manager_submits_a_complete_referral(
    manager_client, manager, mailoutbox, audit_entries, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = send_referral(manager_client, form_data())

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:detail", args=[referral.pk])
    assert referral.status == ReferralStatus.SUBMITTED
    assert (referral.referrer, referral.service) == (manager, manager.service)
    assert referral.behaviour_categories == ["abusive", "excessive_demands"]
    assert referral.incidents.get().location == "County Hall reception"
    to_assurance = [m for m in mailoutbox if m.to == [settings.ASSURANCE_EMAIL]]
    assert len(to_assurance) == 1
    assert referral.reference in to_assurance[0].subject
    assert "Smyth" not in to_assurance[0].body + to_assurance[0].subject
    [to_referrer] = [m for m in mailoutbox if m.to == [manager.email]]
    assert "Submitted" in to_referrer.subject
    assert audit_entries(action=0, content_type__model="referral")[0].actor == manager


def test_missing_answers_are_shown_beside_the_fields_and_nothing_typed_is_lost(manager_client):
    response = manager_client.post(
        reverse("referrals:new"),
        form_data(summary="", suggested_tier=None, **{"incidents-0-location": ""}),
    )

    page = response.content.decode()
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["summary"] == ["Say why you are referring them"]
    assert form.errors["suggested_tier"] == ["Select the risk level you suggest"]
    assert response.context["incidents"].forms[0].errors["location"] == ["Enter where it happened"]
    assert "There is a problem" in page
    assert 'value="Smyth"' in page
    assert "Shouted and swore at the receptionist." in page
    # It was kept as a draft, and the page now posts to that draft.
    referral = Referral.objects.get()
    assert referral.status == ReferralStatus.DRAFT
    assert reverse("referrals:edit", args=[referral.pk]) in page


def test_violence_needs_the_accident_incident_report_reference(manager_client):
    response = manager_client.post(reverse("referrals:new"), form_data(violence="on"))

    assert (
        "accident/incident report form reference"
        in response.context["form"].errors["incident_report_reference"][0]
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"hate_incident": "on"},
            "police_report",
            "Say whether it has been reported to the police",
        ),
        (
            {"hate_incident": "on", "police_report": "reported"},
            "police_reference",
            "Enter the police reference",
        ),
        (
            {"hate_incident": "on", "police_report": "not_reported"},
            "police_not_reported_reason",
            "Say why it has not been reported",
        ),
        (
            {"health_concerns": "yes"},
            "health_details",
            "Say what you know or suspect about their health",
        ),
    ],
)
def test_the_protocols_routing_questions_are_required(manager_client, overrides, field, message):
    response = manager_client.post(reverse("referrals:new"), form_data(**overrides))

    assert response.context["form"].errors[field] == [message]


def test_purely_foi_or_sar_contact_is_refused_with_the_protocols_explanation(manager_client):
    response = manager_client.post(reverse("referrals:new"), form_data(foi_sar_only="on"))

    [error] = response.context["form"].errors["foi_sar_only"]
    assert "out of scope" in error
    assert "Data Protection Officer" in error
    assert Referral.objects.get().status == ReferralStatus.DRAFT


def test_a_hate_incident_reported_to_the_police_is_recorded(manager_client):
    send_referral(
        manager_client,
        form_data(hate_incident="on", police_report="reported", police_reference="55/12345/26"),
    )

    referral = Referral.objects.get()
    assert referral.status == ReferralStatus.SUBMITTED
    assert referral.police_reference == "55/12345/26"


def test_a_draft_is_saved_and_resumed(manager_client):
    response = manager_client.post(
        reverse("referrals:new"), form_data(summary="", submit=None, save="1")
    )
    referral = Referral.objects.get()
    assert referral.status == ReferralStatus.DRAFT
    assert response["Location"] == reverse("referrals:edit", args=[referral.pk])

    page = manager_client.get(reverse("referrals:edit", args=[referral.pk])).content.decode()
    assert 'value="Smyth"' in page
    assert "County Hall reception" in page


def test_add_another_incident_keeps_what_was_typed(manager_client):
    response = manager_client.post(
        reverse("referrals:new"), form_data(submit=None, add_incident="1")
    )

    assert len(response.context["incidents"].forms) == 2
    assert "Shouted and swore" in response.content.decode()


def test_evidence_is_checked_by_content_and_kept(manager_client, settings):
    good = SimpleUploadedFile("letter.pdf", PDF, content_type="application/pdf")
    manager_client.post(reverse("referrals:new"), form_data(files=good))

    evidence = Evidence.objects.get()
    assert evidence.content_type == "application/pdf"
    assert evidence.size == len(PDF)
    assert len(evidence.sha256) == 64
    # In private storage (a temporary folder in tests), never under the static files.
    assert evidence.file.path.startswith(storages["private"].location)
    assert not evidence.file.path.startswith(str(settings.STATIC_ROOT))


def test_a_disguised_executable_is_refused_with_a_clear_message_and_the_form_is_kept(
    manager_client,
):
    bad = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00" + b"\x00" * 200, content_type="image/jpeg")

    response = manager_client.post(reverse("referrals:new"), form_data(files=bad))

    assert response.status_code == 200
    [error] = response.context["evidence_form"].errors["files"]
    assert error.startswith("photo.jpg must be a PDF")
    assert not Evidence.objects.exists()
    assert Referral.objects.get().status == ReferralStatus.DRAFT
    assert 'value="Smyth"' in response.content.decode()


def test_an_oversized_file_is_refused(manager_client, settings):
    settings.EVIDENCE_MAX_BYTES = 100
    big = SimpleUploadedFile("big.pdf", PDF * 3, content_type="application/pdf")

    response = manager_client.post(reverse("referrals:new"), form_data(files=big))

    assert "must be smaller than" in response.context["evidence_form"].errors["files"][0]


def test_a_submitted_referral_cannot_be_edited(manager_client, manager):
    referral = SubmittedReferralFactory(referrer=manager, service=manager.service)

    response = manager_client.get(reverse("referrals:edit", args=[referral.pk]))

    assert response.status_code == 302


@pytest.mark.parametrize(
    "role", [Role.FRONTLINE, Role.PANEL_MEMBER, Role.AUDITOR, Role.ASSURANCE_OFFICER, None]
)
def test_only_referring_managers_can_open_the_form(role_client, role):
    assert role_client(role).get(reverse("referrals:new")).status_code == 403


def test_another_managers_draft_is_a_404_and_the_attempt_is_audited(manager_client, audit_entries):
    someone_elses = ReferralFactory()

    response = manager_client.get(reverse("referrals:edit", args=[someone_elses.pk]))

    assert response.status_code == 404
    assert audit_entries(event="denied")[0].object_pk == str(someone_elses.pk)


def test_the_form_rejects_a_post_without_csrf(manager):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)

    assert client.post(reverse("referrals:new"), form_data()).status_code == 403


def test_a_draft_suggests_people_the_service_knows_and_the_manager_can_link_one(
    manager_client, manager, audit_entries
):
    from referrals.services import person_create

    known = person_create(
        actor=manager,
        given_names="Jonathan",
        family_name="Smyth",
        recorded_by_service=manager.service,
    )
    elsewhere = person_create(
        actor=manager,
        given_names="Jonathan",
        family_name="Smyth",
        recorded_by_service=ServiceFactory(name="Waste"),
    )
    manager_client.post(reverse("referrals:new"), form_data(submit=None, save="1"))
    referral = Referral.objects.get()

    response = manager_client.get(reverse("referrals:edit", args=[referral.pk]))

    shown = [c.person for c in response.context["candidates"]]
    assert shown == [known]
    assert elsewhere not in shown
    assert audit_entries(event="search", object_pk=str(known.pk))
    manager_client.post(
        reverse("referrals:suggest_person", args=[referral.pk]), {"person": known.pk}
    )
    referral.refresh_from_db()
    assert referral.person == known


def test_a_manager_cannot_link_someone_outside_their_service(
    manager_client, manager, audit_entries
):
    from referrals.services import person_create

    elsewhere = person_create(
        actor=manager,
        given_names="A",
        family_name="B",
        recorded_by_service=ServiceFactory(name="Waste"),
    )
    draft = ReferralFactory(referrer=manager, service=manager.service)

    response = manager_client.post(
        reverse("referrals:suggest_person", args=[draft.pk]), {"person": elsewhere.pk}
    )

    assert response.status_code == 404
    assert audit_entries(event="denied", object_pk=str(elsewhere.pk))


def test_a_tampered_incident_count_does_not_break_the_page(manager_client):
    response = manager_client.post(
        reverse("referrals:new"),
        form_data(submit=None, add_incident="1", **{"incidents-TOTAL_FORMS": "lots"}),
    )

    assert response.status_code == 200
    assert 'value="Smyth"' in response.content.decode()
