"""The record owner page: the chair or Assurance name the Operations Manager now responsible."""

import pytest
from django.test import Client
from django.urls import reverse

from schedule.models import EntryEventKind
from ubpanel.roles import Role

from .factories import ActiveEntryFactory, UserFactory

pytestmark = pytest.mark.django_db


def _url(entry):
    return reverse("schedule:entry_record_owner", args=[entry.pk])


@pytest.mark.parametrize("client_name", ["chair_client", "assurance_client"])
def test_the_chair_or_assurance_give_the_record_to_another_manager(request, client_name):
    client = request.getfixturevalue(client_name)
    entry = ActiveEntryFactory(record_owner=None)
    new_owner = UserFactory(roles=[Role.REFERRING_MANAGER])

    page = client.get(_url(entry))
    assert page.status_code == 200
    response = client.post(
        _url(entry), {"record_owner": str(new_owner.pk), "reason": "The old manager left."}
    )

    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.record_owner == new_owner
    event = entry.events.get(kind=EntryEventKind.RECORD_OWNER)
    assert "The old manager left." in event.message
    detail = client.get(reverse("schedule:entry_detail", args=[entry.pk])).content.decode()
    assert 'data-testid="no-record-owner"' not in detail


def test_missing_answers_are_named_and_what_was_typed_is_kept(chair_client):
    entry = ActiveEntryFactory()

    response = chair_client.post(_url(entry), {"record_owner": "", "reason": "Kept reason."})

    html = response.content.decode()
    assert response.status_code == 400
    assert "Choose the new record owner" in html
    assert 'id="id_record_owner-error"' in html
    assert "Kept reason." in html


def test_someone_who_is_not_a_referring_manager_cannot_be_chosen(chair_client):
    entry = ActiveEntryFactory()
    frontline = UserFactory(roles=[Role.FRONTLINE])

    response = chair_client.post(
        _url(entry), {"record_owner": str(frontline.pk), "reason": "Why not."}
    )

    assert response.status_code == 400
    entry.refresh_from_db()
    assert entry.record_owner != frontline


@pytest.mark.parametrize("client_name", ["panel_client", "manager_client", "frontline_client"])
def test_others_get_the_audited_404(request, client_name, audit_entries):
    entry = ActiveEntryFactory()

    response = request.getfixturevalue(client_name).get(_url(entry))

    assert response.status_code == 404
    assert audit_entries(event="denied")


def test_a_removed_entry_has_no_owner_to_change(chair_client):
    entry = ActiveEntryFactory(status="removed")

    assert chair_client.get(_url(entry)).status_code == 404


def test_the_page_is_audited_and_needs_the_csrf_token(make_user, audit_entries):
    chair = make_user(Role.PANEL_CHAIR)
    client = Client(enforce_csrf_checks=True)
    client.force_login(chair)
    entry = ActiveEntryFactory()

    client.get(_url(entry))
    refused = client.post(
        _url(entry), {"record_owner": str(entry.record_owner_id), "reason": "No token."}
    )

    assert audit_entries(event="view", object_pk=str(entry.pk))
    assert refused.status_code == 403
