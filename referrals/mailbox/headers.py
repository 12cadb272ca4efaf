"""An email's headers: its Message-ID (derived when it has none), sender, subject and date, read
leniently (a header the email package cannot model is taken as it stands)."""

from __future__ import annotations

import email.policy
import hashlib
import re
from datetime import UTC, datetime
from email.message import Message
from email.parser import BytesHeaderParser
from email.utils import parseaddr

from .parsed import MESSAGE_ID_MAX
from .text import clean_text


def derived_message_id(raw: bytes) -> str:
    """A stable Message-ID for an email without one, so that importing it again is a duplicate.

    Line endings are normalised first: the same email read from an .eml file (LF) and from IMAP
    (CRLF) is the same email.
    """
    digest = hashlib.sha256(raw.replace(b"\r\n", b"\n")).hexdigest()
    return f"<sha256-{digest}@ubpanel.invalid>"


def message_id(raw: bytes) -> str:
    """The email's Message-ID, or a derived one when it has none (or none that we can keep)."""
    try:
        headers = BytesHeaderParser(policy=email.policy.default).parsebytes(raw)
        value = re.sub(r"\s+", "", clean_text(str(headers.get("Message-ID") or "")))
    except Exception:  # whatever the header holds, there is always an id
        value = ""
    if not value or len(value) > MESSAGE_ID_MAX:
        return derived_message_id(raw)
    return value


def raw_header(message: Message, name: str) -> str:
    """The header exactly as sent, for when the email package cannot model it."""
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            return str(value)
    return ""


def header(message: Message, name: str) -> str:
    try:
        value = str(message.get(name) or "")
    except Exception:  # a header the email package cannot model: take it as it stands
        value = raw_header(message, name)
    if "\ufffd" in value:
        # Raw 8-bit bytes (not encoded words) that the email package gave up on: guess instead.
        raw = raw_header(message, name)
        if "=?" not in raw:
            value = raw
    return re.sub(r"\s+", " ", clean_text(value)).strip()


def sender_of(message: Message) -> tuple[str, str]:
    """(display name, address) of the first From address."""
    try:
        header = message["From"]
        addresses = header.addresses if header is not None else ()
    except Exception:  # a From the email package cannot model: the lenient parser below
        addresses = ()
    if addresses:
        name, address = addresses[0].display_name, addresses[0].addr_spec
    else:
        name, address = parseaddr(raw_header(message, "From"))
    address = clean_text(address).strip("<> ")
    return clean_text(name).strip(), address if "@" in address else ""


def sent_date(message: Message) -> datetime | None:
    try:
        header = message["Date"]
        sent_at = getattr(header, "datetime", None)
    except Exception:  # an unreadable date is no date
        return None
    if sent_at is not None and sent_at.tzinfo is None:
        # RFC 5322's "-0000": the zone is unknown; UTC is as good a guess as any.
        sent_at = sent_at.replace(tzinfo=UTC)
    return sent_at
