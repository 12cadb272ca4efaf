"""The list-pages benchmark at a small size, so it cannot rot (the full size is run by hand:
bench/README.md)."""

import io

import pytest
from django.db import connection

from bench.pages.run import main

pytestmark = pytest.mark.django_db


def test_the_pages_benchmark_runs_and_prints_each_pages_figures():
    if connection.vendor != "postgresql":
        pytest.skip("The benchmark measures PostgreSQL (set DATABASE_URL)")
    out = io.StringIO()

    figures = main(
        [
            "--in-place",
            "--rows",
            "60",
            "--audit-rows",
            "200",
            "--agenda-items",
            "20",
            "--repeats",
            "1",
        ],
        out=out,
    )

    printed = out.getvalue()
    for page in ("Triage queue", "Access register", "Schedule entries", "Meetings", "Agenda"):
        assert page in printed
    assert "Audit trail" in printed
    assert set(figures["ratios"]) == set(figures["small"]) == set(figures["large"])
    for page, (_, queries) in figures["small"].items():
        assert figures["large"][page][1] == queries, page
