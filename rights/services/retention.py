"""The retention schedule acting (``rights.retention`` says what is due), and legal holds.

``retention_apply`` is the daily task's body: each person anonymised, each referral never linked
to a person anonymised, and each set of files deleted, in its own transaction, so one failure is logged and the rest still go. Every change is
made with ``save()`` or ``delete()`` on each record (auditlog writes its row for each), and then
the person's rows in the audit trail, those changes' rows included, have the person's details
removed (``ubpanel.audit_redaction``): the trail keeps who did what to which record and when.

Files are deleted from storage inside the transaction, after every check has passed: they are due
anyway, and a transaction that fails after the deletion leaves a row the next run finishes.
"""

from __future__ import annotations

import datetime
import logging
from collections import Counter

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone

from correspondence.models import LetterPdf
from referrals.models import Evidence, InboundEmail, Person, Referral
from rights import anonymise
from rights.models import (
    Anonymisation,
    ExportStatus,
    LegalHold,
    RetentionRule,
    SubjectAccessExport,
)
from rights.retention import (
    Due,
    anonymisation_due,
    due_within,
    may_manage_retention,
    referral_anonymisation_due,
)
from rights.who_viewed import audit_entries_about
from schedule.models import SearchKey
from ubpanel.audit_redaction import redact_entries
from ubpanel.errors import DomainError
from ubpanel.services import service

logger = logging.getLogger(__name__)


class RetentionError(DomainError):
    pass


# --- Files ---------------------------------------------------------------------------------------

# The file field and the "removed at" field of each kind of record with a file.
FILE_FIELDS = {
    Evidence: ("file", "file_removed_at"),
    LetterPdf: ("file", "file_removed_at"),
    InboundEmail: ("raw", "raw_removed_at"),
}


def _remove_file(obj: models.Model, now: datetime.datetime) -> bool:
    """Delete the record's file from storage and say so on the record (not saved here)."""
    if isinstance(obj, SubjectAccessExport):
        name, removed = "file", "deleted_at"
    else:
        name, removed = FILE_FIELDS[type(obj)]
    stored = getattr(obj, name)
    if not stored.name:
        return False
    stored.storage.delete(stored.name)
    setattr(obj, name, "")
    if getattr(obj, removed) is None:
        setattr(obj, removed, now)
    if isinstance(obj, SubjectAccessExport):
        obj.status = ExportStatus.EXPIRED
    return True


# --- The audit trail -------------------------------------------------------------------------


def _audit_rows(person_pk: int, records: dict[type[models.Model], list[int]]) -> models.QuerySet:
    """Every audit row about the person: those naming them, and those about their records."""
    about = Q(pk__in=audit_entries_about(person_pk).values("pk"))
    types = ContentType.objects.get_for_models(*records)
    for model, pks in records.items():
        if pks:
            about |= Q(content_type=types[model], object_id__in=pks)
    return LogEntry.objects.filter(about)


def _redact(person_pk: int | None, rule: str, records: dict, about: str = "") -> int:
    rows = _audit_rows(person_pk, records) if person_pk else _record_rows(records)
    reason = f"Retention schedule ({RetentionRule(rule).label.lower()})"
    if person_pk:
        reason = f"{reason}: person {person_pk}"
    elif about:
        reason = f"{reason}: {about}"
    return len(redact_entries(rows, person_pk=person_pk, reason=reason))


def _record_rows(records: dict) -> models.QuerySet:
    types = ContentType.objects.get_for_models(*records)
    about = Q(pk__in=[])
    for model, pks in records.items():
        about |= Q(content_type=types[model], object_id__in=pks)
    return LogEntry.objects.filter(about)


# --- Anonymising a person ----------------------------------------------------------------------


@service
def person_anonymise(
    *, actor=None, person: Person, today: datetime.date | None = None
) -> Anonymisation:
    """The retention schedule anonymised the person: their records were kept long enough after
    their last case ended, and nothing (a live entry, an open referral, a legal hold) keeps them."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    due = anonymisation_due(person.pk, today=today)
    if person.anonymised_at is not None or due is None:
        raise RetentionError(f"Person {person.pk} is not due for anonymisation.")
    now = timezone.now()
    counts: Counter = Counter()
    records: dict[type[models.Model], list[int]] = {Person: [person.pk]}

    for rule in anonymise.DELETED:
        for obj in rule.records(person.pk).order_by("pk"):
            records.setdefault(rule.model, []).append(obj.pk)
            obj.delete()  # auditlog's DELETE row, per object
            counts[rule.key] += 1
    for rule in (*anonymise.ANONYMISED, *anonymise.FILES):
        for obj in rule.records(person.pk).order_by("pk"):
            records.setdefault(rule.model, []).append(obj.pk)
            changed = anonymise.apply(obj, rule.values)
            removed = rule in anonymise.FILES and _remove_file(obj, now)
            if changed or removed:
                obj.save()
                counts[rule.key] += 1

    anonymise.apply(person, anonymise.person_values(person))
    person.anonymised_at = now
    person.save()
    # On PostgreSQL the triggers have already emptied the person's search keys (no live entry);
    # anything a load left behind goes too. An index, not a record: nothing to audit.
    SearchKey.objects.filter(person_id=person.pk).delete()
    counts["audit_rows_redacted"] = _redact(person.pk, due.rule, records)
    return Anonymisation.objects.create(person=person, rule=due.rule, counts=dict(counts))


# --- A referral never linked to a person --------------------------------------------------------


@service
def referral_anonymise(
    *, actor=None, referral: Referral, today: datetime.date | None = None
) -> Anonymisation:
    """The retention schedule anonymised a referral nobody linked to a person: it ended (closed,
    or found out of scope) long enough ago. Its own rows lose what the person's referrals lose."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    due = referral_anonymisation_due(referral.pk, today=today)
    if referral.person_id is not None or due is None:
        raise RetentionError(f"{referral.reference} is not due for anonymisation.")
    now = timezone.now()
    counts: Counter = Counter()
    records: dict[type[models.Model], list[int]] = {}
    for rule in anonymise.REFERRAL_LEVEL:
        for obj in anonymise.referral_records(rule, referral.pk).order_by("pk"):
            records.setdefault(rule.model, []).append(obj.pk)
            changed = anonymise.apply(obj, rule.values)
            removed = rule in anonymise.FILES and _remove_file(obj, now)
            if changed or removed:
                obj.save()  # auditlog's row, per object
                counts[rule.key] += 1
    # The rows about the referral and its records, those just written included: they name nobody
    # by id, so they are found by their records.
    counts["audit_rows_redacted"] = _redact(None, due.rule, records, referral.reference)
    return Anonymisation.objects.create(referral=referral, rule=due.rule, counts=dict(counts))


