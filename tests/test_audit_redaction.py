"""The retention schedule removes a person's details from the audit trail without breaking it: the
hash chain still holds, a change after the redaction is still found, and on PostgreSQL nothing but
a redaction may change a row (and a redaction only the columns that can name someone)."""

import pytest
from auditlog.models import LogEntry
from django.db import DatabaseError, connection, transaction

from referrals.models import Person
from ubpanel import audit
from ubpanel.audit_chain import seal_pending, walk_chain
from ubpanel.audit_redaction import REDACTED, redact_entries, redacting
from ubpanel.models import AuditRedaction, User

from .factories import PersonFactory

pytestmark = pytest.mark.django_db
POSTGRESQL = connection.vendor == "postgresql"
only_postgresql = pytest.mark.skipif(
    not POSTGRESQL, reason="the append-only trigger is PostgreSQL's (SQLite has none)"
)


def tamper(sql: str, params=()) -> None:
    """What someone able to switch the triggers off (a superuser) could do."""
    tables = ("auditlog_logentry", "ubpanel_auditseal", "ubpanel_auditredaction")
    with connection.cursor() as cursor:
        if POSTGRESQL:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER ubpanel_append_only")
        cursor.execute(sql, params)
        if POSTGRESQL:
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER ubpanel_append_only")


@pytest.fixture
def trail():
    """A sealed trail: a view of a person (with a search) between two unrelated rows."""
    person = PersonFactory(given_names="Zed", family_name="Quarrington")
    before = audit.record(audit.Event.VIEW, model=User, object_pk=1, object_repr="Someone")[0]
    [viewed] = audit.record_access(person, people=[person.pk])
    [searched] = audit.record(
        audit.Event.SEARCH,
        model=Person,
        object_repr="Schedule search",
        query="zed quarrington",
        people=[person.pk],
        path="/schedule/?q=zed+quarrington",
    )
    after = audit.record(audit.Event.VIEW, model=User, object_pk=2, object_repr="Someone else")[0]
    seal_pending()
    return person, [before, viewed, searched, after]


def test_a_redacted_chain_still_verifies(trail):
    person, (_before, viewed, searched, _after) = trail

    redactions = redact_entries([viewed, searched], person_pk=person.pk, reason="test")

    assert len(redactions) == 2
    state = walk_chain()
    assert state.held, state.problem
    assert state.entries_checked == LogEntry.objects.count()


def test_the_redacted_rows_keep_ids_event_and_path_but_not_the_name_or_the_search(trail):
    person, (_before, viewed, searched, _after) = trail

    redact_entries([viewed, searched], person_pk=person.pk, reason="test")

    viewed.refresh_from_db()
    searched.refresh_from_db()
    for entry in (viewed, searched):
        text = f"{entry.object_repr} {entry.changes} {entry.changes_text} {entry.additional_data}"
        assert "Quarrington" not in text
        assert "quarrington" not in text
        assert entry.additional_data["people"] == [person.pk]
    assert viewed.object_pk == str(person.pk)
    assert viewed.object_repr.startswith(REDACTED)
    assert searched.additional_data["event"] == "search"
    assert searched.additional_data["query"] == REDACTED
    assert searched.additional_data["path"] == "/schedule/"


def test_a_row_is_redacted_once_whoever_asks_again(trail):
    person, (_before, viewed, _searched, _after) = trail
    redact_entries([viewed], person_pk=person.pk, reason="first")

    again = redact_entries([viewed], person_pk=person.pk, reason="second")

    assert again == []
    assert AuditRedaction.objects.get(entry=viewed).reason == "first"
    assert walk_chain().held


def test_changing_a_redacted_row_afterwards_is_detected(trail):
    person, (_before, viewed, _searched, _after) = trail
    redact_entries([viewed], person_pk=person.pk, reason="test")

    tamper("UPDATE auditlog_logentry SET object_repr = %s WHERE id = %s", ["Zed again", viewed.pk])

    state = walk_chain()
    assert not state.held
    assert state.first_broken_entry_id == viewed.pk
    assert "after its redaction" in state.problem


def test_a_row_changed_without_a_redaction_still_breaks_the_chain(trail):
    _person, (_before, viewed, _searched, _after) = trail

    tamper("UPDATE auditlog_logentry SET object_repr = %s WHERE id = %s", ["Other", viewed.pk])

    state = walk_chain()
    assert not state.held
    assert state.first_broken_entry_id == viewed.pk


