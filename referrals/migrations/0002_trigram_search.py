"""pg_trgm and GIN trigram indexes for fuzzy name matching (referrals.matching), PostgreSQL only.

The indexes are created with SQL rather than declared in the models' Meta: SQLite, which the
embedded demo runs on, cannot build them, and it matches names in Python instead. Every operation
here does nothing on SQLite, and none changes the migration state, so makemigrations stays clean.
Creating the extension needs a superuser or, since PostgreSQL 13 (pg_trgm is a trusted extension),
the CREATE privilege on the database.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


def _on_postgresql(schema_editor):
    return schema_editor.connection.vendor == "postgresql"


class TrigramExtensionOnPostgreSQL(TrigramExtension):
    """Django's TrigramExtension already skips other databases going forwards, not backwards."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if _on_postgresql(schema_editor):
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class RunSQLOnPostgreSQL(migrations.RunSQL):
    """RunSQL that does nothing on other databases."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if _on_postgresql(schema_editor):
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if _on_postgresql(schema_editor):
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0001_initial"),
    ]

    operations = [
        TrigramExtensionOnPostgreSQL(),
        RunSQLOnPostgreSQL(
            sql="CREATE INDEX IF NOT EXISTS referrals_person_search_name_trgm "
            "ON referrals_person USING gin (search_name gin_trgm_ops)",
            reverse_sql="DROP INDEX IF EXISTS referrals_person_search_name_trgm",
        ),
        RunSQLOnPostgreSQL(
            sql="CREATE INDEX IF NOT EXISTS referrals_personalias_search_name_trgm "
            "ON referrals_personalias USING gin (search_name gin_trgm_ops)",
            reverse_sql="DROP INDEX IF EXISTS referrals_personalias_search_name_trgm",
        ),
    ]
