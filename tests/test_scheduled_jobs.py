"""Scheduled jobs run at fixed times and record their runs; /healthz/ready names a late one
(issue 13, point 6).

Every beat entry is a crontab (a redeploy does not restart its count); every job beat runs records
each run, however it is run; a job is late once the first time it was due after its last
successful run - or, never having run, after it was first seen - is HEALTHZ_JOB_GRACE_SECONDS past.
"""

import importlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import redis
import time_machine
from celery import current_app
from celery.schedules import crontab
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from ubpanel import health, jobs
from ubpanel.settings.worker import every_minutes

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
DAILY = {"reviews-remind": {"task": "tests.daily_job", "schedule": crontab(hour=7, minute=0)}}
WEEKLY = {
    "escalate": {
        "task": "tests.weekly_job",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon"),
    }
}


def at(*moment) -> datetime:
    return datetime(*moment, tzinfo=LONDON)


@jobs.scheduled_job(name="tests.daily_job")
def daily_job(fail: bool = False) -> str:
    if fail:
        raise RuntimeError("the job went wrong")
    return "done"


@pytest.fixture(autouse=True)
def _no_records():
    jobs.forget_all()
    yield
    jobs.forget_all()


@pytest.fixture
def broker(broker_url):
    """Readiness checks the jobs only with a broker: the run's Redis, heartbeat fresh."""
    with override_settings(CELERY_BROKER_URL=broker_url):
        jobs.forget_all()
        yield redis.Redis.from_url(broker_url)
        jobs.forget_all()
        redis.Redis.from_url(broker_url).delete(health.HEARTBEAT_KEY)


def _ready_jobs(client, broker) -> tuple[int, str]:
    """The status of /healthz/ready and what it says of the scheduled jobs (beat's heartbeat made
    fresh, so only the jobs can fail it)."""
    health.beat_heartbeat()
    response = client.get(reverse("healthz_ready"))
    return response.status_code, response.json()["checks"]["scheduled_jobs"]


# --- Fixed times ---------------------------------------------------------------------------------
def test_every_beat_entry_runs_at_fixed_times():
    intervals = {
        name: entry["schedule"]
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
        if not isinstance(entry["schedule"], crontab)
    }
    assert intervals == {}


def test_reminders_go_out_at_seven_local_time():
    schedule = settings.CELERY_BEAT_SCHEDULE["reviews-remind"]["schedule"]
    assert (schedule.hour, schedule.minute) == ({7}, {0})
    assert settings.CELERY_TIMEZONE == "Europe/London"


def test_every_job_beat_runs_records_its_runs():
    not_recorded = []
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        importlib.import_module(entry["task"].rpartition(".")[0])
        task = current_app.tasks.get(entry["task"])
        if not isinstance(task, jobs.ScheduledJob):
            not_recorded.append(name)  # written with @shared_task, not @scheduled_job (or missing)
    assert not_recorded == []


def test_the_mailbox_poll_is_every_so_many_minutes_past_the_hour():
    assert every_minutes(300) == crontab(minute="*/5")
    assert every_minutes(20) == crontab(minute="*/1")
    assert every_minutes(3600) == every_minutes(7200) == crontab(minute=0)


# --- Each run is recorded ------------------------------------------------------------------------
def test_a_run_records_its_start_finish_and_success_also_when_run_eagerly():
    assert jobs.last_run("tests.daily_job") == jobs.JobRun(None, None, None, None, None)

    with time_machine.travel(at(2026, 3, 2, 7, 0, 5), tick=False):
        assert daily_job.delay().get() == "done"

    run = jobs.last_run("tests.daily_job")
    started = at(2026, 3, 2, 7, 0, 5).timestamp()
    assert run == jobs.JobRun(started, started, True, started, None)


def test_a_failed_run_is_recorded_as_failed_and_keeps_the_last_success():
    with time_machine.travel(at(2026, 3, 2, 7, 0), tick=False):
        daily_job()
    with time_machine.travel(at(2026, 3, 3, 7, 0), tick=False), pytest.raises(RuntimeError):
        daily_job(fail=True)

    run = jobs.last_run("tests.daily_job")
    assert run.started == at(2026, 3, 3, 7, 0).timestamp()
    assert run.ok is False
    assert run.succeeded == at(2026, 3, 2, 7, 0).timestamp()


def test_a_job_runs_even_when_its_run_cannot_be_recorded():
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0"):
        assert daily_job() == "done"


# --- Late ----------------------------------------------------------------------------------------
@override_settings(CELERY_BEAT_SCHEDULE=DAILY, HEALTHZ_JOB_GRACE_SECONDS=30 * 60)
def test_a_job_that_never_ran_is_not_late_until_its_first_run_was_due(client, broker):
    # A fresh install at 06:00: the job is first seen, its first run is due at 07:00.
    with time_machine.travel(at(2026, 3, 2, 6, 0), tick=False):
        assert _ready_jobs(client, broker) == (200, "ok")
    with time_machine.travel(at(2026, 3, 2, 7, 29), tick=False):
        assert _ready_jobs(client, broker) == (200, "ok")
    with time_machine.travel(at(2026, 3, 2, 7, 31), tick=False):
        assert _ready_jobs(client, broker) == (503, "Unavailable: late: reviews-remind")


