"""The audit trail's hash chain: every entry sealed in commit order, a nightly check that walks
it, tells the Information Asset Owner of a break, records the result, and the viewer shows it."""

import re
import threading

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.urls import reverse

from ubpanel import audit, audit_chain
from ubpanel.audit_chain import GENESIS, seal_pending, walk_chain
from ubpanel.models import AuditSeal, AuditVerification, User
from ubpanel.roles import Role
from ubpanel.tasks import audit_chain_verify

pytestmark = pytest.mark.django_db
AUDIT_URL = reverse("audit_list")
POSTGRESQL = connection.vendor == "postgresql"


def write_entries(count: int, repr_prefix: str = "Record") -> list[LogEntry]:
    return [
        audit.record(audit.Event.VIEW, model=User, object_pk=n, object_repr=f"{repr_prefix} {n}")[0]
        for n in range(count)
    ]


def tamper(sql: str, params=()) -> None:
    """What someone able to switch the trigger off (a superuser) could do."""
    tables = ("auditlog_logentry", "ubpanel_auditseal")
    with connection.cursor() as cursor:
        if POSTGRESQL:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks: ALTER may run
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER ubpanel_append_only")
        cursor.execute(sql, params)
        if POSTGRESQL:
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER ubpanel_append_only")


@pytest.fixture
def chair(make_user):
    """The Information Asset Owner."""
    return make_user(Role.PANEL_CHAIR, username="chair", email="chair@council.example")


def chain_notice(client) -> str:
    page = client.get(AUDIT_URL).content.decode()
    start = page.index('data-testid="audit-chain"')
    end = min(i for i in (page.find("</p>", start), page.find("</div>", start)) if i > 0)
    return " ".join(re.sub(r"<[^>]+>", " ", page[start:end]).split())


def test_entries_are_sealed_in_order_each_link_naming_the_one_before():
    entries = write_entries(3)

    assert seal_pending() == 3

    seals = list(AuditSeal.objects.order_by("pk"))
    assert [seal.entry_id for seal in seals] == [entry.pk for entry in entries]
    assert seals[0].previous_hash == GENESIS
    assert [seal.previous_hash for seal in seals[1:]] == [seal.hash for seal in seals[:-1]]
    assert seal_pending() == 0


def test_an_entry_is_sealed_once_its_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        write_entries(2)
        LogEntry.objects.log_create(
            User.objects.create(username="new"), action=LogEntry.Action.CREATE, changes={}
        )

    assert len(callbacks) == 1  # once per transaction, however many entries
    assert not LogEntry.objects.filter(seal__isnull=True).exists()


def test_an_intact_chain_holds_and_the_viewer_says_when_it_was_verified(chair, client, mailoutbox):
    write_entries(5)

    assert audit_chain_verify.delay().get() is True

    result = AuditVerification.objects.get()
    total = LogEntry.objects.count()  # the five, and the chair's account being created
    assert (result.held, result.entries_checked, result.problem) == (True, total, "")
    assert mailoutbox == []
    client.force_login(chair)
    notice = chain_notice(client)
    assert "was last verified on" in notice
    assert f"it held ({total} entries" in notice


def test_the_viewer_says_when_the_chain_has_not_been_verified_yet(auditor_client):
    assert "has not been verified yet" in chain_notice(auditor_client)


def test_an_altered_entry_breaks_the_chain_and_the_nightly_task_tells_the_owner(
    chair, client, mailoutbox, settings, make_user, django_capture_on_commit_callbacks
):
    make_user(
        Role.PANEL_CHAIR, username="former_chair", email="former@council.example", is_active=False
    )
    entries = write_entries(4, repr_prefix="Jonathan Smyth")
    seal_pending()
    tamper("UPDATE auditlog_logentry SET object_repr = %s WHERE id = %s", ["Nobody", entries[2].pk])

    # The email is an outbox row, queued once the task's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        assert audit_chain_verify.delay().get() is False

    result = AuditVerification.objects.get()
    assert (result.held, result.first_broken_entry_id) == (False, entries[2].pk)
    assert result.problem == f"audit entry {entries[2].pk} was altered"
    assert result.entries_checked == LogEntry.objects.filter(pk__lt=entries[2].pk).count()
    [email] = mailoutbox
    assert email.to == ["chair@council.example"]
    assert settings.SITE_URL + AUDIT_URL in email.body
    assert "Smyth" not in email.subject + email.body
    assert "Nobody" not in email.body
    client.force_login(chair)
    notice = chain_notice(client)
    assert "did not hold" in notice
    assert f"audit entry {entries[2].pk} was altered" in notice


