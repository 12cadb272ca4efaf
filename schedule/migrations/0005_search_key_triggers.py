"""Keep ``schedule.SearchKey`` exact on PostgreSQL, and index it for trigram search.

Triggers, not service calls: a live entry missing from search before contact is a safety failure
(a visitor not warned about someone violent), so the table must follow every write to an entry, a
person or their aliases, addresses, emails and phones, whoever makes it: the services, the admin,
a bulk load, a data fix in psql. The triggers are statement-level with transition tables, so a
bulk load refreshes each person once per statement. Each refresh rewrites that person's keys from
the source tables: nothing is kept for someone without a live entry.

PostgreSQL only, like referrals' 0002 (whose pg_trgm this needs): SQLite leaves the table empty
and ``schedule.search`` searches the people tables directly there. No operation changes the
migration state, so makemigrations stays clean.
"""

from django.db import migrations

# The entry statuses that are live (schedule.models.LIVE_STATUSES when this was written). If that
# tuple changes, a new migration must replace schedule_searchkey_refresh.
LIVE = "('pending_ratification', 'active', 'under_appeal')"

REFRESH = f"""
CREATE OR REPLACE FUNCTION schedule_searchkey_refresh(person_ids bigint[]) RETURNS void
LANGUAGE sql VOLATILE AS $$
    DELETE FROM schedule_searchkey WHERE person_id = ANY(person_ids);
    INSERT INTO schedule_searchkey (person_id, kind, value, written)
    WITH live AS (
        SELECT DISTINCT person_id FROM schedule_entry
         WHERE person_id = ANY(person_ids) AND status IN {LIVE}
    )
    SELECT DISTINCT person_id, kind, value, written FROM (
        SELECT p.id AS person_id, 'name' AS kind, p.search_name AS value, '' AS written
          FROM referrals_person p JOIN live ON live.person_id = p.id
        UNION ALL
        SELECT a.person_id, 'alias', a.search_name, a.name
          FROM referrals_personalias a JOIN live USING (person_id)
        UNION ALL
        SELECT d.person_id, 'address', d.address, ''
          FROM referrals_personaddress d JOIN live USING (person_id)
        UNION ALL
        SELECT d.person_id, 'postcode', d.postcode_normalised, ''
          FROM referrals_personaddress d JOIN live USING (person_id)
        UNION ALL
        SELECT e.person_id, 'email', e.email_normalised, ''
          FROM referrals_personemail e JOIN live USING (person_id)
        UNION ALL
        SELECT f.person_id, 'phone', f.number_normalised, ''
          FROM referrals_personphone f JOIN live USING (person_id)
    ) AS keys
    WHERE value <> '';
$$;
"""  # noqa: S608 (constants only)

# TG_ARGV[0] names the column holding the person's id (``id`` on referrals_person).
CHANGED = """
CREATE OR REPLACE FUNCTION schedule_searchkey_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    person_ids bigint[] := '{}';
    more bigint[];
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        EXECUTE format('SELECT array_agg(DISTINCT %I) FROM old_rows', TG_ARGV[0]) INTO more;
        person_ids := person_ids || coalesce(more, '{}');
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        EXECUTE format('SELECT array_agg(DISTINCT %I) FROM new_rows', TG_ARGV[0]) INTO more;
        person_ids := person_ids || coalesce(more, '{}');
    END IF;
    IF cardinality(person_ids) > 0 THEN
        PERFORM schedule_searchkey_refresh(person_ids);
    END IF;
    RETURN NULL;
END;
$$;
"""

# (table, the column with the person's id, the changes that matter). A new person has no entry
# yet, so inserting one changes nothing.
WATCHED = [
    ("schedule_entry", "person_id", ("INSERT", "UPDATE", "DELETE")),
    ("referrals_person", "id", ("UPDATE", "DELETE")),
    ("referrals_personalias", "person_id", ("INSERT", "UPDATE", "DELETE")),
    ("referrals_personaddress", "person_id", ("INSERT", "UPDATE", "DELETE")),
    ("referrals_personemail", "person_id", ("INSERT", "UPDATE", "DELETE")),
    ("referrals_personphone", "person_id", ("INSERT", "UPDATE", "DELETE")),
]
TRANSITIONS = {
    "INSERT": "NEW TABLE AS new_rows",
    "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "OLD TABLE AS old_rows",
}


