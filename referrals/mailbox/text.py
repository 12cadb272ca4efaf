"""Bytes and text from real mail: a wrong, unknown or missing charset never fails, and the text
is always something PostgreSQL and templates can hold."""

from __future__ import annotations

import re
from email.message import Message


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


def decoded_text(part: Message) -> str:
    try:
        data = part.get_payload(decode=True) or b""
    except Exception:  # fall back to the payload as it stands
        data = str(part.get_payload()).encode("utf-8", "surrogateescape")
    try:
        charset = part.get_content_charset()
    except Exception:  # e.g. a charset parameter that is not text
        charset = None
    return decode_bytes(data, charset)


def tidy(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()