def test_a_removed_entry_breaks_the_chain(chair):
    entries = write_entries(3)
    seal_pending()
    tamper("DELETE FROM ubpanel_auditseal WHERE entry_id = %s", [entries[1].pk])
    tamper("DELETE FROM auditlog_logentry WHERE id = %s", [entries[1].pk])

    audit_chain_verify()

    result = AuditVerification.objects.get()
    assert not result.held
    assert result.problem == f"the link before audit entry {entries[2].pk} is missing"


def test_the_nightly_task_seals_what_was_left_unsealed_before_walking():
    write_entries(2)
    assert not AuditSeal.objects.exists()

    assert audit_chain_verify() is True
    assert AuditSeal.objects.count() == 2


def test_after_a_commit_one_batch_is_sealed_and_the_nightly_check_seals_the_rest(monkeypatch):
    """A trail that has no links yet (an upgrade) does not hold up one request: the rest waits."""
    monkeypatch.setattr(audit_chain, "BATCH", 2)
    write_entries(5)

    assert seal_pending() == 2
    assert seal_pending(everything=True) == 3
    assert walk_chain().held


def seal_by_hand(entry: LogEntry, previous: str = GENESIS) -> str:
    """A link for ``entry`` alone, as if its transaction had committed and sealed first."""
    row = LogEntry.objects.filter(pk=entry.pk).values(*audit_chain.SEALED_FIELDS).get()
    digest = audit_chain.entry_digest(previous, row)
    AuditSeal.objects.create(entry_id=entry.pk, previous_hash=previous, hash=digest)
    return digest


def test_a_sealer_after_commit_looks_only_above_the_chain_and_its_own_first_entry():
    """A sealer after commit reads an index range at the top of the trail, not the whole trail:
    an entry below everything sealed, not its own, is left to the nightly check; the entry its own
    transaction wrote below the top (committed late) is sealed."""
    forgotten, late, early = write_entries(3)
    seal_by_hand(early)

    assert seal_pending() == 0  # nothing above the top of the chain
    assert seal_pending(from_id=late.pk) == 1  # the late transaction's own entry
    assert list(AuditSeal.objects.order_by("pk").values_list("entry_id", flat=True)) == [
        early.pk,
        late.pk,
    ]
    assert LogEntry.objects.filter(seal__isnull=True).get() == forgotten
    assert seal_pending(everything=True) == 1
    assert walk_chain().held