@override_settings(CELERY_BEAT_SCHEDULE=DAILY, HEALTHZ_JOB_GRACE_SECONDS=30 * 60)
def test_a_job_that_runs_on_time_is_never_late(client, broker):
    for day in (2, 3, 4):
        with time_machine.travel(at(2026, 3, day, 7, 0, 1), tick=False):
            daily_job()
        with time_machine.travel(at(2026, 3, day + 1, 7, 29), tick=False):
            assert _ready_jobs(client, broker) == (200, "ok")


@override_settings(CELERY_BEAT_SCHEDULE=DAILY, HEALTHZ_JOB_GRACE_SECONDS=30 * 60)
def test_a_job_that_missed_its_run_is_late_naming_only_the_entry(client, broker):
    with time_machine.travel(at(2026, 3, 2, 7, 0, 1), tick=False):
        daily_job()
    with time_machine.travel(at(2026, 3, 3, 7, 31), tick=False):
        status, checks = _ready_jobs(client, broker)
        response = client.get(reverse("healthz_ready"))

    assert (status, checks) == (503, "Unavailable: late: reviews-remind")
    assert response.json()["status"] == "failing"
    assert response.json()["checks"]["database"] == "ok"


@override_settings(CELERY_BEAT_SCHEDULE=DAILY, HEALTHZ_JOB_GRACE_SECONDS=30 * 60)
def test_a_job_whose_runs_fail_is_late_as_if_it_had_not_run(client, broker):
    with time_machine.travel(at(2026, 3, 2, 7, 0, 1), tick=False):
        daily_job()
    with time_machine.travel(at(2026, 3, 3, 7, 0, 1), tick=False), pytest.raises(RuntimeError):
        daily_job(fail=True)
    with time_machine.travel(at(2026, 3, 3, 7, 31), tick=False):
        assert _ready_jobs(client, broker)[0] == 503


@override_settings(CELERY_BEAT_SCHEDULE=DAILY, HEALTHZ_JOB_GRACE_SECONDS=30 * 60)
def test_seven_o_clock_is_local_time_across_the_clocks_going_forward(client, broker):
    # Saturday 28 March 2026 07:00 GMT; on Sunday the clocks go forward, 07:00 is 06:00 UTC.
    with time_machine.travel(at(2026, 3, 28, 7, 0, 1), tick=False):
        daily_job()
    with time_machine.travel(at(2026, 3, 29, 7, 29), tick=False):
        assert _ready_jobs(client, broker) == (200, "ok")
    with time_machine.travel(at(2026, 3, 29, 7, 31), tick=False):
        assert _ready_jobs(client, broker)[0] == 503


@override_settings(CELERY_BEAT_SCHEDULE=WEEKLY, HEALTHZ_JOB_GRACE_SECONDS=30 * 60)
def test_a_weekly_job_is_measured_by_its_own_week(client, broker):
    jobs.run_finished("tests.weekly_job", started=at(2026, 3, 2, 7, 0).timestamp(), ok=True)

    with time_machine.travel(at(2026, 3, 8, 23, 0), tick=False):  # Sunday night
        assert _ready_jobs(client, broker) == (200, "ok")
    with time_machine.travel(at(2026, 3, 9, 7, 31), tick=False):  # Monday, the run missed
        assert _ready_jobs(client, broker) == (503, "Unavailable: late: escalate")


def test_the_real_schedule_is_ready_on_a_fresh_install_and_names_what_stalls(client, broker):
    """With beat's real schedule: all first seen now, so ready; a day later with no job run,
    every job is late but the heartbeat, which ran."""
    assert _ready_jobs(client, broker) == (200, "ok")

    with time_machine.travel(datetime.now(tz=LONDON) + timedelta(days=8), tick=False):
        status, checks = _ready_jobs(client, broker)

    assert status == 503
    late = set(checks.removeprefix("Unavailable: late: ").split(", "))
    assert late == set(settings.CELERY_BEAT_SCHEDULE) - {"beat-heartbeat"}


@override_settings(CELERY_BEAT_SCHEDULE=DAILY, HEALTHZ_JOB_GRACE_SECONDS=30 * 60)
def test_a_run_that_started_seconds_before_seven_counts_as_the_seven_o_clock_run(client, broker):
    # A worker whose clock is a little behind beat's.
    with time_machine.travel(at(2026, 3, 2, 6, 59, 50), tick=False):
        daily_job()
    with time_machine.travel(at(2026, 3, 3, 7, 29), tick=False):
        assert _ready_jobs(client, broker) == (200, "ok")
