"""Starting a real `celery worker` process for the worker tests: on the Redis broker, against the
PostgreSQL test database, on a queue of the test's own.

Nothing here waits a fixed time: a worker is ready when it answers a ping, and a test's condition
is polled until it holds. The deadlines are generous because starting Django and Celery can take
most of a minute on a loaded machine; a passing run never waits for them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.db import connection

from ubpanel.celery import app

ROOT = Path(__file__).resolve().parent.parent
DEADLINE_SECONDS = 120.0


def database_url() -> str:
    """The test database as a URL for the worker process (SQLite's lives in this process's memory)."""
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.fail("The real-worker tests need PostgreSQL (set DATABASE_URL)")
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_start(*, queue: str, broker_url: str, stdout, **extra_env) -> subprocess.Popen:
    """`celery worker` (solo pool) consuming ``queue``, with tests.celery_tasks loaded; returns once
    the worker answers a ping."""
    env = {
        **os.environ,
        "DJANGO_ENV": "test",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        **extra_env,
    }
    nodename = f"{queue}-{uuid.uuid4().hex[:6]}@ubpanel-tests"
    command = [sys.executable, "-m", "celery", "-A", "ubpanel", "worker", "--pool=solo"]
    command += ["-n", nodename, "-Q", queue, "--include", "tests.celery_tasks"]
    command += ["--without-mingle", "--without-gossip", "--without-heartbeat", "-l", "warning"]
    text = stdout is subprocess.PIPE
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=stdout, stderr=subprocess.STDOUT, text=text
    )
    _wait_until_answering(process, nodename, broker_url, stdout)
    return process


def _wait_until_answering(process, nodename: str, broker_url: str, stdout) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    with app.connection_for_write(broker_url) as broker:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                _fail(process, stdout, f"exited with status {process.returncode} before it")
            if app.control.ping(destination=[nodename], timeout=1.0, connection=broker):
                return
    process.terminate()
    _fail(process, stdout, f"did not answer within {DEADLINE_SECONDS:.0f} s; it was stopped and")


def _fail(process, stdout, what: str) -> None:
    if stdout is subprocess.PIPE:
        output, _ = process.communicate(timeout=30)
    else:
        process.wait(timeout=30)
        stdout.seek(0)
        output = stdout.read()
    pytest.fail(f"The Celery worker {what} answered a ping. Its output:\n{output}")


def wait_for(condition, seconds: float = DEADLINE_SECONDS) -> bool:
    """Poll ``condition`` until it holds (True) or the deadline passes (False)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def forget_queue(broker_url: str, queue: str) -> None:
    """Leave nothing of the test's queue in Redis: its list, its bindings, and any message a worker
    that died left unacknowledged (it would come back after the visibility timeout, 12 hours, to a
    queue nobody reads)."""
    client = redis.Redis.from_url(broker_url)
    for tag, raw in client.hgetall("unacked").items():
        _, _, routing_key = json.loads(raw)
        if routing_key == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
