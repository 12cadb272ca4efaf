"""The search benchmark at a small size, so it cannot rot (the full size is run by hand: bench/README.md)."""

import io

import pytest
from django.db import connection

from bench.search.run import main

pytestmark = pytest.mark.django_db


def test_the_search_benchmark_runs_and_prints_its_figures_beside_its_floor():
    if connection.vendor != "postgresql":
        pytest.skip("The benchmark measures PostgreSQL's trigram search (set DATABASE_URL)")
    out = io.StringIO()

    figures = main(
        [
            "--in-place",
            "--people",
            "300",
            "--audit-rows",
            "2000",
            "--searches",
            "30",
            "--live-share",
            "1.0",
            "--namesake-groups",
            "2",
            "--namesakes-each",
            "12",
        ],
        out=out,
    )

    printed = out.getvalue()
    for figure in ("p50", "p95", "floor", "ratio", "queries per search", "recall", "as typed"):
        assert figure in printed
    assert "search table" in printed
    assert "Namesakes" in printed
    assert figures["queries_min"] == figures["queries_max"]
    assert figures["floor_p95_ms"] > 0
    assert figures["p95_ratio"] == figures["p95_ms"] / figures["floor_p95_ms"]
    assert figures["typing_searches"] == 10
    assert figures["recall"] >= 0.9
    # Twelve people share each name: the name with their date of birth or postcode finds each.
    assert figures["namesakes name and date of birth"] == 1.0
    assert figures["namesakes name and postcode"] == 1.0
    assert figures["namesakes name alone"] < 1.0
