"""The Health and Safety route (issue 18, point 3). The protocol: "All incidents of violence,
aggression and harassment, regardless of severity must be reported on the accident incident report
form. The Health and Safety Team will escalate to the Unreasonable Behaviours Panel, where
appropriate."

Health and Safety escalate a report as a referral (with the report's reference); a manager's
referral that records violence tells Health and Safety, with a link only, once.
"""

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse

from referrals.models import EventKind, Referral, ReferralSource, ReferralStatus
from referrals.services import health_safety_tell_of_violence
from reports.figures.referrals import received_referrals
from ubpanel.models import Notification
from ubpanel.roles import Role

from .factories import IncidentFactory, ServiceFactory, SubmittedReferralFactory
from .test_referral_form import form_data

pytestmark = pytest.mark.django_db

REPORT = "AIR-2026-0142"


def escalation_data(**overrides):
    return form_data(**{"health_safety_reference": REPORT, **overrides})


@pytest.fixture
def safety(make_user):
    return make_user(
        Role.HEALTH_SAFETY, username="hollis", service=ServiceFactory(name="Health and Safety")
    )


@pytest.fixture
def safety_client(client, safety):
    client.force_login(safety)
    return client


@pytest.fixture
def manager(make_user):
    return make_user(Role.REFERRING_MANAGER, service=ServiceFactory(name="Housing"))


def _escalate(client, data):
    """Fill in the escalation, press "Continue", then "Send referral" on the check page."""
    response = client.post(reverse("referrals:escalate"), data)
    assert response.status_code == 302, response.context["form"].errors
    referral = Referral.objects.order_by("-pk").first()
    assert response["Location"] == reverse("referrals:check", args=[referral.pk])
    return client.post(response["Location"]), referral


def _manager_sends(manager, **overrides):
    client = Client()
    client.force_login(manager)
    response = client.post(reverse("referrals:new"), form_data(**overrides))
    assert response.status_code == 302, response.context["form"].errors
    referral = Referral.objects.order_by("-pk").first()
    assert client.post(response["Location"]).status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SUBMITTED
    return referral


def _denied(user, path):
    return LogEntry.objects.filter(
        actor=user,
        action=LogEntry.Action.ACCESS,
        additional_data__event="denied",
        additional_data__path=path,
    ).count()


# --- Escalating an accident/incident report -----------------------------------------------------


