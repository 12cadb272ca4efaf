"""Checking evidence files before they are kept: the type is read from the content, not the name.

An Outlook email (.msg) is not kept as it is: it becomes a text file of its headers and body, and its
plain file attachments become evidence of their own (``evidence_files``).
"""

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import PurePath

import extract_msg
import magic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from extract_msg.enums import AttachmentType

from .mailbox import clean_text, html_to_text

logger = logging.getLogger(__name__)

# What evidence may be: documents, images, audio, emails. Anything else is refused.
ALLOWED_TYPES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG image",
    "image/png": "PNG image",
    "image/gif": "GIF image",
    "image/heic": "HEIC photo",
    "text/plain": "text file",
    "text/csv": "CSV file",
    "message/rfc822": "email",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document",
    "application/msword": "Word document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel spreadsheet",
    "application/vnd.ms-excel": "Excel spreadsheet",
    "application/vnd.oasis.opendocument.text": "OpenDocument text",
    "audio/mpeg": "MP3 audio",
    "audio/x-wav": "WAV audio",
    "audio/wav": "WAV audio",
    "audio/x-m4a": "M4A audio",
    "video/mp4": "MP4 video",
}
ALLOWED_DESCRIPTION = (
    "PDF, Word, Excel, OpenDocument, text, CSV, email, Outlook email, JPEG, PNG, GIF, HEIC, MP3, "
    "WAV, M4A or MP4"
)
# What libmagic calls an Outlook .msg file (an OLE compound file; older libmagic says only that).
OUTLOOK_TYPES = {"application/vnd.ms-outlook", "application/x-ole-storage", "application/CDFV2"}
OUTLOOK_REFUSAL = (
    "{name} could not be read as an Outlook email. Save the email as a PDF, or forward it to "
    "{mailbox}, and add that instead"
)
# A file that says it is one of these must be one: their content always says what they are.
STRICT_TYPES = {"application/pdf", "image/jpeg", "image/png", "image/gif"}


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    size: int
    sha256: str


def evidence_check(upload: UploadedFile) -> CheckedFile:
    """Refuse a file that is too big, empty or of a type we do not keep; say why in plain words."""
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size == 0:
        raise ValidationError(f"{upload.name} is empty")
    if upload.size > limit:
        raise ValidationError(f"{upload.name} must be smaller than {limit // (1024 * 1024)} MB")
    upload.seek(0)
    head = upload.read(8192)
    content_type = magic.from_buffer(head, mime=True)
    if content_type in OUTLOOK_TYPES:
        _outlook_open(upload).close()  # refuses, saying how to send it, when it cannot be read
        content_type = "application/vnd.ms-outlook"
    elif content_type not in ALLOWED_TYPES:
        raise ValidationError(f"{upload.name} must be a {ALLOWED_DESCRIPTION} file")
    declared = getattr(upload, "content_type", None) or ""
    if declared in STRICT_TYPES and content_type != declared:
        raise ValidationError(
            f"{upload.name} says it is a {ALLOWED_TYPES[declared]} but its content is not one"
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(content_type=content_type, size=upload.size, sha256=digest.hexdigest())


def _outlook_open(upload: UploadedFile):
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    refusal = OUTLOOK_REFUSAL.format(name=upload.name, mailbox=settings.ASSURANCE_EMAIL)
    try:
        message = extract_msg.openMsg(data)
    except Exception as error:  # extract_msg raises many kinds; any of them means "unreadable"
        logger.info("Outlook file %s could not be read: %s", upload.name, error)
        raise ValidationError(refusal) from error
    if not isinstance(message, extract_msg.Message):
        message.close()  # a calendar invitation, a contact, a task: not an email
        raise ValidationError(refusal)
    return message


@dataclass
class EvidenceFiles:
    """What one upload becomes: the files to keep, and why any part of it was left out."""

    uploads: list[UploadedFile]
    left_out: list[str] = field(default_factory=list)


def evidence_files(upload: UploadedFile) -> EvidenceFiles:
    """The files an upload is kept as: itself, or, for an Outlook email, its text and attachments.

    The upload has passed ``evidence_check``. An attachment that is not a plain file (another
    email inside it, a link) is left out, with the reason.
    """
    upload.seek(0)
    if magic.from_buffer(upload.read(8192), mime=True) not in OUTLOOK_TYPES:
        upload.seek(0)
        return EvidenceFiles([upload])
    message = _outlook_open(upload)
    try:
        stem = PurePath(upload.name).stem or "email"
        text = SimpleUploadedFile(
            f"{stem}.txt",
            _outlook_text(message, upload.name).encode("utf-8"),
            content_type="text/plain",
        )
        found = EvidenceFiles([text])
        for number, attachment in enumerate(message.attachments, start=1):
            name = clean_text(
                str(getattr(attachment, "getFilename", lambda: "")() or f"attachment-{number}")
            )
            data = getattr(attachment, "data", None)
            if attachment.type != AttachmentType.DATA or not isinstance(data, bytes) or not data:
                found.left_out.append(
                    f"{name}, inside {upload.name}, is not a plain file: it was not added. "
                    "Save it on its own and add it"
                )
                continue
            found.uploads.append(SimpleUploadedFile(name[:255], data))
        return found
    finally:
        message.close()


def _outlook_text(message, name: str) -> str:
    """The email as a reader would see it printed: who, when, what about, then the words."""
    lines = [f"The Outlook email {name}, as text.", ""]
    for label, value in (
        ("From", message.sender),
        ("To", message.to),
        ("Cc", message.cc),
        ("Date", message.date),
        ("Subject", message.subject),
    ):
        if value:
            lines.append(f"{label}: {clean_text(str(value))}")
    body = message.body
    if not body and message.htmlBody:
        body = html_to_text(message.htmlBody.decode("utf-8", "replace"))
    return "\n".join(lines) + "\n\n" + clean_text(body or "(The email has no text.)") + "\n"
