"""A subject longer than the record holds is cut, and says so: "… [cut: N characters]"."""

import pytest

from referrals import mailbox
from referrals.models import InboundEmail
from referrals.services import inbound_email_import

from .mail import keep_private_files_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_files(monkeypatch, tmp_path):
    keep_private_files_in(monkeypatch, tmp_path / "private")


def _email(subject: str) -> bytes:
    return (
        f"From: sam.okafor@council.example\r\nSubject: {subject}\r\n"
        f"Message-ID: <long-{len(subject)}@x>\r\n\r\nHe shouted at staff.\r\n"
    ).encode()


def test_a_short_text_is_left_alone():
    assert mailbox.cut("Threats at the counter", 998) == "Threats at the counter"
    assert mailbox.cut("x" * 998, 998) == "x" * 998


def test_a_long_text_is_cut_to_the_limit_with_a_marker_counting_what_was_cut():
    text = "a" * 1500

    cut = mailbox.cut(text, 998)

    assert len(cut) == 998
    kept = cut.split("…")[0]
    assert cut == kept + f"… [cut: {1500 - len(kept)} characters]"


def test_a_long_subject_is_stored_cut_with_the_marker_and_the_email_is_imported():
    subject = "Complaint " * 200  # folded over many header lines by the sender

    inbound = inbound_email_import(raw=_email(subject.strip()))

    assert len(inbound.subject) == 998
    assert inbound.subject.startswith("Complaint Complaint")
    assert inbound.subject.endswith(" characters]")
    kept = inbound.subject.split("…")[0]
    assert inbound.subject.endswith(f"… [cut: {len(subject.strip()) - len(kept)} characters]")
    assert inbound.referral is not None


def test_the_triage_queue_shows_a_long_subject_of_a_failed_email_cut_with_the_marker(
    assurance_client,
):
    email = InboundEmail.objects.create(
        message_id="<long@x>", status="failed", failure_reason="Not an email.", subject="b" * 500
    )

    page = assurance_client.get("/referrals/triage/").content.decode()

    assert "b" * 500 not in page
    # 97 of the 500 characters are kept: with the marker, 120 in all.
    assert "b" * 97 + "… [cut: 403 characters]</a>" in page
    assert f"/referrals/mailbox/failed/{email.pk}/" in page
