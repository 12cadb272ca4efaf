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

The lookup and the namesake details are in ``search_lookup`` and ``search_query``. PostgreSQL
returns at most MAX_KEYS keys, best first, after the permission check. Each is then scored in
Python the same way on both databases (``_score``). Whole names are compared word by word with
``referrals.matching.name_similarity``, the measure used at intake (rapidfuzz's edit distance);
a name that is only begun (``jam``, ``whitl``, ``james ash``) matches when each word typed begins
a different word of the name.

The cases people type: a short form of the given name, both ways (``bill smith`` finds William
Smith, ``william smith`` finds Bill Smith; the ``nicknames`` dataset, ``normalise.name_variants``),
looked up exactly through the names' trigram index (pg_trgm serves ``=``), so the lookup stays one
indexed query; names in other scripts, stored transliterated when they are written (``Иван
Петров`` is ``ivan petrov``, whichever way it is typed); initials (``j smith``), weaker than the
name in full. Each result carries what tells namesakes apart, the year of birth and the postcode
districts (``DT1``), of a person whose entry the user may see, and nothing more. A name typed
with a date or year of birth, or a postcode or district (``john smith 1975``, ``john smith dt1``),
puts the namesakes they fit first, before the cut to MAX_KEYS, and says so in the reasons.

``visible_entries(user)`` is the only gate, applied in the lookup itself: a person whose entry the
user may not see is never read, so the answer is exactly the one for a search that matched
nobody. A fixed number of queries per search, however many entries there are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections
from django.db.models import OuterRef, Q

from referrals import normalise
from referrals.matching import name_likeness, name_similarity
from referrals.models import PersonAddress

from .models import LIVE_STATUSES, AddressWarning, Entry, SearchKeyKind
from .search_index import search_keys_maintained
from .search_lookup import MAX_KEYS, Key, keys_postgresql, keys_python
from .search_query import MIN_NAME_LETTERS, Query
from .selectors import visible_address_warnings, visible_entries

__all__ = ["MAX_KEYS", "MAX_RESULTS", "Query", "Result", "search_entries"]

MAX_RESULTS = 10
# As at intake (referrals.matching): a name alone must be about two-thirds alike to be shown.
MIN_NAME_SIMILARITY = 2 / 3
# A name only begun scores between these, more the more of the name was typed: always shown, and
# always below the same name typed in full.
PARTIAL_FLOOR, PARTIAL_CEILING = 0.7, 0.95
# An exact email, phone, postcode or address match ranks above any name that is only similar.
IDENTIFIER_SCORE = 1.0
# Names score at most this (referrals.matching's NAME_WEIGHT), below any identifier.
NAME_WEIGHT = 0.6
# A name typed with a date or year of birth, or a postcode or district, that fits them too (each
# adds this): above every namesake that does not, still below an identifier typed alone.
NARROWED_BONUS = 0.15

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
        # Read with the entry on PostgreSQL (no query of its own); prefetched on SQLite.
        postcodes = getattr(self.entry, "postcodes", None)
        if postcodes is None:
            postcodes = [a.postcode_normalised for a in self.entry.person.addresses.all()]
        districts = {normalise.postcode_district(postcode) for postcode in postcodes}
        return sorted(district for district in districts if district)

    @property
    def tier(self) -> str:
        return (self.entry or self.address_warning).tier


def search_entries(user, query: str | Query) -> list[Result]:
    """Live entries ``user`` may see, and address warnings of tiers they may see, best match
    first. ``query`` as typed, or already read (the search form reads it once)."""
    parsed = query if isinstance(query, Query) else Query.parse(query)
    if not parsed.text:
        return []
    entries = visible_entries(user).filter(status__in=LIVE_STATUSES)
    if search_keys_maintained(entries.db):
        keys = keys_postgresql(entries, parsed)
    else:
        keys = keys_python(entries, parsed)
    scores = _score(keys, parsed)

    results = []
    if scores:
        # Ties (a first name alone fits many) go alphabetically, as the results are shown.
        best = sorted(scores, key=lambda pk: (-scores[pk][0], scores[pk][2], pk))
        found = entries.filter(person_id__in=best[:MAX_RESULTS])
        found = found.select_related("person", "spoc_service")
        if connections[entries.db].vendor == "postgresql":
            # The postcodes come with the entry (the districts shown): one query for both.
            postcodes = PersonAddress.objects.filter(person_id=OuterRef("person_id"))
            found = found.annotate(postcodes=ArraySubquery(postcodes.values("postcode_normalised")))
        else:
            found = found.prefetch_related("person__addresses")
        for entry in found:
            score, reasons, _ = scores[entry.person_id]
            results.append(Result(score=score, reasons=reasons, entry=entry))
    results.extend(_address_warnings(user, parsed))
    results.sort(key=lambda r: (-r.score, str(r.entry or r.address_warning)))
    return results[:MAX_RESULTS]


# --- Scoring ---------------------------------------------------------------------------------


def _score(keys: list[Key], parsed: Query) -> dict[int, tuple[float, list[str], str]]:
    """Each person's score, the reasons and the name they were found by, from the keys that fit
    (the same on both databases).

    The closest of their names and aliases says why they were found; every identifier that
    matched is named too.
    """
    typed = parsed.name_key
    names: dict[int, tuple[float, str, str]] = {}
    narrowed: dict[int, list[str]] = {}
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
                if key.born or key.lives_at:
                    narrowed[key.person_id] = parsed.narrowed_reasons(key.born, key.lives_at)
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
        if name_reason and person_id in narrowed:
            # The date of birth or postcode typed fits this namesake: first among them.
            score += NARROWED_BONUS * len(narrowed[person_id])
            reasons = [*reasons, *narrowed[person_id]]
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
