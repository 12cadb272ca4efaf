"""Making one subject access export: gather, write the ZIP, and say how far it has got.

How the row is claimed, the file stored whole and the row made READY or FAILED is
``ubpanel.made_files.build``'s, as for every file made in the background.
"""

from __future__ import annotations

import hashlib
import json
import zipfile

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from rights.models import SubjectAccessExport
from ubpanel import audit, made_files
from ubpanel.made_files import CHUNK, progress

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

FAILED_TEXT = "The export could not be made ({kind}). Ask for a new one; if that fails too, tell the service desk."


def file_name(export: SubjectAccessExport) -> str:
    """The name the requester's browser saves it as: no personal data in it."""
    return f"subject-access-{export.reference}.zip"


def export_build(export_id: int) -> SubjectAccessExport | None:
    """Make the export, once: None when it is not waiting to be made (made, failed or taken)."""
    return made_files.build(
        SubjectAccessExport,
        export_id,
        write=_write,
        stored_name=lambda export: f"exports/{export.pk}/{file_name(export)}",
        days=settings.SUBJECT_ACCESS_EXPORT_DAYS,
        failed_text=FAILED_TEXT,
        finish=_finish,
        related=("person",),
    )


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


def _write(export: SubjectAccessExport, temporary) -> dict[str, int]:
    """The ZIP, into ``temporary``; returns how many of each thing it holds."""
    data, c = _gather(export)
    with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        progress(export, 65, f"Adding {len(c.files)} file(s)")
        data["files"] = [_add_file(archive, ref) for ref in c.files]
        progress(export, 80, "Writing the summary PDF")
        archive.writestr("summary.pdf", summary_pdf(data))
        progress(export, 90, "Writing the machine-readable JSON")
        text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        archive.writestr("export.json", text)
    return _counts(data)


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


def _counts(data: dict) -> dict[str, int]:
    parts = ("referrals", "panel_items", "entries", "letters", "audit", "files")
    return {part: len(data.get(part) or []) for part in parts}


def _finish(export: SubjectAccessExport, counts: dict[str, int]) -> None:
    # Reading everything held about the person is itself an access to their data.
    audit.record(
        audit.Event.EXPORT,
        objects=[export.person],
        export=export.reference,
        sha256=export.sha256,
        counts=counts,
    )
