"""The spocassurance mailbox: real-world emails become draft referrals, and nothing is ever lost."""

import base64
import hashlib
import mailbox as mbox_format
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command

from referrals import mailbox, services
from referrals.models import (
    EventKind,
    Evidence,
    InboundEmail,
    InboundEmailStatus,
    Referral,
    ReferralSource,
    ReferralStatus,
)
from referrals.services import inbound_email_import
from ubpanel.roles import Role

from .factories import ServiceFactory, UserFactory
from .mail import FIXTURES, eml, keep_private_files_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_files(monkeypatch, tmp_path):
    keep_private_files_in(monkeypatch, tmp_path / "private")


def _import(name: str, **kwargs) -> InboundEmail:
    return inbound_email_import(raw=eml(name), **kwargs)


def _timeline(referral: Referral) -> list[str]:
    return [event.message for event in referral.events.all()]


# --- What each kind of email becomes ------------------------------------------------------------


def test_a_multipart_email_becomes_a_draft_referral_with_its_pdf_as_evidence():
    inbound = _import("multipart_alternative_pdf.eml")

    assert inbound.status == InboundEmailStatus.IMPORTED
    assert (
        inbound.message_id == "<DB9PR01MB7354A1C2E4F0@DB9PR01MB7354.eurprd01.prod.council.example>"
    )
    assert inbound.sender == "sam.okafor@council.example"
    assert inbound.subject == "Referral: abusive phone calls to Housing Options"
    assert inbound.sent_at.isoformat() == "2025-03-04T09:12:44+00:00"
    assert inbound.raw.read() == eml("multipart_alternative_pdf.eml")
    referral = inbound.referral
    assert referral.status == ReferralStatus.DRAFT
    assert referral.source == ReferralSource.MAILBOX
    assert referral.summary.startswith("Referral: abusive phone calls to Housing Options\n\n")
    # The plain-text version is read, not the HTML one, and quoted-printable is decoded.
    assert "called Housing Options 43 times" in referral.summary
    assert "told an officer “you will regret this”" in referral.summary
    assert "(HTML version)" not in referral.summary
    assert inbound.body in referral.summary
    [evidence] = referral.evidence.all()
    pdf = evidence.file.read()
    assert pdf.startswith(b"%PDF-1.4")
    assert (evidence.original_name, evidence.content_type) == (
        "incident-log.pdf",
        "application/pdf",
    )
    assert (evidence.size, evidence.sha256) == (len(pdf), hashlib.sha256(pdf).hexdigest())
    assert [e.kind for e in referral.events.all()] == [EventKind.CREATED, EventKind.EVIDENCE_ADDED]
    assert "spocassurance mailbox" in referral.events.first().message


def test_an_html_only_email_is_kept_as_plain_text_without_scripts_styles_or_remote_images():
    body = _import("html_only.eml").body

    assert "A customer shouted at reception staff and threw a leaflet stand." in body
    assert "Damage cost about £120 & two staff were upset." in body
    assert "• Date: 3 March 2025\n• Time: 14:20" in body
    assert "Click here for the CCTV request form." in body
    for active in ("<", ">", "script", "alert", "cookie", "evil.example", "tracker.example",
                   "http", "javascript", "color: red", "onload"):  # fmt: skip
        assert active not in body


def test_a_jpeg_attachment_becomes_image_evidence():
    referral = _import("jpeg_attachment.eml").referral

    [evidence] = referral.evidence.all()
    assert (evidence.original_name, evidence.content_type) == ("cctv-still.jpg", "image/jpeg")
    assert evidence.file.read().startswith(b"\xff\xd8\xff")
    assert "The accident/incident report reference\nis AIR-2025-0311." in referral.summary


