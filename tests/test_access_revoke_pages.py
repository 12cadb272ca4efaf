"""Revoking access from the register: the chair confirms with the panel's reason; nobody else can."""

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from schedule.models import AccessGrant
from schedule.services import access_grant_revoke
from ubpanel.roles import Role

from .factories import AccessGrantFactory, ServiceFactory

pytestmark = pytest.mark.django_db
ROLES = [*Role, None]
REASON = "The service no longer visits customers at home."


def role_id(role):
    return role.value if role else "no-role"


@pytest.fixture
def grant():
    return AccessGrantFactory(
        service=ServiceFactory(name="Environmental Health"),
        rationale="Officers visit homes to inspect.",
    )


def revoke_url(grant):
    return reverse("schedule:access_revoke", args=[grant.pk])


def test_the_chair_is_asked_to_confirm_and_give_a_reason(chair_client, grant, audit_entries):
    response = chair_client.get(revoke_url(grant))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Revoke access for Environmental Health" in html
    assert "Officers visit homes to inspect." in html
    assert 'name="reason"' in html
    assert "Revoking stops the access at once" in html
    grant.refresh_from_db()
    assert grant.status == "approved"  # opening the page changes nothing
    assert audit_entries(event="view", object_pk=str(grant.pk), actor=chair_client.user)


def test_the_chair_revokes_with_the_panels_reason(chair_client, grant):
    response = chair_client.post(revoke_url(grant), {"reason": f"  {REASON} "})

    assert response.status_code == 302
    assert response["Location"] == reverse("schedule:access_register")
    grant.refresh_from_db()
    assert grant.status == "revoked"
    assert (grant.closed_by, grant.closed_reason) == (chair_client.user, REASON)
    [change] = LogEntry.objects.get_for_object(grant).filter(action=LogEntry.Action.UPDATE)
    assert change.actor == chair_client.user
    assert change.changes_dict["status"] == ["approved", "revoked"]


def test_the_register_then_lists_it_as_revoked_with_the_reason(chair_client, grant):
    chair_client.post(revoke_url(grant), {"reason": REASON})

    html = chair_client.get(reverse("schedule:access_register")).content.decode()

    assert 'data-testid="grants-past"' in html
    assert f"Revoked by {escape(str(chair_client.user))}" in html
    assert REASON in html
    assert revoke_url(grant) not in html


def test_a_missing_reason_is_shown_beside_the_field_and_nothing_changes(chair_client, grant):
    response = chair_client.post(revoke_url(grant), {"reason": "   "})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_reason-error"' in html
    assert "Say why the panel revoked the access" in html
    assert "There is a problem" in html
    grant.refresh_from_db()
    assert grant.status == "approved"


def test_a_grant_that_is_not_approved_has_nothing_to_revoke(chair_client, grant):
    grant.status = "declined"
    grant.save()

    page = chair_client.get(revoke_url(grant))
    response = chair_client.post(revoke_url(grant), {"reason": REASON}, follow=True)

    assert 'data-testid="nothing-to-revoke"' in page.content.decode()
    assert 'name="reason"' not in page.content.decode()
    assert "it cannot be revoked" in response.content.decode()
    grant.refresh_from_db()
    assert (grant.status, grant.closed_reason) == ("declined", "")


@pytest.mark.parametrize("role", [r for r in ROLES if r != Role.PANEL_CHAIR], ids=role_id)
def test_no_one_but_the_chair_can_revoke_and_the_attempt_is_an_audited_404(
    role_client, grant, role, audit_entries
):
    client = role_client(role)

    assert client.get(revoke_url(grant)).status_code == 404
    response = client.post(revoke_url(grant), {"reason": REASON})

    assert response.status_code == 404
    grant.refresh_from_db()
    assert grant.status == "approved"
    denied = audit_entries(event="denied", object_pk=str(grant.pk), actor=client.user)
    assert len(denied) == 2


def test_an_unknown_grant_is_the_same_audited_404(chair_client, audit_entries):
    response = chair_client.post(reverse("schedule:access_revoke", args=[99999]), {"reason": "x"})

    assert response.status_code == 404
    assert audit_entries(event="denied", object_pk="99999")


def test_revoking_needs_csrf(make_user, grant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.PANEL_CHAIR))

    response = client.post(revoke_url(grant), {"reason": REASON})

    assert response.status_code == 403
    grant.refresh_from_db()
    assert grant.status == "approved"


def test_only_the_chair_is_offered_the_revoke_link(chair_client, grant, make_user, client):
    assert (
        revoke_url(grant) in chair_client.get(reverse("schedule:access_register")).content.decode()
    )

    client.force_login(make_user(Role.PANEL_MEMBER))
    assert revoke_url(grant) not in client.get(reverse("schedule:access_register")).content.decode()


def test_the_decide_page_of_an_approved_grant_offers_revoking(chair_client, grant):
    html = chair_client.get(reverse("schedule:access_decide", args=[grant.pk])).content.decode()

    assert revoke_url(grant) in html
    assert AccessGrant.objects.get().status == "approved"


def test_the_service_refuses_a_revocation_without_a_reason(make_user, grant):
    with pytest.raises(ValidationError, match="reason"):
        access_grant_revoke(actor=make_user(Role.PANEL_CHAIR), grant=grant, reason="  ")

    grant.refresh_from_db()
    assert grant.status == "approved"