def test_one_sealer_per_transaction_starts_at_its_lowest_entry(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        first, second = write_entries(2)
        audit.record_access([User.objects.create(username="seen")], audit.Event.VIEW)

    [sealer] = callbacks
    assert (sealer.from_id, sealer.unknown) == (first.pk, False)
    seal_by_hand(LogEntry.objects.order_by("-pk").first())  # a later transaction sealed first
    sealer()
    assert not LogEntry.objects.filter(seal__isnull=True).exists()


def test_a_sealer_that_was_not_told_its_entries_looks_at_the_whole_trail():
    forgotten, top = write_entries(2)
    seal_by_hand(top)
    audit_chain.schedule_sealing()  # joins the test transaction's sealer, which never commits

    [sealer] = [
        item[1] for item in connection.run_on_commit if item[1].__class__.__name__ == "_Sealer"
    ]
    assert sealer.unknown
    sealer()
    assert not LogEntry.objects.filter(seal__isnull=True).exists()
    assert forgotten.seal


def test_a_bulk_write_is_sealed_wholly_by_its_own_commit_a_batch_at_a_time(monkeypatch):
    """More rows than a batch: the transaction's sealer goes on to the top, each batch in a short
    transaction of its own, rather than leaving the rest to the requests after it."""
    monkeypatch.setattr(audit_chain, "BATCH", 2)
    seal_by_hand(write_entries(1)[0])
    written = write_entries(5)

    assert seal_pending(from_id=written[0].pk) == 5
    assert not LogEntry.objects.filter(seal__isnull=True).exists()
    assert walk_chain().held


def test_a_sealer_that_knows_its_entries_leaves_an_unlinked_trail_below_them_to_the_nightly_check(
    monkeypatch,
):
    """A trail upgraded without links: a commit seals its own rows and those above, not the
    whole old trail in one request."""
    monkeypatch.setattr(audit_chain, "BATCH", 2)
    old = write_entries(4)
    mine = write_entries(3)

    assert seal_pending(from_id=mine[0].pk) == 3
    assert set(LogEntry.objects.filter(seal__isnull=True)) == set(old)
    assert seal_pending(everything=True) == 4
    assert walk_chain().held


def test_writing_nothing_schedules_no_sealer(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        audit_chain.schedule_sealing([])
    assert callbacks == []


def test_the_management_command_verifies_on_demand(capsys):
    write_entries(2)

    call_command("audit_verify")

    assert f"The audit chain held: {LogEntry.objects.count()} entries" in capsys.readouterr().out
    entries = LogEntry.objects.order_by("pk")
    tamper("UPDATE auditlog_logentry SET cid = 'forged' WHERE id = %s", [entries[0].pk])
    with pytest.raises(CommandError, match="was altered"):
        call_command("audit_verify")


@pytest.mark.skipif(not POSTGRESQL, reason="concurrent writers need PostgreSQL (CI runs on it)")
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_valid_chain():
    """Eight writers commit audit rows at once, each sealing after its commit: every entry ends in
    one chain, with no fork and no entry left out, before any nightly pass."""
    writers, per_writer = 8, 15
    start = threading.Barrier(writers)
    failures = []

    def writer(n):
        try:
            start.wait(timeout=30)
            for i in range(per_writer):
                with transaction.atomic():
                    audit.record(
                        audit.Event.VIEW, model=User, object_pk=i, object_repr=f"writer {n}"
                    )
                    audit.record(audit.Event.LIST, model=User, object_pk=i, object_repr="second")
        except Exception as error:  # reported below, in the test's own thread
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    assert LogEntry.objects.count() == writers * per_writer * 2
    assert not LogEntry.objects.filter(seal__isnull=True).exists()
    state = walk_chain()
    assert (state.held, state.entries_checked) == (True, writers * per_writer * 2)


@pytest.mark.skipif(not POSTGRESQL, reason="two open transactions need PostgreSQL (CI runs on it)")
@pytest.mark.django_db(transaction=True)
def test_an_entry_committed_after_a_later_one_was_sealed_is_sealed_by_its_own_commit():
    """A transaction takes an entry id, another takes a higher one and commits and seals first;
    when the first commits, its sealer finds its own entry below the top of the chain."""
    written, release = threading.Event(), threading.Event()
    failures = []

    def slow_writer():
        try:
            with transaction.atomic():
                audit.record(audit.Event.VIEW, model=User, object_pk=1, object_repr="slow")
                written.set()
                assert release.wait(timeout=60)
        except Exception as error:  # reported below, in the test's own thread
            failures.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert written.wait(timeout=60)
    fast = audit.record(audit.Event.VIEW, model=User, object_pk=2, object_repr="fast")[0]
    assert AuditSeal.objects.filter(entry_id=fast.pk).exists()  # sealed at once, on its commit
    release.set()
    thread.join(timeout=60)

    assert failures == []
    slow = LogEntry.objects.get(object_repr="slow")
    assert slow.pk < fast.pk
    assert AuditSeal.objects.filter(entry_id=slow.pk).exists()
    state = walk_chain()
    assert (state.held, state.entries_checked) == (True, 2)
