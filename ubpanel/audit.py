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
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any

from auditlog.cid import get_cid
from auditlog.context import auditlog_value, set_actor
from auditlog.middleware import AuditlogMiddleware
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.dispatch import receiver
from django.http import HttpRequest

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
            return AuditlogMiddleware._get_remote_addr(request)
        return request.META.get("REMOTE_ADDR")

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
    **detail: Any,
) -> list[LogEntry]:
    """Write one ACCESS entry per object (or one for ``model`` when there is no object).

    One INSERT however many objects: list pages stay at a constant number of queries.
    """
    actor = actor if actor is not None else current_actor()
    if actor is not None and not actor.is_authenticated:
        actor = None
    request = current_request()
    data = {"event": str(event), **detail}
    if request is not None:
        data.setdefault("path", request.path)
        data.setdefault("method", request.method)
    common = {
        "action": LogEntry.Action.ACCESS,
        "actor": actor,
        "actor_email": getattr(actor, "email", None) or None,
        "remote_addr": _remote_addr() or (request.META.get("REMOTE_ADDR") if request else None),
        "cid": get_cid(),
        "additional_data": data,
    }
    targets = [
        (ContentType.objects.get_for_model(obj), str(obj.pk), obj.pk, str(obj)) for obj in objects
    ]
    if not targets:
        if model is None:
            raise ValueError("record() needs objects or a model")
        pk = str(object_pk)
        targets = [
            (
                ContentType.objects.get_for_model(model),
                pk,
                int(pk) if pk.isdigit() else None,
                object_repr,
            )
        ]
    entries = [
        LogEntry(content_type=ct, object_pk=pk, object_id=oid, object_repr=rep, **common)
        for ct, pk, oid, rep in targets
    ]
    return LogEntry.objects.bulk_create(entries)


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
