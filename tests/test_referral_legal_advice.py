"""Legal Services are brought in where the protocol says (issue 10, point 12): a referral awaiting
legal advice emails them (a link, never the individual), they read it and record their advice, and
it goes back to Assurance, who see the advice at triage."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from referrals import services
from referrals.models import EventKind, ReferralStatus
from referrals.selectors import legal_advice_queue, visible_referrals
from ubpanel.roles import Role

from .factories import IncidentFactory, ReferralFactory, SubmittedReferralFactory, UserFactory

pytestmark = pytest.mark.django_db
S = ReferralStatus
NAME = "Quentin Marchbanks"


@pytest.fixture
def assurance(make_user):
    return make_user(Role.ASSURANCE_OFFICER, username="assurance")


@pytest.fixture
def lawyer(make_user):
    return make_user(Role.LEGAL_SERVICES, username="lawyer")


@pytest.fixture
def waiting(assurance):
    referral = SubmittedReferralFactory(
        subject_given_names="Quentin",
        subject_family_name="Marchbanks",
        journalist=True,
        health_details="Says he has PTSD",
    )
    IncidentFactory(referral=referral, location="Library", description="Filmed staff at the desk.")
    services.referral_await_legal_advice(
        actor=assurance, referral=referral, reason="Is his blog journalistic material?"
    )
    referral.refresh_from_db()
    return referral


# --- Notifications -----------------------------------------------------------------------------


def test_awaiting_legal_advice_emails_legal_services_a_link_and_nothing_else(
    assurance, make_user, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.LEGAL_SERVICES_EMAIL = "legal@council.example"
    make_user(Role.LEGAL_SERVICES, username="adviser", email="adviser@council.example")
    make_user(Role.LEGAL_SERVICES, username="no-email", email="")
    make_user(Role.LEGAL_SERVICES, username="gone", email="gone@council.example", is_active=False)
    make_user(Role.PANEL_MEMBER, username="panel", email="panel@council.example")
    referral = SubmittedReferralFactory(subject_family_name="Marchbanks")

    with django_capture_on_commit_callbacks(execute=True):
        services.referral_await_legal_advice(
            actor=assurance, referral=referral, reason="Marchbanks writes a blog."
        )

    # One email each (one outbox row per recipient).
    told = [m for m in mailoutbox if "advice needed" in m.subject]
    assert sorted(m.to[0] for m in told) == ["adviser@council.example", "legal@council.example"]
    for email in told:
        assert referral.reference in email.subject
        assert reverse("referrals:legal_advice", args=[referral.pk]) in email.body
        assert "Marchbanks" not in email.subject + email.body
        assert "blog" not in email.body


def test_a_journalists_referral_emails_legal_services_on_submission(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    referral = ReferralFactory(journalist=True)

    with django_capture_on_commit_callbacks(execute=True):
        services.referral_submit(actor=referral.referrer, referral=referral)

    assert [m for m in mailoutbox if m.to == [settings.LEGAL_SERVICES_EMAIL]]


def test_an_ordinary_submission_does_not_email_legal_services(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    referral = ReferralFactory()

    with django_capture_on_commit_callbacks(execute=True):
        services.referral_submit(actor=referral.referrer, referral=referral)

    assert not [m for m in mailoutbox if settings.LEGAL_SERVICES_EMAIL in m.to]


# --- Who sees what -----------------------------------------------------------------------------


def test_legal_services_see_referrals_awaiting_advice_and_those_they_advised_on(lawyer, waiting):
    other = SubmittedReferralFactory()
    advised = SubmittedReferralFactory(legal_advice_by=lawyer, legal_advice="Fine.")
    colleagues = SubmittedReferralFactory(legal_advice_by=UserFactory(), legal_advice="Fine.")

    visible = set(visible_referrals(lawyer))

    assert visible == {waiting, advised}
    assert other not in visible
    assert colleagues not in visible
    assert set(legal_advice_queue(lawyer)) == {waiting, advised}


@pytest.mark.parametrize("role", [Role.PANEL_MEMBER, Role.REFERRING_MANAGER, Role.FRONTLINE])
def test_the_legal_queue_is_empty_for_other_roles(make_user, role, waiting):
    assert not legal_advice_queue(make_user(role)).exists()


# --- The service -------------------------------------------------------------------------------


def test_recording_advice_sends_the_referral_back_to_assurance(
    lawyer, waiting, settings, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_record_legal_advice(
            actor=lawyer, referral=waiting, advice="  Not journalistic: apply the protocol.  "
        )

    waiting.refresh_from_db()
    assert waiting.status == S.SUBMITTED
    assert waiting.legal_advice == "Not journalistic: apply the protocol."
    assert waiting.legal_advice_by == lawyer
    assert waiting.legal_advice_at is not None
    event = waiting.events.latest("pk")
    assert (event.kind, event.actor) == (EventKind.LEGAL_ADVICE, lawyer)
    assert (event.from_status, event.to_status) == (S.AWAITING_LEGAL_ADVICE, S.SUBMITTED)
    [to_assurance] = [m for m in mailoutbox if m.to == [settings.ASSURANCE_EMAIL]]
    assert waiting.reference in to_assurance.subject
    assert reverse("referrals:triage_detail", args=[waiting.pk]) in to_assurance.body
    assert "journalistic" not in to_assurance.body
    assert "Marchbanks" not in to_assurance.body


@pytest.mark.parametrize(
    "role", [Role.ASSURANCE_OFFICER, Role.MONITORING_OFFICER, Role.DIRECTOR_LEGAL, Role.PANEL_CHAIR]
)
def test_only_legal_services_record_advice(make_user, role, waiting):
    with pytest.raises(PermissionDenied):
        services.referral_record_legal_advice(actor=make_user(role), referral=waiting, advice="x")

    waiting.refresh_from_db()
    assert (waiting.status, waiting.legal_advice) == (S.AWAITING_LEGAL_ADVICE, "")


def test_advice_is_required(lawyer, waiting):
    with pytest.raises(ValidationError):
        services.referral_record_legal_advice(actor=lawyer, referral=waiting, advice="   ")


@pytest.mark.parametrize("status", [s for s in S if s != S.AWAITING_LEGAL_ADVICE])
def test_advice_is_recorded_only_while_the_referral_waits_for_it(lawyer, status):
    referral = ReferralFactory(status=status)

    with pytest.raises(services.ReferralTransitionError):
        services.referral_record_legal_advice(actor=lawyer, referral=referral, advice="Go ahead.")

    referral.refresh_from_db()
    assert (referral.status, referral.legal_advice) == (status, "")


# --- Legal Services' list ----------------------------------------------------------------------


def test_legal_services_list_what_waits_for_them_and_it_is_audited(
    legal_client, waiting, audit_entries
):
    SubmittedReferralFactory()

    response = legal_client.get(reverse("referrals:legal_queue"))

    assert response.status_code == 200
    assert response.context["waiting"] == [waiting]
    assert waiting.reference in response.content.decode()
    assert [e.object_pk for e in audit_entries(event="list")] == [str(waiting.pk)]


@pytest.mark.parametrize("rows", [2, 15])
def test_the_list_uses_a_constant_number_of_queries(
    legal_client, assurance, rows, django_assert_max_num_queries
):
    for referral in SubmittedReferralFactory.create_batch(rows):
        services.referral_await_legal_advice(actor=assurance, referral=referral, reason="Advise.")

    with django_assert_max_num_queries(12):
        assert legal_client.get(reverse("referrals:legal_queue")).status_code == 200


@pytest.mark.parametrize(
    "role",
    [Role.ASSURANCE_OFFICER, Role.REFERRING_MANAGER, Role.PANEL_CHAIR, Role.FRONTLINE, None],
    ids=lambda r: r.value if r else "no-role",
)
def test_the_list_is_only_for_legal_services(role_client, role):
    assert role_client(role).get(reverse("referrals:legal_queue")).status_code == 403


def test_legal_services_reach_their_list_from_the_home_page(legal_client):
    html = legal_client.get(reverse("home")).content.decode()

    assert reverse("referrals:legal_queue") in html


# --- The advice page ---------------------------------------------------------------------------


def test_legal_services_read_the_referral_without_health_details_and_it_is_audited(
    legal_client, waiting, audit_entries
):
    response = legal_client.get(reverse("referrals:legal_advice", args=[waiting.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert NAME in html
    assert "Filmed staff at the desk." in html
    assert "Is his blog journalistic material?" in html
    assert "PTSD" not in html
    assert 'name="advice"' in html
    assert audit_entries(event="view", object_pk=str(waiting.pk), actor=legal_client.user)


def test_legal_services_record_their_advice_on_the_page(legal_client, waiting, audit_entries):
    response = legal_client.post(
        reverse("referrals:legal_advice", args=[waiting.pk]),
        {"advice": "He is not a journalist: the protocol applies."},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:legal_queue")
    waiting.refresh_from_db()
    assert waiting.status == S.SUBMITTED
    assert waiting.legal_advice == "He is not a journalist: the protocol applies."
    changes = audit_entries(action=1, content_type__model="referral", object_pk=str(waiting.pk))
    assert changes[-1].actor == legal_client.user
    # Still theirs to read, with the advice, and no form any more.
    html = legal_client.get(reverse("referrals:legal_advice", args=[waiting.pk])).content.decode()
    assert "He is not a journalist" in html
    assert 'name="advice"' not in html


def test_empty_advice_is_refused_beside_the_field(legal_client, waiting):
    response = legal_client.post(
        reverse("referrals:legal_advice", args=[waiting.pk]), {"advice": "   "}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter your advice" in html
    assert "govuk-error-summary" in html
    waiting.refresh_from_db()
    assert waiting.status == S.AWAITING_LEGAL_ADVICE


def test_a_closed_referral_is_no_longer_theirs_to_advise_on(legal_client, waiting, assurance):
    services.referral_close(actor=assurance, referral=waiting, reason="Withdrawn.")

    response = legal_client.post(
        reverse("referrals:legal_advice", args=[waiting.pk]), {"advice": "My careful advice."}
    )

    assert response.status_code == 404
    waiting.refresh_from_db()
    assert waiting.legal_advice == ""


def test_a_refused_service_call_keeps_the_advice_typed(legal_client, waiting, monkeypatch):
    def refuse(**kwargs):
        raise ValidationError({"advice": "Say what the Assurance team should do"})

    monkeypatch.setattr("referrals.views.legal.referral_record_legal_advice", refuse)

    response = legal_client.post(
        reverse("referrals:legal_advice", args=[waiting.pk]), {"advice": "My careful advice."}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Say what the Assurance team should do" in html
    assert "My careful advice." in html


@pytest.mark.parametrize(
    "role",
    [Role.REFERRING_MANAGER, Role.ASSURANCE_OFFICER, Role.PANEL_CHAIR, Role.FRONTLINE, None],
    ids=lambda r: r.value if r else "no-role",
)
def test_no_other_role_opens_or_posts_the_advice_page(role_client, role, waiting):
    client = role_client(role)

    assert client.get(reverse("referrals:legal_advice", args=[waiting.pk])).status_code == 404
    response = client.post(reverse("referrals:legal_advice", args=[waiting.pk]), {"advice": "x"})
    assert response.status_code == 404
    waiting.refresh_from_db()
    assert waiting.status == S.AWAITING_LEGAL_ADVICE


def test_a_referral_not_waiting_for_legal_services_is_an_audited_404(legal_client, audit_entries):
    referral = SubmittedReferralFactory()

    response = legal_client.get(reverse("referrals:legal_advice", args=[referral.pk]))

    assert response.status_code == 404
    assert audit_entries(event="denied")[0].object_pk == str(referral.pk)


def test_the_advice_page_needs_a_csrf_token(lawyer, waiting):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(lawyer)

    response = csrf_client.post(
        reverse("referrals:legal_advice", args=[waiting.pk]), {"advice": "Go ahead."}
    )

    assert response.status_code == 403
    waiting.refresh_from_db()
    assert waiting.status == S.AWAITING_LEGAL_ADVICE


def test_legal_services_download_the_evidence_of_a_referral_waiting_for_them(
    legal_client, waiting, audit_entries
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    evidence = services.evidence_add(
        actor=waiting.referrer, referral=waiting, upload=SimpleUploadedFile("blog.pdf", pdf)
    )

    response = legal_client.get(reverse("referrals:evidence_download", args=[evidence.pk]))

    assert response.status_code == 200
    assert audit_entries(event="download", object_pk=str(evidence.pk))


# --- What Assurance and the referrer see -------------------------------------------------------


def test_triage_shows_the_advice_prominently(assurance_client, lawyer, waiting):
    services.referral_record_legal_advice(
        actor=lawyer, referral=waiting, advice="Not journalistic: apply the protocol."
    )

    html = assurance_client.get(reverse("referrals:triage_detail", args=[waiting.pk])).content
    html = html.decode()

    assert 'data-testid="legal-advice"' in html
    assert "Not journalistic: apply the protocol." in html
    assert escape(str(lawyer)) in html


def test_the_referrer_is_told_advice_was_given_but_does_not_read_it(client, lawyer, waiting):
    services.referral_record_legal_advice(
        actor=lawyer, referral=waiting, advice="Not journalistic: apply the protocol."
    )
    client.force_login(waiting.referrer)

    html = client.get(reverse("referrals:detail", args=[waiting.pk])).content.decode()

    assert "Legal advice recorded" in html
    assert "Not journalistic" not in html


def test_the_list_shows_what_the_adviser_advised_on_latest_first(legal_client, assurance):
    lawyer = legal_client.user
    first, second = SubmittedReferralFactory.create_batch(2)
    for referral in (first, second):
        services.referral_await_legal_advice(actor=assurance, referral=referral, reason="Advise.")
        services.referral_record_legal_advice(actor=lawyer, referral=referral, advice="Go ahead.")

    response = legal_client.get(reverse("referrals:legal_queue"))

    assert response.context["waiting"] == []
    assert response.context["advised"] == [second, first]


def test_the_triage_queue_marks_a_referral_back_from_legal_services(
    assurance_client, lawyer, waiting
):
    services.referral_record_legal_advice(actor=lawyer, referral=waiting, advice="Go ahead.")

    html = assurance_client.get(reverse("referrals:triage_queue")).content.decode()

    assert "Legal advice given" in html
