"""How names, postcodes, emails and phone numbers are put in one form for matching and search.

`dt11aa` and `DT1 1AA` are the same postcode; `+44 7700 900123` and `07700 900123` the same
phone; `Zoë Whitlock-Jones` and `zoe whitlock jones` the same name, and `Иван Петров` is
`ivan petrov` (other scripts are transliterated with anyascii). `name_variants` gives a name's
other forms from the `nicknames` dataset (`bill smith` for `william smith` and the other way).
"""

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii
from nicknames import NickNamer

from . import phones

_NOT_LETTERS = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")
# Latin letters that are not a plain letter plus an accent, so NFKD leaves them whole (Bjørn,
# Łukasz, Æsa): without these they would split or shorten the name.
_LATIN_LETTERS = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i"}
)


# A name's other forms kept at most (``elizabeth`` has 13 short forms in the dataset).
MAX_NAME_VARIANTS = 16


def name(value: str) -> str:
    """Lower case, accents dropped, other scripts transliterated, hyphens and apostrophes as
    spaces/nothing, single spaces."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    plain = plain.translate(_LATIN_LETTERS)
    if not plain.isascii():
        # Only letters: a stray symbol (© becomes "(c)") must not add a letter to the name.
        plain = "".join(
            anyascii(ch).lower() if unicodedata.category(ch).startswith("L") else ch for ch in plain
        )
    plain = plain.replace("'", "").replace("\u2019", "").replace("-", " ")
    return _SPACES.sub(" ", _NOT_LETTERS.sub(" ", plain)).strip()


@lru_cache(maxsize=1)
def _nicknamer() -> NickNamer:
    return NickNamer()


@lru_cache(maxsize=8192)
def given_name_forms(word: str) -> frozenset[str]:
    """The other forms of one normalised given name, both ways: its short forms and the names it
    is short for (``bill``: ``william``, ``billy``...; ``william``: ``bill``, ``will``...)."""
    if len(word) < 2 or not word.isalpha():
        return frozenset()
    namer = _nicknamer()
    forms = namer.nicknames_of(word) | namer.canonicals_of(word)
    return frozenset(form for form in forms if form != word and form.isalpha())


def same_given_name(word: str, other: str) -> bool:
    """Whether one normalised given name is a short form of the other (either way)."""
    return other in given_name_forms(word)


def name_variants(normalised_name: str) -> list[str]:
    """A normalised name with its first word (the given name) in each of its other forms,
    ``william smith`` -> ``bill smith``, ``will smith``...; at most MAX_NAME_VARIANTS, and none
    for a name of one word (a family name alone is not expanded)."""
    first, _, rest = normalised_name.partition(" ")
    if not rest:
        return []
    return [f"{form} {rest}" for form in sorted(given_name_forms(first))[:MAX_NAME_VARIANTS]]


def postcode_district(value: str) -> str:
    """The outward code, ``DT1 1AA`` -> ``DT1``: what tells namesakes apart without the address."""
    compact = postcode(value)
    return compact[:-3] if len(compact) > 3 else ""


def postcode(value: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", (value or "").upper())


def postcode_display(value: str) -> str:
    """`dt11aa` -> `DT1 1AA` (the inward code is always the last three characters)."""
    compact = postcode(value)
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def email(value: str) -> str:
    return (value or "").strip().lower()


def phone(value: str) -> str:
    """The number matched and searched on (see ``phones.matching_key``): ``07700 900123 ext 2``
    is ``07700900123``, its extension left out, not glued on."""
    return phones.matching_key(value)