def test_a_redaction_whose_digest_was_changed_breaks_verification(trail):
    person, (_before, viewed, _searched, _after) = trail
    redact_entries([viewed], person_pk=person.pk, reason="test")

    tamper(
        "UPDATE ubpanel_auditredaction SET digest = %s WHERE entry_id = %s", ["0" * 64, viewed.pk]
    )

    assert walk_chain().first_broken_entry_id == viewed.pk


def test_a_row_redacted_before_it_was_sealed_joins_the_chain_redacted(db):
    person = PersonFactory(family_name="Quarrington")
    [viewed] = audit.record_access(person, people=[person.pk])

    redact_entries([viewed], person_pk=person.pk, reason="test")
    seal_pending()

    assert walk_chain().held


# --- PostgreSQL: the trigger -------------------------------------------------------------------


def _execute(sql: str, params, redacting_on: bool) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        if redacting_on:
            cursor.execute("SET LOCAL ubpanel.redacting = 'on'")
        cursor.execute(sql, params)


def refused(sql: str, params=(), *, redacting_on: bool = False) -> str:
    with pytest.raises(DatabaseError) as refusal:
        _execute(sql, params, redacting_on)
    return str(refusal.value)


@only_postgresql
def test_an_ordinary_update_of_an_audit_row_is_still_refused(trail):
    _person, (_before, viewed, _searched, _after) = trail

    message = refused("UPDATE auditlog_logentry SET object_repr = 'x' WHERE id = %s", [viewed.pk])

    assert "append-only: UPDATE on auditlog_logentry" in message


@only_postgresql
def test_a_delete_is_refused_even_while_redacting(trail):
    _person, (_before, viewed, _searched, _after) = trail

    message = refused("DELETE FROM auditlog_logentry WHERE id = %s", [viewed.pk], redacting_on=True)

    assert "append-only: DELETE on auditlog_logentry" in message
    assert LogEntry.objects.filter(pk=viewed.pk).exists()


@only_postgresql
@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("actor_email", "someone.else@council.example"),
        ("cid", "another-request"),
        ("timestamp", "2020-01-01T00:00:00Z"),
        ("remote_addr", "10.9.9.9"),
        ("object_id", 999),
        ("action", 0),
    ],
)
def test_a_redaction_that_touches_anything_but_the_redactable_columns_is_refused(
    trail, column, value
):
    _person, (_before, viewed, _searched, _after) = trail

    message = refused(
        f"UPDATE auditlog_logentry SET object_repr = 'x', {column} = %s WHERE id = %s",
        [value, viewed.pk],
        redacting_on=True,
    )

    assert "append-only: UPDATE on auditlog_logentry" in message


@only_postgresql
def test_a_redaction_of_the_redactable_columns_is_let_through(trail):
    _person, (_before, viewed, _searched, _after) = trail

    with transaction.atomic(), redacting(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE auditlog_logentry SET object_repr = 'x', changes_text = '' WHERE id = %s",
            [viewed.pk],
        )

    viewed.refresh_from_db()
    assert viewed.object_repr == "x"


@only_postgresql
def test_the_redaction_setting_ends_with_the_redaction(trail):
    _person, (_before, viewed, _searched, _after) = trail
    with transaction.atomic():
        with redacting():
            pass
        message = refused(
            "UPDATE auditlog_logentry SET object_repr = 'x' WHERE id = %s", [viewed.pk]
        )

    assert "append-only" in message


@only_postgresql
@pytest.mark.parametrize(
    "sql", ["UPDATE ubpanel_auditredaction SET reason = 'x'", "DELETE FROM ubpanel_auditredaction"]
)
def test_a_redaction_once_recorded_cannot_be_changed_or_removed(trail, sql):
    person, (_before, viewed, _searched, _after) = trail
    redact_entries([viewed], person_pk=person.pk, reason="test")

    message = refused(sql, redacting_on=True)

    assert "append-only" in message
    assert "ubpanel_auditredaction" in message


@only_postgresql
def test_a_redaction_cannot_change_who_did_it(trail, make_user):
    _person, (_before, viewed, _searched, _after) = trail
    other = make_user()

    message = refused(
        "UPDATE auditlog_logentry SET object_repr = 'x', actor_id = %s WHERE id = %s",
        [other.pk, viewed.pk],
        redacting_on=True,
    )

    assert "append-only: UPDATE on auditlog_logentry" in message
