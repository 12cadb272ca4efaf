"""Every audit row about a person names the person: ``additional_data["people"]`` holds their ids
(ubpanel.audit.record). "Who viewed this person" asks ``additional_data -> 'people' @> '[id]'``;
on PostgreSQL a GIN index on that expression answers it without reading the whole trail. SQLite
(the demo) has no such index and reads the trail with json_each."""

from django.db import migrations

INDEX = "ubpanel_audit_people_gin"


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON auditlog_logentry "
        "USING gin ((additional_data -> 'people') jsonb_path_ops)"
    )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("ubpanel", "0005_auditredaction")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
