"""Benchmark: search before contact on a council-sized register (issues 4 and 16).

Seeds people (each with a date of birth; aliases, one or two addresses, emails, phones),
``--live-share`` of them with a live schedule entry (5 % by default; 1.0 for everyone), groups of
namesakes, and a large audit trail into its own PostgreSQL database, then posts realistic
misspelt searches through the real view as a frontline officer whose service sees every tier,
each interleaved with the same text posted to the floor (``floor.py``: the same trigram lookup in
a bare view, through the same handler), and prints p50/p95 for both and their ratio, queries per
search, recall (the true person in the top 10) and namesakes told apart.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ubpanel uv run python -m bench.search.run

The database named by ``--database`` (default ubpanel_bench, on DATABASE_URL's server) is created
and dropped again unless ``--keep``. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time

from bench import database
from bench.search.namesakes import namesakes_from_database, run_namesakes, seed_namesakes
from bench.search.recall import run_recall_cases

TARGET_P95_MS = 50.0
TARGET_RATIO = 2.0  # the search's p95 against its floor's (issue 16)
TARGET_RECALL = 0.97

FIRST = [
    "James",
    "Oliver",
    "Harry",
    "Jack",
    "George",
    "Noah",
    "Charlie",
    "Jacob",
    "Alfie",
    "Freddie",
    "Oscar",
    "Leo",
    "Thomas",
    "William",
    "Joshua",
    "Henry",
    "Daniel",
    "Samuel",
    "Mohammed",
    "Muhammad",
    "Arthur",
    "Isaac",
    "Edward",
    "Finley",
    "Joseph",
    "Theo",
    "Max",
    "Lucas",
    "Amelia",
    "Olivia",
    "Isla",
    "Emily",
    "Poppy",
    "Ava",
    "Isabella",
    "Jessica",
    "Lily",
    "Sophie",
    "Grace",
    "Sophia",
    "Mia",
    "Evie",
    "Ruby",
    "Ella",
    "Scarlett",
    "Chloe",
    "Florence",
    "Freya",
    "Zoë",
    "Chloé",
    "Renée",
    "Siân",
    "Niamh",
    "Aoife",
    "Bethan",
    "Rhys",
    "Seán",
    "Ioan",
    "Margaret",
    "Susan",
    "Patricia",
    "Barbara",
    "Kathleen",
    "Maureen",
    "Brian",
    "Keith",
    "Graham",
    "Malcolm",
    "Trevor",
    "Derek",
]
SYLLABLES_A = [
    "Ash",
    "Bar",
    "Bel",
    "Black",
    "Brad",
    "Bram",
    "Brook",
    "Carl",
    "Chad",
    "Cold",
    "Crom",
    "Dal",
    "Dun",
    "Ed",
    "Fair",
    "Fen",
    "Gar",
    "Hal",
    "Har",
    "Hart",
    "Hol",
    "Ken",
    "Kings",
    "Lang",
    "Lind",
    "Mar",
    "Mil",
    "Mor",
    "Nor",
    "Oak",
    "Pen",
    "Pres",
    "Rad",
    "Red",
    "Roth",
    "Sand",
    "Shel",
    "Stan",
    "Stock",
    "Thorn",
    "Wal",
    "Wen",
    "Whit",
    "Win",
    "Wood",
]
SYLLABLES_B = [
    "by",
    "bury",
    "combe",
    "cott",
    "croft",
    "dale",
    "don",
    "field",
    "ford",
    "gate",
    "ham",
    "hurst",
    "ing",
    "ington",
    "ley",
    "lock",
    "low",
    "mer",
    "more",
    "ridge",
    "shaw",
    "stead",
    "ton",
    "well",
    "wick",
    "worth",
]
STREETS = [
    "High Street",
    "Acland Road",
    "Church Lane",
    "Station Road",
    "Mill Lane",
    "Victoria Road",
    "Queen Street",
    "Park Avenue",
    "Manor Road",
    "The Green",
    "Orchard Close",
    "Meadow Way",
]
TOWNS = ["Dorchester", "Weymouth", "Bridport", "Sherborne", "Blandford Forum", "Wareham"]


# --- Names and misspellings ------------------------------------------------------------------


def family_name(rng: random.Random) -> str:
    name = rng.choice(SYLLABLES_A) + rng.choice(SYLLABLES_B)
    if rng.random() < 0.06:  # double-barrelled
        name += "-" + rng.choice(SYLLABLES_A) + rng.choice(SYLLABLES_B)
    return name


def postcode(rng: random.Random) -> str:
    return f"DT{rng.randint(1, 11)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["swap", "drop", "change", "double"])
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("aeiouy") + word[i + 1 :]


def misspell(given: str, family: str, rng: random.Random) -> str:
    """How a caller's name gets typed: one slip, names swapped, accents or hyphens lost, lower case."""
    kind = rng.choice(["typo_family", "typo_given", "swapped", "plain", "typo_family"])
    if kind == "typo_family":
        family = _typo(family, rng)
    elif kind == "typo_given":
        given = _typo(given, rng)
    elif kind == "plain":
        given = given.replace("ë", "e").replace("é", "e").replace("â", "a").replace("á", "a")
        family = family.replace("-", " ")
    text = f"{family} {given}" if kind == "swapped" else f"{given} {family}"
    return text.lower() if rng.random() < 0.3 else text


