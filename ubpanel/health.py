"""Health checks for the load balancer, docker-compose and monitoring, built on django-health-check.

- ``/healthz/live``: the process answers. No database, no broker: a restart would not fix those.
- ``/healthz/ready``: the database answers, the Redis broker answers, the private storage (evidence
  and letters) takes a file, and beat's heartbeat is recent. Beat queues ``beat_heartbeat`` every
  minute and a worker runs it, writing the time to Redis, so a recent heartbeat shows beat and a
  worker are both running. And no scheduled job is late: each records its runs
  (``ubpanel.jobs``), and a job whose first due time after its last successful run is more than
  ``HEALTHZ_JOB_GRACE_SECONDS`` past is named (by its beat entry) as late.

Both answer without signing in and say nothing about anyone: check names and "ok" or the failure.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time

import redis
import redis.asyncio
from django.conf import settings
from django.http import JsonResponse
from health_check.base import HealthCheck
from health_check.checks import Database, Storage
from health_check.contrib.redis import Redis
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from .jobs import late_jobs, scheduled_job

HEARTBEAT_KEY = "ubpanel:beat:heartbeat"


def _broker() -> redis.Redis:
    return redis.Redis.from_url(
        settings.CELERY_BROKER_URL, socket_connect_timeout=3, socket_timeout=3
    )


@scheduled_job
def beat_heartbeat() -> None:
    """Beat's pulse, run by a worker every minute: the time it ran, for ``/healthz/ready``."""
    if settings.CELERY_BROKER_URL:
        _broker().set(HEARTBEAT_KEY, str(time.time()))


def heartbeat_age() -> float | None:
    """Seconds since beat's heartbeat last ran; None if it never has."""
    value = _broker().get(HEARTBEAT_KEY)
    return None if value is None else time.time() - float(value)


@dataclasses.dataclass
class BeatHeartbeat(HealthCheck):
    """Beat's last heartbeat is no older than ``HEALTHZ_BEAT_MAX_AGE_SECONDS``."""

    def run(self) -> None:
        try:
            age = heartbeat_age()
        except redis.RedisError as error:
            raise ServiceUnavailable("Redis did not answer") from error
        if age is None:
            raise ServiceUnavailable("beat has not run yet")
        if age > settings.HEALTHZ_BEAT_MAX_AGE_SECONDS:
            raise ServiceUnavailable(f"beat last ran {int(age)} seconds ago")


@dataclasses.dataclass
class ScheduledJobs(HealthCheck):
    """No job of the beat schedule is late (``ubpanel.jobs.late_jobs``)."""

    def run(self) -> None:
        try:
            late = late_jobs(
                settings.CELERY_BEAT_SCHEDULE, grace_seconds=settings.HEALTHZ_JOB_GRACE_SECONDS
            )
        except redis.RedisError as error:
            raise ServiceUnavailable("Redis did not answer") from error
        if late:
            raise ServiceUnavailable("late: " + ", ".join(late))


def ready_checks() -> dict[str, HealthCheck]:
    """What ``/healthz/ready`` checks, by the name it reports. Without a broker (the embedded demo
    runs tasks in-process) there is no broker and no beat to check."""
    checks: dict[str, HealthCheck] = {
        "database": Database(),
        "private_storage": Storage(alias="private"),
    }
    if settings.CELERY_BROKER_URL:
        checks["broker"] = Redis(
            client_factory=lambda: redis.asyncio.Redis.from_url(
                settings.CELERY_BROKER_URL, socket_connect_timeout=3, socket_timeout=3
            )
        )
        checks["beat"] = BeatHeartbeat()
        checks["scheduled_jobs"] = ScheduledJobs()
    return checks


class ReadyView(HealthCheckView):
    """django-health-check's view, answering JSON with our names for the checks (its own names
    carry host names and ports, which anonymous callers need not know)."""

    async def get(self, request, *args, **kwargs):
        checks = ready_checks()
        with self.get_executor() as executor:
            results = await asyncio.gather(
                *(check.get_result(executor) for check in checks.values())
            )
        answers = {
            name: "ok" if result.error is None else str(result.error)
            for name, result in zip(checks, results, strict=True)
        }
        failing = any(result.error for result in results)
        return JsonResponse(
            {"status": "failing" if failing else "ok", "checks": answers},
            status=503 if failing else 200,
        )


def live(request):
    """The process is up and answering. Nothing else is checked."""
    return JsonResponse({"status": "ok"})
