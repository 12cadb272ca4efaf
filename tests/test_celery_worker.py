"""A real Celery worker, in its own process, on the Redis broker and the test database."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.db import connection

from ubpanel.audit import acting_as
from ubpanel.celery import app

from .celery_tasks import person_rename_for_test
from .factories import PersonFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.fail(
            "The real-worker test needs PostgreSQL (set DATABASE_URL): SQLite's test database lives in memory"
        )
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(broker_url):
    """Start `celery worker` on a queue of its own; yield the queue name."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_ENV": "test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "ubpanel",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--include",
            "tests.celery_tasks",
            "--without-mingle",
            "--without-gossip",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield queue
    process.terminate()
    output, _ = process.communicate(timeout=30)
    print(output)


def _wait_for(condition, seconds=30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_real_worker_runs_a_task_and_audits_it_as_the_user_who_queued_it(worker, monkeypatch):
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    user = UserFactory()
    person = PersonFactory(family_name="Before")

    with acting_as(user):
        person_rename_for_test.apply_async(args=[person.pk, "After"], queue=worker)

    assert _wait_for(lambda: person.__class__.objects.get(pk=person.pk).family_name == "After")
    change = LogEntry.objects.filter(
        object_pk=str(person.pk), action=LogEntry.Action.UPDATE
    ).latest("pk")
    assert change.changes["family_name"] == ["Before", "After"]
    assert change.actor == user


def test_a_task_queued_with_no_one_acting_is_audited_without_an_actor(worker, monkeypatch):
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    person = PersonFactory(family_name="Before")

    person_rename_for_test.apply_async(args=[person.pk, "System"], queue=worker)

    assert _wait_for(lambda: person.__class__.objects.get(pk=person.pk).family_name == "System")
    change = LogEntry.objects.filter(
        object_pk=str(person.pk), action=LogEntry.Action.UPDATE
    ).latest("pk")
    assert change.actor is None


def test_tasks_run_in_process_without_a_broker_and_keep_the_callers_actor(db, settings):
    user = UserFactory()
    person = PersonFactory(family_name="Before")

    with acting_as(user):
        person_rename_for_test.delay(person.pk, "Eager")

    change = LogEntry.objects.filter(
        object_pk=str(person.pk), action=LogEntry.Action.UPDATE
    ).latest("pk")
    assert change.actor == user
