"""Appeal pages: every URL against every role, recording an appeal from the entry's page, the
Monitoring Officer's list and decision."""

from datetime import date, timedelta

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from schedule.dates import appeal_deadline
from schedule.models import Appeal, Entry
from schedule.services import APPEAL_RECORD_ROLES
from ubpanel.entry_status import EntryStatus
from ubpanel.roles import APPEAL_DECIDER_ROLES, CASE_ROLES, Role

from .factories import AccessGrantFactory, ActiveEntryFactory, AppealFactory, DismissedAppealFactory

pytestmark = pytest.mark.django_db
ROLES = [*Role, None]
STATEMENT = "I was only asking about my housing repair. I was never abusive."
TODAY = date(2026, 6, 1)
NOTIFIED = date(2026, 3, 2)


def role_id(role):
    return role.value if role else "no-role"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY):
        yield


@pytest.fixture
def appeal():
    return AppealFactory(entry__notified_on=NOTIFIED, received_on=date(2026, 3, 20))


@pytest.fixture
def entry():
    return ActiveEntryFactory(notified_on=NOTIFIED)


@pytest.fixture
def mo_client(role_client):
    return role_client(Role.MONITORING_OFFICER)


def record_url(entry):
    return reverse("schedule:appeal_record", args=[entry.pk])


def detail_url(appeal):
    return reverse("schedule:appeal_detail", args=[appeal.pk])


LIST_URL = reverse("schedule:appeal_list")


# --- Who may open what ---------------------------------------------------------------------------

# name, who may open it; everyone else gets the audited 404
APPEAL_URLS = [("list", CASE_ROLES), ("detail", CASE_ROLES), ("record", APPEAL_RECORD_ROLES)]


@pytest.mark.parametrize(("name", "allowed"), APPEAL_URLS, ids=[u[0] for u in APPEAL_URLS])
@pytest.mark.parametrize("role", ROLES, ids=role_id)
def test_each_page_opens_only_for_those_allowed_and_everyone_else_gets_an_audited_404(
    role_client, appeal, entry, name, allowed, role, audit_entries
):
    # A grant covering every tier: frontline staff see the entries in search, and still not here.
    AccessGrantFactory(service__name="Housing")
    client = role_client(role)
    url = {"list": LIST_URL, "detail": detail_url(appeal), "record": record_url(entry)}[name]

    response = client.get(url)

    if role in allowed:
        assert response.status_code == 200
        if name == "list":
            assert audit_entries(event="list", object_pk=str(appeal.pk), actor=client.user)
        elif name == "detail":
            assert audit_entries(event="view", object_pk=str(appeal.pk), actor=client.user)
        else:
            [viewed] = audit_entries(event="view", actor=client.user)
            assert viewed.content_type == ContentType.objects.get_for_model(Entry)
            assert viewed.object_pk == str(entry.pk)
    else:
        assert response.status_code == 404
        assert STATEMENT not in response.content.decode()
        [denied] = audit_entries(event="denied", actor=client.user)
        model = Entry if name == "record" else Appeal
        assert denied.content_type == ContentType.objects.get_for_model(model)
        expected_pk = {"list": "", "detail": str(appeal.pk), "record": str(entry.pk)}[name]
        assert denied.object_pk == expected_pk


@pytest.mark.parametrize("role", sorted(CASE_ROLES - APPEAL_DECIDER_ROLES), ids=role_id)
def test_a_decision_posted_by_anyone_but_those_who_may_decide_changes_nothing(
    role_client, appeal, role, audit_entries
):
    client = role_client(role)

    response = client.post(detail_url(appeal), {"outcome": "upheld", "reason": "Upheld."})

    assert response.status_code == 404
    assert audit_entries(event="denied", object_pk=str(appeal.pk), actor=client.user)
    appeal.refresh_from_db()
    appeal.entry.refresh_from_db()
    assert appeal.is_open
    assert appeal.entry.status == EntryStatus.UNDER_APPEAL


def test_a_missing_appeal_is_the_same_audited_404(mo_client, audit_entries):
    response = mo_client.get(reverse("schedule:appeal_detail", args=[999999]))

    assert response.status_code == 404
    assert audit_entries(event="denied", object_pk="999999")


def test_recording_needs_csrf(make_user, entry):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.ASSURANCE_OFFICER))

    response = client.post(
        record_url(entry),
        {"received_on": "2026-03-20", "grounds": ["unreasonable"], "statement": STATEMENT},
    )

    assert response.status_code == 403
    assert not Appeal.objects.exists()


def test_deciding_needs_csrf(make_user, appeal):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.MONITORING_OFFICER))

    response = client.post(detail_url(appeal), {"outcome": "upheld", "reason": "Upheld."})

    assert response.status_code == 403
    appeal.refresh_from_db()
    assert appeal.is_open