@pytest.mark.parametrize(
    ("name", "subject", "in_body"),
    [
        (
            "iso_8859_1.eml",
            "Incident at the library café",
            "Mrs Zoë Lefèvre came to the café in the library and demanded a refund of £45",
        ),
        (
            "windows_1252_subject.eml",
            "Threats to staff – “I know where you live”",
            "refused the €50 parking refund. That’s the third time this month.",
        ),
        ("shift_jis.eml", "窓口での暴言", "職員への暴言がありました。"),
        # An unknown charset is guessed (UTF-8, else Windows-1252), never an error.
        (
            "unknown_charset.eml",
            "Letter from a tenant (odd encoding)",
            "the café staff owe him £300 and that he will\n“come round” to collect it.",
        ),
    ],
)
def test_emails_in_other_charsets_are_decoded(name, subject, in_body):
    inbound = _import(name)

    assert inbound.status == InboundEmailStatus.IMPORTED
    assert inbound.subject == subject
    assert in_body in inbound.body
    assert "\ufffd" not in inbound.subject + inbound.body


def test_a_forwarded_chain_keeps_every_message_and_the_attachment_deep_inside_it():
    inbound = _import("forwarded_chain.eml")

    body = inbound.body
    assert body.startswith("Passing this on for the panel")
    assert body.count(mailbox.FORWARDED) == 2
    complaints_team = body.index("From: Complaints Team <complaints@council.example>")
    original = body.index('From: "G. Pryce" <g.pryce1971@example.net>')
    assert complaints_team < body.index("This is the fourth complaint this week") < original
    assert "Subject: Complaint about your staff" in body[original:]
    assert "YOUR STAFF ARE USELESS. I have attached my letter." in body[original:]
    [evidence] = inbound.referral.evidence.all()
    assert (evidence.original_name, evidence.content_type) == ("my-letter.pdf", "application/pdf")


def test_a_forwarded_email_encoded_in_base64_is_still_read():
    """RFC 2046 forbids it; some mail programs do it."""
    original = b"From: g.pryce1971@example.net\nSubject: Complaint\n\nYOUR STAFF ARE USELESS\n"
    raw = (
        b"From: sam.okafor@council.example\nSubject: FW: Complaint\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\n'
        b"See below.\n--b\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n"
        + base64.encodebytes(original)
        + b"--b--\n"
    )

    body = inbound_email_import(raw=raw).body

    assert body.endswith(
        "From: g.pryce1971@example.net\nSubject: Complaint\n\nYOUR STAFF ARE USELESS"
    )


def test_a_refused_attachment_is_recorded_in_the_timeline_and_the_others_are_kept():
    inbound = _import("disallowed_attachment.eml")

    referral = inbound.referral
    assert inbound.status == InboundEmailStatus.IMPORTED
    assert [e.original_name for e in referral.evidence.all()] == ["screenshot.png"]
    assert referral.evidence.get().content_type == "image/png"
    [refusal] = [message for message in _timeline(referral) if "statement.pdf.exe" in message]
    assert refusal.startswith("Attachment “statement.pdf.exe” was not added as evidence: ")
    assert referral.events.filter(kind=EventKind.EVIDENCE_REFUSED).count() == 1
    assert "must be a PDF, Word" in refusal
    assert refusal.endswith("It is kept in the original email.")
    # ...and it is: the raw email holds the refused file.
    assert b'name="statement.pdf.exe"' in inbound.raw.read()


def test_an_email_without_a_message_id_gets_a_stable_one_and_is_imported_once():
    raw = eml("no_message_id.eml")

    first = inbound_email_import(raw=raw)
    # The same email fetched over IMAP has CRLF line endings: still the same email.
    again = inbound_email_import(raw=raw.replace(b"\n", b"\r\n"))

    assert first.message_id == f"<sha256-{hashlib.sha256(raw).hexdigest()}@ubpanel.invalid>"
    assert first.status == InboundEmailStatus.IMPORTED
    assert again == first
    assert Referral.objects.count() == 1


