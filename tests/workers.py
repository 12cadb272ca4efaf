"""Starting a real `celery worker` process for the worker tests: on the Redis broker, against the
PostgreSQL test database, on a queue of the test's own."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    """The test database as a URL for the worker process (SQLite's lives in this process's memory)."""
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.fail("The real-worker tests need PostgreSQL (set DATABASE_URL)")
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_start(*, queue: str, broker_url: str, stdout, **extra_env) -> subprocess.Popen:
    """`celery worker` (solo pool) consuming ``queue``, with tests.celery_tasks loaded."""
    env = {
        **os.environ,
        "DJANGO_ENV": "test",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        **extra_env,
    }
    command = [sys.executable, "-m", "celery", "-A", "ubpanel", "worker", "--pool=solo"]
    command += ["-Q", queue, "--include", "tests.celery_tasks", "--without-mingle"]
    command += ["--without-gossip", "--without-heartbeat", "-l", "warning"]
    text = stdout is subprocess.PIPE
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=stdout, stderr=subprocess.STDOUT, text=text
    )


def wait_for(condition, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False