# --- The entry's page ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ASSURANCE_OFFICER, Role.LEGAL_SERVICES], ids=role_id)
def test_the_assurance_team_and_legal_services_are_offered_recording_an_appeal(
    role_client, entry, role
):
    html = role_client(role).get(reverse("schedule:entry_detail", args=[entry.pk])).content
    assert record_url(entry) in html.decode()


@pytest.mark.parametrize("role", [Role.MONITORING_OFFICER, Role.PANEL_CHAIR], ids=role_id)
def test_other_case_roles_are_not_offered_recording_an_appeal(role_client, entry, role):
    html = role_client(role).get(reverse("schedule:entry_detail", args=[entry.pk])).content
    assert record_url(entry) not in html.decode()


def test_the_entrys_page_lists_its_appeals_with_their_status(assurance_client, appeal):
    earlier = DismissedAppealFactory(entry=appeal.entry, received_on=date(2026, 3, 10))

    response = assurance_client.get(reverse("schedule:entry_detail", args=[appeal.entry.pk]))

    html = response.content.decode()
    assert detail_url(appeal) in html
    assert detail_url(earlier) in html
    assert "Waiting for a decision" in html
    assert "Dismissed" in html
    # Under appeal already: there is nothing more to record.
    assert record_url(appeal.entry) not in html


# --- Recording an appeal -------------------------------------------------------------------------


def test_the_form_shows_the_appeal_deadline(assurance_client, entry):
    html = assurance_client.get(record_url(entry)).content.decode()

    assert f"{appeal_deadline(NOTIFIED):%A} 13 April 2026" in html
    assert "The protocol has not been followed" in html


def test_the_assurance_team_records_an_appeal_and_the_entry_goes_under_appeal(
    assurance_client, entry, audit_entries
):
    response = assurance_client.post(
        record_url(entry),
        {
            "received_on": "2026-03-20",
            "grounds": ["protocol_not_followed", "new_circumstances"],
            "statement": STATEMENT,
        },
    )

    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(appeal)
    assert appeal.grounds == ["protocol_not_followed", "new_circumstances"]
    assert (appeal.received_on, appeal.late, appeal.recorded_by) == (
        date(2026, 3, 20),
        False,
        assurance_client.user,
    )
    entry.refresh_from_db()
    assert entry.status == EntryStatus.UNDER_APPEAL
    page = assurance_client.get(response["Location"]).content.decode()
    assert "stays on the schedule until the Monitoring Officer decides" in page
    assert audit_entries(action=0, object_pk=str(appeal.pk))  # auditlog's CREATE


def test_a_late_appeal_is_recorded_and_the_page_says_so(legal_client, entry):
    response = legal_client.post(
        record_url(entry),
        {"received_on": "2026-05-01", "grounds": ["unreasonable"], "statement": STATEMENT},
        follow=True,
    )

    html = response.content.decode()
    assert Appeal.objects.get().late
    assert "after the deadline of 13 April 2026" in html
    assert 'data-testid="late-warning"' in html


