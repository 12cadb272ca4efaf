"""Scheduled jobs: beat runs each at fixed local times (a ``crontab``), and each records its runs.

A task beat runs is written with ``@scheduled_job`` in place of ``@shared_task`` (it takes the same
options)::

    @scheduled_job
    def reviews_remind() -> int: ...

Every run - by a worker, eagerly, or called directly - records under the task's name when it
started, when it finished, whether it succeeded and when it last succeeded. The records live in
Redis (the broker, as beat's heartbeat does; Django's cache when there is no broker: the embedded
demo, which has no beat). Recording never stops a job: if Redis does not answer, the job runs
unrecorded and a warning is logged.

``/healthz/ready`` reads them (``ubpanel/health.py``, ``late_jobs``): a job is late when the first
time its schedule made it due after its last successful run has passed by more than
``HEALTHZ_JOB_GRACE_SECONDS``. A job that has never succeeded is measured from when it was first
seen (the first readiness check that looked for it), so a fresh install, or a job added by a
deploy, is not late before its first run was even due.
"""

from __future__ import annotations

import calendar
import dataclasses
import functools
import logging
import re
import time
from datetime import date, datetime

import redis
from celery import Task, current_app, shared_task
from celery.schedules import maybe_schedule
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

PREFIX = "ubpanel:jobs:"
CLOCK_SKEW_SECONDS = 30


# --- Where the records live ----------------------------------------------------------------------
@functools.lru_cache(maxsize=4)
def _redis(url: str) -> redis.Redis:
    # One client (and its connection pool) per broker URL, shared by every run and check.
    return redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)


class _RedisStore:
    def __init__(self, url: str):
        self.client = _redis(url)

    def get_many(self, keys: list[str]) -> list[str | None]:
        return [None if v is None else v.decode() for v in self.client.mget(keys)]

    def set_many(self, values: dict[str, str]) -> None:
        self.client.mset(values)

    def add(self, key: str, value: str, *, ttl: int | None = None) -> bool:
        return bool(self.client.set(key, value, nx=True, ex=ttl))

    def delete_prefixed(self, prefix: str) -> None:
        keys = list(self.client.scan_iter(match=f"{prefix}*"))
        if keys:
            self.client.delete(*keys)


class _CacheStore:
    def get_many(self, keys: list[str]) -> list[str | None]:
        found = cache.get_many(keys)
        return [found.get(key) for key in keys]

    def set_many(self, values: dict[str, str]) -> None:
        cache.set_many(values, timeout=None)

    def add(self, key: str, value: str, *, ttl: int | None = None) -> bool:
        return cache.add(key, value, timeout=ttl)

    def delete_prefixed(self, prefix: str) -> None:
        cache.clear()  # the local-memory cache holds nothing else worth keeping


def store() -> _RedisStore | _CacheStore:
    if settings.CELERY_BROKER_URL:
        return _RedisStore(settings.CELERY_BROKER_URL)
    return _CacheStore()


def once(key: str, *, every_seconds: int) -> bool:
    """True the first time ``key`` is asked for, then again only once ``every_seconds`` have passed:
    for telling someone about a lasting problem without telling them every time a job runs. If
    the store does not answer, True (better told twice than never)."""
    try:
        return store().add(f"{PREFIX}once:{key}", "1", ttl=every_seconds)
    except redis.RedisError:
        return True


# --- A job's runs --------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class JobRun:
    """What is known of a job's runs, as Unix times (None: not yet)."""

    started: float | None
    finished: float | None
    ok: bool | None  # how the last finished run ended
    succeeded: float | None  # when the last successful run started
    first_seen: float | None


FIELDS = ("started", "finished", "ok", "succeeded", "first_seen")


def _key(name: str, field: str) -> str:
    return f"{PREFIX}{name}:{field}"


def last_run(name: str) -> JobRun:
    values = store().get_many([_key(name, field) for field in FIELDS])
    started, finished, ok, succeeded, first_seen = (
        None if value is None else float(value) for value in values
    )
    return JobRun(started, finished, None if ok is None else bool(ok), succeeded, first_seen)


def _record(name: str, values: dict[str, float]) -> None:
    try:
        store().set_many({_key(name, field): repr(value) for field, value in values.items()})
    except redis.RedisError:
        logger.warning("The run of scheduled job %s could not be recorded", name)