# --- Database ---------------------------------------------------------------------------------


def seed(
    *,
    people: int,
    audit_rows: int,
    rng: random.Random,
    live_share: float = 0.05,
    namesake_groups: int = 10,
    namesakes_each: int = 30,
    out=sys.stdout,
):
    """Everything the searches need; returns (the searcher, [(query, entry reference)],
    the namesakes)."""
    from datetime import date, timedelta

    from django.db import connection
    from django.utils import timezone

    from referrals import normalise
    from referrals.models import Person, PersonAddress, PersonAlias, PersonEmail, PersonPhone
    from schedule.models import AccessGrant, Entry, SearchKey
    from ubpanel.models import Service, User
    from ubpanel.roles import Role, roles_ensure

    started = time.perf_counter()
    batch = 5000
    rows = []
    for _ in range(people):
        given = rng.choice(FIRST)
        family = family_name(rng)
        rows.append(
            Person(
                given_names=given,
                family_name=family,
                search_name=normalise.name(f"{given} {family}"),
                date_of_birth=date(1940, 1, 1) + timedelta(days=rng.randrange(65 * 365)),
            )
        )
    Person.objects.bulk_create(rows, batch_size=batch)
    people_rows = list(
        Person.objects.order_by("pk").values_list("pk", "given_names", "family_name")
    )

    aliases, addresses, emails, phones = [], [], [], []
    for pk, given, family in people_rows:
        if rng.random() < 0.2:
            alias = f"{rng.choice(FIRST)} {family}"
            aliases.append(PersonAlias(person_id=pk, name=alias, search_name=normalise.name(alias)))
        for _ in range(rng.choice((1, 1, 2))):
            code = postcode(rng)
            addresses.append(
                PersonAddress(
                    person_id=pk,
                    address=f"{rng.randint(1, 200)} {rng.choice(STREETS)}\n{rng.choice(TOWNS)}",
                    postcode=code,
                    postcode_normalised=normalise.postcode(code),
                )
            )
        if rng.random() < 0.7:
            email = f"{normalise.name(given).replace(' ', '')}.{pk}@example.com"
            emails.append(PersonEmail(person_id=pk, email=email, email_normalised=email))
        if rng.random() < 0.8:
            number = f"07700 {pk:06d}"
            phones.append(
                PersonPhone(person_id=pk, number=number, number_normalised=normalise.phone(number))
            )
    for model, objects in (
        (PersonAlias, aliases),
        (PersonAddress, addresses),
        (PersonEmail, emails),
        (PersonPhone, phones),
    ):
        model.objects.bulk_create(objects, batch_size=batch)

    on_schedule = rng.sample(people_rows, max(1, min(people, round(people * live_share))))
    tiers = ["low", "medium", "high"]
    statuses = ["active", "active", "active", "pending_ratification", "under_appeal"]
    Entry.objects.bulk_create(
        [
            Entry(
                person_id=pk,
                tier=rng.choice(tiers),
                status=rng.choice(statuses),
                **database.ENTRY_TEXT,
            )
            for pk, _, _ in on_schedule
        ],
        batch_size=batch,
    )
    references = dict(Entry.objects.values_list("person_id", "pk"))

    roles_ensure()
    service, _ = Service.objects.get_or_create(name="Customer Services")
    searcher = User.objects.create_user(username="bench-frontline", service=service)
    from django.contrib.auth.models import Group

    searcher.groups.add(Group.objects.get(name=Role.FRONTLINE.label))
    AccessGrant.objects.create(
        service=service,
        low=True,
        medium=True,
        high=True,
        rationale="Benchmark",
        status="approved",
        recertify_by=timezone.localdate().replace(year=timezone.localdate().year + 1),
    )

    now = timezone.now()
    database.seed_person_views(
        audit_rows,
        actor=searcher,
        person_ids=lambda n: people_rows[n % len(people_rows)][0],
        timestamps=lambda n: now,
    )

    searches = []
    for pk, given, family in on_schedule:
        searches.append((misspell(given, family, rng), f"UBS-{references[pk]:05d}"))
    namesakes = seed_namesakes(groups=namesake_groups, size=namesakes_each, rng=rng)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # VACUUM too, outside a transaction: otherwise autovacuum wakes for the
            # seeded rows in the middle of the measurements.
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
    print(
        f"Seeded {people:,} people ({len(aliases):,} aliases, {len(addresses):,} addresses, "
        f"{len(emails):,} emails, {len(phones):,} phones), {len(on_schedule):,} entries and "
        f"{audit_rows:,} audit rows in {time.perf_counter() - started:.1f} s ({live_share:.0%} "
        f"live, and {len(namesakes)} namesakes); the search table holds "
        f"{SearchKey.objects.count():,} keys",
        file=out,
    )
    return searcher, searches, namesakes


