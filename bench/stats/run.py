"""Benchmark: the committee statistics page at 10 people and at 100,000, against its floor.

Seeds its own PostgreSQL database with three years of the panel's work for 10 people
(``seed.py``), times ``/reports/statistics/`` (the last twelve months) through the real view as
the panel chair (``django.test.Client``), and the floor: the very SQL the page's
``reports.statistics.statistics(period)`` runs (captured from one call), executed with the same
parameters on a cursor by a bare view, called directly (no middleware, no template, no charts, no
audit). Then tops the people up to ``--people`` and times both again. Prints p50 and p95 of each,
the ratio page / floor, the page's queries at both sizes (they must be the same), the CSV export
and the XLSX workbook once each, where the floor's time goes, and the machine's load average.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ubpanel uv run python -m bench.stats.run

The database (``--database``, default ubpanel_bench_stats) is created and dropped again unless
``--keep``. See bench/README.md.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
import traceback

from bench.database import add_database_arguments, own_database
from bench.stats.seed import seed, setup

SMALL = 10
TARGET_RATIO = 3.0  # the page's p50 against its floor's
FLOOR_SLOW_MS = 1000.0


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _figure_of_stack() -> str:
    """Which figure function made the query (``schedule_tables``): the innermost frame in
    reports/figures/ or reports/equalities.py."""
    for frame in reversed(traceback.extract_stack()):
        if "reports/figures/" in frame.filename or frame.filename.endswith("reports/equalities.py"):
            return frame.name
    return "?"


def capture_statistics(period) -> list[tuple[str, object, str]]:
    """The SQL ``statistics(period)`` runs, as it hands it to the cursor: (sql, params, figure).
    ``CaptureQueriesContext`` counts them; the wrapper keeps the parameters apart from the SQL, so
    the floor executes exactly what the page does."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.statistics import statistics as page_statistics

    recorded = []

    def record(execute, sql, params, many, context):
        recorded.append((sql, params, _figure_of_stack()))
        return execute(sql, params, many, context)

    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(record):
        page_statistics(period)
    assert len(captured) == len(recorded), (len(captured), len(recorded))
    return recorded


def floor_view(queries):
    """The floor: a bare view that runs the statistics' SQL on a cursor, fetches every row and
    answers a few bytes. Called directly, so no middleware, session, user, template or audit."""
    from django.db import connection
    from django.http import HttpResponse

    def floor(request):
        rows = 0
        with connection.cursor() as cursor:
            for sql, params, _ in queries:
                cursor.execute(sql, params)
                rows += len(cursor.fetchall())
        return HttpResponse(f"{rows} rows", content_type="text/plain")

    return floor


def measure(chair, *, repeats: int) -> dict:
    from django.db import connection
    from django.test import Client, RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from reports.periods import Period

    client = Client()
    client.force_login(chair)
    url = reverse("reports:statistics")
    period = Period.last_twelve_months()
    queries = capture_statistics(period)
    floor, request = floor_view(queries), RequestFactory().get("/bench-floor/")
    assert client.get(url).status_code == 200  # warm up
    floor(request)
    page_ms, floor_ms, page_queries = [], [], []
    for _ in range(repeats):  # interleaved, so both meet the same machine
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            page_ms.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        page_queries.append(len(captured))
        started = time.perf_counter()
        assert floor(request).status_code == 200
        floor_ms.append((time.perf_counter() - started) * 1000)
    return {
        "period": period,
        "queries": queries,
        "page": (statistics.median(page_ms), p95(page_ms)),
        "floor": (statistics.median(floor_ms), p95(floor_ms)),
        "page_queries": max(page_queries),
        "page_queries_min": min(page_queries),
        "statistics_queries": len(queries),
    }


def time_exports(chair, period, out) -> dict:
    """The CSV of one table and the XLSX workbook of every table, once each (each runs the
    statistics again)."""
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(chair)
    figures = {}
    for name, url in (
        (
            "CSV (referrals by source)",
            reverse("reports:statistics_csv", args=["referrals-by-source"]),
        ),
        ("XLSX workbook", reverse("reports:statistics_xlsx")),
    ):
        started = time.perf_counter()
        response = client.get(f"{url}?{period.query()}")
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (name, response.status_code)
        figures[name] = elapsed
        print(f"{name:<28} {elapsed:>9.1f} ms  ({len(response.content):,} bytes)", file=out)
    return figures


