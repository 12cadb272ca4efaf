"""The audit trail's hash chain: every auditlog entry is sealed, in commit order, by a link holding
the SHA-256 of the entry's stored values and of the previous link.

Why after commit and not in the INSERT itself: chaining inside the writing transaction would have
to hold one lock from the first audit row to the commit, serialising every request and deadlocking
against row locks taken later in the same transaction. Instead each transaction that wrote audit
rows seals them once it has committed, in a short transaction of its own under one advisory lock
(PostgreSQL) or a process lock (SQLite, the demo). The sealer only sees committed rows, so a row
committed late simply joins the chain later; ``AuditSeal.previous_hash`` is unique, so the chain
cannot fork even if two sealers raced. The nightly ``audit_chain_verify`` task seals anything left
over, walks the whole chain and records the result.

The database refuses UPDATE and DELETE on entries, links and results (migration
``ubpanel.0002``); the chain is what shows a change made by someone able to switch that off.

One change is allowed: the retention schedule removing a person's details from an entry
(``ubpanel.audit_redaction``, migration ``ubpanel.0007``). The entry's link keeps the hash of what
it said when written, so the chain still runs unbroken through it; an ``AuditRedaction`` holds the
digest of what it says now (``redaction_digest``), and the check proves the entry against that
instead, so a change after the redaction is found like any other.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC

from auditlog.models import LogEntry
from django.db import connection, transaction
from django.db.models import Subquery
from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import AuditRedaction, AuditSeal, AuditVerification

logger = logging.getLogger(__name__)

GENESIS = "0" * 64
# Every stored column of an auditlog entry: a change to any of them breaks the chain.
SEALED_FIELDS = (
    "id",
    "content_type_id",
    "object_pk",
    "object_id",
    "object_repr",
    "serialized_data",
    "action",
    "changes_text",
    "changes",
    "actor_id",
    "actor_email",
    "cid",
    "remote_addr",
    "remote_port",
    "timestamp",
    "additional_data",
)
BATCH = 2000
_ADVISORY_LOCK_KEY = 0x75627061  # "ubpa": one lock for every sealer on the database
_process_lock = threading.Lock()


def entry_digest(previous_hash: str, row: dict) -> str:
    """The link's hash: the previous link's hash and the entry's values in one canonical form."""
    values = {name: row[name] for name in SEALED_FIELDS}
    values["timestamp"] = values["timestamp"].astimezone(UTC).isoformat()
    canonical = json.dumps(
        values, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256(f"{previous_hash}\n{canonical}".encode()).hexdigest()


# What a redaction's digest is chained to instead of a previous link: a redaction is proven on its
# own (its entry's link still holds the hash of the entry as first written).
REDACTION_ANCHOR = "redacted"


def redaction_digest(row: dict) -> str:
    """The digest of a redacted entry's stored values (the link's canonical form)."""
    return entry_digest(REDACTION_ANCHOR, row)


@contextmanager
def _one_sealer_at_a_time():
    """A transaction holding the advisory lock (PostgreSQL: every process and machine waits for
    it), or a process lock (SQLite: the demo is one process, and SQLite serialises writers)."""
    postgresql = connection.vendor == "postgresql"
    with nullcontext() if postgresql else _process_lock, transaction.atomic():
        if postgresql:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
        yield


def seal_pending(*, everything: bool = False, from_id: int | None = None) -> int:
    """Seal the committed entries that have no link yet; returns how many were sealed.

    ``everything`` looks at the whole trail (the nightly check). Otherwise only entries above the
    highest one sealed so far are looked at, and above ``from_id - 1`` when given: the first entry
    the committing transaction wrote, which may sit below entries that committed before it. Both
    are index ranges at the top of the trail, so the query costs the same on a trail of a million
    rows as on a new one. An entry whose transaction's sealer never ran (a crash between commit
    and sealing) is left to the nightly check, or to the next sealer if it is above the top.
    """
    sealed = 0
    while True:
        with _one_sealer_at_a_time():
            head = (
                AuditSeal.objects.order_by("-pk")
                .values(
                    "hash",
                    top=Subquery(AuditSeal.objects.order_by("-entry_id").values("entry_id")[:1]),
                )
                .first()
            )
            pending = LogEntry.objects.filter(seal__isnull=True)
            floors = [] if head is None else [head["top"]]
            if from_id is not None:
                floors.append(from_id - 1)
            if not everything and floors:
                pending = pending.filter(pk__gt=min(floors))
            rows = list(pending.order_by("pk").values(*SEALED_FIELDS)[:BATCH])
            previous = head["hash"] if head else GENESIS
            seals = []
            for row in rows:
                digest = entry_digest(previous, row)
                seals.append(AuditSeal(entry_id=row["id"], previous_hash=previous, hash=digest))
                previous = digest
            AuditSeal.objects.bulk_create(seals)
        sealed += len(seals)
        # A sealer that knows its transaction's first entry seals up to the top, a batch per short
        # transaction (a bulk write of 100,000 rows is sealed by its own commit, not 2,000 at a
        # time by the requests after it); without it, one batch (a trail upgraded without links
        # is sealed a batch per commit, and wholly by the nightly check, which seals everything).
        if len(rows) < BATCH or not (everything or from_id is not None):
            return sealed


class _Sealer:
    """The on-commit callback sealing a transaction's entries; it remembers the lowest entry id
    the transaction wrote (None when a writer could not say)."""

    def __init__(self) -> None:
        self.from_id: int | None = None
        self.unknown = False

    def note(self, entry_id: int | None) -> None:
        if entry_id is None:
            self.unknown = True
        elif self.from_id is None or entry_id < self.from_id:
            self.from_id = entry_id

    def __call__(self) -> None:
        try:
            # A writer that could not give its ids may have committed below the top: look back
            # as the nightly check does rather than leave its entries unsealed for a day.
            seal_pending(everything=self.unknown, from_id=self.from_id)
        except Exception:  # the nightly check seals what this missed; never fail the request
            logger.exception("Sealing audit entries failed; the nightly check will seal them.")


def schedule_sealing(entries=None) -> None:
    """Seal this transaction's audit ``entries`` (saved LogEntry objects, or their ids) once it
    commits; one sealer per transaction, however many entries. Without ``entries`` the sealer
    looks at the whole trail, as the nightly check does."""
    ids = [None] if entries is None else [getattr(entry, "pk", entry) for entry in entries]
    if not ids:
        return
    sealer = next(
        (item[1] for item in connection.run_on_commit if isinstance(item[1], _Sealer)), None
    )
    new = sealer is None
    if new:
        sealer = _Sealer()
    for entry_id in ids:
        sealer.note(entry_id)
    if new:
        transaction.on_commit(sealer)  # runs at once outside a transaction


@receiver(post_save, sender=LogEntry, dispatch_uid="ubpanel.audit_chain.seal")
def _entry_saved(sender, instance, created, **kwargs):
    if created:
        schedule_sealing([instance.pk])


# --- Verification ----------------------------------------------------------------------------


@dataclass
class ChainState:
    held: bool
    entries_checked: int
    first_broken_entry_id: int | None = None
    problem: str = ""
    head_hash: str = ""


def walk_chain() -> ChainState:
    """Recompute every link from the stored entries; stop at the first one that does not match.

    A redacted entry is proven by its redaction: the link's stored hash continues the chain (it
    was made from the entry as first written), and the entry as it is now must match the
    redaction's digest."""
    previous = GENESIS
    checked = 0
    after = 0
    while True:
        links = list(
            AuditSeal.objects.filter(pk__gt=after)
            .order_by("pk")
            .values("pk", "entry_id", "previous_hash", "hash")[:BATCH]
        )
        if not links:
            break
        rows = {
            row["id"]: row
            for row in LogEntry.objects.filter(pk__in=[link["entry_id"] for link in links]).values(
                *SEALED_FIELDS
            )
        }
        redactions = dict(
            AuditRedaction.objects.filter(entry_id__in=list(rows)).values_list("entry_id", "digest")
        )
        for link in links:
            entry_id = link["entry_id"]
            if link["previous_hash"] != previous:
                return ChainState(
                    False, checked, entry_id, f"the link before audit entry {entry_id} is missing"
                )
            row = rows.get(entry_id)
            if row is None:
                return ChainState(False, checked, entry_id, f"audit entry {entry_id} was deleted")
            if entry_id in redactions:
                if redaction_digest(row) != redactions[entry_id]:
                    return ChainState(
                        False,
                        checked,
                        entry_id,
                        f"audit entry {entry_id} was altered after its redaction",
                    )
            elif entry_digest(previous, row) != link["hash"]:
                return ChainState(False, checked, entry_id, f"audit entry {entry_id} was altered")
            previous = link["hash"]
            checked += 1
        after = links[-1]["pk"]
    unsealed = LogEntry.objects.filter(seal__isnull=True).order_by("pk").first()
    if unsealed is not None:
        return ChainState(
            False, checked, unsealed.pk, f"audit entry {unsealed.pk} could not be sealed"
        )
    return ChainState(True, checked, head_hash=previous)


def chain_verify() -> AuditVerification:
    """Seal what is left, walk the whole chain and record the result."""
    try:
        seal_pending(everything=True)
    except Exception:
        logger.exception("Sealing audit entries before verification failed.")
    state = walk_chain()
    result = AuditVerification.objects.create(
        held=state.held,
        entries_checked=state.entries_checked,
        first_broken_entry_id=state.first_broken_entry_id,
        problem=state.problem,
        head_hash=state.head_hash,
    )
    # The head hash in the log is an anchor outside the database: a chain rewritten from scratch
    # will not end in it.
    log = logger.info if state.held else logger.error
    log(
        "Audit chain verified",
        extra={
            "held": state.held,
            "entries_checked": state.entries_checked,
            "head_hash": state.head_hash,
            "first_broken_entry_id": state.first_broken_entry_id,
        },
    )
    return result


def last_verification() -> AuditVerification | None:
    return AuditVerification.objects.order_by("-checked_at", "-pk").first()
