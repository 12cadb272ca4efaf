"""Who might this be? Known people who may be the individual described at intake or triage.

``candidate_people`` gathers a small pool of possible matches from the database, then scores each
in Python, so a match scores and reads the same on PostgreSQL and on SQLite:

- the pool: people whose name or an alias is trigram-similar to a name given (pg_trgm's ``%``
  operator, served by the GIN indexes of migration 0002; at its default
  ``pg_trgm.similarity_threshold`` of 0.3), plus people with the same email, phone number,
  postcode or date of birth. On SQLite, which has no trigram index, the names of everyone the user
  may see are read and compared in Python with the same trigram measure as pg_trgm: fine for the
  embedded demo's hundreds of people, not for a real register (tens of thousands of people make
  it read tens of thousands of rows per search).
- the score: each piece of evidence closes part of the gap to certainty,
  ``1 - (1 - w1)(1 - w2)...``, with the weights below. Names are compared word by word, in any
  order, forgiving typos (``name_similarity``); one that is less than NAME_FLOOR alike counts for
  nothing, so a coincidental birthday does not lift a stranger above MATCH_THRESHOLD.

Short forms of a given name (``Bill`` for ``William``, ``Liz`` for ``Elizabeth``, both ways,
from the ``nicknames`` dataset) are close to the same name (NICKNAME_SIMILARITY); each name given
also brings in, by an exact b-tree lookup, the people stored under its other forms
(``normalise.name_variants``). Names in other scripts are stored transliterated (``Иван Петров``
is ``ivan petrov``). An initial (``J Smith``) matches a name it begins, but weaker than the name in
full (at most INITIAL_SIMILARITY).

A name less than 0.3 trigram-similar to every name given (two slips in a short name: ``Daneil
Wset`` for ``Daniel West``) never reaches the pool: only an email, phone, postcode or date of birth
can bring that person in.

Names, postcodes, emails and phones are compared in their ``normalise`` forms, the ones the
services store: ``Zoë Whitlock-Jones`` is ``zoe whitlock jones``, ``dt11aa`` is ``DT11AA``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from django.contrib.postgres.lookups import TrigramSimilar
from django.contrib.postgres.search import TrigramSimilarity
from django.db import connections
from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet
from django.db.models.query import EmptyQuerySet

from ubpanel.entry_status import LIVE_STATUSES

from . import normalise
from .models import Person, PersonAddress, PersonAlias, PersonEmail, PersonPhone
from .normalise import same_given_name
from .spelling import edit_distance, trigram_set_similarity, trigrams
from .spelling import trigram_similarity as trigram_similarity  # the tests' and callers' name

# A candidate scoring less than this is not shown. Alone, a name at least ~0.67 alike, an email or
# a phone number is enough; a date of birth or a postcode alone is not, the two together are.
MATCH_THRESHOLD = 0.4
# Names less alike than this are treated as different names.
NAME_FLOOR = 0.6
NAME_WEIGHT = 0.6  # multiplied by how alike the names are
EMAIL_WEIGHT = 0.6
PHONE_WEIGHT = 0.6
DATE_OF_BIRTH_WEIGHT = 0.35
POSTCODE_WEIGHT = 0.25

# A given name in another form (``bill``/``william``): nearly the same name, never quite.
NICKNAME_SIMILARITY = 0.85
# ``j kingsworth`` is not ``peter kingsworth``: an initial standing for no word, in names of as
# many words, makes them different names (below NAME_FLOOR).
MISMATCHED_INITIAL_SIMILARITY = 0.5
# Given names spelt less alike than this, yet the same name (``jon``/``john`` are, ``jonathon``/
# ``jonathan`` are merely spelt alike), are called a short form in the reasons.
SHORT_FORM_SPELLING = 0.8
# A name matched through an initial (``j smith``/``john smith``) is at most this alike: shown, but
# below the name in full.
INITIAL_SIMILARITY = 0.8

# pg_trgm's default similarity_threshold: the ``%`` operator's cut-off, and the same cut-off for the
# SQLite fallback, so both build the same pool.
TRIGRAM_THRESHOLD = 0.3
# At most this many names are looked for (their name and the first few other names given).
MAX_NAMES = 5


@dataclass(frozen=True)
class Candidate:
    """A known person who may be the individual described, and why we think so."""

    person: Person  # with aliases, addresses, emails and phones prefetched
    score: float  # 0-1
    reasons: list[str]  # "Same date of birth", "Name similar to alias ‘Jon Smyth’", ...
    on_schedule: bool  # has a live schedule entry: linking them makes it repeat behaviour


@dataclass(frozen=True)
class _Described:
    """The individual as described, in normalised forms."""

    names: tuple[tuple[str, str, bool], ...]  # (normalised, as given, is one of their other names)
    date_of_birth: date | None
    postcode: str
    email: str
    phone: str

    @property
    def name_keys(self) -> list[str]:
        return [key for key, _, _ in self.names]

    def __bool__(self):
        return bool(self.names or self.date_of_birth or self.postcode or self.email or self.phone)


def candidate_people(
    queryset: QuerySet[Person],
    *,
    given_names: str = "",
    family_name: str = "",
    aliases: Iterable[str] = (),
    date_of_birth: date | None = None,
    postcode: str = "",
    email: str = "",
    phone: str = "",
    limit: int = 10,
) -> list[Candidate]:
    """The people in ``queryset`` who may be the individual described, best match first.

    ``queryset`` is who the user may see (``visible_people(user)``): nobody else is ever returned.
    A fixed number of queries however many people there are; each candidate's aliases,
    addresses, emails and phones come prefetched.
    """
    described = _describe(given_names, family_name, aliases, date_of_birth, postcode, email, phone)
    if limit <= 0 or not described or isinstance(queryset, EmptyQuerySet):
        return []
    pool_size = max(5 * limit, 50)
    if connections[queryset.db].vendor == "postgresql":
        pool = _pool_postgresql(queryset, described, pool_size)
    else:
        pool = _pool_python(queryset, described, pool_size)
    if not pool:
        return []
    # Through the reverse relation: the schedule builds on referrals, not the other way round.
    live_entry = Person.objects.filter(
        pk=OuterRef("pk"), schedule_entries__status__in=LIVE_STATUSES
    )
    people = (
        queryset.filter(pk__in=pool)
        .annotate(matching_on_schedule=Exists(live_entry))
        .prefetch_related("aliases", "addresses", "emails", "phones")
        .order_by()
    )
    candidates = [_score(person, described) for person in people]
    candidates = [c for c in candidates if c.score >= MATCH_THRESHOLD]
    candidates.sort(
        key=lambda c: (-c.score, c.person.family_name, c.person.given_names, c.person.pk)
    )
    return candidates[:limit]


def _describe(given_names, family_name, aliases, date_of_birth, postcode, email, phone):
    names = []
    seen = set()
    for typed, is_alias in [(f"{given_names} {family_name}", False)] + [
        (alias, True) for alias in aliases
    ]:
        key = normalise.name(typed)
        if key and key not in seen:
            names.append((key, " ".join(typed.split()), is_alias))
            seen.add(key)
    return _Described(
        names=tuple(names[:MAX_NAMES]),
        date_of_birth=date_of_birth,
        postcode=normalise.postcode(postcode),
        email=normalise.email(email),
        phone=normalise.phone(phone),
    )


# --- The pool -------------------------------------------------------------------------------


def _pool_postgresql(queryset, described: _Described, size: int) -> set[int]:
    """One UNION query; each part is served by an index (trigram GIN or b-tree).

    One part per name given: a single ``%`` per part keeps the GIN index in the plan (an OR of
    several made PostgreSQL scan the whole table).
    """
    people = queryset.order_by()
    parts = []
    for key in described.name_keys:
        parts.append(
            people.filter(TrigramSimilar(F("search_name"), key))
            .annotate(similarity=TrigramSimilarity("search_name", key))
            .order_by("-similarity")
            .values_list("pk", flat=True)[:size]
        )
        parts.append(
            people.filter(TrigramSimilar(F("aliases__search_name"), key))
            .annotate(similarity=Max(TrigramSimilarity("aliases__search_name", key)))
            .order_by("-similarity")
            .values_list("pk", flat=True)[:size]
        )
    variants = _variants(described)
    if variants:
        parts.append(people.filter(search_name__in=variants).values_list("pk", flat=True)[:size])
        aliases = PersonAlias.objects.filter(search_name__in=variants).values("person_id")
        parts.append(people.filter(pk__in=aliases).values_list("pk", flat=True)[:size])
    for condition in _exact_conditions(described):
        parts.append(people.filter(condition).values_list("pk", flat=True)[:size])
    first, *rest = parts
    return set(first.union(*rest) if rest else first)


def _variants(described: _Described) -> list[str]:
    """The names given with their given name in its other forms (``bill smith`` for ``william
    smith``), looked up exactly: one b-tree lookup, not a trigram search per form."""
    variants = {variant for key in described.name_keys for variant in normalise.name_variants(key)}
    return sorted(variants - set(described.name_keys))


def _exact_conditions(described: _Described) -> list[Q]:
    """Same email, phone, postcode or date of birth; as subqueries, so no join multiplies rows."""
    conditions = []
    if described.email:
        emails = PersonEmail.objects.filter(email_normalised=described.email)
        conditions.append(Q(pk__in=emails.values("person_id")))
    if described.phone:
        phones = PersonPhone.objects.filter(number_normalised=described.phone)
        conditions.append(Q(pk__in=phones.values("person_id")))
    if described.postcode:
        addresses = PersonAddress.objects.filter(postcode_normalised=described.postcode)
        conditions.append(Q(pk__in=addresses.values("person_id")))
    if described.date_of_birth:
        conditions.append(Q(date_of_birth=described.date_of_birth))
    return conditions


def _pool_python(queryset, described: _Described, size: int) -> set[int]:
    """The SQLite fallback: every visible name is compared in Python (see the module docstring).

    The same pool as on PostgreSQL: for each name given, the ``size`` people (and, separately,
    aliases) most trigram-similar to it, at least TRIGRAM_THRESHOLD alike; and every exact match.
    """
    people = queryset.order_by()
    pool: set[int] = set()
    if described.names:
        own_names = list(people.values_list("pk", "search_name"))
        alias_names = list(
            PersonAlias.objects.filter(person__in=people.values("pk")).values_list(
                "person_id", "search_name"
            )
        )
        for key in described.name_keys:
            wanted = trigrams(key)
            for rows in (own_names, alias_names):
                similar: dict[int, float] = {}
                for pk, search_name in rows:
                    similarity = trigram_set_similarity(trigrams(search_name), wanted)
                    if similarity >= TRIGRAM_THRESHOLD:
                        similar[pk] = max(similarity, similar.get(pk, 0.0))
                pool.update(sorted(similar, key=similar.get, reverse=True)[:size])
        # Stored under another form of the given name (``bill smith`` for ``william smith``).
        variants = set(_variants(described))
        pool.update(pk for rows in (own_names, alias_names) for pk, key in rows if key in variants)
    conditions = _exact_conditions(described)
    if conditions:
        exact = Q(*conditions, _connector=Q.OR)
        pool.update(people.filter(exact).values_list("pk", flat=True))
    return pool


# --- Scoring ---------------------------------------------------------------------------------


def _score(person: Person, described: _Described) -> Candidate:
    evidence: list[tuple[float, str]] = []
    similarity, reason = _best_name(person, described)
    if similarity >= NAME_FLOOR:
        evidence.append((NAME_WEIGHT * similarity, reason))
    if described.date_of_birth and person.date_of_birth == described.date_of_birth:
        evidence.append((DATE_OF_BIRTH_WEIGHT, "Same date of birth"))
    if described.email and any(e.email_normalised == described.email for e in person.emails.all()):
        evidence.append((EMAIL_WEIGHT, "Email matches"))
    if described.phone and any(p.number_normalised == described.phone for p in person.phones.all()):
        evidence.append((PHONE_WEIGHT, "Phone number matches"))
    if described.postcode and any(
        a.postcode_normalised == described.postcode for a in person.addresses.all()
    ):
        shown = normalise.postcode_display(described.postcode)
        evidence.append((POSTCODE_WEIGHT, f"Postcode {shown} matches"))
    doubt = math.prod(1 - weight for weight, _ in evidence)
    return Candidate(
        person=person,
        score=round(1 - doubt, 3),
        reasons=[reason for _, reason in evidence],
        on_schedule=person.matching_on_schedule,
    )


def _best_name(person: Person, described: _Described) -> tuple[float, str]:
    """How alike the closest pair of names is (theirs and their aliases × those given), and why."""
    best, reason = 0.0, ""
    known = [(person.search_name, None)] + [(a.search_name, a) for a in person.aliases.all()]
    for key, typed, given_as_alias in described.names:
        for search_name, alias in known:
            similarity = name_similarity(key, search_name)
            if similarity > best:
                best = similarity
                reason = _name_reason(similarity, key, search_name, typed, given_as_alias, alias)
    return best, reason


def _name_reason(similarity, key, search_name, typed, given_as_alias, alias) -> str:
    same = similarity >= 1.0
    if given_as_alias:
        theirs = f"alias ‘{alias.name}’" if alias else "their name"
        return f"Other name ‘{typed}’ {'matches' if same else 'similar to'} {theirs}"
    if alias:
        return f"{'Same name as' if same else 'Name similar to'} alias ‘{alias.name}’"
    if key == search_name:
        return "Same name"
    if sorted(key.split()) == sorted(search_name.split()):
        return "Same names in a different order"
    if same:
        return "Same name"
    return name_likeness(key, search_name)


def name_likeness(typed: str, known: str) -> str:
    """Why two names that are not the same are alike: a short form, an initial, or spelling."""
    words, others = typed.split(), known.split()
    if any(_short_form(w, o) for w in words for o in others):
        return "Name similar (a short form of the same given name)"
    if any(len(w) == 1 for w in words + others):
        return "Name similar (initials)"
    return "Name similar"


@lru_cache(maxsize=4096)
def name_similarity(a: str, b: str) -> float:
    """How alike two normalised names are, 0-1, whatever order their words are in.

    Each word is paired with its closest counterpart, weighted by length, both ways round; an
    initial matches a word it begins, but the whole is then at most INITIAL_SIMILARITY; a given
    name in another form (``bill``/``william``) is NICKNAME_SIMILARITY alike. Names with a
    different number of words are also compared run together (``whitlockjones``, ``whitlock
    jones``).
    """
    if not a or not b:
        return 0.0
    words_a, words_b = a.split(), b.split()
    if sorted(words_a) == sorted(words_b):
        return 1.0
    by_words = (_coverage(words_a, words_b) + _coverage(words_b, words_a)) / 2
    if len(words_a) != len(words_b):
        by_words = max(by_words, _word_similarity("".join(words_a), "".join(words_b)))
    if any(len(word) == 1 for word in words_a + words_b):
        if len(words_a) == len(words_b) and not (
            _initials_begin(words_a, words_b) and _initials_begin(words_b, words_a)
        ):
            return min(by_words, MISMATCHED_INITIAL_SIMILARITY)
        return min(by_words, INITIAL_SIMILARITY)
    return by_words


def _initials_begin(words: list[str], others: list[str]) -> bool:
    """Each initial begins one of the other words (``j``: ``john``; not ``peter``)."""
    return all(any(o.startswith(w) for o in others) for w in words if len(w) == 1)


def _coverage(words: list[str], others: list[str]) -> float:
    total = sum(len(word) for word in words)
    return sum(len(word) * max(_word_similarity(word, o) for o in others) for word in words) / total


@lru_cache(maxsize=16384)
def _word_similarity(word: str, other: str) -> float:
    """1 less the share of letters that must change: ``smith``/``smyth`` 0.8."""
    if word == other:
        return 1.0
    if len(word) == 1 or len(other) == 1:
        return 0.9 if word[0] == other[0] else 0.0
    spelling = _spelling_similarity(word, other)
    if same_given_name(word, other):
        return max(spelling, NICKNAME_SIMILARITY)
    return spelling


def _spelling_similarity(word: str, other: str) -> float:
    return 1 - edit_distance(word, other) / max(len(word), len(other))


def _short_form(word: str, other: str) -> bool:
    """One is a short form of the other and not merely spelt alike (``jonathon``/``jonathan``)."""
    return (
        len(word) > 1
        and len(other) > 1
        and same_given_name(word, other)
        and _spelling_similarity(word, other) < SHORT_FORM_SPELLING
    )
