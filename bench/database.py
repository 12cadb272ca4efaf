"""Each benchmark's own PostgreSQL database, beside the one DATABASE_URL names."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit


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
