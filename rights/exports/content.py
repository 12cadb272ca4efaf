"""What an export holds about one person, as plain data for the JSON (and the summary PDF): the
person, their adjustments and legal holds, and their referrals with incidents, evidence, history
and raw emails. ``content_decisions`` adds the panel, the schedule, letters and the audit trail.

Only the person's own records are read: each query starts from the person (their referrals, and
those merged into them; their entries; their letters). Nothing is read from a shared thing (a
service, a meeting, an address) beyond its name or date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import SuspiciousFileOperation
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.utils.text import get_valid_filename

from referrals.models import Adjustment, Person, Referral
from rights.models import SubjectAccessExport

from .staff import StaffNames

FORMAT = "ubpanel-subject-access-export"
FORMAT_VERSION = 1


@dataclass
class FileRef:
    """A stored file that goes into the ZIP as it is held."""

    path: str  # inside the ZIP
    stored: FieldFile
    sha256: str
    what: str


@dataclass
class Collector:
    export: SubjectAccessExport
    staff: StaffNames
    files: list[FileRef] = field(default_factory=list)

    def file(self, stored: FieldFile | None, path: str, what: str, sha256: str = "") -> str | None:
        """Add a stored file to the ZIP under ``path``; None (and nothing added) when none is held."""
        if not stored or not stored.name:
            return None
        self.files.append(FileRef(path=path, stored=stored, sha256=sha256, what=what))
        return path


def labelled(obj, *names: str) -> dict[str, Any]:
    """Each choice field as its stored value and, beside it, its label (``<name>_label``)."""
    data = {}
    for name in names:
        data[name] = getattr(obj, name)
        data[f"{name}_label"] = getattr(obj, f"get_{name}_display")() if data[name] else ""
    return data


def safe_name(name: str, fallback: str) -> str:
    try:
        return get_valid_filename(name)[:120] or fallback
    except SuspiciousFileOperation:  # Django refuses "", "." and ".."
        return fallback


def referrals_of(person: Person):
    """The person's referrals, and any referral merged into one of them (a duplicate keeps its own
    incidents and history even when it was never linked to the person itself)."""
    return (
        Referral.objects.filter(Q(person=person) | Q(merged_into__person=person))
        .select_related("service", "referrer", "legal_advice_by", "merged_into")
        .order_by("created_at", "pk")
    )


def person_part(c: Collector, person: Person) -> dict:
    staff = c.staff
    return {
        "id": person.pk,
        "given_names": person.given_names,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth,
        "health_and_disability": person.health_and_disability,
        "recorded_by_service": str(person.recorded_by_service or ""),
        "recorded_by": staff(person.created_by),
        "recorded_at": person.created_at,
        "updated_at": person.updated_at,
        "anonymised_at": person.anonymised_at,
        "aliases": [alias.name for alias in person.aliases.order_by("pk")],
        "addresses": [
            {"address": a.address, "postcode": a.postcode} for a in person.addresses.order_by("pk")
        ],
        "emails": [e.email for e in person.emails.order_by("pk")],
        "phones": [p.number for p in person.phones.order_by("pk")],
    }


def adjustments_part(c: Collector, person: Person) -> list[dict]:
    rows = Adjustment.objects.filter(person=person).select_related("recorded_by", "ended_by")
    return [
        {
            **labelled(a, "need", "source"),
            "details": a.details,
            "source_reference": a.source_reference,
            "recorded_by": c.staff(a.recorded_by),
            "recorded_at": a.recorded_at,
            "ended_at": a.ended_at,
            "ended_by": c.staff(a.ended_by),
            "end_reason": a.end_reason,
        }
        for a in rows.order_by("recorded_at", "pk")
    ]


def legal_holds_part(c: Collector, person: Person) -> list[dict]:
    holds = person.legal_holds.select_related("placed_by", "lifted_by").order_by("placed_at", "pk")
    return [
        {
            "reason": hold.reason,
            "placed_by": c.staff(hold.placed_by),
            "placed_at": hold.placed_at,
            "lifted_at": hold.lifted_at,
            "lifted_by": c.staff(hold.lifted_by),
            "lift_reason": hold.lift_reason,
        }
        for hold in holds
    ]


def referral_part(c: Collector, referral: Referral) -> dict:
    staff, ref = c.staff, referral.reference
    return {
        "reference": ref,
        **labelled(referral, "status", "source", "suggested_tier", "health_concerns"),
        "service": str(referral.service or ""),
        "referrer": staff(referral.referrer),
        "created_at": referral.created_at,
        "submitted_at": referral.submitted_at,
        "merged_into": referral.merged_into.reference if referral.merged_into_id else None,
        "as_described": {
            "given_names": referral.subject_given_names,
            "family_name": referral.subject_family_name,
            "aliases": referral.subject_aliases,
            "date_of_birth": referral.subject_date_of_birth,
            "address": referral.subject_address,
            "postcode": referral.subject_postcode,
            "email": referral.subject_email,
            "phone": referral.subject_phone,
        },
        "behaviour_categories": referral.get_behaviour_categories_display(),
        "number_of_incidents": referral.number_of_incidents,
        "summary": referral.summary,
        "health_details": referral.health_details,
        "violence": referral.violence,
        "incident_report_reference": referral.incident_report_reference,
        "hate_incident": referral.hate_incident,
        **labelled(referral, "police_report"),
        "police_reference": referral.police_reference,
        "police_not_reported_reason": referral.police_not_reported_reason,
        "journalist": referral.journalist,
        "legal_proceedings_intimated": referral.legal_proceedings_intimated,
        "legal_advice": referral.legal_advice,
        "legal_advice_by": staff(referral.legal_advice_by),
        "legal_advice_at": referral.legal_advice_at,
        "repeat_behaviour": referral.repeat_behaviour,
        "incidents": [
            {
                "date": i.occurred_on,
                "time": i.occurred_at,
                "location": i.location,
                "what_happened": i.description,
                "staff_affected": staff.free_text(i.staff_affected),
            }
            for i in referral.incidents.order_by("occurred_on", "occurred_at", "pk")
        ],
        "evidence": [_evidence(c, ref, e) for e in referral.evidence.select_related("uploaded_by")],
        "history": timeline(c, referral.events.select_related("actor")),
        "email": _email(c, referral),
    }


def _evidence(c: Collector, ref: str, evidence) -> dict:
    name = safe_name(evidence.original_name, "evidence")
    path = None
    if evidence.file_removed_at is None:
        path = c.file(
            evidence.file,
            f"files/evidence/{ref}/{evidence.pk}-{name}",
            f"Evidence for {ref}: {evidence.original_name}",
            evidence.sha256,
        )
    return {
        "name": evidence.original_name,
        "content_type": evidence.content_type,
        "size": evidence.size,
        "sha256": evidence.sha256,
        "uploaded_by": c.staff(evidence.uploaded_by),
        "uploaded_at": evidence.uploaded_at,
        "file_removed_at": evidence.file_removed_at,
        "file": path,
    }


def _email(c: Collector, referral: Referral) -> dict | None:
    email = getattr(referral, "inbound_email", None)
    if email is None:
        return None
    ref = referral.reference
    path = None
    if email.raw_removed_at is None:
        path = c.file(email.raw, f"files/emails/{ref}.eml", f"The email that made {ref}")
    return {
        "subject": email.subject,
        "sender": c.staff(email.sender_user) if email.sender_user_id else _sender(c, email),
        "sent_at": email.sent_at,
        "received_at": email.received_at,
        "body": email.body,
        "raw_removed_at": email.raw_removed_at,
        "file": path,
    }


def _sender(c: Collector, email) -> str:
    return "a member of staff" if c.staff.redact else email.sender


def timeline(c: Collector, events) -> list[dict]:
    """A record's history (ReferralEvent, EntryEvent): who did what, when and why."""
    return [
        {
            "at": event.created_at,
            **labelled(event, "kind", "from_status", "to_status"),
            "by": c.staff(event.actor),
            "message": event.message,
        }
        for event in events.order_by("created_at", "pk")
    ]
