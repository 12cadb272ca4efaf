"""Which people an audit row is about (issue 14: every audit row about a person names the person).

``ubpanel.audit.record`` stores ``person_ids(obj)`` in each ACCESS row's ``additional_data["people"]``,
and the models that belong to a person define ``get_additional_data()`` (auditlog calls it for its own
CREATE/UPDATE/DELETE rows) with ``people_data(self)``. "Who viewed this person" (rights.who_viewed)
reads the rows back by that list. Plain Python: models import this without importing the trail.

A model that knows its person only through a relation defines ``audit_person_ids()`` from the
relation's ``_id`` attributes; the views that show it load that relation with the rest (select_related),
so naming the people never costs a query per row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ObjectDoesNotExist

PERSON_MODEL = "referrals.Person"


def person_ids(obj: Any) -> list[int]:
    """The ids of the people ``obj`` shows, sorted: a Person is itself; a model with a ``person_id``
    names that; any other says so in ``audit_person_ids()``; anything else names nobody."""
    method = getattr(obj, "audit_person_ids", None)
    if callable(method):
        ids: Iterable[Any] = method()
    elif obj._meta.label == PERSON_MODEL:
        ids = [obj.pk]
    elif hasattr(obj, "person_id"):
        ids = [obj.person_id]
    else:
        ids = []
    return sorted({int(pk) for pk in ids if pk is not None})


def people_data(obj: Any) -> dict[str, list[int]] | None:
    """auditlog's ``additional_data`` for a change to ``obj``: the people it belongs to, if any."""
    ids = person_ids(obj)
    return {"people": ids} if ids else None


def through(obj: Any, *relations: str) -> list[int]:
    """The people of the objects ``obj`` refers to by ``relations`` (those set), e.g. an incident's
    referral's person.

    A relation not loaded costs one query (a save or a delete in a service; pages select it
    related); one that no longer exists (a cascade deleting it) names nobody rather than failing.
    """
    ids: list[int] = []
    for relation in relations:
        if getattr(obj, f"{relation}_id", None) is None:
            continue
        try:
            related = getattr(obj, relation)
        except ObjectDoesNotExist:
            continue
        if related is not None:
            ids.extend(person_ids(related))
    return ids


def through_either(obj: Any, *relations: str) -> list[int]:
    """The people of the first of ``relations`` that is set, one already loaded first: for an object
    whose relations all lead to the same person (an agenda item's referral and the entry it became),
    so naming them costs no query where either is loaded."""
    cached = [name for name in relations if obj._meta.get_field(name).is_cached(obj)]
    for relation in [*cached, *relations]:
        ids = through(obj, relation)
        if ids:
            return ids
    return []
