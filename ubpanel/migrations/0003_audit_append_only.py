"""The audit trail is append-only at the database (PostgreSQL).

A row-level trigger refuses UPDATE and DELETE on auditlog's entries, on the hash chain's links
and on the chain's verification results, whoever asks: the application's role, and the owner
too unless it first disables the trigger (which only the table's owner or a superuser can do).

What still works, on purpose:
- TRUNCATE (the test runner's flush between transactional tests): row triggers do not fire on
  it; the application's role is not granted TRUNCATE (docker/postgres/initdb).
- Nothing in the product updates an entry. Accounts are deactivated, never deleted (the admin
  refuses Assurance officers; a superuser deleting a user who has audit entries is refused by this
  trigger, because auditlog's ``actor`` would be set to NULL and the entry would lose its author).
- auditlog's own migrations, some of which rewrite rows, all run before this one (dependency on
  its latest). A future auditlog release that rewrites rows in a migration needs the owner to
  disable the trigger for that migration.

SQLite (the demo and SQLite test runs) gets no trigger: its flush is DELETE FROM, which a trigger
would refuse. The hash chain still shows any change there.
"""

from django.db import migrations

TABLES = ("auditlog_logentry", "ubpanel_auditseal", "ubpanel_auditverification")

FUNCTION = """
CREATE OR REPLACE FUNCTION ubpanel_refuse_audit_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'The audit trail is append-only: % on % is refused.', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER ubpanel_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION ubpanel_refuse_audit_change()"
        )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS ubpanel_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS ubpanel_refuse_audit_change()")


class Migration(migrations.Migration):
    dependencies = [
        ("ubpanel", "0002_audit_chain"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(install, remove, elidable=False)]
