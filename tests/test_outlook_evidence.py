"""Outlook .msg evidence: read into text (its plain attachments kept too), or refused saying how to
send it instead; on the referral form and from the mailbox alike."""

import base64

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from referrals.evidence import evidence_check, evidence_files
from referrals.models import EventKind, Evidence
from referrals.services import inbound_email_import
from ubpanel.roles import Role

from .factories import ServiceFactory
from .mail import keep_private_files_in
from .outlook import outlook_msg
from .test_mailbox_attachment_checks import email_with
from .test_referral_form import form_data

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
# The start of an OLE compound file (what a .msg is) with nothing readable after it.
NOT_AN_OUTLOOK_EMAIL = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
HOW_TO_SEND_IT = (
    "call.msg could not be read as an Outlook email. Save the email as a PDF, or forward it to "
    "spocassurance@council.example, and add that instead"
)


@pytest.fixture(autouse=True)
def private_files(monkeypatch, tmp_path, settings):
    keep_private_files_in(monkeypatch, tmp_path / "private")
    settings.ASSURANCE_EMAIL = "spocassurance@council.example"


def _msg_upload(data: bytes, name="call.msg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/vnd.ms-outlook")


def test_an_outlook_email_passes_the_check_and_becomes_its_text_and_its_attachments():
    upload = _msg_upload(outlook_msg(attachments=(("log.pdf", PDF),)))

    assert evidence_check(upload).content_type == "application/vnd.ms-outlook"
    found = evidence_files(upload)

    text, attachment = found.uploads
    assert text.name == "call.txt"
    assert text.read().decode() == (
        "The Outlook email call.msg, as text.\n\n"
        "From: Sam Okafor\nSubject: Threats at the counter\n\nHe shouted at staff on 3 March.\n"
    )
    assert (attachment.name, attachment.read()) == ("log.pdf", PDF)
    assert found.left_out == []


def test_a_file_that_only_looks_like_an_outlook_email_is_refused_saying_how_to_send_it():
    with pytest.raises(ValidationError) as refusal:
        evidence_check(_msg_upload(NOT_AN_OUTLOOK_EMAIL))

    assert refusal.value.messages == [HOW_TO_SEND_IT]


def test_an_outlook_email_on_the_referral_form_is_kept_as_text_with_its_attachment(
    client, make_user
):
    client.force_login(make_user(Role.REFERRING_MANAGER, service=ServiceFactory(name="Housing")))
    upload = _msg_upload(outlook_msg(attachments=(("log.pdf", PDF),)))

    client.post(reverse("referrals:new"), form_data(files=upload))

    kept = {e.original_name: e for e in Evidence.objects.all()}
    assert sorted(kept) == ["call.txt", "log.pdf"]
    assert kept["call.txt"].content_type == "text/plain"
    assert b"He shouted at staff on 3 March." in kept["call.txt"].file.read()
    assert kept["log.pdf"].content_type == "application/pdf"


def test_an_unreadable_outlook_file_on_the_referral_form_is_refused_beside_the_field(
    client, make_user
):
    client.force_login(make_user(Role.REFERRING_MANAGER, service=ServiceFactory(name="Housing")))

    response = client.post(
        reverse("referrals:new"), form_data(files=_msg_upload(NOT_AN_OUTLOOK_EMAIL))
    )

    assert response.status_code == 200
    assert response.context["evidence_form"].errors["files"] == [HOW_TO_SEND_IT]
    assert not Evidence.objects.exists()


def test_an_outlook_email_attached_to_a_mailbox_email_becomes_evidence():
    raw = email_with(
        base64.encodebytes(outlook_msg(attachments=(("log.pdf", PDF),))),
        name="call.msg",
        content_type="application/vnd.ms-outlook",
    )

    referral = inbound_email_import(raw=raw).referral

    assert sorted(e.original_name for e in referral.evidence.all()) == ["call.txt", "log.pdf"]
    assert not referral.events.filter(kind=EventKind.EVIDENCE_REFUSED).exists()


def test_an_unreadable_outlook_attachment_is_refused_on_the_timeline_saying_how_to_send_it():
    raw = email_with(
        base64.encodebytes(NOT_AN_OUTLOOK_EMAIL),
        name="call.msg",
        content_type="application/vnd.ms-outlook",
    )

    inbound = inbound_email_import(raw=raw)

    assert not inbound.referral.evidence.exists()
    refused = inbound.referral.events.get(kind=EventKind.EVIDENCE_REFUSED)
    assert HOW_TO_SEND_IT in refused.message
    assert HOW_TO_SEND_IT in inbound.failure_reason
