"""Assurance downloads a mailbox email exactly as it arrived: a file, never a page, and audited."""

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals.models import InboundEmail
from referrals.services import inbound_email_import

from .factories import PersonFactory
from .mail import eml, keep_private_files_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_files(monkeypatch, tmp_path):
    keep_private_files_in(monkeypatch, tmp_path / "private")


@pytest.fixture
def inbound():
    return inbound_email_import(raw=eml("disallowed_attachment.eml"))


def test_assurance_downloads_the_original_email_as_an_inert_attachment(
    assurance_client, inbound, audit_entries
):
    response = assurance_client.get(reverse("referrals:raw_email", args=[inbound.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == eml("disallowed_attachment.eml")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == f'attachment; filename="email-{inbound.pk}.eml"'
    assert response["X-Content-Type-Options"] == "nosniff"
    [row] = audit_entries(event="download")
    assert row.object_pk == str(inbound.pk)
    assert row.additional_data["referral"] == inbound.referral.reference


def test_the_download_names_the_person_the_referral_is_linked_to(
    assurance_client, inbound, audit_entries
):
    person = PersonFactory()
    inbound.referral.person = person
    inbound.referral.save()

    assurance_client.get(reverse("referrals:raw_email", args=[inbound.pk]))

    [row] = audit_entries(event="download")
    assert row.additional_data["people"] == [person.pk]


def test_an_unreadable_email_can_be_downloaded_too(assurance_client, audit_entries):
    failed = inbound_email_import(raw=eml("malformed.eml"))

    response = assurance_client.get(reverse("referrals:raw_email", args=[failed.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == eml("malformed.eml")
    page = assurance_client.get(reverse("referrals:failed_email", args=[failed.pk]))
    assert reverse("referrals:raw_email", args=[failed.pk]) in page.content.decode()


@pytest.mark.parametrize(
    "client_fixture", ["manager_client", "panel_client", "chair_client", "auditor_client"]
)
def test_anyone_but_assurance_gets_404_and_the_refusal_is_audited(
    request, client_fixture, inbound, audit_entries
):
    client = request.getfixturevalue(client_fixture)

    response = client.get(reverse("referrals:raw_email", args=[inbound.pk]))

    assert response.status_code == 404
    assert not audit_entries(event="download")
    assert [row.additional_data["path"] for row in audit_entries(event="denied")] == [
        reverse("referrals:raw_email", args=[inbound.pk])
    ]


def test_an_email_whose_original_was_deleted_by_retention_says_so(
    assurance_client, inbound, audit_entries
):
    inbound.raw.delete(save=False)
    InboundEmail.objects.filter(pk=inbound.pk).update(raw="", raw_removed_at=timezone.now())

    response = assurance_client.get(reverse("referrals:raw_email", args=[inbound.pk]))

    assert response.status_code == 410
    assert "deleted by the retention schedule" in response.content.decode()
    assert not audit_entries(event="download")
    assert audit_entries(event="view")


def test_a_missing_file_says_so_rather_than_failing(assurance_client):
    email = InboundEmail.objects.create(message_id="<gone@x>", status="failed", raw="mail/gone.eml")

    response = assurance_client.get(reverse("referrals:raw_email", args=[email.pk]))

    assert response.status_code == 410
    assert "missing from the mailbox archive" in response.content.decode()


def test_the_download_is_a_get_only_link_with_nothing_to_forge(assurance_client, inbound):
    # A download changes nothing, so it needs no CSRF token; a POST is not how it is reached.
    response = assurance_client.post(reverse("referrals:raw_email", args=[inbound.pk]))

    assert response.status_code == 405
