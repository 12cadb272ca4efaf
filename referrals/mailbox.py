"""Reading emails sent to the spocassurance mailbox: raw RFC 5322 bytes in, plain text and files out.

Real mail is messy: wrong or unknown charsets, HTML-only bodies, forwarded chains, broken headers.
``parse`` never lets any of that escape as an exception except ``UnreadableEmail``, raised when the
bytes are not an email at all; the caller keeps those with the reason.
"""

from __future__ import annotations

import binascii
import email
import email.policy
import hashlib
import html
import mimetypes
import quopri
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import errors
from email.message import Message
from email.parser import BytesHeaderParser
from email.utils import parseaddr
from html.parser import HTMLParser

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
    sender_name, sender = _sender(message)
    parsed = ParsedEmail(
        sender=sender,
        sender_name=sender_name,
        subject=cut(_header(message, "Subject"), SUBJECT_MAX),
        sent_at=_date(message),
    )
    texts: list[str] = []
    _walk(message, texts, parsed.attachments, depth=0)
    parsed.body = _tidy("\n\n".join(text.strip("\n") for text in texts if text.strip()))
    return parsed


# --- Headers ----------------------------------------------------------------------------------


def clean_text(text: str) -> str:
    """Text that PostgreSQL and templates can hold: undecodable bytes become U+FFFD, no NULs.

    The email package keeps raw 8-bit bytes in headers as surrogate escapes; they are usually
    UTF-8, sometimes Windows-1252.
    """
    if any("\udc80" <= char <= "\udcff" for char in text):
        data = text.encode("utf-8", "surrogateescape")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("windows-1252", "replace")
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")


def _raw_header(message: Message, name: str) -> str:
    """The header exactly as sent, for when the email package cannot model it."""
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            return str(value)
    return ""


def _header(message: Message, name: str) -> str:
    try:
        value = str(message.get(name) or "")
    except Exception:  # a header the email package cannot model: take it as it stands
        value = _raw_header(message, name)
    if "\ufffd" in value:
        # Raw 8-bit bytes (not encoded words) that the email package gave up on: guess instead.
        raw = _raw_header(message, name)
        if "=?" not in raw:
            value = raw
    return re.sub(r"\s+", " ", clean_text(value)).strip()


def _sender(message: Message) -> tuple[str, str]:
    """(display name, address) of the first From address."""
    try:
        header = message["From"]
        addresses = header.addresses if header is not None else ()
    except Exception:  # a From the email package cannot model: the lenient parser below
        addresses = ()
    if addresses:
        name, address = addresses[0].display_name, addresses[0].addr_spec
    else:
        name, address = parseaddr(_raw_header(message, "From"))
    address = clean_text(address).strip("<> ")
    return clean_text(name).strip(), address if "@" in address else ""


def _date(message: Message) -> datetime | None:
    try:
        header = message["Date"]
        sent_at = getattr(header, "datetime", None)
    except Exception:  # an unreadable date is no date
        return None
    if sent_at is not None and sent_at.tzinfo is None:
        # RFC 5322's "-0000": the zone is unknown; UTC is as good a guess as any.
        sent_at = sent_at.replace(tzinfo=UTC)
    return sent_at


# --- Body and attachments ---------------------------------------------------------------------


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
    if _is_attachment(part):
        attachments.append(_attachment(part, len(attachments) + 1))
    elif content_type == "text/html":
        texts.append(html_to_text(_decoded_text(part)))
    elif content_type.startswith("text/"):
        texts.append(_decoded_text(part))


