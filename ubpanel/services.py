"""What every service function shares: one transaction acting as the actor, and locked status changes."""

import functools
from collections.abc import Callable, Iterable
from typing import ParamSpec, TypeVar

from django.db import models, transaction

from .audit import acting_as
from .errors import DomainError

P = ParamSpec("P")
R = TypeVar("R")


def service(fn: Callable[P, R]) -> Callable[P, R]:
    """A service function runs in one transaction, with everything audited inside it attributed to
    its ``actor`` keyword (``None`` for the system: beat, a sweep, a command)."""

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with acting_as(kwargs.get("actor")), transaction.atomic():
            return fn(*args, **kwargs)

    return run


def refusal_text(obj: models.Model, to=None) -> str:
    """The general refusal: "REF is <status>: it cannot be moved to “<to>” from there."."""
    where = f"{_name(obj)} is {obj.get_status_display().lower()}"
    if to is None:
        return f"{where}: that cannot be done now."
    return f"{where}: it cannot be moved to “{to.label.lower()}” from there."


def _name(obj: models.Model) -> str:
    return str(getattr(obj, "reference", None) or obj._meta.verbose_name.capitalize())


M = TypeVar("M", bound=models.Model)


def lock_in_status(
    obj: M,
    allowed: Iterable[str] | None = None,
    *,
    to=None,
    error: type[DomainError] = DomainError,
    related: Iterable[str] = (),
    refusal: Callable[[M], str] | None = None,
) -> M:
    """Re-read ``obj`` locked for the rest of the transaction (two people acting at once are taken one
    after the other) and refuse, with ``error``, unless its status is one of ``allowed``. Every
    status change goes through here, so the check is made on the row as it is now. ``refusal``
    words the refusal for the row as it is, where the general sentence would say less."""
    query = type(obj)._default_manager.select_for_update(of=("self",))
    if related:
        query = query.select_related(*related)
    locked = query.get(pk=obj.pk)
    if allowed is not None and locked.status not in set(allowed):
        raise error(refusal(locked) if refusal else refusal_text(locked, to))
    return locked
