"""The review-sweep benchmark at a small size, so it cannot rot (the full size is run by hand:
bench/README.md)."""

import io

import pytest

from bench.sweep.run import main

# Real commits: the digests are sent once the sweep commits, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def test_the_sweep_benchmark_runs_and_prints_its_figures():
    out = io.StringIO()

    figures = main(["--in-place", "--entries", "40", "--due", "30", "--owners", "3"], out=out)

    printed = out.getvalue()
    for figure in ("entries reminded", "queries", "emails", "audit rows", "Re-run the same day"):
        assert figure in printed
    assert figures["first"]["entries"] == 30
    assert figures["first"]["emails"] == 4  # Assurance and three record owners: one digest each
    assert figures["first"]["audit_rows"] >= 30
    assert figures["again"]["entries"] == figures["again"]["emails"] == 0
    assert figures["again"]["audit_rows"] == 0
