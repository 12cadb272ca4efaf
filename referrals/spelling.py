"""How alike two spellings are: the edit distance (rapidfuzz) and pg_trgm's trigram measure, in Python, for
``referrals.matching`` (and the SQLite fallback that has no pg_trgm)."""

from functools import lru_cache

from rapidfuzz.distance import OSA


def edit_distance(a: str, b: str) -> int:
    """Letters inserted, deleted, changed or swapped with a neighbour (optimal string alignment).

    rapidfuzz's C implementation: the same distance as the dynamic programme it replaced (compared
    over every pair of the tests' and the benchmark's names), a hundred times faster, which
    matters when a search scores dozens of names per request."""
    return OSA.distance(a, b)


@lru_cache(maxsize=16384)
def trigrams(normalised_name: str) -> frozenset[str]:
    """pg_trgm's trigrams of a normalised name: each word padded with two spaces before, one after."""
    grams = set()
    for word in normalised_name.split():
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(grams)


def trigram_similarity(a: str, b: str) -> float:
    """pg_trgm's ``similarity(a, b)`` for normalised names: shared trigrams over all trigrams."""
    return trigram_set_similarity(trigrams(a), trigrams(b))


def trigram_set_similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)
