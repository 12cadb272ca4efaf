"""/healthz/live and /healthz/ready: for the load balancer, docker-compose and monitoring (issue 12).

Live is the process alone. Ready checks the database, the Redis broker, the private storage,
beat's heartbeat and that no scheduled job is late (tests/test_scheduled_jobs.py), against the real
PostgreSQL (or SQLite) and Redis of the run.
"""

import subprocess
import time
import uuid

import pytest
import redis
from celery.schedules import crontab
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from ubpanel import health, jobs

from .mail import keep_private_files_in
from .workers import forget_queue, wait_for, worker_start

pytestmark = pytest.mark.django_db(transaction=True)

READY_FIELDS = {"database", "private_storage", "broker", "beat", "scheduled_jobs"}


@pytest.fixture
def broker(broker_url):
    """The run's Redis broker, with beat's heartbeat and the scheduled jobs' records cleared
    before and after the test."""
    client = redis.Redis.from_url(broker_url)
    client.delete(health.HEARTBEAT_KEY)
    with override_settings(CELERY_BROKER_URL=broker_url):
        jobs.forget_all()
        yield client
        jobs.forget_all()
    client.delete(health.HEARTBEAT_KEY)


def test_live_answers_without_signing_in_and_checks_nothing_else(client):
    # A broker that answers nobody: live does not care.
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0"):
        response = client.get(reverse("healthz_live"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert response["X-Request-ID"]


def test_ready_is_ok_when_everything_answers_and_beat_ran_a_minute_ago(client, broker):
    broker.set(health.HEARTBEAT_KEY, str(time.time() - 60))

    response = client.get(reverse("healthz_ready"))

    assert response.status_code == 200, response.content
    assert response.json() == {
        "status": "ok",
        "checks": {name: "ok" for name in READY_FIELDS},
    }
    assert "no-cache" in response["Cache-Control"]


def test_the_beat_task_writes_the_heartbeat_ready_reads(client, broker):
    assert client.get(reverse("healthz_ready")).json()["checks"]["beat"] == (
        "Unavailable: beat has not run yet"
    )

    health.beat_heartbeat.delay()

    response = client.get(reverse("healthz_ready"))
    assert response.status_code == 200
    assert response.json()["checks"]["beat"] == "ok"


def test_ready_fails_when_beat_last_ran_longer_ago_than_allowed(client, broker):
    broker.set(health.HEARTBEAT_KEY, str(time.time() - 11 * 60))

    with override_settings(HEALTHZ_BEAT_MAX_AGE_SECONDS=10 * 60):
        response = client.get(reverse("healthz_ready"))

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["checks"]["beat"].startswith("Unavailable: beat last ran 6")
    assert body["checks"]["database"] == "ok"


@pytest.mark.worker
def test_a_real_worker_knows_the_heartbeat_task_and_writes_it(broker, broker_url, monkeypatch):
    """The worker imports ubpanel.health (CELERY_IMPORTS) without anything else loading it."""
    monkeypatch.setitem(health.beat_heartbeat.app.conf, "task_always_eager", False)
    queue = f"test-{uuid.uuid4().hex[:8]}"
    process = worker_start(queue=queue, broker_url=broker_url, stdout=subprocess.PIPE)
    try:
        health.beat_heartbeat.apply_async(queue=queue)

        # The run is recorded as finished after the heartbeat is written (ubpanel.jobs).
        assert wait_for(lambda: jobs.last_run("ubpanel.health.beat_heartbeat").ok is not None)
    finally:
        process.terminate()
        process.communicate(timeout=30)
        forget_queue(broker_url, queue)
    assert health.heartbeat_age() < 60
    assert jobs.last_run("ubpanel.health.beat_heartbeat").ok is True


def test_beat_runs_every_minute_well_inside_the_allowed_age():
    [entry] = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "ubpanel.health.beat_heartbeat"
    ]

    assert entry["schedule"] == crontab()  # every minute, on the minute
    assert settings.HEALTHZ_BEAT_MAX_AGE_SECONDS > 60
    assert "ubpanel.health" in settings.CELERY_IMPORTS  # the worker knows the task


def test_ready_fails_when_the_broker_does_not_answer(client):
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0"):
        response = client.get(reverse("healthz_ready"))

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["broker"].startswith("Unavailable")
    assert checks["beat"] == checks["scheduled_jobs"] == "Unavailable: Redis did not answer"
    assert checks["database"] == checks["private_storage"] == "ok"


def test_ready_fails_when_the_private_storage_cannot_be_written(
    client, broker, tmp_path, monkeypatch
):
    broker.set(health.HEARTBEAT_KEY, str(time.time()))
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    # Even root cannot make a folder inside a file.
    keep_private_files_in(monkeypatch, blocker / "private")

    response = client.get(reverse("healthz_ready"))

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["private_storage"] != "ok"
    assert {name for name, state in checks.items() if state == "ok"} == READY_FIELDS - {
        "private_storage"
    }


def test_without_a_broker_ready_checks_the_database_and_storage_only(client):
    with override_settings(CELERY_BROKER_URL=""):
        response = client.get(reverse("healthz_ready"))

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "private_storage": "ok"},
    }


def test_ready_tells_an_anonymous_caller_nothing_about_hosts_or_people(client, broker):
    broker.set(health.HEARTBEAT_KEY, str(time.time()))

    text = client.get(reverse("healthz_ready")).content.decode()

    assert "127.0.0.1" not in text
    assert "6379" not in text
    assert "postgres" not in text.lower()
