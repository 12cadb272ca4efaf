"""The lookup behind search before contact (``schedule.search``): the keys (names, aliases,
addresses, postcodes, emails, phone numbers) of people the user may see that are like what was
typed. On PostgreSQL one query on ``schedule.SearchKey``; on SQLite, the demo's database, the
people tables read and compared in Python.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connections
from django.db.models.expressions import RawSQL

from referrals.models import Person, PersonAddress, PersonAlias, PersonEmail, PersonPhone

from .models import SearchKeyKind
from .search_query import Query

# Keys read per search at most, best first (PostgreSQL orders them by trigram likeness, people
# fitting a date of birth or postcode typed with the name first): five times the results shown
# leaves room for the same person found by name and alias, and for misspellings that PostgreSQL's
# measure ranks a little differently from ours. Scoring more cost time and found nobody more
# (bench/search: recall is the same at 300).
MAX_KEYS = 50


@dataclass(frozen=True)
class Key:
    """Something a person on the schedule is known by that may fit the search."""

    person_id: int
    kind: str
    value: str  # normalised; an address as written
    written: str = ""  # an alias as written
    born: bool = False  # the person's date of birth fits the date or year typed with the name
    lives_at: bool = False  # one of their postcodes fits the postcode or district typed


# --- The lookup ------------------------------------------------------------------------------


def keys_postgresql(entries, parsed: Query) -> list[Key]:
    """One query: the search table's keys like what was typed, of people the user may see, best
    first and at most MAX_KEYS, cut after the permission check (so a hidden namesake never takes
    a visible person's place). A date of birth or postcode typed with the name puts the people it
    fits first, before the cut: at a million people a common name has hundreds of namesakes."""
    # Whether the key's person has an entry the user may see, asked of each key found through
    # the entry's person_id index. As an ``IN`` or a plain ``EXISTS`` PostgreSQL made it a semi
    # join over every visible entry, misjudging them as one row, and compared each key with each
    # (190 ms at 10,000 live entries; the lookup itself takes 20). ``OFFSET 0`` keeps the EXISTS a
    # subplan run per key: a few index probes.
    own_entry = entries.order_by().filter(person_id=RawSQL("k.person_id", ())).values("pk")
    visible, params = own_entry.query.sql_with_params()
    like = ""
    if parsed.address_text:
        escaped = parsed.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{escaped}%"
    born, lives_at, narrow_params = _narrowing_sql(parsed)
    # Only Django's own SQL and our constants are interpolated; what was typed goes in as
    # parameters. The given name's other forms are looked up exactly (the names' trigram index
    # serves ``=``).
    sql = f"""
        SELECT k.person_id, k.kind, k.value, k.written, {born} AS born, {lives_at} AS lives_at
          FROM (
                SELECT * FROM schedule_searchkey_search(%s, %s, %s, %s, %s)
                UNION ALL
                SELECT v.person_id, v.kind, v.value, v.written, 1::real
                  FROM schedule_searchkey v
                 WHERE v.kind IN ('name', 'alias') AND v.value = ANY(%s::text[])
               ) AS k
         WHERE EXISTS ({visible} OFFSET 0)
         ORDER BY {born}::int + {lives_at}::int DESC, k.rank DESC, k.value
         LIMIT %s
    """  # noqa: S608
    with connections[entries.db].cursor() as cursor:
        cursor.execute(
            sql,
            [
                *narrow_params,
                parsed.name_key,
                like,
                parsed.postcode,
                parsed.email,
                parsed.phone,
                parsed.name_variants,
                *params,
                *narrow_params,
                MAX_KEYS,
            ],
        )
        return [Key(*row) for row in cursor.fetchall()]


# Whether the person lives at the postcode typed (True) or in the district typed (False).
_LIVES_AT = {
    True: "EXISTS (SELECT 1 FROM referrals_personaddress a WHERE a.person_id = k.person_id"
    " AND a.postcode_normalised = %s)",
    False: "EXISTS (SELECT 1 FROM referrals_personaddress a WHERE a.person_id = k.person_id"
    " AND left(a.postcode_normalised, -3) = %s)",
}


def _narrowing_sql(parsed: Query) -> tuple[str, str, list]:
    """SQL saying whether a key's person was born when typed and lives where typed (``false``
    when nothing was typed: no join at all), and its parameters."""
    born = lives_at = "false"
    params: list = []
    if parsed.born_from:
        born = (
            "EXISTS (SELECT 1 FROM referrals_person p WHERE p.id = k.person_id"
            " AND p.date_of_birth >= %s AND p.date_of_birth < %s)"
        )
        params += [parsed.born_from, parsed.born_before]
    if parsed.near_postcode or parsed.near_district:
        lives_at = _LIVES_AT[bool(parsed.near_postcode)]
        params.append(parsed.near_postcode or parsed.near_district)
    return born, lives_at, params


def keys_python(entries, parsed: Query) -> list[Key]:
    """SQLite: the same keys from the people tables; every name is scored in Python."""
    on_schedule = entries.order_by().values("person_id")
    keys: list[Key] = []
    if parsed.name_key:
        people = Person.objects.filter(pk__in=on_schedule)
        aliases = PersonAlias.objects.filter(person_id__in=on_schedule)
        keys += [
            Key(pk, SearchKeyKind.NAME, name)
            for pk, name in people.values_list("pk", "search_name")
        ]
        keys += [
            Key(pk, SearchKeyKind.ALIAS, name, written)
            for pk, name, written in aliases.values_list("person_id", "search_name", "name")
        ]
    if parsed.postcode or parsed.address_text:
        addresses = PersonAddress.objects.filter(person_id__in=on_schedule)
        if parsed.postcode:
            matching = addresses.filter(postcode_normalised=parsed.postcode)
            keys += [
                Key(pk, SearchKeyKind.POSTCODE, parsed.postcode)
                for pk in matching.values_list("person_id", flat=True)
            ]
        else:
            matching = addresses.filter(address__icontains=parsed.text)
            keys += [
                Key(pk, SearchKeyKind.ADDRESS, address)
                for pk, address in matching.values_list("person_id", "address")
            ]
    exact = (
        (PersonEmail, "email_normalised", parsed.email, SearchKeyKind.EMAIL),
        (PersonPhone, "number_normalised", parsed.phone, SearchKeyKind.PHONE),
    )
    for model, column, value, kind in exact:
        if value:
            matching = model.objects.filter(person_id__in=on_schedule, **{column: value})
            keys += [Key(pk, kind, value) for pk in matching.values_list("person_id", flat=True)]
    return _narrowed_python(keys, parsed) if parsed.narrowed else keys


def _narrowed_python(keys: list[Key], parsed: Query) -> list[Key]:
    """SQLite: which people found fit the date of birth and postcode typed with the name."""
    found = {key.person_id for key in keys}
    born = {
        pk
        for pk, date_of_birth in Person.objects.filter(pk__in=found).values_list(
            "pk", "date_of_birth"
        )
        if parsed.born(date_of_birth)
    }
    lives_at = {
        pk
        for pk, postcode in PersonAddress.objects.filter(person_id__in=found).values_list(
            "person_id", "postcode_normalised"
        )
        if parsed.lives_at(postcode)
    }
    return [
        Key(k.person_id, k.kind, k.value, k.written, k.person_id in born, k.person_id in lives_at)
        for k in keys
    ]
