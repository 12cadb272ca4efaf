"""Appeal pages for those who decide: the Deputy Monitoring Officer, the legal services
representative the Monitoring Officer nominates (and the nomination form), each recorded as such."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from schedule.models import Appeal, AppealDecider
from ubpanel.entry_status import EntryStatus
from ubpanel.roles import Role

from .factories import AppealFactory, DismissedAppealFactory

pytestmark = pytest.mark.django_db
ROLES = [*Role, None]
TODAY = date(2026, 6, 1)
NOTIFIED = date(2026, 3, 2)
LIST_URL = reverse("schedule:appeal_list")


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
def monitoring_officer(make_user):
    return make_user(Role.MONITORING_OFFICER, username="mo", first_name="Mo", last_name="Ellison")


@pytest.fixture
def legal(make_user):
    return make_user(Role.LEGAL_SERVICES, username="lee", first_name="Lee", last_name="Carver")


@pytest.fixture
def nominated(appeal, legal, monitoring_officer):
    """``appeal`` with Lee Carver of Legal Services nominated to decide it."""
    Appeal.objects.filter(pk=appeal.pk).update(
        nominated_representative=legal,
        nominated_by=monitoring_officer,
        nominated_at=datetime(2026, 6, 1, 9, 0, tzinfo=UTC),
    )
    appeal.refresh_from_db()
    return appeal


def signed_in(client, user):
    client.force_login(user)
    client.user = user
    return client


def detail_url(appeal):
    return reverse("schedule:appeal_detail", args=[appeal.pk])


def nominate_url(appeal):
    return reverse("schedule:appeal_nominate_representative", args=[appeal.pk])


def decision(outcome="dismissed", reason="The panel followed the protocol."):
    return {"outcome": outcome, "reason": reason}


# --- The Deputy Monitoring Officer ---------------------------------------------------------------


def test_the_deputy_finds_the_appeal_in_the_list_and_may_decide_it(
    deputy_monitoring_client, appeal
):
    html = deputy_monitoring_client.get(LIST_URL).content.decode()
    assert detail_url(appeal) in html
    assert 'data-testid="appeal-yours"' in html

    page = deputy_monitoring_client.get(detail_url(appeal)).content.decode()
    assert 'name="reason"' in page
    # Only the Monitoring Officer nominates a representative.
    assert nominate_url(appeal) not in page


def test_the_deputy_decides_and_the_pages_say_as_what(
    deputy_monitoring_client, appeal, audit_entries
):
    deputy = deputy_monitoring_client.user

    response = deputy_monitoring_client.post(detail_url(appeal), decision())

    assert response.status_code == 302
    appeal.refresh_from_db()
    assert (appeal.outcome, appeal.decided_by, appeal.decided_as) == (
        "dismissed",
        deputy,
        AppealDecider.DEPUTY,
    )
    assert audit_entries(event="view", object_pk=str(appeal.pk), actor=deputy)
    page = deputy_monitoring_client.get(detail_url(appeal)).content.decode()
    assert f"by {deputy} as the Deputy Monitoring Officer" in page
    assert f"by {deputy} as the Deputy Monitoring Officer" in (
        deputy_monitoring_client.get(LIST_URL).content.decode()
    )
    history = deputy_monitoring_client.get(
        reverse("schedule:entry_detail", args=[appeal.entry.pk])
    ).content.decode()
    assert f"decided by {deputy} as the Deputy Monitoring Officer" in history


def test_the_navigation_offers_appeals_to_the_deputy_and_legal_services(client, make_user):
    for role in (Role.DEPUTY_MONITORING_OFFICER, Role.LEGAL_SERVICES):
        signed_in(client, make_user(role))
        assert LIST_URL in client.get(reverse("home")).content.decode(), role


# --- The nominated representative ----------------------------------------------------------------


def test_the_nominee_finds_the_appeal_nominated_to_them_marked_in_the_list(
    client, legal, nominated
):
    other = AppealFactory(entry__person__family_name="Zephaniah")

    html = signed_in(client, legal).get(LIST_URL).content.decode()

    assert html.count('data-testid="appeal-yours"') == 1
    row = html[html.index(detail_url(nominated)) :]
    assert row.index('data-testid="appeal-yours"') < row.index("</tr>")
    assert detail_url(other) in html  # Legal Services read every appeal, as before
    assert "nominated: Lee Carver" in html


def test_the_nominee_is_offered_the_decision_on_their_appeal_only(client, legal, nominated):
    other = AppealFactory()
    signed_in(client, legal)

    assert 'name="reason"' in client.get(detail_url(nominated)).content.decode()
    html = client.get(detail_url(other)).content.decode()
    assert 'name="reason"' not in html
    assert 'data-testid="waiting"' in html


def test_the_nominee_decides_their_appeal_and_is_recorded_as_the_representative(
    client, legal, nominated
):
    response = signed_in(client, legal).post(
        detail_url(nominated), decision("upheld", "New evidence.")
    )

    assert response.status_code == 302
    nominated.refresh_from_db()
    nominated.entry.refresh_from_db()
    assert (nominated.decided_by, nominated.decided_as) == (
        legal,
        AppealDecider.LEGAL_REPRESENTATIVE,
    )
    assert nominated.entry.status == EntryStatus.REMOVED
    page = client.get(detail_url(nominated)).content.decode()
    assert "by Lee Carver as the Monitoring Officer&#x27;s nominated legal representative" in page


def test_a_decision_posted_by_the_nominee_on_another_appeal_is_an_audited_404(
    client, legal, nominated, audit_entries
):
    other = AppealFactory()

    response = signed_in(client, legal).post(detail_url(other), decision())

    assert response.status_code == 404
    assert audit_entries(event="denied", object_pk=str(other.pk), actor=legal)
    other.refresh_from_db()
    assert other.is_open


def test_legal_services_not_nominated_get_an_audited_404_when_deciding(
    role_client, nominated, audit_entries
):
    client = role_client(Role.LEGAL_SERVICES)

    response = client.post(detail_url(nominated), decision())

    assert response.status_code == 404
    assert audit_entries(event="denied", object_pk=str(nominated.pk), actor=client.user)
    nominated.refresh_from_db()
    assert nominated.is_open


# --- Nominating: who may -------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("role", ROLES, ids=role_id)
def test_only_the_monitoring_officer_opens_the_nomination_and_others_get_an_audited_404(
    role_client, appeal, legal, role, method, audit_entries
):
    client = role_client(role)

    response = getattr(client, method)(nominate_url(appeal), {"representative": legal.pk})

    appeal.refresh_from_db()
    if role == Role.MONITORING_OFFICER:
        assert response.status_code == (200 if method == "get" else 302)
        [viewed] = audit_entries(event="view", object_pk=str(appeal.pk), actor=client.user)
        assert viewed.additional_data["view"] == "nominate"
    else:
        assert response.status_code == 404
        [denied] = audit_entries(event="denied", actor=client.user)
        assert denied.content_type == ContentType.objects.get_for_model(Appeal)
        assert denied.object_pk == str(appeal.pk)
        assert appeal.nominated_representative is None


def test_nominating_needs_csrf(make_user, appeal, legal):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.MONITORING_OFFICER))

    response = client.post(nominate_url(appeal), {"representative": legal.pk})

    assert response.status_code == 403
    appeal.refresh_from_db()
    assert appeal.nominated_representative is None


# --- Nominating: the form ------------------------------------------------------------------------


def test_the_appeal_page_offers_the_monitoring_officer_a_choice_of_active_legal_services(
    client, monitoring_officer, appeal, legal, make_user
):
    make_user(Role.LEGAL_SERVICES, first_name="Former", last_name="Lawyer", is_active=False)
    make_user(Role.FRONTLINE, first_name="Frankie", last_name="Lowe")

    html = signed_in(client, monitoring_officer).get(detail_url(appeal)).content.decode()

    assert f'action="{nominate_url(appeal)}"' in html
    assert f'<option value="{legal.pk}">Lee Carver</option>' in html
    assert "Former Lawyer" not in html
    assert "Frankie Lowe" not in html


def test_the_monitoring_officer_nominates_and_the_page_says_who_decides(
    client, monitoring_officer, appeal, legal, audit_entries, mailoutbox
):
    signed_in(client, monitoring_officer)

    response = client.post(nominate_url(appeal), {"representative": legal.pk}, follow=True)

    appeal.refresh_from_db()
    assert (appeal.nominated_representative, appeal.nominated_by) == (legal, monitoring_officer)
    html = response.content.decode()
    assert "Lee Carver may now decide this appeal" in html
    assert "Lee Carver (Legal Services, nominated by Mo Ellison on 1 June 2026)" in html
    assert "Change the representative" in html
    assert f'<option value="{legal.pk}" selected>Lee Carver</option>' in html
    # By record type too: ids repeat across tables on SQLite.
    [changed] = audit_entries(
        action=LogEntry.Action.UPDATE,
        object_pk=str(appeal.pk),
        content_type=ContentType.objects.get_for_model(Appeal),
    )
    assert changed.actor == monitoring_officer


def test_nominating_nobody_is_refused_beside_the_field(client, monitoring_officer, appeal):
    response = signed_in(client, monitoring_officer).post(
        nominate_url(appeal), {"representative": ""}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_representative-error"' in html
    assert "Choose who in Legal Services decides this appeal" in html
    appeal.refresh_from_db()
    assert appeal.nominated_representative is None


def test_someone_outside_legal_services_is_refused_beside_the_field(
    client, monitoring_officer, appeal, make_user
):
    outsider = make_user(Role.FRONTLINE)

    response = signed_in(client, monitoring_officer).post(
        nominate_url(appeal), {"representative": outsider.pk}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_representative-error"' in html
    assert "Choose someone in Legal Services whose account is active" in html
    appeal.refresh_from_db()
    assert appeal.nominated_representative is None


def test_an_appeal_decided_meanwhile_refuses_the_nomination_and_keeps_the_choice(
    client, monitoring_officer, legal
):
    decided = DismissedAppealFactory()

    response = signed_in(client, monitoring_officer).post(
        nominate_url(decided), {"representative": legal.pk}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "decided already" in html
    assert f'<option value="{legal.pk}" selected>Lee Carver</option>' in html
    decided.refresh_from_db()
    assert decided.nominated_representative is None


def test_a_decided_appeal_offers_no_nomination(client, monitoring_officer):
    decided = DismissedAppealFactory()

    html = signed_in(client, monitoring_officer).get(detail_url(decided)).content.decode()
    assert nominate_url(decided) not in html

    html = client.get(nominate_url(decided)).content.decode()
    assert 'data-testid="decided"' in html
    assert 'name="representative"' not in html


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_with_nominees_keeps_the_same_queries_however_many(
    client, legal, monitoring_officer, count, django_assert_max_num_queries
):
    for _ in range(count):
        AppealFactory(nominated_representative=legal, nominated_by=monitoring_officer)
    signed_in(client, legal)
    client.get(LIST_URL)  # warm the content-type cache

    with django_assert_max_num_queries(9):
        response = client.get(LIST_URL)

    html = response.content.decode()
    assert html.count('data-testid="appeal-yours"') == min(count, 25)
