"""The audit trail is append-only at the database: PostgreSQL refuses UPDATE and DELETE on it,
whoever asks, and the application's role cannot switch that off."""

import pytest
from auditlog.models import LogEntry
from django.db import DatabaseError, connection, transaction

from ubpanel import audit
from ubpanel.audit_chain import seal_pending
from ubpanel.models import AuditVerification, User

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the append-only trigger is PostgreSQL's (SQLite's flush would trip over one)",
    ),
]
TABLES = ("auditlog_logentry", "ubpanel_auditseal", "ubpanel_auditverification")


@pytest.fixture
def entry(db):
    [written] = audit.record(audit.Event.VIEW, model=User, object_pk=1, object_repr="Someone")
    seal_pending()
    AuditVerification.objects.create(held=True, entries_checked=1)
    return written


def refused(sql: str, params=()) -> str:
    with pytest.raises(DatabaseError) as refusal, transaction.atomic(), connection.cursor() as c:
        c.execute(sql, params)
    return str(refusal.value)


@pytest.mark.parametrize("table", TABLES)
def test_an_update_of_an_audit_row_is_refused_by_the_database(entry, table):
    column = {"auditlog_logentry": "object_repr", "ubpanel_auditseal": "hash"}.get(table, "problem")

    message = refused(f"UPDATE {table} SET {column} = 'rewritten'")

    assert f"append-only: UPDATE on {table}" in message


@pytest.mark.parametrize("table", TABLES)
def test_a_delete_of_an_audit_row_is_refused_by_the_database(entry, table):
    message = refused(f"DELETE FROM {table}")

    assert f"append-only: DELETE on {table}" in message
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        assert cursor.fetchone()[0] >= 1


def test_the_orm_cannot_change_or_delete_an_entry_either(entry):
    entry.object_repr = "Someone else"
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).delete()

    assert LogEntry.objects.get(pk=entry.pk).object_repr == "Someone"


def test_deleting_a_user_with_audit_entries_is_refused_rather_than_unattributing_them(db):
    """Accounts are deactivated, never deleted: deleting one would set the actor of its entries
    to NULL, which is an UPDATE of the trail."""
    user = User.objects.create(username="leaver")
    audit.record(audit.Event.VIEW, model=User, object_pk=user.pk, actor=user)

    with pytest.raises(DatabaseError), transaction.atomic():
        user.delete()

    assert LogEntry.objects.filter(actor=user).exists()


def test_the_application_role_can_write_the_trail_but_not_change_it_or_switch_the_trigger_off(
    entry,
):
    """As docker/postgres/initdb sets it up: no superuser, not the owner of the tables, the four
    data privileges and nothing else."""
    with connection.cursor() as cursor:
        # Roles are created inside the test's transaction, so they vanish with it.
        cursor.execute("CREATE ROLE ubpanel_app_under_test NOSUPERUSER NOINHERIT")
        cursor.execute(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public "
            "TO ubpanel_app_under_test"
        )
        cursor.execute("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ubpanel_app_under_test")
        cursor.execute("SET ROLE ubpanel_app_under_test")
    try:
        audit.record(audit.Event.VIEW, model=User, object_pk=2, object_repr="Written as the app")
        assert "append-only" in refused("UPDATE auditlog_logentry SET object_repr = 'x'")
        assert "append-only" in refused("DELETE FROM auditlog_logentry")
        assert "must be owner" in refused(
            "ALTER TABLE auditlog_logentry DISABLE TRIGGER ubpanel_append_only"
        )
        assert "permission denied" in refused("TRUNCATE auditlog_logentry CASCADE")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
