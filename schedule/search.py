"""Search before contact: which live schedule entries and address warnings fit what was typed.

One box takes a name (or the start of one, as it is typed), an alias, an address, a postcode, an
email or a phone number. What is compared are the normalised forms the services store, so a typo,
names in the other order, accents or hyphens still find the person; ``dt11aa`` is ``DT1 1AA`` and
``+44 7700 900123`` is ``07700900123``.

On PostgreSQL the lookup reads ``schedule.SearchKey``: the names, aliases, addresses, postcodes,
emails and phone numbers of only the people with a live entry, kept exact by triggers and searched
through trigram indexes (pg_trgm's ``%`` for whole names, ``<%`` word similarity for part of one,
``ILIKE`` for address text) by the SQL function ``schedule_searchkey_search`` (migration 0005).
SQLite, the demo's database, has neither: there the same keys are read from the people tables and
compared in Python, which is fine for the demo's hundreds of people.

Every key found is then scored in Python the same way on both databases (``_score``). Whole names
are compared word by word with ``referrals.matching.name_similarity``, the measure used at intake;
a name that is only begun (``jam``, ``whitl``, ``james ash``) matches when each word typed begins
a different word of the name.

The cases people type: a short form of the given name, both ways (``bill smith`` finds William
Smith, ``william smith`` finds Bill Smith; the ``nicknames`` dataset, ``normalise.name_variants``),
looked up exactly through the names' trigram index (pg_trgm serves ``=``), so the lookup stays one
indexed query; names in other scripts, stored transliterated when they are written (``Иван
Петров`` is ``ivan petrov``, whichever way it is typed); initials (``j smith``), weaker than the
name in full. Each result carries what tells namesakes apart, the year of birth and the postcode
districts (``DT1``), of a person whose entry the user may see, and nothing more.

``visible_entries(user)`` is the only gate, applied in the lookup itself: a person whose entry the
user may not see is never read, so the answer is exactly the one for a search that matched
nobody. A fixed number of queries per search, however many entries there are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connections
from django.db.models import Q

from referrals import normalise
from referrals.matching import name_likeness, name_similarity
from referrals.models import Person, PersonAddress, PersonAlias, PersonEmail, PersonPhone

from .models import LIVE_STATUSES, AddressWarning, Entry, SearchKeyKind
from .search_index import search_keys_maintained
from .selectors import visible_address_warnings, visible_entries

MAX_RESULTS = 10
# Keys read per search at most, best first: enough for every person a first name alone can match.
MAX_KEYS = 300
# Shorter address text would match half the register ("1", "st").
MIN_ADDRESS_TEXT = 4
# A number typed with fewer digits is not a phone number.
MIN_PHONE_DIGITS = 7
# Fewer letters typed than this do not start a name search: "jo" would list every Jo and Jones.
MIN_NAME_LETTERS = 3
# As at intake (referrals.matching): a name alone must be about two-thirds alike to be shown.
MIN_NAME_SIMILARITY = 2 / 3
# A name only begun scores between these, more the more of the name was typed: always shown, and
# always below the same name typed in full.
PARTIAL_FLOOR, PARTIAL_CEILING = 0.7, 0.95
# An exact email, phone, postcode or address match ranks above any name that is only similar.
IDENTIFIER_SCORE = 1.0
# Names score at most this (referrals.matching's NAME_WEIGHT), below any identifier.
NAME_WEIGHT = 0.6

NAMES = (SearchKeyKind.NAME, SearchKeyKind.ALIAS)


@dataclass
class Result:
    """One thing found: a schedule entry, or an address that carries its own warning."""

    score: float
    reasons: list[str] = field(default_factory=list)
    entry: Entry | None = None
    address_warning: AddressWarning | None = None

    @property
    def postcode_districts(self) -> list[str]:
        """Where the person lives, to the postcode district only (``DT1``): tells namesakes
        apart without showing the address."""
        if not self.entry:
            return []
        districts = {
            normalise.postcode_district(address.postcode_normalised)
            for address in self.entry.person.addresses.all()
        }
        return sorted(district for district in districts if district)

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

    @property
    def name_key(self) -> str:
        """The name in its normalised form, when enough of it was typed to look for."""
        key = normalise.name(self.name)
        return key if len(key.replace(" ", "")) >= MIN_NAME_LETTERS else ""

    @property
    def name_variants(self) -> list[str]:
        """The name with its given name in each other form (``bill smith``: ``william smith``)."""
        return normalise.name_variants(self.name_key) if self.name_key else []

    @property
    def address_text(self) -> str:
        return self.name if len(self.name) >= MIN_ADDRESS_TEXT else ""


@dataclass(frozen=True)
class Key:
    """Something a person on the schedule is known by that may fit the search."""

    person_id: int
    kind: str
    value: str  # normalised; an address as written
    written: str = ""  # an alias as written


def search_entries(user, query: str) -> list[Result]:
    """Live entries ``user`` may see, and address warnings of tiers they may see, best match first."""
    parsed = Query.parse(query)
    if not parsed.text:
        return []
    entries = visible_entries(user).filter(status__in=LIVE_STATUSES)
    if search_keys_maintained(entries.db):
        keys = _keys_postgresql(entries, parsed)
    else:
        keys = _keys_python(entries, parsed)
    scores = _score(keys, parsed)

    results = []
    if scores:
        # Ties (a first name alone fits many) go alphabetically, as the results are shown.
        best = sorted(scores, key=lambda pk: (-scores[pk][0], scores[pk][2], pk))
        found = entries.filter(person_id__in=best[:MAX_RESULTS])
        found = found.select_related("person", "spoc_service").prefetch_related("person__addresses")
        for entry in found:
            score, reasons, _ = scores[entry.person_id]
            results.append(Result(score=score, reasons=reasons, entry=entry))
    results.extend(_address_warnings(user, parsed))
    results.sort(key=lambda r: (-r.score, str(r.entry or r.address_warning)))
    return results[:MAX_RESULTS]


# --- The lookup ------------------------------------------------------------------------------


def _keys_postgresql(entries, parsed: Query) -> list[Key]:
    """One query: the search table's keys like what was typed, of people the user may see."""
    on_schedule, params = entries.order_by().values("person_id").query.sql_with_params()
    like = ""
    if parsed.address_text:
        escaped = parsed.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{escaped}%"
    # Only Django's own SQL is interpolated; what was typed goes in as parameters.
    # The given name's other forms are looked up exactly (the names' trigram index serves ``=``).
    sql = f"""
        SELECT k.person_id, k.kind, k.value, k.written
          FROM (
                SELECT * FROM schedule_searchkey_search(%s, %s, %s, %s, %s)
                UNION ALL
                SELECT v.person_id, v.kind, v.value, v.written, 1::real
                  FROM schedule_searchkey v
                 WHERE v.kind IN ('name', 'alias') AND v.value = ANY(%s::text[])
               ) AS k
         WHERE k.person_id IN ({on_schedule})
         ORDER BY k.rank DESC, k.value
         LIMIT %s
    """  # noqa: S608
    with connections[entries.db].cursor() as cursor:
        cursor.execute(
            sql,
            [
                parsed.name_key,
                like,
                parsed.postcode,
                parsed.email,
                parsed.phone,
                parsed.name_variants,
                *params,
                MAX_KEYS,
            ],
        )
        return [Key(*row) for row in cursor.fetchall()]