def where_the_floor_goes(queries, out, *, top: int = 5) -> list[tuple[float, str]]:
    """Each statistics query alone (the median of three), slowest first, by figure function."""
    from django.db import connection

    timed = []
    with connection.cursor() as cursor:
        for sql, params, figure in queries:
            times = []
            for _ in range(3):
                started = time.perf_counter()
                cursor.execute(sql, params)
                cursor.fetchall()
                times.append((time.perf_counter() - started) * 1000)
            timed.append((statistics.median(times), figure))
    timed.sort(reverse=True)
    total = sum(ms for ms, _ in timed)
    print(f"The floor's {len(timed)} queries take {total:.0f} ms; the slowest:", file=out)
    for ms, figure in timed[:top]:
        print(f"  {ms:>8.1f} ms  {figure}", file=out)
    return timed


def summarise_figures(period, out) -> None:
    """What the page counts at this size: each table's totals (the rows must meet the figures'
    filters, or the benchmark would time empty queries)."""
    from reports.statistics import all_tables
    from reports.statistics import statistics as page_statistics

    print(f"What the page counts ({period.label}):", file=out)
    for table in all_tables(page_statistics(period)):
        shown = table.totals if table.totals else [row.values[0] for row in table.rows]
        print(f"  {table.slug:<34} {', '.join(str(v) for v in shown)}", file=out)


def report(small, large, *, people: int, load_before, out=sys.stdout) -> dict:
    heading = f"{people:,} people"
    print(f"Statistics page, {large['period'].label}, as the panel chair", file=out)
    print(f"{'':<30} {'10 people':>18} {heading:>18}", file=out)
    ratios = {}
    for name, figures in (("small", small), ("large", large)):
        ratios[name] = figures["page"][0] / figures["floor"][0]
    for label, key in (("page p50 / p95", "page"), ("floor p50 / p95", "floor")):
        cells = [f"{f[key][0]:.1f} / {f[key][1]:.1f} ms" for f in (small, large)]
        print(f"{label:<30} {cells[0]:>18} {cells[1]:>18}", file=out)
    flags = []
    if ratios["large"] > TARGET_RATIO:
        flags.append(f"over {TARGET_RATIO:.0f}x the floor")
    if large["floor"][0] > FLOOR_SLOW_MS:
        flags.append("the floor itself is over 1 s")
    print(
        f"{'page / floor (p50)':<30} {ratios['small']:>17.2f}x {ratios['large']:>17.2f}x"
        + (f"  ({'; '.join(flags)})" if flags else ""),
        file=out,
    )
    pages = [f"{f['page_queries_min']}-{f['page_queries']}" for f in (small, large)]
    print(f"{'queries: page (min-max)':<30} {pages[0]:>18} {pages[1]:>18}", file=out)
    statistics_queries = [small["statistics_queries"], large["statistics_queries"]]
    print(
        f"{'queries: statistics()':<30} {statistics_queries[0]:>18} {statistics_queries[1]:>18}",
        file=out,
    )
    # A request that finds the session's activity over SESSION_ACTIVITY_STEP_SECONDS old saves
    # it (a few more queries): slow requests do so more often. So the fewest are compared.
    constant = all(small[key] == large[key] for key in ("page_queries_min", "statistics_queries"))
    print(
        "The same queries at both sizes" if constant else "The number of queries changed!",
        file=out,
    )
    after = os.getloadavg()
    print(
        "Load average before {:.2f} {:.2f} {:.2f}, after {:.2f} {:.2f} {:.2f} "
        "(1, 5, 15 minutes: the machine's other work)".format(*load_before, *after),
        file=out,
    )
    return {"small": small, "large": large, "ratios": ratios, "queries_constant": constant}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument(
        "--live-share", type=float, default=0.05, help="people with a live entry (and removed)"
    )
    parser.add_argument("--repeats", type=int, default=7)
    add_database_arguments(parser, "ubpanel_bench_stats")
    return parser.parse_args(argv)


def main(argv=None, out=sys.stdout) -> dict:
    args = parse_args(argv)
    load_before = os.getloadavg()
    with own_database(args.database, keep=args.keep, in_place=args.in_place):
        world = setup(out)
        seed(world, upto=SMALL, live_share=args.live_share, out=out)
        small = measure(world["chair"], repeats=args.repeats)
        seed(world, upto=args.people, live_share=args.live_share, out=out)
        large = measure(world["chair"], repeats=args.repeats)
        summarise_figures(large["period"], out)
        figures = report(small, large, people=args.people, load_before=load_before, out=out)
        figures["exports"] = time_exports(world["chair"], large["period"], out)
        figures["floor_queries"] = where_the_floor_goes(large["queries"], out)
        figures["counts"] = world["counts"]
        return figures


if __name__ == "__main__":
    main()
