"""A real Celery worker, in its own process, on the Redis broker and the test database."""

import subprocess
import uuid

import pytest
from auditlog.models import LogEntry

from ubpanel.audit import acting_as
from ubpanel.celery import app

from .celery_tasks import person_rename_for_test
from .factories import PersonFactory, UserFactory
from .workers import forget_queue, wait_for, worker_start

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(broker_url):
    """Start `celery worker` on a queue of its own; yield the queue name."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    process = worker_start(queue=queue, broker_url=broker_url, stdout=subprocess.PIPE)
    yield queue
    process.terminate()
    output, _ = process.communicate(timeout=30)
    print(output)
    forget_queue(broker_url, queue)


def test_a_real_worker_runs_a_task_and_audits_it_as_the_user_who_queued_it(worker, monkeypatch):
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    user = UserFactory()
    person = PersonFactory(family_name="Before")

    with acting_as(user):
        person_rename_for_test.apply_async(args=[person.pk, "After"], queue=worker)

    assert wait_for(lambda: person.__class__.objects.get(pk=person.pk).family_name == "After")
    change = LogEntry.objects.filter(
        object_pk=str(person.pk), action=LogEntry.Action.UPDATE
    ).latest("pk")
    assert change.changes["family_name"] == ["Before", "After"]
    assert change.actor == user


def test_a_task_queued_with_no_one_acting_is_audited_without_an_actor(worker, monkeypatch):
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    person = PersonFactory(family_name="Before")

    person_rename_for_test.apply_async(args=[person.pk, "System"], queue=worker)

    assert wait_for(lambda: person.__class__.objects.get(pk=person.pk).family_name == "System")
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
