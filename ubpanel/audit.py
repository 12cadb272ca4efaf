"""The audit trail: one mechanism for every app.

Changes to registered models are written by django-auditlog (CREATE/UPDATE/DELETE). Everything else
that must be accountable - a view of personal data, rows shown in a list, a search, a download, a
refused object request, a sign-in - is an auditlog ``ACCESS`` entry written by ``record()`` below,
with ``additional_data["event"]`` saying which. The actor and address come from the request (the
middleware here) or from ``acting_as()`` in Celery tasks and management commands, so callers only
say what was seen.
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any

from auditlog.cid import get_cid
from auditlog.context import auditlog_value, set_actor
from auditlog.middleware import AuditlogMiddleware
from auditlog.models import LogEntry
from auditlog.receivers import log_create, log_update
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.http import HttpRequest

from .audit_chain import schedule_sealing
from .audit_people import person_ids

_current_request: ContextVar[HttpRequest | None] = ContextVar("ubpanel_request", default=None)


class Event(models.TextChoices):
    VIEW = "view", "Viewed"
    LIST = "list", "Listed"
    SEARCH = "search", "Searched"
    DOWNLOAD = "download", "Downloaded"
    EXPORT = "export", "Exported"
    DENIED = "denied", "Refused (no access)"
    SIGN_IN = "sign-in", "Signed in"
    SIGN_IN_FAILED = "sign-in-failed", "Failed sign-in"
    SIGN_OUT = "sign-out", "Signed out"
    SESSION_EXPIRED = "session-expired", "Session expired"


class AuditContextMiddleware(AuditlogMiddleware):
    """auditlog's middleware, plus the current request for ``record()``.

    X-Forwarded-For is believed only behind a trusted proxy (USE_X_FORWARDED_FOR): otherwise
    anyone could write any address into the audit trail.
    """

    @staticmethod
    def _get_remote_addr(request):
        if settings.USE_X_FORWARDED_FOR:
            forwarded = safe_ip(AuditlogMiddleware._get_remote_addr(request))
            if forwarded:
                return forwarded
        return safe_ip(request.META.get("REMOTE_ADDR"))

    @staticmethod
    def _get_remote_port(request):
        return None

    def __call__(self, request):
        token = _current_request.set(request)
        context_token = auditlog_value.set(None)
        try:
            return super().__call__(request)
        finally:
            auditlog_value.reset(context_token)
            _current_request.reset(token)


def current_request() -> HttpRequest | None:
    return _current_request.get()


def current_actor():
    """The user that changes and views are attributed to right now, if any."""
    actor = (auditlog_value.get(None) or {}).get("actor")
    if actor is None:
        request = current_request()
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    return actor


@contextlib.contextmanager
def acting_as(actor, remote_addr: str | None = None) -> Iterator[None]:
    """Attribute everything audited inside the block to ``actor`` (services, tasks, commands).

    auditlog's own ``set_actor`` leaves its context behind when it ends; this puts back whatever
    was there before (the request's context, or none), so nesting is safe.
    """
    outer = auditlog_value.get(None)
    token = auditlog_value.set(outer)
    try:
        with set_actor(actor, remote_addr=remote_addr or (outer or {}).get("remote_addr")):
            yield
    finally:
        auditlog_value.reset(token)


# --- What goes into an audit row ----------------------------------------------------------------
# Everything written to the trail passes through sanitise_entry(): record() below calls it, and a
# pre_save receiver does for auditlog's own CREATE/UPDATE/DELETE entries. PostgreSQL refuses NUL
# in text and jsonb, the columns have limits, and object_id is a bigint: a request may carry any of
# these, and being refused must never fail to be recorded.

VALUE_LIMIT = 10_000  # characters kept of any one text value in an entry
REPR_LIMIT = 1_000
BIGINT = range(-(2**63), 2**63)


def safe_text(value: Any, limit: int = VALUE_LIMIT) -> str:
    """NUL shown as the text \\x00 (an attempt is worth seeing), and cut with a marker past ``limit``."""
    text = str(value).replace("\x00", "\\x00")
    if len(text) > limit:
        marker = f" [cut: {len(text)} characters in all]"
        text = text[: max(limit - len(marker), 0)] + marker
    return text


def safe_data(value: Any) -> Any:
    """safe_text for every string (keys too) in a JSON value."""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, dict):
        return {safe_text(key, REPR_LIMIT): safe_data(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [safe_data(item) for item in value]
    return value


def safe_ip(value: Any) -> str | None:
    """An IP address the database's inet column accepts, or nothing."""
    try:
        return str(ipaddress.ip_address(str(value).strip())) if value else None
    except ValueError:
        return None


def object_id_for(pk: Any) -> int | None:
    """auditlog's object_id (a bigint) for a primary key, or None when it is not one that fits:
    the pk is kept whole, as text, in object_pk."""
    text = str(pk)
    if text.isascii() and text.lstrip("-").isdigit() and len(text) < 25 and int(text) in BIGINT:
        return int(text)
    return None


def sanitise_entry(entry: LogEntry) -> LogEntry:
    entry.object_pk = safe_text(entry.object_pk, 255)
    if entry.object_id is not None and entry.object_id not in BIGINT:
        entry.object_id = None
    entry.object_repr = safe_text(entry.object_repr, REPR_LIMIT)
    entry.changes_text = safe_text(entry.changes_text)
    entry.changes = safe_data(entry.changes)
    entry.serialized_data = safe_data(entry.serialized_data)
    entry.additional_data = safe_data(entry.additional_data)
    if entry.cid is not None:  # from the X-Correlation-ID header: anything a client sends
        entry.cid = safe_text(entry.cid, 255)
    if entry.actor_email is not None:
        entry.actor_email = safe_text(entry.actor_email, 254)
    entry.remote_addr = safe_ip(entry.remote_addr)
    return entry


@receiver(pre_save, sender=LogEntry, dispatch_uid="ubpanel.audit.sanitise")
def _sanitise_before_saving(sender, instance, **kwargs):
    sanitise_entry(instance)


def mask_special_category(value: str) -> str:
    """AUDITLOG_MASK_CALLABLE: special-category values never reach the audit trail, not even in part."""
    return "[special category data, not recorded]" if value else ""


def _remote_addr() -> str | None:
    return (auditlog_value.get(None) or {}).get("remote_addr")


def record(
    event: Event,
    *,
    objects: Iterable[models.Model] = (),
    model: type[models.Model] | None = None,
    object_pk: Any = "",
    object_repr: str = "",
    actor=None,
    people: Iterable[Any] = (),
    **detail: Any,
) -> list[LogEntry]:
    """Write one ACCESS entry per object (or one for ``model`` when there is no object).

    One INSERT however many objects: list pages stay at a constant number of queries. Each entry
    names the people its object shows in ``additional_data["people"]`` (audit_people.person_ids,
    from attributes already loaded), with ``people`` added: the ids a row with no object of its own
    showed (a search's hits, a mailbox).
    """
    named = {int(pk) for pk in people if pk is not None}
    targets = [
        (ContentType.objects.get_for_model(obj), obj.pk, str(obj), person_ids(obj))
        for obj in objects
    ]
    if not targets:
        if model is None:
            raise ValueError("record() needs objects or a model")
        targets = [(ContentType.objects.get_for_model(model), object_pk, object_repr, [])]
    entries = _entries(event, targets, named, actor, detail)
    written = LogEntry.objects.bulk_create(entries)
    schedule_sealing(written)  # bulk_create sends no post_save
    return written


def record_search(
    *,
    model: type[models.Model],
    object_repr: str,
    shown: Iterable[models.Model],
    people: Iterable[Any] = (),
    **detail: Any,
) -> None:
    """A search and what it showed: the row ``record(Event.SEARCH, model=..., people=...,
    **detail)`` writes, and the rows ``record_access(shown, Event.SEARCH)`` writes, exactly as
    they would, in one INSERT with no transaction of its own (one statement is atomic by itself:
    the search and what it showed are recorded together or not at all). Search before contact is
    the app's most frequent request, live search posting on every pause in typing."""
    named = {int(pk) for pk in people if pk is not None}
    content_type = ContentType.objects.get_for_model
    entries = _entries(
        Event.SEARCH, [(content_type(model), "", object_repr, [])], named, None, detail
    )
    entries += _entries(
        Event.SEARCH,
        [(content_type(obj), obj.pk, str(obj), person_ids(obj)) for obj in shown],
        set(),
        None,
        {},
    )
    fields = [f for f in LogEntry._meta.concrete_fields if not f.primary_key]
    # QuerySet.bulk_create() always opens a transaction (BEGIN, INSERT, COMMIT: three round
    # trips); the manager's _insert() is the single INSERT that bulk_create() itself runs.
    ids = LogEntry.objects._insert(
        entries,
        fields=fields,
        returning_fields=[LogEntry._meta.pk],
        using=LogEntry.objects.db,
    )
    schedule_sealing(row[0] for row in ids)  # no post_save either


def _entries(event, targets, named: set[int], actor, detail: dict[str, Any]) -> list[LogEntry]:
    """One ACCESS entry per (content type, pk, repr, people it shows), sanitised."""
    actor = actor if actor is not None else current_actor()
    if actor is not None and not actor.is_authenticated:
        actor = None
    request = current_request()
    data = {"event": str(event), **detail}
    if request is not None:
        data.setdefault("path", request.path)
        data.setdefault("method", request.method)
    # What every entry shares is sanitised once (sanitise_entry on a template entry), and the
    # actor and content type are set by id: a lazy request.user and a related descriptor per
    # entry were about a tenth of a 1,000-item agenda's time (issue 16, point 4).
    shared = sanitise_entry(
        LogEntry(
            object_pk="",
            object_repr="",
            additional_data=data,
            actor_email=getattr(actor, "email", None) or None,
            remote_addr=_remote_addr() or (request.META.get("REMOTE_ADDR") if request else None),
            cid=get_cid(),
        )
    )
    common = {
        "action": LogEntry.Action.ACCESS,
        "actor_id": actor.pk if actor is not None else None,
        "actor_email": shared.actor_email,
        "remote_addr": shared.remote_addr,
        "cid": shared.cid,
    }
    data = shared.additional_data
    entries = []
    for ct, pk, rep, shown in targets:
        entry = LogEntry(
            content_type_id=ct.pk,
            object_pk=safe_text(pk, 255),
            object_id=object_id_for(pk),
            object_repr=safe_text(rep, REPR_LIMIT),
            additional_data=_with_people(data, named.union(shown)),
            **common,
        )
        entries.append(entry)
    return entries


def _with_people(data: dict[str, Any], ids: set[int]) -> dict[str, Any]:
    return {**data, "people": sorted(ids)} if ids else data


def record_access(
    objects: Iterable[models.Model] | models.Model, event: Event = Event.VIEW, **detail
):
    """Record that personal data in ``objects`` was shown (a page, list rows, a PDF, an export)."""
    if isinstance(objects, models.Model):
        objects = [objects]
    objects = list(objects)
    if not objects:
        return []
    return record(event, objects=objects, **detail)


def record_denied(model: type[models.Model], lookup: dict[str, Any]) -> None:
    """Record a refused object request: somebody asked for something they may not see."""
    pk = lookup.get("pk", lookup.get("id", ""))
    record(
        Event.DENIED,
        model=model,
        object_pk=pk,
        object_repr=f"{model._meta.verbose_name} {pk}".strip(),
        lookup={key: str(value) for key, value in lookup.items()},
    )


# --- Bulk writes, audited like save() -------------------------------------------------------------
# QuerySet.bulk_create() and .update() send no signals, so auditlog never sees them. These write
# auditlog's own entry for each object (its receivers, so the entries have exactly the shape of a
# save()'s), and honour auditlog's ``disable_auditlog()``.


def bulk_create_audited(model: type[models.Model], objects: Iterable[models.Model]) -> list:
    """``model.objects.bulk_create(objects)`` with a CREATE entry for each object."""
    created = model.objects.bulk_create(list(objects))
    for obj in created:
        log_create(sender=model, instance=obj, created=True)
    return created


def update_audited(queryset: models.QuerySet, **values: Any) -> int:
    """``queryset.update(**values)`` (plain values only) with an UPDATE entry for each row changed.

    The rows are locked first, so each entry's "before" is what the row really held.
    """
    model = queryset.model
    rows = list(queryset.select_for_update().order_by("pk"))
    for row in rows:
        for name, value in values.items():
            setattr(row, name, value)
        log_update(sender=model, instance=row)  # compares with the row as stored, like pre_save
    return model.objects.filter(pk__in=[row.pk for row in rows]).update(**values)


# --- Sign-in events (audit plumbing: the one place signals are used) -------------------------


@receiver(user_logged_in, dispatch_uid="ubpanel.audit.signed_in")
def _signed_in(sender, request, user, **kwargs):
    record(Event.SIGN_IN, objects=[user], actor=user)


@receiver(user_logged_out, dispatch_uid="ubpanel.audit.signed_out")
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        record(Event.SIGN_OUT, objects=[user], actor=user)


@receiver(user_login_failed, dispatch_uid="ubpanel.audit.sign_in_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    User = get_user_model()
    username = str(credentials.get("username", ""))[:150]
    known = User.objects.filter(username=username).first()
    record(
        Event.SIGN_IN_FAILED,
        model=User,
        object_pk=known.pk if known else "",
        object_repr=username,
        username=username,
        known_user=known is not None,
    )
