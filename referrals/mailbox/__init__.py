"""Reading emails sent to the spocassurance mailbox: raw RFC 5322 bytes in, plain text and files out.

Real mail is messy: wrong or unknown charsets, HTML-only bodies, forwarded chains, broken headers.
``parse`` never lets any of that escape as an exception except ``UnreadableEmail``, raised when the
bytes are not an email at all; the caller keeps those with the reason.

By capability: ``parsed`` (what reading gives, the limits), ``headers`` (Message-ID, sender,
subject, date), ``text`` (charsets and clean text), ``attachments`` (which parts are files),
``html_text`` (HTML bodies as plain text) and ``reading`` (``parse``, walking every part). Fetching
over IMAP is the ``mailbox_poll`` task's (``referrals.tasks``); storing is ``referrals.services``'.
"""

from .headers import derived_message_id, message_id
from .html_text import html_to_text
from .parsed import (
    EMAIL_HEADERS,
    FORWARDED,
    MAX_DEPTH,
    MESSAGE_ID_MAX,
    SUBJECT_MAX,
    Attachment,
    ParsedEmail,
    UnreadableEmail,
    cut,
)
from .reading import parse
from .text import clean_text, decode_bytes

__all__ = [
    "EMAIL_HEADERS",
    "FORWARDED",
    "MAX_DEPTH",
    "MESSAGE_ID_MAX",
    "SUBJECT_MAX",
    "Attachment",
    "ParsedEmail",
    "UnreadableEmail",
    "clean_text",
    "cut",
    "decode_bytes",
    "derived_message_id",
    "html_to_text",
    "message_id",
    "parse",
]