def _is_attachment(part: Message) -> bool:
    if part.get_content_disposition() == "attachment":
        return True
    if part.get_content_type() in {"text/plain", "text/html"}:
        # An inline text part with a file name is still the message's text.
        return False
    # Anything else (images, documents) is a file whether or not it is marked as one.
    return part.get_content_maintype() != "text" or bool(_filename(part))


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:  # a mangled name is no name; one is made up below
        name = ""
    name = clean_text(str(name))
    # Only the last path component, and nothing that would upset a file system or a terminal.
    name = re.split(r"[\\/]", name)[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip().strip(".")
    return name[:255]


def _attachment(part: Message, number: int) -> Attachment:
    name = _filename(part)
    if not name:
        extension = mimetypes.guess_extension(part.get_content_type()) or ".bin"
        name = f"attachment-{number}{extension}"
    problem = ""
    try:
        content = part.get_payload(decode=True) or b""
    except Exception:  # an undecodable part is kept empty; the check refuses it
        content, problem = b"", "it could not be decoded"
    if any(isinstance(defect, _BROKEN_BASE64) for defect in part.defects):
        # The email package decodes what it can of broken base64: a few bytes that may even look
        # like the start of a PDF. They are not the file.
        content, problem = b"", "its base64 encoding is broken, so the file could not be decoded"
    return Attachment(
        name=name, content=content, declared_type=part.get_content_type(), problem=problem
    )


_BROKEN_BASE64 = (
    errors.InvalidBase64CharactersDefect,
    errors.InvalidBase64PaddingDefect,
    errors.InvalidBase64LengthDefect,
)


# HTML's rule (WHATWG Encoding): these labels mean Windows-1252, which is what senders really use
# (curly quotes, the euro sign); it decodes every byte the Latin-1 label would.
_CHARSET_ALIASES = {
    "iso-8859-1": "windows-1252",
    "iso8859-1": "windows-1252",
    "latin1": "windows-1252",
}
# No charset, or one that says nothing: UTF-8 if the bytes are UTF-8, else Windows-1252.
_GUESSED = {"", "us-ascii", "ascii", "unknown-8bit", "x-unknown"}


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Bytes to text with the declared charset; a wrong, unknown or missing charset never fails."""
    label = (charset or "").strip().strip("\"'").lower()
    if label not in _GUESSED:
        try:
            return clean_text(data.decode(_CHARSET_ALIASES.get(label, label), "replace"))
        except (LookupError, ValueError):
            pass  # a charset Python does not know (or not a text encoding): guess instead
    try:
        return clean_text(data.decode("utf-8"))
    except UnicodeDecodeError:
        return clean_text(data.decode("windows-1252", "replace"))


def _decoded_text(part: Message) -> str:
    try:
        data = part.get_payload(decode=True) or b""
    except Exception:  # fall back to the payload as it stands
        data = str(part.get_payload()).encode("utf-8", "surrogateescape")
    try:
        charset = part.get_content_charset()
    except Exception:  # e.g. a charset parameter that is not text
        charset = None
    return decode_bytes(data, charset)


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
        value = _header(forwarded, name)
        if value:
            lines.append(f"{name}: {value}")
    return "\n".join(lines) + "\n"


def _tidy(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# --- HTML to text -----------------------------------------------------------------------------

# Elements whose content is never text for a reader (and must never be kept).
_SKIPPED = {"script", "style", "title", "noscript", "template", "iframe", "object", "svg"}
# Elements that start a new paragraph; a few others get a line break or a space.
_BLOCKS = {
    "address", "article", "aside", "blockquote", "div", "dl", "dt", "dd", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "main", "nav", "ol", "p", "pre", "section", "table", "tr", "ul",
}  # fmt: skip
_OPENING = {"br": "\n", "li": "\n• ", "td": " ", "th": " "}
_CLOSING = {"li": ""}  # the next item, or the list's end, breaks the line


class _TextExtractor(HTMLParser):
    """Keeps the words and the paragraph breaks; drops every tag, attribute, script and style."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "body":
            # Whatever was left open before the body (an unclosed <title>), the body is text.
            self.skipping.clear()
        elif tag in _SKIPPED:
            self.skipping.append(tag)
        elif not self.skipping:
            self.parts.append(_OPENING.get(tag, "\n\n" if tag in _BLOCKS else ""))

    def handle_startendtag(self, tag, attrs):
        if tag not in _SKIPPED:  # <script/> opens nothing to skip
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in self.skipping:
            # Close up to the matching start tag: unbalanced HTML must not hide the rest.
            while self.skipping.pop() != tag:
                pass
        elif not self.skipping:
            self.parts.append(_CLOSING.get(tag, "\n\n" if tag in _BLOCKS else ""))

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(re.sub(r"[ \t\r\n\f]+", " ", data))

    def text(self) -> str:
        joined = "".join(self.parts).replace("\xa0", " ")
        lines = [re.sub(r" {2,}", " ", line).strip() for line in joined.split("\n")]
        return _tidy("\n".join(lines))


def html_to_text(markup: str) -> str:
    """Readable plain text from an HTML email. The result holds no markup at all: anything that
    looked like a tag in the text itself is kept as harmless characters and escaped on display."""
    extractor = _TextExtractor()
    try:
        extractor.feed(markup)
        extractor.close()
    except Exception:  # HTMLParser is lenient, but a reader gets words regardless
        markup = re.sub(r"(?is)<(script|style)\b.*?(</\1\s*>|$)", " ", markup)
        return _tidy(html.unescape(re.sub(r"<[^>]*>", " ", markup)))
    return extractor.text()
