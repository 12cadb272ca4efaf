"""Audited bulk changes for sweeps: one UPDATE per batch of rows and one INSERT per batch of audit
entries, instead of a SELECT, an UPDATE and an INSERT per row.

``ubpanel.audit.update_audited`` gives each row auditlog's own UPDATE entry by calling its receiver
row by row (a query to read the row as stored, an INSERT each): right for a handful of rows, too slow
for a daily sweep over tens of thousands (issue 16, point 5). Here the caller has already read and
locked the rows, so "before" is known; the entries are built with auditlog's own diff
(``model_instance_diff``), so they have exactly the shape of a save()'s, sanitised as every entry
is, and written with ``bulk_create``. auditlog's ``disable_auditlog()`` is honoured, and the hash
chain seals them after the commit like any other entries.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

from auditlog.cid import get_cid
from auditlog.context import auditlog_disabled
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.encoding import smart_str

from .audit import current_actor, object_id_for, sanitise_entry
from .audit_chain import schedule_sealing

BATCH = 2000


def _disabled() -> bool:
    try:
        return bool(auditlog_disabled.get())
    except LookupError:
        return False


def bulk_update_audited(
    rows: Sequence[models.Model],
    change: Callable[[models.Model], None],
    fields: Sequence[str],
    values: dict[str, Any] | None = None,
) -> int:
    """Apply ``change`` to each of ``rows`` (loaded, and locked, by the caller), save ``fields`` of
    all of them, and write auditlog's UPDATE entry for each row whose ``fields`` changed. Returns
    the number of audit entries written.

    The rows are saved with ``bulk_update`` in batches, or, when ``values`` gives the same new
    values as expressions (``{"sent_for": F("due_on")}``), with one ``UPDATE ... WHERE pk IN`` per
    batch: cheaper than ``bulk_update``'s CASE per row. ``values`` must do what ``change`` does."""
    if not rows:
        return 0
    model = type(rows[0])
    entries: list[LogEntry] = []
    audited = not _disabled()
    content_type = ContentType.objects.get_for_model(model)
    actor = current_actor() if audited else None
    if actor is not None and not actor.is_authenticated:
        actor = None
    common = {
        "action": LogEntry.Action.UPDATE,
        "content_type": content_type,
        "actor": actor,
        "actor_email": getattr(actor, "email", None) or None,
        "cid": get_cid(),
    }
    for row in rows:
        before = copy.copy(row) if audited else None
        change(row)
        if not audited:
            continue
        changes = model_instance_diff(
            before,
            row,
            fields_to_check=fields,
            use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES,
        )
        if not changes:
            continue
        additional = getattr(row, "get_additional_data", None)
        entries.append(
            sanitise_entry(
                LogEntry(
                    object_pk=str(row.pk),
                    object_id=object_id_for(row.pk),
                    object_repr=_repr(row),
                    changes=changes,
                    additional_data=additional() if callable(additional) else None,
                    **common,
                )
            )
        )
    if values is None:
        model.objects.bulk_update(rows, fields, batch_size=BATCH)
    else:
        for start in range(0, len(rows), BATCH):
            batch = [row.pk for row in rows[start : start + BATCH]]
            model.objects.filter(pk__in=batch).update(**values)
    if entries:
        LogEntry.objects.bulk_create(entries, batch_size=BATCH)
        schedule_sealing(entries)  # bulk_create sends no post_save
    return len(entries)


def _repr(row: models.Model) -> str:
    try:
        return smart_str(row)
    except Exception:  # noqa: BLE001 - auditlog's own fallback for a repr that cannot be made
        return "Object representation not available"


def bulk_create_audited_in_batches(model: type[models.Model], objects: Sequence[Any]) -> list:
    """``bulk_create`` in batches, with auditlog's CREATE entry for each object when auditlog
    watches ``model`` (written in bulk too). A history row auditlog does not watch (an entry's
    event: itself the record of a change) is simply created."""
    created = model.objects.bulk_create(list(objects), batch_size=BATCH)
    if not auditlog.contains(model) or _disabled() or not created:
        return created
    content_type = ContentType.objects.get_for_model(model)
    actor = current_actor()
    if actor is not None and not actor.is_authenticated:
        actor = None
    entries = []
    for obj in created:
        additional = getattr(obj, "get_additional_data", None)
        entries.append(
            sanitise_entry(
                LogEntry(
                    action=LogEntry.Action.CREATE,
                    content_type=content_type,
                    object_pk=str(obj.pk),
                    object_id=object_id_for(obj.pk),
                    object_repr=_repr(obj),
                    changes=model_instance_diff(
                        None, obj, use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES
                    ),
                    additional_data=additional() if callable(additional) else None,
                    actor=actor,
                    actor_email=getattr(actor, "email", None) or None,
                    cid=get_cid(),
                )
            )
        )
    LogEntry.objects.bulk_create(entries, batch_size=BATCH)
    schedule_sealing(entries)
    return created