def test_health_and_safety_escalate_a_report_to_the_panel_as_a_referral(
    safety_client, safety, mailoutbox, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response, referral = _escalate(safety_client, escalation_data(violence="on"))

    referral.refresh_from_db()
    assert response["Location"] == reverse("referrals:detail", args=[referral.pk])
    assert referral.status == ReferralStatus.SUBMITTED
    assert referral.source == ReferralSource.HEALTH_SAFETY
    assert referral.health_safety_reference == REPORT
    assert (referral.referrer, referral.service) == (safety, safety.service)
    [to_assurance] = [m for m in mailoutbox if m.to == [settings.ASSURANCE_EMAIL]]
    assert "Health and Safety escalated" in to_assurance.subject
    assert referral.reference in to_assurance.subject
    assert "Smyth" not in to_assurance.subject + to_assurance.body
    # Their own escalation is not a manager's violent referral: they are not told of it.
    assert referral.health_safety_notified_at is None
    assert not Notification.objects.filter(kind="health-safety-violence").exists()


def test_the_escalation_is_audited_with_its_author(safety_client, safety, audit_entries):
    _, referral = _escalate(safety_client, escalation_data())

    [created] = audit_entries(
        action=LogEntry.Action.CREATE, content_type__model="referral", object_pk=str(referral.pk)
    )
    assert created.actor == safety
    assert created.changes_dict["health_safety_reference"][1] == REPORT
    assert referral.events.get(kind=EventKind.CREATED).message.startswith(
        "Health and Safety began escalating"
    )


def test_the_reference_is_tidied_into_capitals(safety_client):
    _, referral = _escalate(
        safety_client, escalation_data(health_safety_reference=" air-2026-0142 ")
    )

    referral.refresh_from_db()
    assert referral.health_safety_reference == REPORT


def test_assurance_triage_the_escalation_and_see_the_report_reference(
    safety_client, assurance_client_for
):
    _, referral = _escalate(safety_client, escalation_data())

    queue = assurance_client_for.get(reverse("referrals:triage_queue"))
    detail = assurance_client_for.get(reverse("referrals:triage_detail", args=[referral.pk]))

    assert referral.reference in queue.content.decode()
    page = detail.content.decode()
    assert detail.status_code == 200
    assert REPORT in page
    assert "escalated by Health and Safety" in page
    assert "Health and Safety escalation" in page


@pytest.fixture
def assurance_client_for(make_user):
    client = Client()
    client.force_login(make_user(Role.ASSURANCE_OFFICER))
    return client


def test_the_escalating_officer_sees_their_escalation_like_a_referrer(safety_client):
    _, referral = _escalate(safety_client, escalation_data())

    index = safety_client.get(reverse("referrals:index"))
    detail = safety_client.get(reverse("referrals:detail", args=[referral.pk]))

    assert referral.reference in index.content.decode()
    assert "Your escalations" in index.content.decode()
    assert detail.status_code == 200
    assert REPORT in detail.content.decode()


def test_health_and_safety_see_nothing_more_than_their_own_escalations(
    safety_client, safety, make_user, manager
):
    managers = SubmittedReferralFactory(referrer=manager, violence=True)
    colleagues = SubmittedReferralFactory(
        referrer=make_user(Role.HEALTH_SAFETY),
        source=ReferralSource.HEALTH_SAFETY,
        health_safety_reference="AIR-1",
    )

    for referral in (managers, colleagues):
        path = reverse("referrals:detail", args=[referral.pk])
        assert safety_client.get(path).status_code == 404
        assert _denied(safety, path) == 1
    for name in ("referrals:triage_queue", "referrals:person_list", "schedule:index"):
        assert safety_client.get(reverse(name)).status_code == 403


def test_an_unsent_escalation_is_not_shown_to_assurance(safety_client, assurance_client_for):
    safety_client.post(reverse("referrals:escalate"), escalation_data(submit=None, save="1"))
    referral = Referral.objects.get()

    response = assurance_client_for.get(reverse("referrals:triage_detail", args=[referral.pk]))

    assert referral.status == ReferralStatus.DRAFT
    assert response.status_code == 404


def test_the_escalating_officer_can_delete_their_unsent_draft(safety_client):
    safety_client.post(reverse("referrals:escalate"), escalation_data(submit=None, save="1"))
    referral = Referral.objects.get()

    response = safety_client.post(reverse("referrals:draft_delete", args=[referral.pk]))

    assert response.status_code == 302
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    "role",
    [Role.REFERRING_MANAGER, Role.ASSURANCE_OFFICER, Role.FRONTLINE, Role.PANEL_MEMBER, None],
)
def test_only_health_and_safety_open_the_escalation(role_client, role):
    assert role_client(role).get(reverse("referrals:escalate")).status_code == 403


def test_health_and_safety_do_not_refer_as_a_manager(safety_client):
    assert safety_client.get(reverse("referrals:new")).status_code == 403


def test_the_escalation_needs_csrf(safety):
    client = Client(enforce_csrf_checks=True)
    client.force_login(safety)

    assert client.post(reverse("referrals:escalate"), escalation_data()).status_code == 403


# --- The report reference: required, checked, a message beside it, nothing lost ----------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Enter the accident/incident report reference"),
        ("   ", "Enter the accident/incident report reference"),
        ("no number", "Enter the accident/incident report reference as it is on the form"),
        ("AIR<2026>", "Enter the accident/incident report reference as it is on the form"),
        ("A" * 30 + "-" + "1" * 20, "must be 40 characters or fewer"),
    ],
)
def test_a_missing_or_malformed_reference_is_refused_beside_the_field(
    safety_client, value, message
):
    response = safety_client.post(
        reverse("referrals:escalate"), escalation_data(health_safety_reference=value)
    )

    page = response.content.decode()
    assert response.status_code == 200
    [error] = response.context["form"].errors["health_safety_reference"]
    assert message in error
    assert "There is a problem" in page
    assert 'href="#id_health_safety_reference"' in page
    assert 'value="Smyth"' in page
    assert "Shouted and swore at the receptionist." in page
    # Kept as a draft: the page posts to it from now on.
    referral = Referral.objects.get()
    assert referral.source == ReferralSource.HEALTH_SAFETY
    assert reverse("referrals:edit", args=[referral.pk]) in page


