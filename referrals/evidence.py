"""Checking evidence files before they are kept: the type is read from the content, not the name."""

import hashlib
from dataclasses import dataclass

import magic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

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
    "PDF, Word, Excel, OpenDocument, text, CSV, email, JPEG, PNG, GIF, HEIC, MP3, WAV, M4A or MP4"
)


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
    if content_type not in ALLOWED_TYPES:
        raise ValidationError(f"{upload.name} must be a {ALLOWED_DESCRIPTION} file")
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(content_type=content_type, size=upload.size, sha256=digest.hexdigest())
