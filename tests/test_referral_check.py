"""Check your answers before a referral is sent: who may see the page, what it shows, sending from
it, and the referral form's error summary (each message once)."""

import re
from datetime import date, time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from referrals.models import Referral, ReferralStatus
from referrals.services import evidence_add
from ubpanel.roles import Role

from .factories import IncidentFactory, ReferralFactory, ServiceFactory, SubmittedReferralFactory
from .test_referral_form import PDF, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(make_user):
    return make_user(Role.REFERRING_MANAGER, service=ServiceFactory(name="Housing"))


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def _complete_draft(manager, *, incidents=1, evidence=0, **fields):
    answers = {
        "subject_given_names": "Jonathan",
        "subject_family_name": "Smyth",
        "subject_postcode": "DT1 1AA",
        "summary": "Abusive phone calls every day.",
        "behaviour_categories": ["abusive"],
        "number_of_incidents": 4,
        "suggested_tier": "low",
        "health_concerns": "no",
    }
    referral = ReferralFactory(referrer=manager, service=manager.service, **(answers | fields))
    for number in range(incidents):
        IncidentFactory(
            referral=referral,
            occurred_on=date(2026, 11, 2 + number),
            occurred_at=time(10, 15),
            location=f"Reception {number + 1}",
            description=f"Shouted at staff, time {number + 1}.",
        )
    for number in range(evidence):
        upload = SimpleUploadedFile(f"log-{number + 1}.pdf", PDF, content_type="application/pdf")
        evidence_add(actor=manager, referral=referral, upload=upload)
    return referral


def _check_url(referral):
    return reverse("referrals:check", args=[referral.pk])


def _summary_messages(html: str) -> list[str]:
    summary = html.split('govuk-error-summary__list">', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<li><a href="#[^"]*">([^<]*)</a></li>', summary)


# --- Getting there --------------------------------------------------------------------------------


def test_continue_on_a_complete_draft_goes_to_the_check_page_and_sends_nothing_yet(
    manager_client, mailoutbox
):
    response = manager_client.post(reverse("referrals:new"), form_data())

    referral = Referral.objects.get()
    assert response["Location"] == _check_url(referral)
    assert referral.status == ReferralStatus.DRAFT
    assert mailoutbox == []


def test_continue_on_an_incomplete_draft_shows_the_form_with_the_errors(manager_client):
    response = manager_client.post(reverse("referrals:new"), form_data(summary=""))

    assert response.status_code == 200
    assert response.context["form"].errors["summary"] == ["Say why you are referring them"]


def test_the_form_says_continue_rather_than_send(manager_client):
    html = manager_client.get(reverse("referrals:new")).content.decode()

    assert ">Continue</button>" in html
    assert "Send to the Assurance team" not in html


# --- What it shows --------------------------------------------------------------------------------


def test_the_check_page_shows_every_answer_with_a_link_to_change_it(
    manager_client, manager, audit_entries
):
    referral = _complete_draft(
        manager, incidents=2, evidence=1, violence=True, incident_report_reference="IR-77"
    )

    response = manager_client.get(_check_url(referral))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Check your answers before sending your referral" in html
    assert len(re.findall(r'<dl class="govuk-summary-list[ "]', html)) == 7  # 2 incidents
    for answer in (
        "Jonathan Smyth",
        "DT1 1AA",
        "Reception 1",
        "Reception 2",
        "2 November 2026",
        "Shouted at staff, time 2.",
        "Abusive phone calls every day.",
        "IR-77",
        "log-1.pdf",
        "Low",
    ):
        assert answer in html, answer
    # Blank optional answers say so.
    assert "Not given" in html
    edit = reverse("referrals:edit", args=[referral.pk])
    for anchor, hidden in (
        ("id_subject_given_names", "name"),
        ("id_subject_date_of_birth", "date of birth"),
        ("id_incidents-1-location", "where incident 2 happened"),
        ("id_summary", "why you are referring them"),
        ("id_health_concerns", "whether they have underlying health issues"),
        ("id_files", "evidence"),
    ):
        link = html.split(f'href="{edit}#{anchor}"', 1)[1].split("</a>", 1)[0]
        assert f'<span class="govuk-visually-hidden"> {hidden}' in link, anchor
    assert "Now send your referral" in html
    assert '<button type="submit" class="govuk-button"' in html
    assert audit_entries(event="view", object_pk=str(referral.pk))