def test_a_report_is_escalated_once(safety_client):
    _, first = _escalate(safety_client, escalation_data())

    response = safety_client.post(
        reverse("referrals:escalate"), escalation_data(health_safety_reference="air-2026-0142")
    )

    [error] = response.context["form"].errors["health_safety_reference"]
    assert f"has already been escalated to the panel, as referral {first.reference}" in error


def test_the_violence_flag_needs_no_second_reference_on_an_escalation(safety_client):
    response = safety_client.post(reverse("referrals:escalate"), escalation_data(violence="on"))

    assert response.status_code == 302


# --- A manager's violent referral tells Health and Safety, a link only, once --------------------


def test_a_violent_referral_tells_health_and_safety_with_a_link_and_no_personal_data(
    manager, safety, make_user, mailoutbox, settings, django_capture_on_commit_callbacks
):
    inactive = make_user(Role.HEALTH_SAFETY, is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        referral = _manager_sends(manager, violence="on", incident_report_reference="AIR-2026-0099")

    [told] = Notification.objects.filter(kind="health-safety-violence")
    link = settings.SITE_URL + reverse("referrals:health_safety_notice", args=[referral.pk])
    assert told.user == safety
    assert told.user != inactive
    assert told.link == link
    assert told.reference == referral.reference
    text = told.subject + told.body
    assert referral.reference in text
    assert link in told.body
    for personal in (
        "Jonathan",
        "Smyth",
        "DT1 1AA",
        "County Hall",
        "Shouted",
        "Abusive phone calls",
        "Housing",
        manager.last_name or "Smyth",
    ):
        assert personal not in text, personal
    [email] = [m for m in mailoutbox if m.to == [safety.email]]
    assert email.subject == told.subject
    assert referral.health_safety_notified_at is not None
    assert referral.events.filter(kind=EventKind.HEALTH_SAFETY_NOTIFIED).count() == 1


def test_health_and_safety_are_told_once_however_often_it_is_asked(manager, safety):
    referral = _manager_sends(manager, behaviour_categories=["actual_violence"])

    assert health_safety_tell_of_violence(referral, actor=manager) is False
    assert Notification.objects.filter(kind="health-safety-violence").count() == 1
    assert referral.events.filter(kind=EventKind.HEALTH_SAFETY_NOTIFIED).count() == 1


@pytest.mark.parametrize(
    ("overrides", "threats_count", "told"),
    [
        ({"behaviour_categories": ["actual_violence"]}, False, True),
        ({"violence": "on", "incident_report_reference": "AIR-1"}, False, True),
        ({"behaviour_categories": ["threats_of_violence"]}, False, False),
        ({"behaviour_categories": ["threats_of_violence"]}, True, True),
        ({"behaviour_categories": ["abusive"]}, True, False),
    ],
)
def test_what_counts_as_violent(manager, safety, settings, overrides, threats_count, told):
    settings.HEALTH_SAFETY_NOTIFY_THREATS = threats_count

    referral = _manager_sends(manager, **overrides)

    assert (referral.health_safety_notified_at is not None) is told
    assert Notification.objects.filter(kind="health-safety-violence").exists() is told


# --- The notice page behind the link ------------------------------------------------------------


@pytest.fixture
def violent(manager):
    referral = _manager_sends(manager, violence="on", incident_report_reference="AIR-2026-0099")
    IncidentFactory(referral=referral, location="Secret Street", description="Kicked the door.")
    return referral


def test_the_link_opens_a_minimal_page_for_health_and_safety(
    safety_client, safety, violent, audit_entries
):
    response = safety_client.get(reverse("referrals:health_safety_notice", args=[violent.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert violent.reference in page
    assert "AIR-2026-0099" in page
    assert "2 November 2026" in page
    for hidden in ("Jonathan", "Smyth", "DT1 1AA", "County Hall", "Secret Street", "Kicked"):
        assert hidden not in page, hidden
    assert audit_entries(event="view", actor=safety)[-1].object_pk == str(violent.pk)


@pytest.mark.parametrize(
    "role",
    [Role.REFERRING_MANAGER, Role.ASSURANCE_OFFICER, Role.PANEL_CHAIR, Role.FRONTLINE, None],
)
def test_the_link_is_a_404_for_anyone_else_and_the_refusal_is_audited(role_client, role, violent):
    client = role_client(role)
    path = reverse("referrals:health_safety_notice", args=[violent.pk])

    assert client.get(path).status_code == 404
    assert _denied(client.user, path) == 1


def test_the_referrer_themself_does_not_open_the_notice(manager, violent):
    client = Client()
    client.force_login(manager)
    path = reverse("referrals:health_safety_notice", args=[violent.pk])

    assert client.get(path).status_code == 404
    assert _denied(manager, path) == 1


def test_a_referral_health_and_safety_were_not_told_of_is_a_404_to_them(
    safety_client, safety, manager
):
    quiet = _manager_sends(manager)
    path = reverse("referrals:health_safety_notice", args=[quiet.pk])

    assert safety_client.get(path).status_code == 404
    assert _denied(safety, path) == 1


def test_health_and_safety_link_their_report_and_it_is_audited(
    safety_client, safety, violent, audit_entries, assurance_client_for
):
    path = reverse("referrals:health_safety_notice", args=[violent.pk])

    response = safety_client.post(path, {"reference": "hs 2026/77"})

    violent.refresh_from_db()
    assert response.status_code == 302
    assert violent.health_safety_reference == "HS 2026/77"
    event = violent.events.get(kind=EventKind.HEALTH_SAFETY_REPORT)
    assert event.actor == safety
    changed = audit_entries(
        action=LogEntry.Action.UPDATE, content_type__model="referral", object_pk=str(violent.pk)
    )
    assert changed[-1].actor == safety
    assert "HS 2026/77" in safety_client.get(path).content.decode()
    # Assurance see it on the referral they triage.
    triage = assurance_client_for.get(reverse("referrals:triage_detail", args=[violent.pk]))
    assert "HS 2026/77" in triage.content.decode()


def test_a_malformed_link_is_refused_beside_the_field_and_kept(safety_client, violent):
    path = reverse("referrals:health_safety_notice", args=[violent.pk])

    response = safety_client.post(path, {"reference": "see email"})

    page = response.content.decode()
    assert response.status_code == 400
    assert "as it is on the form" in response.context["form"].errors["reference"][0]
    assert 'value="see email"' in page
    assert 'href="#id_reference"' in page
    violent.refresh_from_db()
    assert violent.health_safety_reference == ""


def test_linking_needs_csrf(safety, violent):
    client = Client(enforce_csrf_checks=True)
    client.force_login(safety)
    path = reverse("referrals:health_safety_notice", args=[violent.pk])

    assert client.post(path, {"reference": REPORT}).status_code == 403


def test_the_list_shows_the_violent_referrals_waiting_for_a_report(
    safety_client, violent, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        response = safety_client.get(reverse("referrals:health_safety_list"))

    page = response.content.decode()
    assert response.status_code == 200
    assert violent.reference in page
    assert "Smyth" not in page


@pytest.mark.parametrize("role", [Role.REFERRING_MANAGER, Role.ASSURANCE_OFFICER, None])
def test_only_health_and_safety_open_the_list(role_client, role):
    assert role_client(role).get(reverse("referrals:health_safety_list")).status_code == 403


def test_the_work_page_says_how_many_violent_referrals_wait_for_a_report(safety_client, violent):
    page = safety_client.get(reverse("home")).content.decode()

    assert 'data-testid="work-reports_to_link"' in page
    assert '<span data-testid="count">1</span> violent referral to link your' in page
    assert reverse("referrals:health_safety_list") in page

    notice = reverse("referrals:health_safety_notice", args=[violent.pk])
    safety_client.post(notice, {"reference": REPORT})
    page = safety_client.get(reverse("home")).content.decode()
    assert "to link your accident/incident report" not in page


def test_an_unsent_escalation_is_not_counted_as_received_but_a_sent_one_is(safety_client):
    safety_client.post(reverse("referrals:escalate"), escalation_data(submit=None, save="1"))
    draft = Referral.objects.get()
    assert not received_referrals().filter(pk=draft.pk).exists()

    _, sent = _escalate(safety_client, escalation_data(health_safety_reference="AIR-2026-0200"))
    assert received_referrals().filter(pk=sent.pk).exists()
