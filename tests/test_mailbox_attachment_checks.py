"""A mailbox attachment is kept as evidence only when its content is the file it says it is."""

import base64

import pytest

from referrals import mailbox
from referrals.models import EventKind, InboundEmailStatus
from referrals.services import inbound_email_import

from .mail import keep_private_files_in

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_files(monkeypatch, tmp_path):
    keep_private_files_in(monkeypatch, tmp_path / "private")


def email_with(
    payload: bytes, *, name="incident-log.pdf", content_type="application/pdf", subject="Referral"
) -> bytes:
    return (
        b"From: Sam Okafor <sam.okafor@council.example>\r\n"
        b"To: spocassurance@council.example\r\n"
        b"Subject: " + subject.encode() + b"\r\n"
        b"Date: Tue, 4 Mar 2025 09:12:44 +0000\r\n"
        b"Message-ID: <" + base64.b16encode(payload[:20] + subject.encode()[:20]) + b"@x>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe log is attached.\r\n"
        b"--B\r\nContent-Type: " + content_type.encode() + b'; name="' + name.encode() + b'"\r\n'
        b'Content-Disposition: attachment; filename="' + name.encode() + b'"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + payload + b"\r\n--B--\r\n"
    )


BROKEN = email_with(b"JVBERi0xLjQKJe!!!!not*base64 at all ???")


def test_broken_base64_is_read_as_an_undecodable_attachment_not_as_a_few_bytes_of_pdf():
    [attachment] = mailbox.parse(BROKEN).attachments

    assert attachment.content == b""
    assert attachment.declared_type == "application/pdf"
    assert "base64 encoding is broken" in attachment.problem


def test_an_email_whose_only_attachment_cannot_be_decoded_is_kept_flagged_and_stores_no_pdf():
    inbound = inbound_email_import(raw=BROKEN)

    assert inbound.status == InboundEmailStatus.IMPORTED
    assert inbound.raw.read() == BROKEN  # the email is kept whole, to be read as a download
    referral = inbound.referral
    assert not referral.evidence.exists()
    refused = referral.events.get(kind=EventKind.EVIDENCE_REFUSED)
    assert refused.message == (
        "Attachment “incident-log.pdf” was not added as evidence: its base64 encoding is broken, "
        "so the file could not be decoded. It is kept in the original email."
    )
    assert inbound.failure_reason == (
        "Attachments not added as evidence: “incident-log.pdf”: its base64 encoding is broken, "
        "so the file could not be decoded."
    )


def test_the_triage_page_flags_the_refused_attachment_and_offers_the_original_email(
    assurance_client,
):
    inbound = inbound_email_import(raw=BROKEN)

    page = assurance_client.get(f"/referrals/triage/{inbound.referral.pk}/").content.decode()

    assert "Attachments not added as evidence: “incident-log.pdf”" in page
    assert f'href="/referrals/mailbox/{inbound.pk}/original/"' in page


def test_an_attachment_whose_content_is_not_the_declared_pdf_is_refused():
    inbound = inbound_email_import(raw=email_with(base64.b64encode(b"Just some words.\n")))

    assert not inbound.referral.evidence.exists()
    refused = inbound.referral.events.get(kind=EventKind.EVIDENCE_REFUSED)
    assert "incident-log.pdf says it is a PDF but its content is not one" in refused.message


def test_a_real_pdf_attachment_is_still_kept():
    inbound = inbound_email_import(raw=email_with(base64.encodebytes(PDF)))

    [evidence] = inbound.referral.evidence.all()
    assert evidence.content_type == "application/pdf"
    assert evidence.file.read() == PDF
    assert inbound.failure_reason == ""


def test_a_file_declared_only_as_bytes_is_judged_by_its_content():
    inbound = inbound_email_import(
        raw=email_with(base64.encodebytes(PDF), content_type="application/octet-stream")
    )

    assert inbound.referral.evidence.get().content_type == "application/pdf"
