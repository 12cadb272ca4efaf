"""Each benchmark's own PostgreSQL database, beside the one DATABASE_URL names."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

# What every seeded schedule entry says (``Entry(..., **ENTRY_TEXT)``): no benchmark reads it.
ENTRY_TEXT = {
    "how_to_respond": "Do not visit alone.",
    "permitted_contact": "In writing to the SPOC only.",
    "spoc_name": "Sam Spoc",
    "incident_summary": "The narrative frontline staff never see.",
}


def url_for(base_url: str, name: str) -> str:
    parts = urlsplit(base_url)
    return urlunsplit(parts._replace(path="/" + name))


def admin_execute(base_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url_for(base_url, "postgres"), autocommit=True) as connection:
        connection.execute(sql)


@contextmanager
def own_database(name: str, *, keep: bool, in_place: bool):
    """A fresh migrated PostgreSQL database ``name`` on DATABASE_URL's server for the block
    (dropped afterwards unless ``keep``), or Django's current database as it is (``in_place``:
    the test suite's small run)."""
    if in_place:
        yield
        return
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (postgres://user@host:5432/any)")
    os.environ["DATABASE_URL"] = url_for(base_url, name)
    os.environ.setdefault("DJANGO_ENV", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ubpanel.settings")
    os.environ["EMAIL_URL"] = "memorymail://"
    admin_execute(base_url, f'DROP DATABASE IF EXISTS "{name}"')
    admin_execute(base_url, f'CREATE DATABASE "{name}"')
    try:
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        yield
    finally:
        from django.db import connections

        connections.close_all()
        if not keep:
            admin_execute(base_url, f'DROP DATABASE IF EXISTS "{name}"')


def seal_seeded_trail(out=sys.stdout) -> None:
    """The seeding bulk-loads the audit trail without its hash chain. In service every row is
    sealed once its transaction commits, and the sealer after each commit looks only above the
    chain's highest sealed entry (and its own transaction's first). The seeded trail stands for
    one sealed long ago: one link, dated two hours back, on its last row, so the requests measured
    seal only their own rows (hashing a million rows first would take a quarter of an hour). The
    benchmark's chain is not verified."""
    from auditlog.models import LogEntry
    from django.db import connection

    from ubpanel.audit_chain import GENESIS, SEALED_FIELDS, entry_digest
    from ubpanel.models import AuditSeal

    row = LogEntry.objects.order_by("-pk").values(*SEALED_FIELDS).first()
    if row is None:
        return
    previous = AuditSeal.objects.order_by("-pk").values_list("hash", flat=True).first() or GENESIS
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {AuditSeal._meta.db_table} (entry_id, previous_hash, hash, sealed_at)"  # noqa: S608
            " VALUES (%s, %s, %s, now() - interval '2 hours') ON CONFLICT DO NOTHING",
            [row["id"], previous, entry_digest(previous, row)],
        )
    print("The seeded audit trail stands for one sealed two hours ago (one link)", file=out)


def add_database_arguments(
    parser, default: str, *, keep_help: str = "leave the database afterwards", in_place=True
) -> None:
    """The options every benchmark's own database takes: its name, whether to keep it, and (for
    the test suite's small runs) whether to use Django's current database instead."""
    parser.add_argument("--database", default=default)
    parser.add_argument("--keep", action="store_true", help=keep_help)
    if in_place:
        parser.add_argument(
            "--in-place",
            action="store_true",
            help="use Django's current database as it is (the test suite's small run)",
        )


def seed_person_views(count: int, *, actor, person_ids, timestamps, batch: int = 20000) -> None:
    """``count`` audit rows of ``actor`` viewing people, written with ``bulk_create`` a batch at a
    time: ``person_ids(n)`` and ``timestamps(n)`` give the n-th row's person and time."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from referrals.models import Person

    person_type = ContentType.objects.get_for_model(Person)
    for start in range(0, count, batch):
        rows = []
        for n in range(start, min(start + batch, count)):
            pk = person_ids(n)
            rows.append(
                LogEntry(
                    content_type=person_type,
                    object_pk=str(pk),
                    object_id=pk,
                    object_repr="Someone",
                    action=LogEntry.Action.ACCESS,
                    actor=actor,
                    timestamp=timestamps(n),
                    additional_data={"event": "view", "path": f"/people/{pk}/"},
                )
            )
        LogEntry.objects.bulk_create(rows)


def insert_select(model, values: dict[str, str], source: str, params=(), *, returning=False):
    """``INSERT INTO <model's table> SELECT ... FROM <source>``: one statement for any number of
    rows, so seeding a council's worth takes seconds rather than the ORM's minutes. ``values``
    maps field names to SQL expressions over ``source``; every other column that cannot be NULL
    takes its field's default (``auto_now``/``auto_now_add``: ``now()``), as ``bulk_create``
    would. ``params`` are those of ``values`` and ``source``, in that order. Returns the number of
    rows, or their ids with ``returning``. Model methods, signals and the services are bypassed;
    the database's triggers and constraints are not."""
    from django.db import connection

    names, expressions, default_params = [], [], []
    given = {model._meta.get_field(name).column: sql for name, sql in values.items()}
    for field in model._meta.concrete_fields:
        if field.column in given or field.primary_key or field.null:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            names.append(field.column)
            expressions.append("now()")
            continue
        default = field.get_default()
        if default is None:
            raise ValueError(f"{model.__name__}.{field.name} needs a value: it has no default")
        names.append(field.column)
        expressions.append("%s")
        default_params.append(field.get_db_prep_save(default, connection))
    names += given
    expressions += given.values()
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(names)}) "  # noqa: S608
        f"SELECT {', '.join(expressions)} FROM {source}" + (" RETURNING id" if returning else "")
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*default_params, *params])
        return [row[0] for row in cursor.fetchall()] if returning else cursor.rowcount


def unit(key: str, salt: int) -> str:
    """SQL for a number in [0, 1) that looks random but is fixed by the integer expression ``key``
    and ``salt``: the same seeding makes the same rows, batch by batch, without a random state."""
    return f"((hashint8(({key}) * 1009 + {salt})::bigint + 2147483648) / 4294967296.0)"