def _keys_python(entries, parsed: Query) -> list[Key]:
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
    if parsed.email:
        matching = PersonEmail.objects.filter(
            person_id__in=on_schedule, email_normalised=parsed.email
        )
        keys += [
            Key(pk, SearchKeyKind.EMAIL, parsed.email)
            for pk in matching.values_list("person_id", flat=True)
        ]
    if parsed.phone:
        matching = PersonPhone.objects.filter(
            person_id__in=on_schedule, number_normalised=parsed.phone
        )
        keys += [
            Key(pk, SearchKeyKind.PHONE, parsed.phone)
            for pk in matching.values_list("person_id", flat=True)
        ]
    return keys


# --- Scoring ---------------------------------------------------------------------------------


def _score(keys: list[Key], parsed: Query) -> dict[int, tuple[float, list[str], str]]:
    """Each person's score, the reasons and the name they were found by, from the keys that fit
    (the same on both databases).

    The closest of their names and aliases says why they were found; every identifier that
    matched is named too.
    """
    typed = parsed.name_key
    names: dict[int, tuple[float, str, str]] = {}
    identifiers: dict[int, list[str]] = {}
    for key in keys:
        if key.kind in NAMES:
            if typed:
                similarity, reason = _name_match(typed, key)
                if (
                    similarity >= MIN_NAME_SIMILARITY
                    and similarity > names.get(key.person_id, (0.0,))[0]
                ):
                    names[key.person_id] = (similarity, reason, key.value)
        else:
            reasons = identifiers.setdefault(key.person_id, [])
            reason = _identifier_reason(key, parsed)
            if reason not in reasons:
                reasons.append(reason)
    scores = {}
    for person_id in names.keys() | identifiers.keys():
        similarity, name_reason, name = names.get(person_id, (0.0, "", ""))
        found_by = identifiers.get(person_id, [])
        score = IDENTIFIER_SCORE if found_by else NAME_WEIGHT * similarity
        reasons = [name_reason, *found_by] if name_reason else found_by
        scores[person_id] = (score, reasons, name)
    return scores


