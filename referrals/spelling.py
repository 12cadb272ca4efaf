"""How alike two spellings are: the edit distance and pg_trgm's trigram measure, in Python, for
``referrals.matching`` (and the SQLite fallback that has no pg_trgm)."""

from functools import lru_cache


def edit_distance(a: str, b: str) -> int:
    """Letters inserted, deleted, changed or swapped with a neighbour (optimal string alignment)."""
    before_previous: list[int] = []
    previous = list(range(len(b) + 1))
    for i, letter in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, other in enumerate(b, 1):
            current[j] = min(
                previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (letter != other)
            )
            if i > 1 and j > 1 and letter == b[j - 2] and a[i - 2] == other:
                current[j] = min(current[j], before_previous[j - 2] + 1)
        before_previous, previous = previous, current
    return previous[-1]


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