def _trigger_sql():
    create, drop = [], []
    for table, column, events in WATCHED:
        for event in events:
            name = f"{table}_searchkey_{event.lower()}"
            create.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} "
                f"REFERENCING {TRANSITIONS[event]} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION schedule_searchkey_changed('{column}');"
            )
            drop.append(f"DROP TRIGGER IF EXISTS {name} ON {table};")
    return "\n".join(create), "\n".join(drop)


CREATE_TRIGGERS, DROP_TRIGGERS = _trigger_sql()

# Fill it for the entries already live.
FILL = f"""
SELECT schedule_searchkey_refresh(
    ARRAY(SELECT DISTINCT person_id FROM schedule_entry WHERE status IN {LIVE})
);
"""  # noqa: S608 (constants only)

# What search before contact looks up: every key like what was typed (the caller keeps those the
# user may see, then the best). A function so that it carries its own settings: the thresholds,
# and no sequential scan (which computes the similarity of every key: 30 ms at 26,000 keys; the
# trigram indexes read tens of rows in well under a millisecond), whatever the planner makes of a
# small or freshly loaded table. Each part runs only when its argument is given. ROWS 10 (it is
# usually a handful) has the caller check each key's entry by index rather than hash every entry.
SEARCH = """
CREATE OR REPLACE FUNCTION schedule_searchkey_search(
    name_key text, address_like text, postcode text, email text, phone text
) RETURNS TABLE (person_id bigint, kind varchar, value text, written text, rank real)
LANGUAGE sql STABLE ROWS 10
SET enable_seqscan = off
SET pg_trgm.similarity_threshold = 0.3
SET pg_trgm.word_similarity_threshold = 0.6
AS $$
    SELECT k.person_id, k.kind, k.value, k.written, similarity(k.value, name_key)
      FROM schedule_searchkey k
     WHERE name_key <> '' AND k.kind IN ('name', 'alias') AND k.value % name_key
    UNION ALL
    SELECT k.person_id, k.kind, k.value, k.written, word_similarity(name_key, k.value)
      FROM schedule_searchkey k
     WHERE name_key <> '' AND k.kind IN ('name', 'alias') AND name_key <% k.value
    UNION ALL
    SELECT k.person_id, k.kind, k.value, k.written, 1
      FROM schedule_searchkey k
     WHERE address_like <> '' AND k.kind = 'address' AND k.value ILIKE address_like
    UNION ALL
    SELECT k.person_id, k.kind, k.value, k.written, 1
      FROM schedule_searchkey k
     WHERE (k.kind = 'postcode' AND k.value = postcode)
        OR (k.kind = 'email' AND k.value = email)
        OR (k.kind = 'phone' AND k.value = phone)
$$;
"""

# fastupdate off: GIN's pending list (where fastupdate puts new entries until a vacuum) is read
# in full by every search; at 26,000 keys it made each index scan 8 ms instead of 0.1 ms. The
# table is written a few times a day and read on every search.
INDEXES = """
CREATE INDEX IF NOT EXISTS schedule_searchkey_name_trgm ON schedule_searchkey
    USING gin (value gin_trgm_ops) WITH (fastupdate = off) WHERE kind IN ('name', 'alias');
CREATE INDEX IF NOT EXISTS schedule_searchkey_address_trgm ON schedule_searchkey
    USING gin (value gin_trgm_ops) WITH (fastupdate = off) WHERE kind = 'address';
"""
DROP_INDEXES = """
DROP INDEX IF EXISTS schedule_searchkey_name_trgm;
DROP INDEX IF EXISTS schedule_searchkey_address_trgm;
"""


class RunSQLOnPostgreSQL(migrations.RunSQL):
    """RunSQL that does nothing on other databases."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0002_trigram_search"),
        ("schedule", "0004_search_keys"),
    ]

    operations = [
        RunSQLOnPostgreSQL(sql=INDEXES, reverse_sql=DROP_INDEXES),
        RunSQLOnPostgreSQL(
            sql=REFRESH,
            reverse_sql="DROP FUNCTION IF EXISTS schedule_searchkey_refresh(bigint[]);",
        ),
        RunSQLOnPostgreSQL(
            sql=CHANGED, reverse_sql="DROP FUNCTION IF EXISTS schedule_searchkey_changed();"
        ),
        RunSQLOnPostgreSQL(sql=CREATE_TRIGGERS, reverse_sql=DROP_TRIGGERS),
        RunSQLOnPostgreSQL(
            sql=SEARCH,
            reverse_sql="DROP FUNCTION IF EXISTS schedule_searchkey_search(text, text, text, text, text);",
        ),
        RunSQLOnPostgreSQL(sql=FILL, reverse_sql=migrations.RunSQL.noop),
    ]