def _name_match(typed: str, key: Key) -> tuple[float, str]:
    """How alike the name typed and this name or alias are (0-1), and how to say why."""
    alias = f" alias ‘{key.written}’" if key.kind == SearchKeyKind.ALIAS else ""
    similarity = name_similarity(typed, key.value)
    partial = _partial_similarity(typed, key.value)
    if partial > similarity:
        if any(len(word) == 1 for word in typed.split()):
            return partial, f"Initials match{alias}"
        return partial, f"Part of{alias or ' the name'} matches"
    if typed == key.value or similarity >= 1.0:
        if alias:
            return similarity, f"Same name as{alias}"
        if typed == key.value:
            return similarity, "Same name"
        return similarity, "Same names in a different order"
    if alias:
        return similarity, f"Name similar to{alias}"
    return similarity, name_likeness(typed, key.value)


def _partial_similarity(typed: str, name: str) -> float:
    """A name begun: each word typed begins a different word of the name (``jam``, ``james
    ash``, ``whitl``). More of the name typed scores higher; 0 when a word typed begins none."""
    words = name.split()
    typed_letters = matched_letters = 0
    for part in sorted(typed.split(), key=len, reverse=True):
        begun = [word for word in words if word.startswith(part)]
        if not begun:
            return 0.0
        word = min(begun, key=len)
        words.remove(word)
        typed_letters += len(part)
        matched_letters += len(word)
    if typed_letters < MIN_NAME_LETTERS:
        return 0.0
    return PARTIAL_FLOOR + (PARTIAL_CEILING - PARTIAL_FLOOR) * typed_letters / matched_letters


def _identifier_reason(key: Key, parsed: Query) -> str:
    if key.kind == SearchKeyKind.POSTCODE:
        return f"Postcode {normalise.postcode_display(parsed.postcode)} matches"
    if key.kind == SearchKeyKind.EMAIL:
        return "Email matches"
    if key.kind == SearchKeyKind.PHONE:
        return "Phone number matches"
    return "Address matches"


def _address_warnings(user, parsed: Query) -> list[Result]:
    conditions = []
    if parsed.postcode:
        conditions.append(Q(postcode_normalised=parsed.postcode))
    if parsed.address_text:
        conditions.append(Q(address__icontains=parsed.text))
    if not conditions:
        return []
    # With the entry, whose person the audit row names (no query per warning).
    warnings = (
        visible_address_warnings(user)
        .filter(Q(*conditions, _connector=Q.OR))
        .select_related("entry")
    )
    return [
        Result(score=IDENTIFIER_SCORE, reasons=["Address warning"], address_warning=warning)
        for warning in warnings.order_by("pk")[:MAX_RESULTS]
    ]