def run_started(name: str) -> float:
    now = time.time()
    _record(name, {"started": now})
    return now


def run_finished(name: str, *, started: float, ok: bool) -> None:
    values = {"finished": time.time(), "ok": 1.0 if ok else 0.0}
    if ok:
        values["succeeded"] = started
    _record(name, values)


def seen(name: str) -> None:
    """The job is known to this install from now on (its lateness counts from here until it runs)."""
    store().add(_key(name, "first_seen"), repr(time.time()))


def forget_all() -> None:
    """Remove every record (tests)."""
    store().delete_prefixed(PREFIX)


class ScheduledJob(Task):
    """A Celery task that records each run (Celery calls a task's own ``__call__`` in the worker
    and eagerly alike)."""

    def __call__(self, *args, **kwargs):
        started = run_started(self.name)
        try:
            result = super().__call__(*args, **kwargs)
        except BaseException:
            run_finished(self.name, started=started, ok=False)
            raise
        run_finished(self.name, started=started, ok=True)
        return result


def scheduled_job(fn=None, **options):
    """``@shared_task`` for a job beat runs: each run is recorded (see the module's docstring)."""
    options.setdefault("base", ScheduledJob)
    if fn is None:
        return shared_task(**options)
    return shared_task(**options)(fn)


# --- When a job is due ---------------------------------------------------------------------------
def next_due(schedule, after: float) -> float:
    """The first time ``schedule`` (a beat entry's: crontab, or seconds) makes a job due after
    the Unix time ``after``."""
    schedule = maybe_schedule(schedule, app=current_app)  # in the project's time zone
    moment = datetime.fromtimestamp(after, tz=schedule.tz)
    # remaining_estimate is "next run after moment" less now: add now back.
    return time.time() + schedule.remaining_estimate(moment).total_seconds()


def late_jobs(beat_schedule: dict, *, grace_seconds: int) -> list[str]:
    """The names of the beat entries whose job is late (see the module's docstring)."""
    late = []
    now = time.time()
    for entry_name, entry in beat_schedule.items():
        task = entry["task"]
        run = last_run(task)
        since = run.succeeded or run.first_seen
        if since is None:
            seen(task)
            continue
        # A run that started just before its due time (a worker's clock a little behind beat's)
        # still counts as that run.
        if next_due(entry["schedule"], since + CLOCK_SKEW_SECONDS) + grace_seconds < now:
            late.append(entry_name)
    return sorted(late)


# --- "The first Tuesday of the month at 10:00" ---------------------------------------------------
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
_MONTHLY = re.compile(
    rf"^\s*({'|'.join(ORDINALS)})\s+({'|'.join(WEEKDAYS)})\s+([01]?\d|2[0-3]):([0-5]\d)\s*$",
    re.IGNORECASE,
)


@dataclasses.dataclass(frozen=True)
class MonthlyDay:
    """A day of each month named the way people name it: "first tuesday 10:00", "last friday
    14:30". Weekdays only: the panel meets in working hours."""

    ordinal: int  # 1 to 4, or -1 for the last
    weekday: int  # Monday is 0
    hour: int
    minute: int

    @classmethod
    def parse(cls, text: str) -> MonthlyDay:
        match = _MONTHLY.match(text)
        if match is None:
            raise ValueError(
                f"{text!r} is not a day of the month such as 'first tuesday 10:00': "
                f"say {', '.join(ORDINALS)}, then a weekday (monday to friday), then HH:MM"
            )
        ordinal, weekday, hour, minute = match.groups()
        return cls(
            ORDINALS[ordinal.lower()], WEEKDAYS.index(weekday.lower()), int(hour), int(minute)
        )

    def in_month(self, year: int, month: int) -> date:
        days = [
            day
            for day in calendar.Calendar().itermonthdates(year, month)
            if day.month == month and day.weekday() == self.weekday
        ]
        return days[-1] if self.ordinal == -1 else days[self.ordinal - 1]

    def months_from(self, day: date):
        """This rule's date in ``day``'s month, then in each month after it, for ever."""
        year, month = day.year, day.month
        while True:
            yield self.in_month(year, month)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
