"""The load benchmark's own arithmetic and set-up (bench/load). The run itself (gunicorn, signed-in
users) takes longer than the suite allows a benchmark; see bench/README.md."""

import time

from bench.load.run import (
    ASSURANCE_MIX,
    FRONTLINE_MIX,
    KINDS,
    CpuSampler,
    Sample,
    dockerfile_command,
    figures,
    parse_args,
    production_env,
)


def test_figures_give_the_rate_percentiles_and_errors_of_the_samples():
    samples = [Sample("home", float(ms), ms != 7, 0.0) for ms in range(1, 101)]

    row = figures(samples, wall=4.0)

    assert row == {
        "requests": 100,
        "requests_per_second": 25.0,
        "p50_ms": 50.5,
        "p95_ms": 95.0,
        "max_ms": 100.0,
        "errors": 1,
    }


def test_gunicorn_runs_the_dockerfiles_command_with_production_settings_on_loopback():
    command = dockerfile_command()
    env = production_env(database_url="postgres://x/ubpanel_bench_load", static_root="/tmp/s")

    assert command[0] == "gunicorn"
    assert "--workers" in command
    assert "--bind" in command
    assert env["DJANGO_ENV"] == "production"
    assert len(env["SECRET_KEY"]) >= 50
    assert env["ALLOWED_HOSTS"] == "127.0.0.1"
    assert "DEBUG" not in env


def test_every_kind_in_the_mixes_is_reported():
    assert set(FRONTLINE_MIX) | set(ASSURANCE_MIX) == set(KINDS)


def test_the_defaults_are_the_issues_twenty_users_for_sixty_seconds_on_two_workers():
    args = parse_args([])

    assert (args.users, args.seconds, args.workers) == (20, 60.0, 2)
    assert args.database.startswith("ubpanel_bench_load")


def test_cpu_is_counted_for_processes_replaced_while_the_load_runs():
    readings = iter(
        [
            {1: ("gunicorn", 10.0), 2: ("postgresql", 5.0)},
            {1: ("gunicorn", 12.0), 3: ("postgresql", 0.5)},  # backend 2 replaced by 3
        ]
    )

    with CpuSampler(lambda: next(readings, {1: ("gunicorn", 12.0), 3: ("postgresql", 1.0)})) as s:
        time.sleep(0.7)

    assert s.used() == {"gunicorn": 2.0, "postgresql": 1.0}
