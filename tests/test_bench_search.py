"""The search benchmark at a small size, so it cannot rot (the full size is run by hand: bench/README.md)."""

import io

import pytest
from django.db import connection

from bench.search.run import main

pytestmark = pytest.mark.django_db


def test_the_search_benchmark_runs_and_prints_its_figures():
    if connection.vendor != "postgresql":
        pytest.skip("The benchmark measures PostgreSQL's trigram search (set DATABASE_URL)")
    out = io.StringIO()

    figures = main(
        ["--in-place", "--people", "300", "--audit-rows", "2000", "--searches", "30"], out=out
    )

    printed = out.getvalue()
    for figure in ("p50", "p95", "queries per search", "recall", "as typed", "search table"):
        assert figure in printed
    assert figures["queries_min"] == figures["queries_max"]
    assert figures["typing_searches"] == 10
    assert figures["recall"] >= 0.9