def test_each_answer_the_form_asks_has_its_field_on_the_form(manager_client, manager):
    """Every "Change" link lands on a field the form has (its id), so none leads nowhere."""
    referral = _complete_draft(
        manager,
        incidents=2,
        hate_incident=True,
        police_report="reported",
        police_reference="55/1",
        violence=True,
        incident_report_reference="IR-1",
    )
    check = manager_client.get(_check_url(referral)).content.decode()
    form = manager_client.get(reverse("referrals:edit", args=[referral.pk])).content.decode()

    anchors = set(re.findall(r'href="[^"#]*/edit/#([^"]+)"', check))
    assert len(anchors) > 20
    for anchor in anchors:
        assert f'id="{anchor}"' in form, anchor


def test_the_check_page_reads_in_constant_queries(
    manager_client, manager, django_assert_max_num_queries
):
    small = _complete_draft(manager, incidents=1, evidence=1)
    large = _complete_draft(manager, incidents=6, evidence=5)
    manager_client.get(_check_url(small))  # the session and the user, loaded once

    with django_assert_max_num_queries(14) as small_queries:
        assert manager_client.get(_check_url(small)).status_code == 200
    with django_assert_max_num_queries(len(small_queries)):
        response = manager_client.get(_check_url(large))

    assert response.content.decode().count('data-testid="check-incident"') == 6


# --- Who may open it ------------------------------------------------------------------------------


def test_another_managers_draft_is_a_404_and_the_attempt_is_audited(
    client, make_user, manager, audit_entries
):
    referral = _complete_draft(manager)
    colleague = make_user(Role.REFERRING_MANAGER, service=manager.service)
    client.force_login(colleague)

    assert client.get(_check_url(referral)).status_code == 404
    assert client.post(_check_url(referral)).status_code == 404

    assert len(audit_entries(event="denied", object_pk=str(referral.pk))) == 2
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DRAFT


@pytest.mark.parametrize(
    "role",
    [
        Role.ASSURANCE_OFFICER,
        Role.PANEL_CHAIR,
        Role.FRONTLINE,
        Role.AUDITOR,
        Role.LEGAL_SERVICES,
        None,
    ],
)
def test_other_roles_get_a_404_and_the_attempt_is_audited(
    role_client, role, manager, audit_entries
):
    referral = _complete_draft(manager)

    client = role_client(role)
    assert client.get(_check_url(referral)).status_code == 404
    assert client.post(_check_url(referral)).status_code == 404

    assert len(audit_entries(event="denied", object_pk=str(referral.pk))) == 2
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DRAFT


def test_a_submitted_referral_goes_to_its_page(manager_client, manager):
    referral = SubmittedReferralFactory(referrer=manager, service=manager.service)

    response = manager_client.get(_check_url(referral))

    assert response["Location"] == reverse("referrals:detail", args=[referral.pk])


def test_an_incomplete_draft_goes_back_to_the_form_which_says_what_is_missing(
    manager_client, manager
):
    referral = _complete_draft(manager, incidents=0, summary="")

    response = manager_client.get(_check_url(referral))

    form_url = reverse("referrals:edit", args=[referral.pk])
    assert response["Location"] == f"{form_url}?check=1"
    page = manager_client.get(response["Location"])
    assert page.context["form"].errors["summary"] == ["Say why you are referring them"]
    messages = _summary_messages(page.content.decode())
    assert "Say why you are referring them" in messages
    assert "Incident 1: Enter the date, place and what happened for at least one incident" in (
        messages
    )
    assert 'value="Smyth"' in page.content.decode()


# --- Sending --------------------------------------------------------------------------------------


def test_send_referral_submits_it_and_tells_the_assurance_team(
    manager_client, manager, mailoutbox, settings, django_capture_on_commit_callbacks
):
    referral = _complete_draft(manager, incidents=2)

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(_check_url(referral), follow=True)

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SUBMITTED
    assert response.redirect_chain == [(reverse("referrals:detail", args=[referral.pk]), 302)]
    assert f"Referral {referral.reference} has been sent to the Assurance team." in (
        response.content.decode()
    )
    assert [m for m in mailoutbox if m.to == [settings.ASSURANCE_EMAIL]]


def test_a_journalist_waits_for_legal_advice_when_sent(manager_client, manager):
    referral = _complete_draft(manager, journalist=True)

    html = manager_client.get(_check_url(referral)).content.decode()
    manager_client.post(_check_url(referral))

    assert "Legal Services advise before the protocol is applied" in html
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.AWAITING_LEGAL_ADVICE