def test_bad_input_is_shown_beside_each_field_and_what_was_typed_is_kept(assurance_client, entry):
    response = assurance_client.post(
        record_url(entry),
        {"received_on": "", "grounds": ["new_circumstances"], "statement": STATEMENT},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_received_on-error"' in html
    assert "Enter the date the written request arrived" in html
    assert 'value="new_circumstances" checked' in html
    assert STATEMENT in html
    assert not Appeal.objects.exists()


def test_a_date_in_the_future_is_refused_beside_the_field(assurance_client, entry):
    response = assurance_client.post(
        record_url(entry),
        {"received_on": "2026-06-02", "grounds": ["unreasonable"], "statement": STATEMENT},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_received_on-error"' in html
    assert "must be today or in the past" in html
    assert 'name="received_on_day" value="2"' in html
    assert 'name="received_on_month" value="6"' in html
    assert 'name="received_on_year" value="2026"' in html
    assert 'value="unreasonable" checked' in html
    assert STATEMENT in html
    assert not Appeal.objects.exists()


def test_no_grounds_is_refused_beside_the_field(assurance_client, entry):
    response = assurance_client.post(
        record_url(entry), {"received_on": "2026-03-20", "statement": STATEMENT}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_grounds-error"' in html
    assert 'name="received_on_day" value="20"' in html
    assert 'name="received_on_year" value="2026"' in html
    assert STATEMENT in html


def test_an_entry_under_appeal_already_points_to_its_appeal(assurance_client, appeal):
    response = assurance_client.get(record_url(appeal.entry))

    html = response.content.decode()
    assert 'data-testid="not-appealable"' in html
    assert detail_url(appeal) in html
    assert 'name="statement"' not in html


def test_a_second_appeal_posted_anyway_is_refused_and_what_was_typed_is_kept(
    assurance_client, appeal
):
    response = assurance_client.post(
        record_url(appeal.entry),
        {"received_on": "2026-03-25", "grounds": ["unreasonable"], "statement": "Second letter."},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "has an appeal already" in html
    assert "Second letter." in html
    assert Appeal.objects.count() == 1


# --- The list ------------------------------------------------------------------------------------


def test_the_list_shows_open_appeals_first_with_their_deadline_and_late_ones_flagged(
    mo_client, appeal
):
    decided = DismissedAppealFactory(entry__person__family_name="Zephaniah")
    late = AppealFactory(entry__notified_on=NOTIFIED, received_on=date(2026, 5, 1), late=True)

    response = mo_client.get(LIST_URL)

    html = response.content.decode()
    positions = [html.index(detail_url(a)) for a in (appeal, late, decided)]
    assert positions == sorted(positions)
    assert html.count('data-testid="appeal-late"') == 1
    assert "13 Apr 2026" in html


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_is_paginated_with_the_same_queries_however_many(
    mo_client, count, django_assert_max_num_queries
):
    for _ in range(count):
        AppealFactory()
    mo_client.get(LIST_URL)  # warm the content-type cache

    with django_assert_max_num_queries(9):
        response = mo_client.get(LIST_URL)

    assert response.status_code == 200
    assert response.content.decode().count('data-testid="appeal-row"') == min(count, 25)


def test_the_navigation_offers_appeals_to_the_monitoring_officer_and_the_assurance_team(
    client, make_user
):
    for role, offered in [
        (Role.MONITORING_OFFICER, True),
        (Role.ASSURANCE_OFFICER, True),
        (Role.PANEL_MEMBER, False),
        (Role.FRONTLINE, False),
    ]:
        client.force_login(make_user(role))
        assert (LIST_URL in client.get(reverse("home")).content.decode()) is offered, role


# --- Deciding ------------------------------------------------------------------------------------


def test_the_monitoring_officer_is_offered_the_decision_and_others_are_not(
    mo_client, appeal, role_client
):
    assert 'name="reason"' in mo_client.get(detail_url(appeal)).content.decode()

    html = role_client(Role.ASSURANCE_OFFICER).get(detail_url(appeal)).content.decode()
    assert 'name="reason"' not in html
    assert STATEMENT in html
    assert 'data-testid="waiting"' in html


def test_the_monitoring_officer_dismisses_an_appeal_and_the_entry_is_active_again(
    mo_client, appeal, audit_entries
):
    response = mo_client.post(
        detail_url(appeal), {"outcome": "dismissed", "reason": "The protocol was followed."}
    )

    assert response.status_code == 302
    assert response["Location"] == detail_url(appeal)
    appeal.refresh_from_db()
    appeal.entry.refresh_from_db()
    assert (appeal.outcome, appeal.decided_by) == ("dismissed", mo_client.user)
    assert appeal.entry.status == EntryStatus.ACTIVE
    assert audit_entries(event="view", object_pk=str(appeal.pk), actor=mo_client.user)
    html = mo_client.get(detail_url(appeal)).content.decode()
    assert "the panel&#x27;s decision stands" in html
    assert "The protocol was followed." in html
    assert 'name="reason"' not in html


def test_an_upheld_appeal_removes_the_entry_and_the_page_says_the_individual_is_not_told(
    mo_client, appeal, mailoutbox
):
    response = mo_client.post(
        detail_url(appeal),
        {"outcome": "upheld", "reason": "The panel did not consider new evidence."},
        follow=True,
    )

    appeal.entry.refresh_from_db()
    assert appeal.entry.status == EntryStatus.REMOVED
    assert "removal is never communicated to them" in response.content.decode()
    assert mailoutbox == []


def test_a_decision_without_reasons_is_refused_beside_the_field_and_the_choice_is_kept(
    mo_client, appeal
):
    response = mo_client.post(detail_url(appeal), {"outcome": "dismissed", "reason": ""})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_reason-error"' in html
    assert "Give the reasons for the decision" in html
    assert 'value="dismissed" checked' in html
    appeal.refresh_from_db()
    assert appeal.is_open


def test_a_decision_without_an_outcome_keeps_the_reasons_typed(mo_client, appeal):
    response = mo_client.post(detail_url(appeal), {"reason": "Half written reasons."})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_outcome-error"' in html
    assert "Half written reasons." in html


def test_a_late_appeal_can_still_be_decided_on_its_page(mo_client):
    late = AppealFactory(
        entry__notified_on=NOTIFIED, received_on=NOTIFIED + timedelta(days=70), late=True
    )

    html = mo_client.get(detail_url(late)).content.decode()
    assert 'data-testid="late-warning"' in html
    assert 'name="reason"' in html

    mo_client.post(
        detail_url(late), {"outcome": "dismissed", "reason": "Out of time, and no new grounds."}
    )
    late.refresh_from_db()
    assert late.outcome == "dismissed"