def run_searches(
    searcher, searches, *, count: int, rng: random.Random, namesakes=(), out=sys.stdout
) -> dict:
    """Post each search through the real view and the same text to the floor (``floor.py``),
    interleaved one by one so both meet the same machine; time both, count the search's queries,
    check recall. Then namesakes told apart, then names as they are typed (the given name and the
    start of the family name, as htmx posts them; no target), then the issue 15 cases."""
    from django.test.utils import override_settings

    database.seal_seeded_trail(out)
    with override_settings(ROOT_URLCONF="bench.search.urls"):
        return _run_searches(searcher, searches, count=count, rng=rng, namesakes=namesakes, out=out)


def _run_searches(searcher, searches, *, count, rng, namesakes, out) -> dict:
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(searcher)
    url = reverse("schedule:index")
    floor_client, floor_url = Client(), reverse("bench_search_floor")
    client.post(url, {"q": "warm up"})
    floor_client.post(floor_url, {"q": "warm up"})
    chosen = [searches[i % len(searches)] for i in range(count)]
    rng.shuffle(chosen)
    load_before = os.getloadavg()
    times, floor_times, queries, found = [], [], [], 0
    for i, search in enumerate(chosen):
        # Alternate which goes first, so neither always follows the other's cache warming.
        first_floor = i % 2 == 1
        if first_floor:
            floor_times += _post_all(floor_client, floor_url, [search], check=False)[0]
        took, counted, hit = _post_all(client, url, [search])
        times += took
        queries += counted
        found += hit
        if not first_floor:
            floor_times += _post_all(floor_client, floor_url, [search], check=False)[0]
    load_after = os.getloadavg()
    times.sort()
    floor_times.sort()
    figures = {
        "searches": count,
        "p50_ms": statistics.median(times),
        "p95_ms": _p95(times),
        "max_ms": times[-1],
        "floor_p50_ms": statistics.median(floor_times),
        "floor_p95_ms": _p95(floor_times),
        "queries_min": min(queries),
        "queries_max": max(queries),
        "recall": found / count,
        "searches_per_second": 1000 * len(times) / sum(times),
        "floor_searches_per_second": 1000 * len(floor_times) / sum(floor_times),
    }
    figures["p50_ratio"] = figures["p50_ms"] / figures["floor_p50_ms"]
    figures["p95_ratio"] = figures["p95_ms"] / figures["floor_p95_ms"]
    print(
        f"{count} searches, each beside its floor (the same trigram lookup in a bare view): "
        f"search p50 {figures['p50_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms, max "
        f"{figures['max_ms']:.1f} ms; floor p50 {figures['floor_p50_ms']:.1f} ms, p95 "
        f"{figures['floor_p95_ms']:.1f} ms; ratio p50 {figures['p50_ratio']:.2f}, "
        f"p95 {figures['p95_ratio']:.2f} (target ≤ {TARGET_RATIO:.1f}); one connection, one "
        f"after another: {figures['searches_per_second']:.0f} searches/s against the floor's "
        f"{figures['floor_searches_per_second']:.0f}; queries per search "
        f"{figures['queries_min']}–{figures['queries_max']}; recall (true person in the top 10) "
        f"{figures['recall']:.1%} (target ≥ {TARGET_RECALL:.0%}); load average "
        f"{_load(load_before)} before, {_load(load_after)} after (the machine's other work)",
        file=out,
    )
    if namesakes:
        figures.update(run_namesakes(_post_all, client, url, namesakes, rng=rng, out=out))

    typing = _as_typed(chosen[: max(10, count // 5)], rng)
    took, counted, hit = _post_all(client, url, typing, htmx=True)
    took.sort()
    figures.update(
        typing_searches=len(typing),
        typing_p50_ms=statistics.median(took),
        typing_p95_ms=_p95(took),
        typing_queries_max=max(counted),
        typing_found=hit / len(typing),
    )
    print(
        f'{len(typing)} names as typed ("james ash"): p50 {figures["typing_p50_ms"]:.1f} ms, '
        f"p95 {figures['typing_p95_ms']:.1f} ms; queries per search at most "
        f"{figures['typing_queries_max']}; true person in the top 10 {figures['typing_found']:.1%}"
        " (no target: many people share a first name and the start of a family name)",
        file=out,
    )
    figures.update(run_recall_cases(client, url, out=out))
    return figures


def _load(averages) -> str:
    return " / ".join(f"{value:.1f}" for value in averages)


def _post_all(
    client, url, searches, *, htmx=False, check=True
) -> tuple[list[float], list[int], int]:
    """Post each search: the whole page (as without JavaScript), or the results only (htmx).
    Returns the times (ms, in order posted), the queries of each and how many showed the
    reference (``check``)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries, found = [], [], 0
    for query, reference in searches:
        # The query log is a bounded deque: once full, CaptureQueriesContext would count 0.
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.post(
                url, {"q": query}, headers={"HX-Request": "true"} if htmx else {}
            )
            elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        times.append(elapsed * 1000)
        queries.append(len(captured))
        found += check and reference.encode() in response.content
    return times, queries, found


def _p95(times: list[float]) -> float:
    return times[min(len(times) - 1, round(0.95 * len(times)) - 1)]


def _as_typed(searches, rng: random.Random) -> list[tuple[str, str]]:
    """The given name and the start of the family name of each searched-for person."""
    from schedule.models import Entry

    pks = [int(reference.removeprefix("UBS-")) for _, reference in searches]
    names = {
        pk: (given, family)
        for pk, given, family in Entry.objects.filter(pk__in=pks).values_list(
            "pk", "person__given_names", "person__family_name"
        )
    }
    typed = []
    for pk, (_, reference) in zip(pks, searches, strict=True):
        given, family = names[pk]
        typed.append((f"{given} {family[: rng.randint(3, len(family))]}".lower(), reference))
    return typed


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--audit-rows", type=int, default=1_000_000)
    parser.add_argument("--searches", type=int, default=500)
    parser.add_argument(
        "--live-share",
        type=float,
        default=0.05,
        help="the share of people with a live entry (1.0: everyone, as in issue 16)",
    )
    parser.add_argument("--namesake-groups", type=int, default=10, help="names shared (at most 10)")
    parser.add_argument("--namesakes-each", type=int, default=30, help="people sharing each name")
    parser.add_argument("--seed", type=int, default=4)
    database.add_database_arguments(
        parser, "ubpanel_bench", keep_help="leave the database for a rerun"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="search an already seeded --database (kept by --keep) without seeding again",
    )
    return parser.parse_args(argv)


def main(argv=None, out=sys.stdout) -> dict:
    args = parse_args(argv)
    rng = random.Random(args.seed)  # noqa: S311  (repeatable test data, not secrets)
    if args.in_place:
        searcher, searches, namesakes = _seed(args, rng, out)
        return run_searches(
            searcher, searches, count=args.searches, rng=rng, namesakes=namesakes, out=out
        )

    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL server (the benchmark's database goes beside it)."
        )
    os.environ["DATABASE_URL"] = database.url_for(base_url, args.database)
    os.environ.setdefault("DJANGO_ENV", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ubpanel.settings")
    if not args.reuse:
        database.admin_execute(base_url, f'DROP DATABASE IF EXISTS "{args.database}"')
        database.admin_execute(base_url, f'CREATE DATABASE "{args.database}"')
    try:
        import django
        from django.core.management import call_command

        django.setup()
        if not args.reuse:
            call_command("migrate", verbosity=0)
            searcher, searches, namesakes = _seed(args, rng, out)
        else:
            from ubpanel.models import User

            searcher = User.objects.get(username="bench-frontline")
            namesakes = namesakes_from_database()
            theirs = {namesake["ref"] for namesake in namesakes}
            searches = [search for search in _searches_from(rng) if search[1] not in theirs]
        return run_searches(
            searcher, searches, count=args.searches, rng=rng, namesakes=namesakes, out=out
        )
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            database.admin_execute(base_url, f'DROP DATABASE IF EXISTS "{args.database}"')


def _seed(args, rng, out):
    return seed(
        people=args.people,
        audit_rows=args.audit_rows,
        rng=rng,
        live_share=args.live_share,
        namesake_groups=args.namesake_groups,
        namesakes_each=args.namesakes_each,
        out=out,
    )


def _searches_from(rng: random.Random):
    from schedule.models import Entry

    entries = Entry.objects.select_related("person").order_by("pk")
    return [
        (misspell(e.person.given_names, e.person.family_name, rng), e.reference) for e in entries
    ]


if __name__ == "__main__":
    main(sys.argv[1:])
