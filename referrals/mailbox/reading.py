"""Reading an email: the headers, then every part in turn (text, files, forwarded emails)."""

from __future__ import annotations

import binascii
import email
import email.policy
import quopri
from email.message import Message

from .attachments import attachment, is_attachment
from .headers import header, sender_of, sent_date
from .html_text import html_to_text
from .parsed import (
    EMAIL_HEADERS,
    FORWARDED,
    MAX_DEPTH,
    SUBJECT_MAX,
    Attachment,
    ParsedEmail,
    UnreadableEmail,
    cut,
)
from .text import decoded_text, tidy


def parse(raw: bytes) -> ParsedEmail:
    """Read an email (its Message-ID is ``message_id(raw)``).

    Raises UnreadableEmail, with the reason in plain words, for bytes that are not an email.
    """
    if not raw.strip():
        raise UnreadableEmail("The message is empty.")
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if not {name.lower() for name in message} & EMAIL_HEADERS:
        raise UnreadableEmail(
            "This is not an email: no email headers (From, Subject, Date...) were found at the start."
        )
    sender_name, sender = sender_of(message)
    parsed = ParsedEmail(
        sender=sender,
        sender_name=sender_name,
        subject=cut(header(message, "Subject"), SUBJECT_MAX),
        sent_at=sent_date(message),
    )
    texts: list[str] = []
    _walk(message, texts, parsed.attachments, depth=0)
    parsed.body = tidy("\n\n".join(text.strip("\n") for text in texts if text.strip()))
    return parsed


def _walk(part: Message, texts: list[str], attachments: list[Attachment], depth: int) -> None:
    if depth > MAX_DEPTH:
        texts.append("[Further nested messages were not read: they are in the original email.]")
        return
    content_type = part.get_content_type()
    if content_type == "message/rfc822":
        for forwarded in _forwarded_messages(part):
            texts.append(_forwarded_header(forwarded))
            _walk(forwarded, texts, attachments, depth + 1)
        return
    if part.is_multipart():
        children = [child for child in part.get_payload() if isinstance(child, Message)]
        if content_type == "multipart/alternative" and children:
            # The same content more than once: read one version, plain text by preference.
            plain = [child for child in children if child.get_content_type() == "text/plain"]
            children = plain[:1] or children[-1:]
        for child in children:
            _walk(child, texts, attachments, depth + 1)
        return
    if is_attachment(part):
        attachments.append(attachment(part, len(attachments) + 1))
    elif content_type == "text/html":
        texts.append(html_to_text(decoded_text(part)))
    elif content_type.startswith("text/"):
        texts.append(decoded_text(part))


def _forwarded_messages(part: Message) -> list[Message]:
    payload = part.get_payload()
    messages = [m for m in payload if isinstance(m, Message)] if isinstance(payload, list) else []
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if messages and not messages[0].keys() and encoding in {"base64", "quoted-printable"}:
        # RFC 2046 forbids encoding a forwarded email, and some mail programs do it anyway: the
        # email package then sees a message with no headers and the encoded text as its body.
        encoded = str(messages[0].get_payload()).encode("ascii", "ignore")
        try:
            data = (
                binascii.a2b_base64(encoded)
                if encoding == "base64"
                else quopri.decodestring(encoded)
            )
        except binascii.Error:
            return messages
        messages = [email.message_from_bytes(data, policy=email.policy.default)]
    return messages


def _forwarded_header(forwarded: Message) -> str:
    lines = [FORWARDED]
    for name in ("From", "Date", "Subject", "To"):
        value = header(forwarded, name)
        if value:
            lines.append(f"{name}: {value}")
    return "\n".join(lines) + "\n"
