"""Search before contact: which live schedule entries and address warnings fit what was typed.

One box takes a name, an alias, an address, a postcode, an email or a phone number. Names go
through ``referrals.matching.candidate_people`` (pg_trgm's GIN indexes on PostgreSQL, its Python
fallback on SQLite) over the people whose entries the user may see, so a typo, swapped names,
accents or hyphens still find them. Postcodes, emails and phones are compared in their
``normalise`` forms; address text is a plain case-insensitive "contains".

``visible_entries(user)`` is the only gate: a person whose entry the user may not see never enters
the pool, so the answer is exactly the one for a search that matched nobody. A fixed number of
queries per search, however many entries there are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connections
from django.db.models import Q

from referrals import normalise
from referrals.matching import TRIGRAM_THRESHOLD, candidate_people
from referrals.models import Person, PersonAddress, PersonAlias

from .models import LIVE_STATUSES, AddressWarning, Entry
from .selectors import visible_address_warnings, visible_entries

MAX_RESULTS = 10
# Shorter address text would match half the register ("1", "st").
MIN_ADDRESS_TEXT = 4
# A number typed with fewer digits is not a phone number.
MIN_PHONE_DIGITS = 7
# An exact email, phone, postcode or address match ranks above any name that is only similar.
IDENTIFIER_SCORE = 1.0


@dataclass
class Result:
    """One thing found: a schedule entry, or an address that carries its own warning."""

    score: float
    reasons: list[str] = field(default_factory=list)
    entry: Entry | None = None
    address_warning: AddressWarning | None = None

    @property
    def tier(self) -> str:
        return (self.entry or self.address_warning).tier


@dataclass(frozen=True)
class Query:
    """What was typed, read every way it could be meant."""

    text: str
    postcode: str
    email: str
    phone: str

    @classmethod
    def parse(cls, text: str) -> Query:
        text = " ".join((text or "").split())[:200]
        compact = normalise.postcode(text)
        is_postcode = 5 <= len(compact) <= 7 and compact[0].isalpha() and compact[-3].isdigit()
        phone = normalise.phone(text) if not any(ch.isalpha() for ch in text) else ""
        return cls(
            text=text,
            postcode=compact if is_postcode else "",
            email=normalise.email(text) if "@" in text else "",
            phone=phone if len(phone) >= MIN_PHONE_DIGITS else "",
        )

    @property
    def kinds(self) -> list[str]:
        """What the search was read as, for the audit trail."""
        kinds = [
            kind
            for kind, present in (
                ("postcode", self.postcode),
                ("email", self.email),
                ("phone", self.phone),
            )
            if present
        ]
        return kinds or ["name or address"]

    @property
    def name(self) -> str:
        """A name or address text only when it is not plainly a postcode, email or phone number."""
        return "" if (self.postcode or self.email or self.phone) else self.text


def search_entries(user, query: str) -> list[Result]:
    """Live entries ``user`` may see, and address warnings of tiers they may see, best match first."""
    parsed = Query.parse(query)
    if not parsed.text:
        return []
    entries = visible_entries(user).filter(status__in=LIVE_STATUSES)
    people = Person.objects.filter(pk__in=entries.values("person_id"))

    scores: dict[int, tuple[float, list[str]]] = {}
    address_matches: list[int] = []
    on_postgresql = connections[people.db].vendor == "postgresql"
    if parsed.name:
        pool = people
        if on_postgresql:
            name_pool, address_matches = _pool_postgresql(entries, parsed)
            pool = people.filter(pk__in=name_pool) if name_pool else Person.objects.none()
        for candidate in candidate_people(pool, given_names=parsed.name, limit=MAX_RESULTS):
            scores[candidate.person.pk] = (candidate.score, candidate.reasons)
    identifiers = _identifier_matches(people, parsed, address_text=not on_postgresql)
    identifiers += [(pk, "Address matches") for pk in address_matches]
    for person_id, reason in identifiers:
        score, reasons = scores.get(person_id, (0.0, []))
        if reason not in reasons:
            reasons = [*reasons, reason]
        scores[person_id] = (max(score, IDENTIFIER_SCORE), reasons)

    results = []
    if scores:
        found = entries.filter(person_id__in=scores).select_related("person", "spoc_service")
        for entry in found:
            score, reasons = scores[entry.person_id]
            results.append(Result(score=score, reasons=reasons, entry=entry))
    results.extend(_address_warnings(user, parsed))
    results.sort(key=lambda r: (-r.score, str(r.entry or r.address_warning)))
    return results[:MAX_RESULTS]


def _identifier_matches(people, parsed: Query, *, address_text=True) -> list[tuple[int, str]]:
    """People with the same email, phone or postcode, or whose address contains the text: one query."""
    conditions = []
    if parsed.email:
        conditions.append(Q(emails__email_normalised=parsed.email))
    if parsed.phone:
        conditions.append(Q(phones__number_normalised=parsed.phone))
    if parsed.postcode:
        conditions.append(Q(addresses__postcode_normalised=parsed.postcode))
    if address_text and parsed.name and len(parsed.text) >= MIN_ADDRESS_TEXT:
        conditions.append(Q(addresses__address__icontains=parsed.text))
    if not conditions:
        return []
    if parsed.email:
        reason = "Email matches"
    elif parsed.phone:
        reason = "Phone number matches"
    elif parsed.postcode:
        reason = f"Postcode {normalise.postcode_display(parsed.postcode)} matches"
    else:
        reason = "Address matches"
    rows = people.filter(Q(*conditions, _connector=Q.OR)).order_by().values_list("pk", flat=True)
    return [(pk, reason) for pk in rows.distinct()[: MAX_RESULTS * 5]]


def _pool_postgresql(entries, parsed: Query) -> tuple[list[int], list[int]]:
    """Who on the schedule has a name or alias like the text, and whose address contains it.

    One query. The people on the schedule are a few percent of everyone the council knows, so
    only their names, aliases and addresses are compared, fetched by primary and foreign key
    (``= ANY(ARRAY(...))`` keeps PostgreSQL on those indexes): given the whole ``people`` set,
    the planner costed pg_trgm's ``%`` as cheap and computed the similarity of every one of
    100,000 names (a quarter of a second), and ILIKE read every address. The ids found go to
    ``candidate_people`` to be scored, as at intake.
    """
    on_schedule, params = entries.order_by().values("person_id").query.sql_with_params()
    person, alias, address = (
        model._meta.db_table for model in (Person, PersonAlias, PersonAddress)
    )
    key = normalise.name(parsed.text)
    like = "%" + parsed.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    # Only Django's own SQL and table names are interpolated; what was typed goes in as parameters.
    sql = f"""
        WITH on_schedule AS MATERIALIZED ({on_schedule}),
        names AS MATERIALIZED (
            SELECT p.id AS person_id, p.search_name AS name FROM {person} p
             WHERE p.id = ANY(ARRAY(SELECT person_id FROM on_schedule))
            UNION ALL
            SELECT a.person_id, a.search_name FROM {alias} a
             WHERE a.person_id = ANY(ARRAY(SELECT person_id FROM on_schedule))
        )
        (SELECT person_id, 'name' FROM names
          WHERE similarity(name, %s) >= %s
          GROUP BY person_id ORDER BY max(similarity(name, %s)) DESC LIMIT %s)
        UNION ALL
        (SELECT DISTINCT d.person_id, 'address' FROM {address} d
          WHERE %s AND d.person_id = ANY(ARRAY(SELECT person_id FROM on_schedule))
            AND d.address ILIKE %s LIMIT %s)
    """  # noqa: S608
    pool_size = max(5 * MAX_RESULTS, 50)
    with connections[entries.db].cursor() as cursor:
        cursor.execute(
            sql,
            [
                *params,
                key,
                TRIGRAM_THRESHOLD,
                key,
                pool_size,
                len(parsed.text) >= MIN_ADDRESS_TEXT,
                like,
                pool_size,
            ],
        )
        rows = cursor.fetchall()
    return (
        [pk for pk, kind in rows if kind == "name"],
        [pk for pk, kind in rows if kind == "address"],
    )


def _address_warnings(user, parsed: Query) -> list[Result]:
    conditions = []
    if parsed.postcode:
        conditions.append(Q(postcode_normalised=parsed.postcode))
    if parsed.name and len(parsed.text) >= MIN_ADDRESS_TEXT:
        conditions.append(Q(address__icontains=parsed.text))
    if not conditions:
        return []
    warnings = visible_address_warnings(user).filter(Q(*conditions, _connector=Q.OR))
    return [
        Result(score=IDENTIFIER_SCORE, reasons=["Address warning"], address_warning=warning)
        for warning in warnings.order_by("pk")[:MAX_RESULTS]
    ]
