"""The files in an email: which parts are files, a safe name for each, and their content (empty,
with the reason, when the transfer encoding is broken)."""

from __future__ import annotations

import mimetypes
import re
from email import errors
from email.message import Message

from .parsed import Attachment
from .text import clean_text


def is_attachment(part: Message) -> bool:
    if part.get_content_disposition() == "attachment":
        return True
    if part.get_content_type() in {"text/plain", "text/html"}:
        # An inline text part with a file name is still the message's text.
        return False
    # Anything else (images, documents) is a file whether or not it is marked as one.
    return part.get_content_maintype() != "text" or bool(filename(part))


def filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:  # a mangled name is no name; one is made up below
        name = ""
    name = clean_text(str(name))
    # Only the last path component, and nothing that would upset a file system or a terminal.
    name = re.split(r"[\\/]", name)[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip().strip(".")
    return name[:255]


def attachment(part: Message, number: int) -> Attachment:
    name = filename(part)
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
