"""``manage.py search_index_rebuild`` on a database where the search table is not kept."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db


def test_on_sqlite_the_rebuild_says_there_is_nothing_to_do():
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL keeps the table: tests/test_search_index.py")
    out = io.StringIO()

    call_command("search_index_rebuild", stdout=out)

    assert "Nothing to do" in out.getvalue()