def test_a_draft_changed_in_another_tab_is_not_sent_and_goes_back_to_the_form(
    manager_client, manager
):
    referral = _complete_draft(manager)
    check = manager_client.get(_check_url(referral))
    assert check.status_code == 200
    # In another tab the manager ticks "violence" without giving the report's reference.
    manager_client.post(
        reverse("referrals:edit", args=[referral.pk]),
        form_data(submit=None, save="1", violence="on", **{"incidents-INITIAL_FORMS": "0"}),
    )

    response = manager_client.post(_check_url(referral))

    assert response["Location"].endswith("?check=1")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DRAFT
    page = manager_client.get(response["Location"])
    assert "incident_report_reference" in page.context["form"].errors


def test_sending_twice_sends_once(manager_client, manager):
    referral = _complete_draft(manager)

    manager_client.post(_check_url(referral))
    again = manager_client.post(_check_url(referral))

    assert again["Location"] == reverse("referrals:detail", args=[referral.pk])
    assert referral.events.filter(kind="submitted").count() == 1


def test_send_referral_refuses_a_post_without_csrf(manager):
    referral = _complete_draft(manager)
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)

    assert client.post(_check_url(referral)).status_code == 403
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DRAFT


def test_the_check_page_form_carries_the_csrf_token(manager_client, manager):
    referral = _complete_draft(manager)

    html = manager_client.get(_check_url(referral)).content.decode()

    send_form = html.split('data-testid="send-form"', 1)[1].split("</form>", 1)[0]
    assert 'name="csrfmiddlewaretoken"' in send_form


# --- The form's error summary ---------------------------------------------------------------------


def test_the_error_summary_names_each_incident_once_and_repeats_nothing(manager_client):
    data = form_data(
        summary="",
        **{
            "incidents-TOTAL_FORMS": "3",
            "incidents-0-occurred_on": None,
            "incidents-1-location": "Phone",
            "incidents-1-description": "Called forty times.",
            "incidents-2-location": "Email",
            "incidents-2-description": "Sent eighty emails.",
        },
    )

    response = manager_client.post(reverse("referrals:new"), data)

    messages = _summary_messages(response.content.decode())
    assert messages == [
        "Incident 1: Enter the date of the incident",
        "Incident 2: Enter the date of the incident",
        "Incident 3: Enter the date of the incident",
        "Say why you are referring them",
    ]
    assert len(set(messages)) == len(messages)


def test_the_error_summary_follows_the_page_and_links_to_each_field(manager_client):
    data = form_data(
        subject_email="jo@",
        summary="",
        **{"incidents-0-location": ""},
    )

    html = manager_client.post(reverse("referrals:new"), data).content.decode()

    summary = html.split('govuk-error-summary__list">', 1)[1].split("</ul>", 1)[0]
    anchors = re.findall(r'href="#([^"]+)"', summary)
    assert anchors == ["id_subject_email", "id_incidents-0-location", "id_summary"]
    for anchor in anchors:
        assert f'id="{anchor}"' in html


def test_a_form_error_and_the_same_field_error_are_listed_once(manager_client, manager):
    from referrals.forms import EvidenceForm, IncidentFormSet, ReferralForm
    from referrals.views.check import error_summary

    form = ReferralForm({"summary": ""})
    form.is_valid()
    form.add_error("summary", "Say why you are referring them")
    form.add_error(None, "Say why you are referring them")
    form.add_error("summary", "Say why you are referring them")
    incidents = IncidentFormSet(
        {"incidents-TOTAL_FORMS": "1", "incidents-INITIAL_FORMS": "0"}, prefix="incidents"
    )
    incidents.is_valid()

    entries = error_summary(form, incidents, EvidenceForm())

    assert entries == [("id_summary", "Say why you are referring them")]


@pytest.mark.parametrize("button", ["save", "submit"])
def test_an_incident_without_its_date_is_asked_for_beside_it_and_nothing_typed_is_lost(
    manager_client, button
):
    """A stored incident needs its date: instead of failing (or dropping it), the page asks."""
    data = form_data(
        **{
            "submit": None,
            button: "1",
            "incidents-TOTAL_FORMS": "2",
            "incidents-1-location": "Phone",
            "incidents-1-description": "Called forty times.",
        },
    )

    response = manager_client.post(reverse("referrals:new"), data)

    assert response.status_code == 200
    second = response.context["incidents"].forms[1]
    assert second.errors["occurred_on"] == ["Enter the date of the incident"]
    assert _summary_messages(response.content.decode()) == [
        "Incident 2: Enter the date of the incident"
    ]
    assert "Called forty times." in response.content.decode()
    # The rest is kept as a draft, with the incident that has its date.
    referral = Referral.objects.get()
    assert referral.status == ReferralStatus.DRAFT
    assert [i.location for i in referral.incidents.all()] == ["County Hall reception"]