def test_the_same_message_id_is_never_imported_twice(
    mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = _import("multipart_alternative_pdf.eml")
        second = _import("multipart_alternative_pdf.eml")

    assert second == first
    assert InboundEmail.objects.count() == Referral.objects.count() == Evidence.objects.count() == 1
    assert len(mailoutbox) == 1


def test_an_email_imported_by_someone_else_at_the_same_moment_is_returned_not_duplicated(
    monkeypatch,
):
    """The poller and the command (or two pollers) read the same email at once."""
    raw = eml("multipart_alternative_pdf.eml")
    read = mailbox.parse

    def read_while_another_import_wins(data):
        # Runs after the "already imported?" check and before this import's own insert.
        InboundEmail.objects.create(
            message_id=mailbox.message_id(raw), status=InboundEmailStatus.IMPORTED, raw="x.eml"
        )
        return read(data)

    monkeypatch.setattr(mailbox, "parse", read_while_another_import_wins)

    inbound = inbound_email_import(raw=raw)

    assert inbound.raw.name == "x.eml"  # the winner's
    assert InboundEmail.objects.count() == 1
    assert not Referral.objects.exists()
    assert not Evidence.objects.exists()


# --- Who it is from ---------------------------------------------------------------------------


def test_the_sender_is_matched_to_their_user_whatever_the_case_and_sets_referrer_and_service():
    housing = ServiceFactory(name="Housing Options")
    sam = UserFactory(username="sokafor", email="Sam.Okafor@Council.Example", service=housing)

    inbound = _import("multipart_alternative_pdf.eml")

    assert inbound.sender_user == sam
    assert inbound.referral.referrer == sam
    assert inbound.referral.service == housing
    created = inbound.referral.events.get(kind=EventKind.CREATED)
    assert created.message == (
        f"Imported from the spocassurance mailbox: an email from {sam} "
        "<sam.okafor@council.example>."
    )


def test_an_unknown_sender_leaves_the_referrer_and_service_empty():
    inbound = _import("multipart_alternative_pdf.eml")

    assert inbound.sender_user is None
    assert (inbound.referral.referrer, inbound.referral.service) == (None, None)
    assert _timeline(inbound.referral)[0] == (
        "Imported from the spocassurance mailbox: an email from Sam Okafor "
        "<sam.okafor@council.example> (not a ubpanel user)."
    )


@pytest.mark.parametrize("who", ["two active users", "an inactive user"])
def test_an_address_that_is_not_exactly_one_active_users_is_not_matched(who):
    UserFactory(
        username="sam1", email="sam.okafor@council.example", is_active=who != "an inactive user"
    )
    if who == "two active users":
        UserFactory(username="sam2", email="SAM.OKAFOR@council.example")

    inbound = _import("multipart_alternative_pdf.eml")

    assert inbound.sender_user is None
    assert inbound.referral.referrer is None


# --- Never lost -----------------------------------------------------------------------------------


def test_a_malformed_email_is_kept_as_failed_with_the_reason_and_no_referral(mailoutbox):
    raw = eml("malformed.eml")

    inbound = inbound_email_import(raw=raw)

    assert inbound.status == InboundEmailStatus.FAILED
    assert inbound.failure_reason.startswith("This is not an email: no email headers")
    assert inbound.referral is None
    assert inbound.message_id.startswith("<sha256-")
    assert inbound.raw.read() == raw
    assert not Referral.objects.exists()
    assert mailoutbox == []
    assert inbound_email_import(raw=raw) == inbound


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"Subject: only a subject\n",
        b"Subject: =?x-unknown?Q?caf=E9?=\nFrom: <<<@@@>>>\nDate: yesterday\n\n\x00\xff",
        b"Subject: caf\xe9 in raw Latin-1\nMessage-ID: <" + b"x" * 2000 + b"@example>\n\nhi",
        b"From: a@b.example\nContent-Type: multipart/mixed; boundary=never-closed\n\n--never-closed\n"
        b"Content-Type: application/pdf\nContent-Transfer-Encoding: base64\n\n!!!not base64!!!",
        b'From: a@b.example\nContent-Type: text/plain; charset="utf-8"\n\n\xc3\x28 invalid UTF-8',
        b"From: a@b.example\nContent-Type: text/html\n\n<p>unclosed <script>alert(1)",
        b"From: a@b.example\nContent-Type: message/rfc822\n\n" * 60,
    ],
    ids=[
        "empty",
        "headers only",
        "broken headers",
        "raw 8-bit header, over-long Message-ID",
        "unclosed multipart and bad base64",
        "invalid UTF-8",
        "unclosed script",
        "forwarded 60 deep",
    ],
)
def test_odd_emails_never_fail_the_import(raw):
    inbound = inbound_email_import(raw=raw)

    inbound.refresh_from_db()
    assert inbound.status in InboundEmailStatus.values
    assert len(inbound.message_id) <= 998
    assert "\x00" not in inbound.subject + inbound.body
    assert "<script" not in inbound.body
    assert inbound.raw.read() == raw


