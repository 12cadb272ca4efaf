"""Mail never blocks or is lost (issue 13, point 7): with the broker down, a manager's referral is
still saved and answered with the success page, quickly; when the broker comes back, a real worker
running the sweeper sends each email once.

The broker is a real ``redis-server`` of the test's own on a free loopback port, first not running
(a closed port), then started; the worker is a real ``celery worker`` (``tests/workers.py``).
"""

from __future__ import annotations

import email
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.db import connection
from django.urls import reverse

from referrals.models import Referral
from ubpanel.celery import app
from ubpanel.models import Notification
from ubpanel.outbox import notifications_send_unsent
from ubpanel.roles import Role
from ubpanel.tasks import notifications_sweep

from .factories import ServiceFactory
from .test_referral_form import form_data, send_referral
from .workers import DEADLINE_SECONDS, forget_queue, wait_for, worker_start

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# The success page must not wait on the broker: publishing gives up within a couple of seconds
# (settings: CELERY_BROKER_CONNECTION_TIMEOUT, the transport's socket timeouts, one retry).
QUICKLY_SECONDS = 5.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _redis_start(port: int) -> subprocess.Popen:
    """A throwaway redis-server on ``port``; returns once it answers PING."""
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1)

    def answers() -> bool:
        if process.poll() is not None:
            pytest.fail(f"redis-server exited with status {process.returncode}")
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False

    assert wait_for(answers), f"redis-server did not answer PING within {DEADLINE_SECONDS:.0f} s"
    return process


@pytest.fixture
def broker_down(monkeypatch):
    """The app's Celery publishes to a loopback port where nothing listens (yet), not eagerly.
    Yields the broker URL; whatever was started on it is stopped afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("The real-worker tests need PostgreSQL (set DATABASE_URL)")
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    url = f"redis://127.0.0.1:{_free_port()}/0"
    # broker_write_url, as CELERY_BROKER_URL in the environment outranks conf's broker_url.
    monkeypatch.setitem(app.conf, "broker_write_url", url)
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    # Connections already pooled for the usual broker are not reused for this one (and are back
    # afterwards).
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    started: list[subprocess.Popen] = []
    yield url, started
    for process in reversed(started):
        process.terminate()
        process.wait(timeout=30)
    monkeypatch.undo()
    app._pool = None
    app.amqp._producer_pool = None


def _emails_in(folder: Path) -> list[email.message.Message]:
    """Django's file backend writes each message followed by a line of 79 dashes."""
    messages = []
    for path in sorted(folder.iterdir()):
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                messages.append(email.message_from_string(chunk.strip()))
    return messages


def test_a_referral_submitted_while_the_broker_is_down_succeeds_and_its_emails_go_once_it_is_back(
    broker_down, client, make_user, tmp_path, caplog
):
    url, started = broker_down
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    manager = make_user(Role.REFERRING_MANAGER, service=ServiceFactory(name="Housing"))
    client.force_login(manager)

    began = time.monotonic()
    response = send_referral(client, form_data())
    took = time.monotonic() - began

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:detail", args=[referral.pk])
    assert took < QUICKLY_SECONDS, f"the request waited {took:.1f} s on a broker that was down"
    assert "the sweeper will send" in caplog.text
    rows = list(Notification.objects.filter(reference=referral.reference))
    assert {row.address for row in rows} >= {manager.email, "spocassurance@council.example"}
    assert all(row.sent_at is None for row in rows)

    # The broker returns; a real worker runs the sweeper, and a duplicate send task per row.
    started.append(_redis_start(port))
    outbox = tmp_path / "emails"
    outbox.mkdir()
    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker = worker_start(
        queue=queue,
        broker_url=url,
        stdout=subprocess.PIPE,
        EMAIL_URL=f"filemail:///{outbox}",  # django-environ drops one slash
    )
    started.append(worker)
    try:
        with app.connection_for_write(url) as broker:
            notifications_sweep.apply_async(queue=queue, connection=broker)
            for row in rows:
                app.tasks["ubpanel.outbox.notification_send"].apply_async(
                    kwargs={"notification_id": row.pk}, queue=queue, connection=broker
                )
            notifications_sweep.apply_async(queue=queue, connection=broker)

        def all_sent() -> bool:
            return not Notification.objects.filter(
                reference=referral.reference, sent_at__isnull=True
            ).exists()

        assert wait_for(all_sent), "the worker did not send the outbox rows"
        # Whatever the worker has left to do finds nothing to send: the queue is drained.
        assert wait_for(lambda: redis.Redis.from_url(url).llen(queue) == 0)
        assert notifications_send_unsent() == 0
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
        started.remove(worker)
        print(output)
        forget_queue(url, queue)

    sent = _emails_in(outbox)
    assert sorted(message["To"] for message in sent) == sorted(row.address for row in rows)
    for row in Notification.objects.filter(reference=referral.reference):
        assert (row.attempts, row.sent_at is not None) == (1, True)
    for message in sent:
        assert referral.reference in message["Subject"]
        assert "Smyth" not in message["Subject"] + message.get_payload()
