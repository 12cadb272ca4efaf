"""The search table (``schedule.SearchKey``): whether it is kept here, and rebuilding it.

On PostgreSQL, triggers (migration 0005) keep it exact on every write, so nothing here needs
calling in normal running. ``search_keys_rebuild`` is for repair and for loads that went around
the triggers (``session_replication_role = replica``, a restore of only some tables).
"""

from __future__ import annotations

from django.db import connections, transaction

from .models import LIVE_STATUSES, SearchKey


def search_keys_maintained(using: str = "default") -> bool:
    """Whether the search table is kept on this database (PostgreSQL); SQLite leaves it empty."""
    return connections[using].vendor == "postgresql"


def search_keys_rebuild(using: str = "default") -> int:
    """Rewrite the search table from the people with a live entry; returns the keys written."""
    if not search_keys_maintained(using):
        return 0
    live = ", ".join(["%s"] * len(LIVE_STATUSES))
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        # Stop concurrent writers (and so the triggers) while the table is rewritten.
        cursor.execute(f"LOCK TABLE {SearchKey._meta.db_table} IN EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {SearchKey._meta.db_table}")  # noqa: S608
        live_people = f"SELECT DISTINCT person_id FROM schedule_entry WHERE status IN ({live})"  # noqa: S608
        cursor.execute(
            f"SELECT schedule_searchkey_refresh(ARRAY({live_people}))",
            [str(status) for status in LIVE_STATUSES],
        )
    return SearchKey.objects.using(using).count()