# --- Files only --------------------------------------------------------------------------------


@service
def files_remove(*, actor=None, due: Due) -> dict:
    """The retention schedule deleted evidence files and letter PDFs kept long enough after the
    case ended (the records stay), or raw mailbox emails and their text kept long enough after
    they arrived."""
    now = timezone.now()
    counts: Counter = Counter()
    records: dict[type[models.Model], list[int]] = {}
    for model, pks, key in (
        (Evidence, due.evidence_ids, "evidence_files"),
        (LetterPdf, due.pdf_ids, "letter_pdfs"),
        (InboundEmail, due.email_ids, "raw_emails"),
    ):
        removed_at = FILE_FIELDS[model][1]
        for obj in model.objects.select_for_update().filter(
            pk__in=pks, **{f"{removed_at}__isnull": True}
        ):
            if model is InboundEmail:
                anonymise.apply(obj, {"body": "", "subject": "", "sender": ""})
                records.setdefault(model, []).append(obj.pk)
            _remove_file(obj, now)
            setattr(obj, removed_at, getattr(obj, removed_at) or now)
            obj.save()
            counts[key] += 1
    if records:
        # What an email said lives on in its audit rows (its subject and sender): gone too.
        counts["audit_rows_redacted"] = _redact(None, due.rule, records)
    if due.person is not None and counts:
        Anonymisation.objects.create(person=due.person, rule=due.rule, counts=dict(counts))
    return dict(counts)


# --- The daily run -------------------------------------------------------------------------------


def retention_apply(*, actor=None, today: datetime.date | None = None) -> dict:
    """Everything due today: each person anonymised and each set of files deleted in its own
    transaction. One that fails is logged and left for the next run; the rest still go."""
    today = today or timezone.localdate()
    done: Counter = Counter()
    for due in due_within(0, today=today):
        try:
            if due.referral is not None:
                referral_anonymise(actor=actor, referral=due.referral, today=today)
                done["referrals_anonymised"] += 1
            elif due.anonymises:
                person_anonymise(actor=actor, person=due.person, today=today)
                done["people_anonymised"] += 1
            elif files_remove(actor=actor, due=due):
                done[f"{due.rule}_removals"] += 1
        except Exception:
            logger.exception(
                "The retention schedule could not act",
                extra={
                    "rule": due.rule,
                    "person_id": due.person.pk if due.person else None,
                    "referral_id": due.referral.pk if due.referral else None,
                },
            )
            done["failures"] += 1
    return dict(done)


# --- Legal holds -------------------------------------------------------------------------------


def _reason(reason: str, field: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: "Say why."})
    return reason


@service
def legal_hold_place(*, actor, person: Person, reason: str) -> LegalHold:
    """A legal hold was placed on the person: the retention schedule leaves their records as
    they are until it is lifted (litigation, a complaint to the Ombudsman or the ICO, a police
    matter)."""
    if not may_manage_retention(actor, person):
        raise PermissionDenied("Only the panel chair or the data protection officer place holds.")
    reason = _reason(reason, "reason")
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.anonymised_at is not None:
        raise RetentionError("This person has already been anonymised: there is nothing to hold.")
    if LegalHold.objects.filter(person=person, lifted_at__isnull=True).exists():
        raise RetentionError("A legal hold already stands on this person.", field="reason")
    try:
        with transaction.atomic():
            return LegalHold.objects.create(person=person, reason=reason, placed_by=actor)
    except IntegrityError:  # placed by someone else a moment ago
        raise RetentionError(
            "A legal hold already stands on this person.", field="reason"
        ) from None


@service
def legal_hold_lift(*, actor, hold: LegalHold, reason: str) -> LegalHold:
    """The legal hold was lifted: the retention schedule applies to the person again from the
    next daily run."""
    if not may_manage_retention(actor, hold.person):
        raise PermissionDenied("Only the panel chair or the data protection officer lift holds.")
    reason = _reason(reason, "reason")
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if hold.lifted_at is not None:
        raise RetentionError("This legal hold has already been lifted.")
    hold.lifted_at = timezone.now()
    hold.lifted_by = actor
    hold.lift_reason = reason
    hold.save()
    return hold
