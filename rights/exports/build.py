"""Making one subject access export: gather, write the ZIP, store it, and say how far it has got.

The export's row is claimed (waiting -> being made) in a short transaction of its own; each stage
then saves ``progress`` and ``stage`` at once, so the page polling it sees them. The ZIP is written
to a temporary file and reaches the private storage only whole; the row becomes READY in the same
transaction that records the file's size and SHA-256. Anything that goes wrong leaves no file and
a FAILED row saying so.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
import zipfile
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from rights.models import ExportStatus, SubjectAccessExport
from ubpanel import audit
from ubpanel.audit import acting_as

from .content import (
    FORMAT,
    FORMAT_VERSION,
    Collector,
    adjustments_part,
    legal_holds_part,
    person_part,
    referral_part,
    referrals_of,
)
from .content_decisions import (
    address_warnings_part,
    audit_part,
    entries_of,
    entry_part,
    letters_part,
    panel_part,
)
from .staff import StaffNames
from .summary import summary_pdf

logger = logging.getLogger(__name__)
CHUNK = 1024 * 1024
FAILED_TEXT = "The export could not be made ({kind}). Ask for a new one; if that fails too, tell the service desk."


def file_name(export: SubjectAccessExport) -> str:
    """The name the requester's browser saves it as: no personal data in it."""
    return f"subject-access-{export.reference}.zip"


def export_build(export_id: int) -> SubjectAccessExport | None:
    """Make the export, once: None when it is not waiting to be made (made, failed or taken)."""
    export = _claim(export_id)
    if export is None:
        return None
    stored_name = None
    try:
        with acting_as(export.requested_by):
            data, collector = _gather(export)
            stored_name = _write_and_store(export, data, collector)
    except Exception as error:
        logger.exception("Subject access export %s failed", export_id)
        _fail(export, error, stored_name)
    export.refresh_from_db()
    return export


def _claim(export_id: int) -> SubjectAccessExport | None:
    with transaction.atomic():
        export = (
            SubjectAccessExport.objects.select_for_update(skip_locked=True)
            .select_related("person", "requested_by")
            .filter(pk=export_id, status=ExportStatus.QUEUED)
            .first()
        )
        if export is None:
            return None
        export.status = ExportStatus.RUNNING
        export.progress = 1
        export.stage = "Starting"
        export.save(update_fields=["status", "progress", "stage"])
    return export


def progress(export: SubjectAccessExport, percent: int, stage: str) -> None:
    """Saved at once (not in a transaction), so the page shows it while the task runs."""
    export.progress = percent
    export.stage = stage
    export.save(update_fields=["progress", "stage"])


def _gather(export: SubjectAccessExport) -> tuple[dict, Collector]:
    person = export.person
    staff = StaffNames(
        redact=export.redact_staff_names,
        person_names=(f"{person.given_names} {person.family_name}",),
    )
    c = Collector(export=export, staff=staff)
    progress(export, 5, "Gathering the person's details")
    data = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "export": {
            "reference": export.reference,
            "person_id": person.pk,
            "requested_at": export.requested_at,
            "requested_by": staff(export.requested_by),
            "made_at": timezone.now(),
            "redact_staff_names": export.redact_staff_names,
        },
        "person": person_part(c, person),
        "adjustments": adjustments_part(c, person),
        "legal_holds": legal_holds_part(c, person),
    }
    progress(export, 15, "Gathering referrals, incidents and evidence")
    referrals = list(referrals_of(person))
    data["referrals"] = [referral_part(c, referral) for referral in referrals]
    progress(export, 35, "Gathering the panel's papers and decisions")
    entries = list(entries_of(person))
    entry_ids = [entry.pk for entry in entries]
    data["panel_items"] = panel_part(c, [r.pk for r in referrals], entry_ids)
    progress(export, 45, "Gathering schedule entries, appeals and letters")
    data["entries"] = [entry_part(c, entry) for entry in entries]
    data["address_warnings"] = address_warnings_part(c, entry_ids)
    data["letters"] = letters_part(c, person)
    progress(export, 55, "Gathering the record of who viewed them")
    data["audit"] = audit_part(c, person)
    return staff.scrub(data), c


def _write_and_store(export: SubjectAccessExport, data: dict, c: Collector) -> str:
    storage = SubjectAccessExport._meta.get_field("file").storage
    with tempfile.TemporaryFile() as temporary:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            progress(export, 65, f"Adding {len(c.files)} file(s)")
            data["files"] = [_add_file(archive, ref) for ref in c.files]
            progress(export, 80, "Writing the summary PDF")
            archive.writestr("summary.pdf", summary_pdf(data))
            progress(export, 90, "Writing the machine-readable JSON")
            text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
            archive.writestr("export.json", text)
        progress(export, 95, "Saving the export")
        size, sha256 = _measure(temporary)
        name = f"exports/{export.pk}/{file_name(export)}"
        if storage.exists(name):
            storage.delete(name)
        saved = storage.save(name, File(temporary, name=file_name(export)))
    try:
        _finish(export, saved, size, sha256, counts=_counts(data))
    except Exception:
        storage.delete(saved)
        raise
    return saved


def _add_file(archive: zipfile.ZipFile, ref) -> dict:
    entry = {"path": ref.path, "what": ref.what, "held_sha256": ref.sha256 or None}
    digest, size = hashlib.sha256(), 0
    try:
        with ref.stored.open("rb") as source, archive.open(ref.path, "w") as target:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                target.write(chunk)
    except FileNotFoundError:
        # Recorded but not on disk: say so rather than fail the whole export.
        return {**entry, "missing": True, "size": None, "sha256": None}
    return {**entry, "missing": False, "size": size, "sha256": digest.hexdigest()}


def _measure(temporary) -> tuple[int, str]:
    temporary.seek(0)
    digest, size = hashlib.sha256(), 0
    while chunk := temporary.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    temporary.seek(0)
    return size, digest.hexdigest()


def _counts(data: dict) -> dict[str, int]:
    parts = ("referrals", "panel_items", "entries", "letters", "audit", "files")
    return {part: len(data.get(part) or []) for part in parts}


def _finish(export, saved: str, size: int, sha256: str, *, counts: dict) -> None:
    with transaction.atomic():
        row = SubjectAccessExport.objects.select_for_update().get(pk=export.pk)
        finished = timezone.now()
        row.status = ExportStatus.READY
        row.progress = 100
        row.stage = "Ready to download"
        row.file = saved
        row.size = size
        row.sha256 = sha256
        row.finished_at = finished
        row.expires_at = finished + timedelta(days=settings.SUBJECT_ACCESS_EXPORT_DAYS)
        row.failure = ""
        row.save()
        # Reading everything held about the person is itself an access to their data.
        audit.record(
            audit.Event.EXPORT,
            objects=[export.person],
            export=export.reference,
            sha256=sha256,
            counts=counts,
        )


def _fail(export: SubjectAccessExport, error: Exception, stored_name: str | None) -> None:
    storage = SubjectAccessExport._meta.get_field("file").storage
    # Never a half file: whatever reached the storage (all of it, or part) goes.
    for name in {stored_name, f"exports/{export.pk}/{file_name(export)}"} - {None}:
        if storage.exists(name):
            storage.delete(name)
    with acting_as(export.requested_by), transaction.atomic():
        row = SubjectAccessExport.objects.select_for_update().get(pk=export.pk)
        row.status = ExportStatus.FAILED
        row.stage = "Failed"
        row.failure = FAILED_TEXT.format(kind=type(error).__name__)
        row.file = ""
        row.size = None
        row.sha256 = ""
        row.finished_at = timezone.now()
        row.save()
