"""Removing a person's details from the audit trail without breaking it (the retention schedule).

The trail is append-only and hash-chained (``ubpanel.audit_chain``). When the retention schedule
anonymises a person, the rows about them still say who they were: the name in ``object_repr``, the
old values in ``changes``, what was typed into a search. ``redact_entries`` rewrites only the
columns that can carry those details (the PostgreSQL trigger, migration ``ubpanel.0007``, lets
nothing else change, and only inside ``SET LOCAL ubpanel.redacting = 'on'``) and records one
``AuditRedaction`` per row with the digest of what the row says now. The nightly check proves the
chain through the row's original link and the row against that digest.

What stays: the row's id, kind of record and record id, action, actor, address, correlation id and
time; ``additional_data``'s ``people`` ids, ``event``, ``path`` (without any query string) and the
ids of what was shown. So "who viewed person 12, when, from where" can still be answered, and
statistics still counted; what the person was called, and what anyone wrote about them, cannot.

A row is redacted once, wholly: a row naming several people (a search, a page listing several)
loses its text for all of them when the first is anonymised (their ids stay), because a redacted
row's digest is sealed and is never rewritten.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager
from typing import Any

from auditlog.models import LogEntry
from django.db import connection, transaction
from django.db.models import QuerySet

from .audit_chain import SEALED_FIELDS, redaction_digest
from .models import AuditRedaction

REDACTED = "[anonymised]"
# The columns a redaction may change (the trigger in migration 0007 lists the same).
REDACTED_FIELDS = ("object_repr", "changes", "changes_text", "serialized_data", "additional_data")
# additional_data keys that hold ids, constants or the page, never what a person typed or was called.
KEPT_DETAILS = frozenset(
    {
        "people",
        "event",
        "path",
        "method",
        "view",
        "preview",
        "read_as",
        "entries_shown",
        "address_warnings_shown",
    }
)


@contextmanager
def redacting():
    """Let this transaction rewrite audit rows' redactable columns (PostgreSQL; a no-op elsewhere).
    Must be used inside ``transaction.atomic()``: ``SET LOCAL`` ends with the transaction."""
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL ubpanel.redacting = 'on'")
    try:
        yield
    finally:
        if postgresql and not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL ubpanel.redacting = 'off'")


def _blank(value: Any) -> Any:
    """Every value replaced, the shape (keys, list lengths) kept; None stays None."""
    if isinstance(value, dict):
        return {key: _blank(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_blank(item) for item in value]
    return None if value is None else REDACTED


def _kept_details(data: Any) -> Any:
    if not isinstance(data, dict):
        return None if data is None else REDACTED
    kept = {}
    for key, value in data.items():
        if key not in KEPT_DETAILS:
            kept[key] = REDACTED
        elif key == "path" and isinstance(value, str):
            kept[key] = value.split("?", 1)[0]
        else:
            kept[key] = value
    return kept


def _serialized(data: Any) -> Any:
    # auditlog's serialized_data: {"model": ..., "pk": ..., "fields": {...}}
    if isinstance(data, dict) and "fields" in data:
        return {**data, "fields": _blank(data["fields"])}
    return _blank(data)


def redact(entry: LogEntry) -> LogEntry:
    """Replace the person's details in one entry (in memory)."""
    kind = entry.content_type.name if entry.content_type_id else "record"
    entry.object_repr = f"{REDACTED} {kind} {entry.object_pk}".strip()
    entry.changes = _blank(entry.changes)
    entry.changes_text = REDACTED if entry.changes_text else ""
    entry.serialized_data = _serialized(entry.serialized_data)
    entry.additional_data = _kept_details(entry.additional_data)
    return entry


def redact_entries(
    entries: Iterable[LogEntry] | QuerySet[LogEntry], *, person_pk: int | None, reason: str
) -> list[AuditRedaction]:
    """Remove the details of the person ``person_pk`` (or of whoever a record without a person was
    about) from ``entries``, each once; returns the redactions written."""
    if isinstance(entries, QuerySet):
        ids = sorted(set(entries.order_by().values_list("pk", flat=True)))
    else:
        ids = sorted({entry.pk for entry in entries})
    if not ids:
        return []
    if not reason:
        reason = "Retention schedule" + (f": person {person_pk}" if person_pk is not None else "")
    reason = reason[:200]
    with transaction.atomic():
        rows = list(
            LogEntry.objects.select_for_update(of=("self",))
            .filter(pk__in=ids, redaction__isnull=True)
            .select_related("content_type")
            .order_by("pk")
        )
        if not rows:
            return []
        with redacting():
            for entry in rows:
                redact(entry).save(update_fields=REDACTED_FIELDS)
        # The digest is of the rows as stored (the form the nightly check reads them in).
        stored = LogEntry.objects.filter(pk__in=[row.pk for row in rows]).values(*SEALED_FIELDS)
        return [
            AuditRedaction.objects.create(
                entry_id=row["id"], reason=reason, digest=redaction_digest(row)
            )
            for row in stored.order_by("pk")
        ]
