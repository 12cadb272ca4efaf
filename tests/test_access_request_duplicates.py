"""No second request for access while one waits, and none for access already held."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from schedule import services
from schedule.models import AccessGrant, AccessGrantStatus
from ubpanel.models import Service
from ubpanel.roles import Role

from .factories import AccessGrantFactory, ServiceFactory

G = AccessGrantStatus
pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def visiting():
    return ServiceFactory(name="Environmental Health")


@pytest.fixture
def manager(make_user, visiting):
    return make_user(Role.REFERRING_MANAGER, service=visiting)


def ask(actor, grantee, tiers=("medium", "high")):
    return services.access_grant_request(
        actor=actor, service_or_user=grantee, tiers=tiers, rationale="Officers visit homes."
    )


def test_a_service_with_a_request_waiting_cannot_send_another(manager, visiting):
    ask(manager, visiting)

    with pytest.raises(services.AccessAlreadyRequested, match="waiting for the panel"):
        ask(manager, visiting, tiers=["low"])

    assert AccessGrant.objects.count() == 1


def test_an_officer_with_a_request_waiting_cannot_send_another(make_user):
    officer = make_user(Role.FRONTLINE)
    ask(officer, officer)

    with pytest.raises(services.AccessAlreadyRequested):
        ask(officer, officer)


def test_a_waiting_request_for_the_service_does_not_stop_an_officer_asking_for_themselves(
    manager, visiting
):
    ask(manager, visiting, tiers=["high"])

    ask(manager, manager, tiers=["high"])

    assert AccessGrant.objects.filter(status=G.REQUESTED).count() == 2


@pytest.mark.parametrize("closed", [G.DECLINED, G.REVOKED])
def test_after_a_decline_or_a_revocation_the_service_may_ask_again(manager, visiting, closed):
    AccessGrantFactory(service=visiting, status=closed)

    grant = ask(manager, visiting)

    assert grant.status == G.REQUESTED


def test_a_service_already_holding_every_tier_asked_for_is_told_so(manager, visiting):
    until = TODAY + timedelta(days=100)
    AccessGrantFactory(service=visiting, low=False, recertify_by=until)

    with pytest.raises(services.AccessAlreadyHeld, match="can already see medium and high") as e:
        ask(manager, visiting, tiers=["high"])

    assert f"{until.day} {until:%B %Y}" in str(e.value)
    assert AccessGrant.objects.count() == 1


def test_access_held_through_the_service_covers_its_officers_too(manager, visiting):
    AccessGrantFactory(service=visiting, low=False)

    with pytest.raises(services.AccessAlreadyHeld):
        ask(manager, manager, tiers=["medium"])


def test_a_tier_not_yet_held_may_be_asked_for(manager, visiting):
    AccessGrantFactory(service=visiting, low=False)

    grant = ask(manager, visiting, tiers=["low", "high"])

    assert grant.tiers == ["low", "high"]


def test_lapsed_access_does_not_count_as_held(manager, visiting):
    AccessGrantFactory(service=visiting, recertify_by=TODAY - timedelta(days=1))

    assert ask(manager, visiting).status == G.REQUESTED


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs on it)"
)
@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_for_one_service_make_one(manager, visiting):
    """While one request holds the service's row, a second waits, then sees the first."""
    outcome = {}

    def second_request():
        try:
            ask(manager, Service.objects.get(pk=visiting.pk))
            outcome["result"] = "created"
        except services.AccessAlreadyRequested:
            outcome["result"] = "refused"
        finally:
            connection.close()

    with transaction.atomic():
        Service.objects.select_for_update().get(pk=visiting.pk)
        other = threading.Thread(target=second_request)
        other.start()
        other.join(timeout=1)
        assert other.is_alive(), "the second request should wait for the service's row"
        AccessGrantFactory(service=visiting, status=G.REQUESTED, requested_by=manager)
    other.join(timeout=10)

    assert outcome == {"result": "refused"}
    assert AccessGrant.objects.filter(service=visiting).count() == 1


# --- The request form --------------------------------------------------------------------------


def test_the_form_says_a_request_is_waiting_beside_who_needs_it_and_keeps_what_was_typed(
    client, manager, visiting
):
    ask(manager, visiting)
    client.force_login(manager)

    response = client.post(
        reverse("schedule:access_request"),
        {"grantee": "service", "tiers": ["low"], "rationale": "Front counter at the depot."},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_grantee-error"' in html
    assert "waiting for the panel&#x27;s decision" in html
    assert "Front counter at the depot." in html
    assert 'value="low" checked' in html
    assert AccessGrant.objects.count() == 1


def test_the_form_explains_access_already_held_beside_the_tiers(client, manager, visiting):
    AccessGrantFactory(service=visiting, low=False)
    client.force_login(manager)

    response = client.post(
        reverse("schedule:access_request"),
        {"grantee": "service", "tiers": ["high"], "rationale": "Visits."},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_tiers-error"' in html
    assert "can already see medium and high risk entries" in html
    assert AccessGrant.objects.count() == 1


def test_the_form_shows_what_the_officer_can_already_see(client, manager, visiting):
    AccessGrantFactory(service=visiting, low=False)
    client.force_login(manager)

    html = client.get(reverse("schedule:access_request")).content.decode()

    held = html.split('data-testid="access-held"')[1].split("</div>")[0]
    assert "medium and high risk entries, through Environmental Health's access" in held
