"""The retention schedule may remove a person's details from the audit trail, and nothing else may
change it (PostgreSQL).

The append-only trigger of 0003 refused every UPDATE and DELETE. Its function is replaced so that an
UPDATE of ``auditlog_logentry`` is let through only when both hold:

- the transaction said ``SET LOCAL ubpanel.redacting = 'on'`` (``ubpanel.audit_redaction`` does,
  around its own writes only), and
- only the columns that can carry a person's details change: ``object_repr``, ``changes``,
  ``changes_text``, ``serialized_data`` and ``additional_data``. The id, the record's kind and id,
  the action, the actor, the address, the correlation id and the time stay exactly as written.

DELETE stays refused, and every other table keeps the plain refusal. The redactions themselves
(``ubpanel_auditredaction``) get the same append-only trigger: a redaction, once recorded, holds the
digest the nightly check proves the redacted row against (``ubpanel.audit_chain``).

SQLite (the demo and SQLite test runs) has no trigger, as in 0003; the hash chain and the
redactions' digests still show any change there.
"""

from django.db import migrations

REDACTABLE = "ARRAY['object_repr', 'changes', 'changes_text', 'serialized_data', 'additional_data']"

FUNCTION = f"""
CREATE OR REPLACE FUNCTION ubpanel_refuse_audit_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND TG_TABLE_NAME = 'auditlog_logentry'
       AND coalesce(current_setting('ubpanel.redacting', true), '') = 'on'
       AND (to_jsonb(NEW) - {REDACTABLE}) = (to_jsonb(OLD) - {REDACTABLE})
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'The audit trail is append-only: % on % is refused.', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""

# 0003's function, put back when this migration is reversed.
PLAIN_FUNCTION = """
CREATE OR REPLACE FUNCTION ubpanel_refuse_audit_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'The audit trail is append-only: % on % is refused.', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""

REDACTIONS = "ubpanel_auditredaction"


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    schema_editor.execute(
        f"CREATE TRIGGER ubpanel_append_only BEFORE UPDATE OR DELETE ON {REDACTIONS} "
        "FOR EACH ROW EXECUTE FUNCTION ubpanel_refuse_audit_change()"
    )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS ubpanel_append_only ON {REDACTIONS}")
    schema_editor.execute(PLAIN_FUNCTION, params=None)


class Migration(migrations.Migration):
    dependencies = [("ubpanel", "0006_audit_people_index")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
