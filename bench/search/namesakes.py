"""Namesakes told apart (issue 16, point 3): groups of people with exactly the same name, each on
the schedule, each with their own date of birth and postcode. A name alone can show only ten of
a group; the name with the date of birth, or with the postcode, must put the person searched for
in the top 10 every time (target 100 %). The year of birth and the postcode district, which
several of a group may share, are measured too, for information.
"""

from __future__ import annotations

import random
import sys
from datetime import date, timedelta

from bench.database import ENTRY_TEXT
from referrals import normalise

# Names the benchmark's generated family names never make, so each group is exactly its namesakes.
NAMES = [
    ("John", "Smith"),
    ("Sarah", "Jones"),
    ("David", "Williams"),
    ("Mary", "Taylor"),
    ("Michael", "Brown"),
    ("Emma", "Davies"),
    ("Paul", "Evans"),
    ("Claire", "Wilson"),
    ("Mark", "Thomas"),
    ("Karen", "Roberts"),
]
LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
# Namesakes searched for, each every way (a sample: six ways each cost a search).
SEARCHED_PER_WAY = 60


def _postcode(rng: random.Random) -> str:
    return f"DT{rng.randint(1, 11)} {rng.randint(1, 9)}{rng.choice(LETTERS)}{rng.choice(LETTERS)}"


def seed_namesakes(*, groups: int, size: int, rng: random.Random) -> list[dict]:
    """``groups`` names, ``size`` people each, every one with a live entry; returns each person's
    name, date of birth, postcode and entry reference."""
    from referrals.models import Person, PersonAddress
    from schedule.models import Entry

    # Bulk-loaded like the rest of the seeding: no auditlog rows, so nothing for the audit
    # chain's sealer to hash while seeding (the triggers still fill the search table).
    rows = []
    for given, family in NAMES[:groups]:
        for _ in range(size):
            born = date(1940, 1, 1) + timedelta(days=rng.randrange(65 * 365))
            person = Person(
                given_names=given,
                family_name=family,
                search_name=normalise.name(f"{given} {family}"),
                date_of_birth=born,
            )
            rows.append((person, _postcode(rng)))
    Person.objects.bulk_create([person for person, _ in rows])
    PersonAddress.objects.bulk_create(
        PersonAddress(
            person=person,
            address=f"{rng.randint(1, 200)} Namesake Road\nDorchester",
            postcode=code,
            postcode_normalised=normalise.postcode(code),
        )
        for person, code in rows
    )
    entries = Entry.objects.bulk_create(
        Entry(
            person=person,
            tier="medium",
            status="active",
            **ENTRY_TEXT,
        )
        for person, _ in rows
    )
    seeded = [
        {
            "name": f"{person.given_names} {person.family_name}",
            "born": person.date_of_birth,
            "postcode": code,
            "ref": entry.reference,
        }
        for (person, code), entry in zip(rows, entries, strict=True)
    ]
    return seeded


def namesake_searches(seeded: list[dict], rng: random.Random) -> dict[str, list[tuple[str, str]]]:
    """For each way of telling them apart, (what is typed, the reference that must be shown)."""
    ways = {
        "name and date of birth": lambda p: f"{p['name']} {p['born']:%d/%m/%Y}",
        "name and date of birth (ISO)": lambda p: f"{p['name'].lower()} {p['born']:%Y-%m-%d}",
        "name and postcode": lambda p: f"{p['name']} {p['postcode']}",
        "name and year of birth": lambda p: f"{p['name'].lower()} {p['born']:%Y}",
        "name and postcode district": lambda p: f"{p['name'].lower()} {p['postcode'].split()[0]}",
        "name alone": lambda p: p["name"],
    }
    # The same people every way, so the ways compare.
    chosen = rng.sample(seeded, min(len(seeded), SEARCHED_PER_WAY))
    return {way: [(typed(p), p["ref"]) for p in chosen] for way, typed in ways.items()}


# The ways with a target (100 %); the others are printed for information.
TARGETED = ("name and date of birth", "name and date of birth (ISO)", "name and postcode")


def run_namesakes(post_all, client, url, seeded, *, rng, out=sys.stdout) -> dict:
    """Search every namesake every way; print and return the share found in the top 10."""
    figures = {}
    queries_seen = []
    parts = []
    for way, searches in namesake_searches(seeded, rng).items():
        times, queries, found = post_all(client, url, searches)
        queries_seen += queries
        share = found / len(searches)
        figures[f"namesakes {way}"] = share
        parts.append(f"{way} {share:.1%}")
    groups = len({p["name"] for p in seeded})
    figures["namesakes_queries_min"] = min(queries_seen)
    figures["namesakes_queries_max"] = max(queries_seen)
    print(
        f"Namesakes ({groups} names, {len(seeded) // max(groups, 1)} people each, all live; "
        f"{min(len(seeded), SEARCHED_PER_WAY)} of them searched for each way): "
        f"searched-for person in the top 10: {'; '.join(parts)} (target 100 % for "
        f"{', '.join(TARGETED)}); queries per search {min(queries_seen)}–{max(queries_seen)}",
        file=out,
    )
    return figures


def namesakes_from_database() -> list[dict]:
    """The namesakes of a database seeded before (``--reuse``)."""
    from django.db.models import Q

    from schedule.models import Entry

    named = Q()
    for given, family in NAMES:
        named |= Q(person__given_names=given, person__family_name=family)
    entries = Entry.objects.filter(named).select_related("person").order_by("pk")
    return [
        {
            "name": f"{e.person.given_names} {e.person.family_name}",
            "born": e.person.date_of_birth,
            "postcode": e.person.addresses.first().postcode,
            "ref": e.reference,
        }
        for e in entries
    ]
