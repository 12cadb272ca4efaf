"""The letters benchmark at a small size, so it cannot rot (the full size is run by hand:
bench/README.md). It starts a real Celery worker, like the benchmark."""

import io

import pytest
from django.db import connection

from bench.letters.run import main

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_letters_benchmark_runs_a_real_worker_and_prints_its_figures(broker_url, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("The worker needs the PostgreSQL test database (set DATABASE_URL)")
    out = io.StringIO()

    figures = main(
        ["--in-place", "--letters", "5", "--media-root", str(tmp_path / "bench")], out=out
    )

    printed = out.getvalue()
    for figure in (
        "letters per minute",
        "Per letter",
        "p50",
        "p95",
        "target ≤ 300 ms",
        "CPU time",
        "Per PDF",
    ):
        assert figure in printed
    assert figures["letters"] == 5
    assert figures["pdfs"] == figures["files"] == 10
    assert figures["letters_per_minute"] > 0
    assert 0 < figures["letter_p50_ms"] <= figures["letter_p95_ms"] <= figures["letter_max_ms"]
