"""What reading an email gives: the parsed email and its files, the limits, and the one error."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

MESSAGE_ID_MAX = 998  # InboundEmail.message_id; also RFC 5322's line limit
SUBJECT_MAX = 998  # InboundEmail.subject
FORWARDED = "---------- Forwarded message ----------"
# Forwards of forwards inside multiparts are real; a thousand levels deep is an attack.
MAX_DEPTH = 20
# Any one of these at the start makes the bytes an email (a text file that starts "Note: ..."
# is not one).
EMAIL_HEADERS = {
    "from", "to", "cc", "subject", "date", "message-id", "mime-version", "received", "return-path",
}  # fmt: skip


class UnreadableEmail(Exception):
    """The bytes are not an email: there is nothing to make a referral from."""


@dataclass(frozen=True)
class Attachment:
    name: str
    content: bytes
    # What the email says the file is (its Content-Type), checked against the content later.
    declared_type: str = ""
    # Why the file cannot be read at all (a broken transfer encoding); empty when it decoded.
    problem: str = ""


def cut(text: str, limit: int) -> str:
    """``text`` no longer than ``limit`` characters, saying how much was cut when it was."""
    if len(text) <= limit:
        return text
    kept = limit
    while True:
        marker = f"… [cut: {len(text) - kept} characters]"
        if kept + len(marker) <= limit or kept == 0:
            return text[:kept] + marker
        kept = max(0, limit - len(marker))


@dataclass
class ParsedEmail:
    sender: str = ""
    sender_name: str = ""
    subject: str = ""
    sent_at: datetime | None = None
    body: str = ""
    attachments: list[Attachment] = field(default_factory=list)
