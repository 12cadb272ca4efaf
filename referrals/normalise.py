"""How names, postcodes, emails and phone numbers are put in one form for matching and search.

`dt11aa` and `DT1 1AA` are the same postcode; `+44 7700 900123` and `07700 900123` the same
phone; `Zoë Whitlock-Jones` and `zoe whitlock jones` the same name.
"""

import re
import unicodedata

_NOT_LETTERS = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")
# Latin letters that are not a plain letter plus an accent, so NFKD leaves them whole (Bjørn,
# Łukasz, Æsa): without these they would split or shorten the name.
_LATIN_LETTERS = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i"}
)


def name(value: str) -> str:
    """Lower case, accents dropped, hyphens and apostrophes as spaces/nothing, single spaces."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    plain = plain.translate(_LATIN_LETTERS)
    plain = plain.replace("'", "").replace("\u2019", "").replace("-", " ")
    return _SPACES.sub(" ", _NOT_LETTERS.sub(" ", plain)).strip()


def postcode(value: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", (value or "").upper())


def postcode_display(value: str) -> str:
    """`dt11aa` -> `DT1 1AA` (the inward code is always the last three characters)."""
    compact = postcode(value)
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def email(value: str) -> str:
    return (value or "").strip().lower()


def phone(value: str) -> str:
    """UK numbers to their national form: digits only, +44 / 0044 become a leading 0.

    ``+44 (0)7700 900123`` is written that way often enough: its bracketed 0 is not doubled.
    """
    digits = re.sub(r"\D", "", value or "")
    if digits.startswith("0044"):
        digits = digits[4:]
    elif digits.startswith("44") and len(digits) >= 11:
        digits = digits[2:]
    else:
        return digits
    return digits if digits.startswith("0") else "0" + digits
