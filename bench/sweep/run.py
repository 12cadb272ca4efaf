"""Benchmark: the daily review-reminder sweep over a council-sized schedule (issue 16, point 5).

Seeds people each with a live entry whose 12-month review falls due within the reminder window
(all of them, by default), spread over a handful of record owners, into its own PostgreSQL
database, then runs the real sweep (``schedule.services.reviews_remind``, as beat runs it: the
notifications sent by the eager Celery task to an in-memory mailbox) and prints the entries
reminded, the time, the queries, the emails and the audit entries written; then runs it again the
same day to show that a re-run adds nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ubpanel uv run python -m bench.sweep.run

The database named by ``--database`` (default ubpanel_bench_sweep, on DATABASE_URL's server) is
created and dropped again unless ``--keep``. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import timedelta

from bench.database import ENTRY_TEXT, add_database_arguments, own_database

TARGET_SECONDS = 60.0


def seed(*, entries: int, due: int, owners: int, out=sys.stdout) -> None:
    from django.db import connection
    from django.utils import timezone

    from referrals.models import Person
    from schedule.models import Entry
    from ubpanel.models import User

    started = time.perf_counter()
    batch = 5000
    Person.objects.bulk_create(
        [
            Person(given_names="Sam", family_name=f"Sweep{n}", search_name=f"sam sweep{n}")
            for n in range(entries)
        ],
        batch_size=batch,
    )
    people = list(Person.objects.order_by("pk").values_list("pk", flat=True))[-entries:]
    managers = [
        User.objects.create_user(username=f"bench-owner-{n}", email=f"owner{n}@council.example")
        for n in range(owners)
    ]
    today = timezone.localdate()
    Entry.objects.bulk_create(
        [
            Entry(
                person_id=pk,
                tier="medium",
                status="active",
                record_owner=managers[n % owners],
                **ENTRY_TEXT,
                review_due_on=today + timedelta(days=(1 + n % 20) if n < due else 200),
            )
            for n, pk in enumerate(people)
        ],
        batch_size=batch,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"Seeded {entries:,} live entries ({due:,} due for review within the reminder window, "
        f"{owners} record owners) in {time.perf_counter() - started:.1f} s",
        file=out,
    )


def sweep(out=sys.stdout) -> dict:
    from auditlog.models import LogEntry
    from django.core import mail
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from schedule.models import EntryEvent
    from schedule.services import reviews_remind

    reverse("schedule:review_overview")  # a worker's URLs are loaded long before its first sweep
    figures = {}
    for run in ("first", "again"):
        mail.outbox = []
        audit_before = LogEntry.objects.count()
        events_before = EntryEvent.objects.count()
        load = os.getloadavg()[0]
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            reminded = reviews_remind()
            elapsed = time.perf_counter() - started
        figures[run] = {
            "entries": len(reminded),
            "seconds": elapsed,
            "queries": len(captured),
            "emails": len(mail.outbox),
            "audit_rows": LogEntry.objects.count() - audit_before,
            "events": EntryEvent.objects.count() - events_before,
            "load": load,
        }
        f = figures[run]
        if os.environ.get("BENCH_SLOWEST"):
            slow = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:8]
            for q in slow:
                print(f"  {float(q['time']) * 1000:.0f} ms  {q['sql'][:150]}", file=out)
        label = "Sweep" if run == "first" else "Re-run the same day"
        target = f" (target ≤ {TARGET_SECONDS:.0f} s)" if run == "first" else ""
        print(
            f"{label}: {f['entries']:,} entries reminded in {f['seconds']:.1f} s{target}, "
            f"{f['queries']} queries, {f['emails']} emails, {f['audit_rows']:,} audit rows, "
            f"{f['events']:,} history events; load average {load:.1f} before",
            file=out,
        )
    return figures


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--due", type=int, help="how many are due (default: all)")
    parser.add_argument("--owners", type=int, default=20)
    add_database_arguments(parser, "ubpanel_bench_sweep")
    return parser.parse_args(argv)


def main(argv=None, out=sys.stdout) -> dict:
    args = parse_args(argv)
    due = args.entries if args.due is None else min(args.due, args.entries)
    with own_database(args.database, keep=args.keep, in_place=args.in_place):
        seed(entries=args.entries, due=due, owners=args.owners, out=out)
        return sweep(out=out)


if __name__ == "__main__":
    main()