def test_an_email_that_cannot_be_imported_is_kept_as_failed_and_leaves_no_half_referral(
    monkeypatch,
):
    def disk_full(**kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(services.intake, "evidence_add", disk_full)

    inbound = _import("jpeg_attachment.eml")

    assert inbound.status == InboundEmailStatus.FAILED
    assert inbound.failure_reason == (
        "The email was read but could not be imported: No space left on device"
    )
    assert inbound.subject == "CCTV still from the Leisure Centre"
    assert inbound.sender == "tom.fletcher@council.example"
    assert inbound.raw.read() == eml("jpeg_attachment.eml")
    assert not Referral.objects.exists()


# --- Notification and audit -----------------------------------------------------------------------


def test_assurance_is_emailed_the_reference_but_not_the_individual_or_the_email(
    mailoutbox, django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=True):
        referral = _import("multipart_alternative_pdf.eml").referral

    [sent] = mailoutbox
    assert sent.to == [settings.ASSURANCE_EMAIL]
    assert referral.reference in sent.subject
    assert f"/referrals/triage/{referral.pk}/" in sent.body
    for private in ("Pryce", "43 times", "abusive phone calls", "Okafor", "incident-log"):
        assert private not in sent.subject + sent.body


def test_the_import_is_in_the_audit_trail_with_whoever_ran_it(make_user):
    officer = make_user(Role.ASSURANCE_OFFICER)

    inbound = _import("jpeg_attachment.eml", actor=officer)

    def created(obj) -> LogEntry:
        return LogEntry.objects.get_for_object(obj).get(action=LogEntry.Action.CREATE)

    for obj in (inbound, inbound.referral, inbound.referral.evidence.get()):
        assert created(obj).actor == officer
    assert created(inbound.referral).changes["source"] == [None, "mailbox"]
    # The body is in the referral's summary already; the trail need not hold it twice.
    assert "body" not in created(inbound).changes


# --- The import_mail command ------------------------------------------------------------------


def _command(*args) -> list[str]:
    out = StringIO()
    call_command("import_mail", *args, stdout=out)
    return out.getvalue().splitlines()


def test_import_mail_imports_a_folder_and_says_what_became_of_each_email():
    emails = sorted(FIXTURES.glob("*.eml"))

    lines = _command(str(FIXTURES))

    assert len(lines) == len(emails) + 1
    assert lines[-1] == f"{len(emails)} emails: {len(emails) - 1} imported, 0 duplicate, 1 failed."
    [failed] = [line for line in lines if line.startswith("failed")]
    assert failed.startswith(f"failed    {FIXTURES / 'malformed.eml'}: This is not an email")
    referral = InboundEmail.objects.get(subject="CCTV still from the Leisure Centre").referral
    assert (
        f"imported  {FIXTURES / 'jpeg_attachment.eml'}: draft referral {referral.reference}"
        in lines
    )
    assert Referral.objects.count() == len(emails) - 1

    again = _command(str(FIXTURES))

    assert again[-1] == f"{len(emails)} emails: 0 imported, {len(emails)} duplicate, 0 failed."
    assert Referral.objects.count() == len(emails) - 1


def test_import_mail_reads_an_mbox(tmp_path):
    names = ["html_only.eml", "iso_8859_1.eml", "malformed.eml"]
    box = mbox_format.mbox(tmp_path / "spocassurance.mbox")
    for name in names:
        box.add(eml(name))
    box.flush()

    lines = _command("--mbox", str(tmp_path / "spocassurance.mbox"))

    assert lines[-1] == "3 emails: 2 imported, 0 duplicate, 1 failed."
    assert lines[1].startswith(
        f"imported  {tmp_path / 'spocassurance.mbox'} #2: draft referral REF-"
    )
    assert set(InboundEmail.objects.values_list("subject", flat=True)) == {
        "Customer at the Civic Centre reception",
        "Incident at the library café",
        "",
    }


def test_import_mail_refuses_a_path_that_does_not_exist(tmp_path):
    with pytest.raises(CommandError, match="No such file or folder"):
        _command(str(tmp_path / "missing.eml"))
    assert not InboundEmail.objects.exists()
