"""Who viewed this person: every audit row that names them (issue 14, point 1).

Every row of the audit trail about a person names them in ``additional_data["people"]`` (ubpanel.audit
writes it for views, list rows, search hits and downloads; the models' ``get_additional_data()`` for
auditlog's own changes). Rows written about the Person object itself count too, so rows from before
the trail named people are not lost. The subject access export reads the same rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from referrals.models import Person
from ubpanel.audit import Event
from ubpanel.roles import WHO_VIEWED_READERS, has_role

# The report's kinds of row, each the events (ACCESS rows) or auditlog actions it covers. A refused
# request (DENIED) about the person is an attempt to view them, so it is listed with the views.
KINDS: dict[str, tuple[str, tuple[str, ...], tuple[int, ...]]] = {
    "views": ("Views", (Event.VIEW, Event.LIST, Event.DENIED), ()),
    "searches": ("Searches", (Event.SEARCH,), ()),
    "downloads": ("Downloads and exports", (Event.DOWNLOAD, Event.EXPORT), ()),
    "changes": (
        "Changes",
        (),
        (LogEntry.Action.CREATE, LogEntry.Action.UPDATE, LogEntry.Action.DELETE),
    ),
}
KIND_CHOICES = [(key, label) for key, (label, _events, _actions) in KINDS.items()]

# SQLite has no jsonb containment: json_each reads the list of ids, row by row (the demo's trail).
_SQLITE_NAMES = (
    "EXISTS (SELECT 1 FROM json_each(auditlog_logentry.additional_data, '$.people') "
    "WHERE json_each.value = %s)"
)


def names_person(queryset: QuerySet[LogEntry], person_pk: int) -> Q:
    """The condition "this row names the person" for ``queryset``'s database (a Q on an alias)."""
    if connections[queryset.db].vendor == "postgresql":
        return Q(additional_data__people__contains=[person_pk])
    return Q(names_person=True)


def audit_entries_about(person_pk: int) -> QuerySet[LogEntry]:
    """Every audit row naming the person, oldest first, with the actor read in the same query.

    Not a permission-carrying selector: callers decide who may read it (``may_see_who_viewed`` for
    the report, the subject access export's own rule for the export).
    """
    person_pk = int(person_pk)
    queryset = LogEntry.objects.all()
    if connections[queryset.db].vendor != "postgresql":
        # A constant statement with the id as a parameter: nothing from a request reaches the SQL.
        names = RawSQL(_SQLITE_NAMES, [person_pk], output_field=BooleanField())  # noqa: S611
        queryset = queryset.alias(names_person=names)
    about_person = Q(
        content_type=ContentType.objects.get_for_model(Person),
        object_id=person_pk,
    )
    return (
        queryset.filter(names_person(queryset, person_pk) | about_person)
        .select_related("actor", "content_type")
        .order_by("timestamp", "pk")
    )


def day_start(day: datetime.date) -> datetime.datetime:
    """The first moment of ``day`` in the service's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def in_date_range(
    queryset: QuerySet[LogEntry],
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[LogEntry]:
    """Rows from the start of ``date_from`` to the end of ``date_to`` (either may be left open)."""
    if date_from is not None:
        queryset = queryset.filter(timestamp__gte=day_start(date_from))
    if date_to is not None:
        queryset = queryset.filter(timestamp__lt=day_start(date_to + datetime.timedelta(days=1)))
    return queryset


def of_kinds(queryset: QuerySet[LogEntry], kinds: Iterable[str]) -> QuerySet[LogEntry]:
    """Rows of the given KINDS ("views", "searches", "downloads", "changes"); none given: all."""
    kinds = [kind for kind in kinds if kind in KINDS]
    if not kinds:
        return queryset
    events = [str(event) for kind in kinds for event in KINDS[kind][1]]
    actions = [action for kind in kinds for action in KINDS[kind][2]]
    condition = Q(pk__in=[])
    if events:
        condition |= Q(action=LogEntry.Action.ACCESS, additional_data__event__in=events)
    if actions:
        condition |= Q(action__in=actions)
    return queryset.filter(condition)


def kind_of(entry: LogEntry) -> str:
    """The report's kind of one row ("views", ...), or "" for a row of no listed kind."""
    event = (entry.additional_data or {}).get("event") if entry.additional_data else None
    for key, (_label, events, actions) in KINDS.items():
        if entry.action in actions or (
            entry.action == LogEntry.Action.ACCESS and event in [str(e) for e in events]
        ):
            return key
    return ""


def may_see_who_viewed(user, person: Person | None = None) -> bool:
    """The auditor, the panel chair (the Information Asset Owner) and the data protection officer
    may see who viewed anyone on record."""
    return has_role(user, *WHO_VIEWED_READERS)


def people_whose_views_are_readable(user) -> QuerySet[Person]:
    """Everyone on record (anonymised people too) for those who may see who viewed them; nobody
    for anyone else, whose request for one is then the audited 404."""
    if may_see_who_viewed(user):
        return Person.objects.all()
    return Person.objects.none()
