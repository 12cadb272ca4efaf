"""Benchmark: the list pages at 10 rows and at 100,000 rows (issue 16, point 4).

Seeds its own PostgreSQL database with 10 rows of each growing list (referrals waiting for
triage, declined and revoked access grants, schedule entries, closed meetings, audit rows, items on
one meeting's agenda), times each list page through the real views (``django.test.Client``, as the
role that reads it), then tops every list up to ``--rows`` (100,000; the agenda to
``--agenda-items``, 1,000: an agenda is read whole) and times them again. Prints each page's median
time and queries at both sizes and their ratio; the target is a ratio of at most 2.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ubpanel uv run python -m bench.pages.run

The database (``--database``, default ubpanel_bench_pages) is created and dropped again unless
``--keep``. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta

from bench.database import ENTRY_TEXT, add_database_arguments, own_database, seed_person_views

TARGET_RATIO = 2.0
SMALL = 10
BATCH = 5000


def _users():
    from django.contrib.auth.models import Group

    from ubpanel.models import Service, User
    from ubpanel.roles import Role, roles_ensure

    roles_ensure()
    service, _ = Service.objects.get_or_create(name="Housing")
    users = {}
    for role in (Role.ASSURANCE_OFFICER, Role.PANEL_CHAIR, Role.AUDITOR, Role.REFERRING_MANAGER):
        user = User.objects.create_user(
            username=f"bench-{role.value}", email=f"{role.value}@council.example", service=service
        )
        user.groups.add(Group.objects.get(name=role.label))
        users[role] = user
    return service, users


def seed(
    *, upto: int, audit_rows: int, agenda_items: int, service, users, have: dict, out=sys.stdout
) -> None:
    """Top each list up to ``upto`` rows (the audit trail to ``audit_rows``, the agenda to
    ``agenda_items``)."""
    from django.db import connection
    from django.utils import timezone

    from panel.models import AgendaItem, Meeting
    from referrals.models import Person, Referral
    from schedule.models import AccessGrant, Entry
    from ubpanel.audit_chain import seal_pending
    from ubpanel.roles import Role

    started = time.perf_counter()
    now = timezone.now()
    more = upto - have.get("rows", 0)
    first = have.get("rows", 0)
    manager = users[Role.REFERRING_MANAGER]
    for start in range(0, more, BATCH):
        size = min(BATCH, more - start)
        numbers = range(first + start, first + start + size)
        people = Person.objects.bulk_create(
            [
                Person(given_names="Alex", family_name=f"Page{n}", search_name=f"alex page{n}")
                for n in numbers
            ]
        )
        Referral.objects.bulk_create(
            [
                Referral(
                    status="submitted",
                    source="web",
                    referrer=manager,
                    service=service,
                    person=person,
                    summary="Shouted at reception staff.",
                    submitted_at=now - timedelta(minutes=n),
                )
                for n, person in zip(numbers, people, strict=True)
            ]
        )
        Entry.objects.bulk_create(
            [
                Entry(
                    person=person,
                    tier="medium",
                    status="active",
                    **ENTRY_TEXT,
                    review_due_on=(now + timedelta(days=200)).date(),
                )
                for person in people
            ]
        )
        AccessGrant.objects.bulk_create(
            [
                AccessGrant(
                    service=service,
                    low=True,
                    rationale="Front desk",
                    status="revoked" if n % 2 else "declined",
                    closed_reason="No longer needed.",
                    closed_at=now,
                )
                for n in numbers
            ]
        )
        Meeting.objects.bulk_create(
            [
                Meeting(
                    kind="monthly",
                    format="physical",
                    status="closed",
                    starts_at=now - timedelta(days=30 + n),
                )
                for n in numbers
            ]
        )
    audit_more = audit_rows - have.get("audit_rows", 0)
    earlier = have.get("audit_rows", 0)
    seed_person_views(
        audit_more,
        actor=manager,
        person_ids=lambda n: n,
        timestamps=lambda n: now - timedelta(seconds=earlier + n),
    )
    # A real trail is sealed as it is written; unsealed seeded rows would be sealed by the pages'
    # own requests, 2,000 a request, and time the sealer instead of the page. Hashing a million
    # rows in Python takes longer than the rest of the run, so the seeded rows get placeholder
    # links (this database is thrown away; nothing here verifies the chain), then the rows the
    # run itself wrote so far are sealed for real after them.
    with connection.cursor() as cursor:
        # Fresh statistics first: with none, PostgreSQL thinks the trail is a few rows and
        # anti-joins it row by row against the seals (52 s for 45,000 rows).
        cursor.execute("ANALYZE auditlog_logentry, ubpanel_auditseal")
        cursor.execute(
            "INSERT INTO ubpanel_auditseal (entry_id, previous_hash, hash, sealed_at) "
            "SELECT e.id, 'bench-previous-' || e.id, 'bench-link-' || e.id, now() "
            "FROM auditlog_logentry e LEFT JOIN ubpanel_auditseal s ON s.entry_id = e.id "
            "WHERE s.id IS NULL AND e.object_repr = 'Someone'"
        )
    seal_pending(everything=True)
    meeting = have.get("meeting")
    if meeting is None:
        meeting = Meeting.objects.create(
            kind="monthly", format="physical", status="scheduled", starts_at=now + timedelta(7)
        )
        have["meeting"] = meeting
    referrals = list(Referral.objects.order_by("pk")[have.get("items", 0) : agenda_items])
    AgendaItem.objects.bulk_create(
        [
            AgendaItem(
                meeting=meeting,
                kind="new_referral",
                position=have.get("items", 0) + i + 1,
                status="listed",
                referral=referral,
            )
            for i, referral in enumerate(referrals)
        ]
    )
    have.update(rows=upto, audit_rows=audit_rows, items=agenda_items)
    with connection.cursor() as cursor:
        # VACUUM too, outside a transaction: otherwise autovacuum wakes for the
        # seeded rows in the middle of the measurements.
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
    print(
        f"Seeded {upto:,} rows of each list ({audit_rows:,} audit rows, an agenda of "
        f"{agenda_items:,} items) in {time.perf_counter() - started:.1f} s",
        file=out,
    )


def pages(users, meeting) -> list[tuple[str, object, str]]:
    from django.urls import reverse

    from ubpanel.roles import Role

    return [
        ("Triage queue", users[Role.ASSURANCE_OFFICER], reverse("referrals:triage_queue")),
        ("Access register", users[Role.PANEL_CHAIR], reverse("schedule:access_register")),
        ("Schedule entries", users[Role.PANEL_CHAIR], reverse("schedule:entry_list")),
        ("Meetings", users[Role.PANEL_CHAIR], reverse("panel:index")),
        ("Agenda", users[Role.PANEL_CHAIR], reverse("panel:meeting_detail", args=[meeting.pk])),
        ("Audit trail", users[Role.AUDITOR], reverse("audit_list")),
    ]


def measure(listed, *, repeats: int) -> dict[str, tuple[float, int]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    figures = {}
    for name, user, url in listed:
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == 200, name  # warm up
        times, queries = [], []
        for _ in range(repeats):
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (name, response.status_code)
            queries.append(len(captured))
        if os.environ.get("BENCH_SLOWEST"):
            slow = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:4]
            for query in slow:
                print(f"  {name}: {float(query['time']) * 1000:.0f} ms {query['sql'][:160]}")
        figures[name] = (statistics.median(times), max(queries))
    return figures


def report(small, large, *, rows: int, agenda_items: int, out=sys.stdout) -> dict:
    print(
        f"{'Page':<18} {'10 rows':>10} {'queries':>8} {f'{rows:,} rows':>13} {'queries':>8} "
        f"{'ratio':>6}",
        file=out,
    )
    ratios = {}
    for name, (small_ms, small_q) in small.items():
        large_ms, large_q = large[name]
        ratios[name] = large_ms / small_ms
        size = f"{agenda_items:,} items" if name == "Agenda" else ""
        print(
            f"{name:<18} {small_ms:>8.1f} ms {small_q:>8} {large_ms:>10.1f} ms {large_q:>8} "
            f"{ratios[name]:>5.2f}x {'(target ≤ 2)' if ratios[name] > TARGET_RATIO else ''}"
            f"{size}",
            file=out,
        )
    print(f"Load average {os.getloadavg()[0]:.1f} (the machine's other work)", file=out)
    return {
        "small": small,
        "large": large,
        "ratios": ratios,
        "queries_constant": all(small[n][1] == large[n][1] for n in small),
    }


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--audit-rows", type=int, default=1_000_000)
    parser.add_argument("--agenda-items", type=int, default=1_000)
    parser.add_argument("--repeats", type=int, default=7)
    add_database_arguments(parser, "ubpanel_bench_pages")
    return parser.parse_args(argv)


def main(argv=None, out=sys.stdout) -> dict:
    args = parse_args(argv)
    with own_database(args.database, keep=args.keep, in_place=args.in_place):
        service, users = _users()
        have: dict = {}
        seed(
            upto=SMALL,
            audit_rows=SMALL,
            agenda_items=SMALL,
            service=service,
            users=users,
            have=have,
            out=out,
        )
        listed = pages(users, have["meeting"])
        small = measure(listed, repeats=args.repeats)
        seed(
            upto=args.rows,
            audit_rows=args.audit_rows,
            agenda_items=args.agenda_items,
            service=service,
            users=users,
            have=have,
            out=out,
        )
        large = measure(listed, repeats=args.repeats)
        return report(small, large, rows=args.rows, agenda_items=args.agenda_items, out=out)


if __name__ == "__main__":
    main()
