"""The statistics-page benchmark at a small size, so it cannot rot (the full size is run by
hand: bench/README.md)."""

import io

import pytest
from django.db import connection

from bench.stats.run import main

pytestmark = pytest.mark.django_db


def test_the_statistics_benchmark_prints_the_page_and_its_floor_at_both_sizes():
    if connection.vendor != "postgresql":
        pytest.skip("The benchmark measures PostgreSQL (set DATABASE_URL)")
    out = io.StringIO()

    figures = main(["--in-place", "--people", "300", "--repeats", "1"], out=out)

    printed = out.getvalue()
    for line in (
        "page p50 / p95",
        "floor p50 / p95",
        "page / floor (p50)",
        "queries: page (min-max)",
    ):
        assert line in printed
    assert "CSV (referrals by source)" in printed
    assert "XLSX workbook" in printed
    assert "The same queries at both sizes" in printed
    assert figures["queries_constant"]
    assert figures["small"]["page_queries_min"] == figures["large"]["page_queries_min"]
    assert figures["small"]["statistics_queries"] == figures["large"]["statistics_queries"]
    counts = figures["counts"]
    assert counts["people"] == 300
    for table in ("referrals", "final decisions", "entries", "entry events", "letters sent"):
        assert counts[table] > 0, table
    # The page counts something in each part: referrals, the schedule, letters, equalities.
    for slug in ("referrals-by-source", "schedule-at-period-end", "letters", "equalities-returns"):
        line = next(line for line in printed.splitlines() if line.strip().startswith(slug))
        assert any(int(n) > 0 for n in line.split(maxsplit=1)[1].replace(",", " ").split()), line
