"""What was typed into search before contact, read every way it could be meant.

The whole box may be a postcode (``dt11aa``), an email or a phone number; otherwise it is a name
or address text. A name may carry what tells namesakes apart (issue 16): a date of birth
(``12/03/1975``, ``1975-03-12``) or a year of birth (``1975``), and a postcode (``DT1 1AA``) or
postcode district (``dt1``), anywhere among its words: ``john smith 1975``, ``john smith dt1``,
``john smith 12/03/1975 DT1 1AA``. They are read as such only when every other word is a word of
a name (no digits): ``14 acland road`` stays address text. The search then ranks the people they
fit first (``schedule.search``); they never hide anyone.

A date that cannot be one (``31/02/1975``) or is still to come is refused with a message that
says so (``Query.problem``): silently ignoring it would rank the namesakes as if nothing had been
typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from referrals import normalise
from referrals.subject_checks import UK_POSTCODE

# A number typed with fewer digits is not a phone number.
MIN_PHONE_DIGITS = 7
# Fewer letters typed than this do not start a name search: "jo" would list every Jo and Jones.
MIN_NAME_LETTERS = 3
# Shorter address text would match half the register ("1", "st").
MIN_ADDRESS_TEXT = 4
# Years read as a year of birth (a four-digit number outside these is left in the text).
EARLIEST_BIRTH_YEAR = 1900

_DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")  # 12/03/1975, the UK way
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")  # 1975-03-12
_YEAR = re.compile(r"^\d{4}$")
# A postcode's outward code (its district, ``DT1``, ``SW1A``) and inward code (``1AA``).
_OUTWARD = re.compile(r"^[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-Z]?$")
_INWARD = re.compile(r"^[0-9][ABD-HJLNP-UW-Z]{2}$")


@dataclass(frozen=True)
class Query:
    """What was typed: the whole of it (``text``), what it is plainly (a postcode, an email, a
    phone number), and for a name, the date or year of birth and postcode or district with it."""

    text: str
    postcode: str = ""
    email: str = ""
    phone: str = ""
    name_text: str = ""  # the name's words, without the date of birth and postcode typed with it
    born_from: date | None = None  # the date of birth typed (a day), or its year (1 Jan to 1 Jan)
    born_before: date | None = None
    born_year_only: bool = False
    near_postcode: str = ""  # compact: DT11AA
    near_district: str = ""  # DT1
    problem: str = ""  # why a date typed cannot be a date of birth

    @classmethod
    def parse(cls, text: str) -> Query:
        text = " ".join((text or "").split())[:200]
        compact = normalise.postcode(text)
        is_postcode = 5 <= len(compact) <= 7 and compact[0].isalpha() and compact[-3].isdigit()
        phone = normalise.phone(text) if not any(ch.isalpha() for ch in text) else ""
        plain = cls(
            text=text,
            postcode=compact if is_postcode else "",
            email=normalise.email(text) if "@" in text else "",
            phone=phone if len(phone) >= MIN_PHONE_DIGITS else "",
        )
        if plain.postcode or plain.email or plain.phone:
            return plain
        return _with_namesake_details(plain) or cls(text=text, name_text=text)

    @property
    def kinds(self) -> list[str]:
        """What the search was read as, for the audit trail."""
        kinds = [
            kind
            for kind, present in (
                ("postcode", self.postcode),
                ("email", self.email),
                ("phone", self.phone),
                ("date of birth", self.born_from and not self.born_year_only),
                ("year of birth", self.born_year_only),
                ("postcode", self.near_postcode),
                ("postcode district", self.near_district),
            )
            if present
        ]
        if self.name_text:
            kinds.insert(0, "name or address")
        return kinds or ["name or address"]

    @property
    def narrowed(self) -> bool:
        """Whether a date or year of birth, or a postcode or district, came with the name."""
        return bool(self.born_from or self.near_postcode or self.near_district)

    @property
    def name(self) -> str:
        """A name or address text only when it is not plainly a postcode, email or phone number."""
        return self.name_text

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
        """Text to look for in addresses: never a name that came with namesake details."""
        if self.narrowed:
            return ""
        return self.name if len(self.name) >= MIN_ADDRESS_TEXT else ""

    def born(self, date_of_birth: date | None) -> bool:
        """Whether a date of birth fits the date or year typed."""
        return bool(
            self.born_from and date_of_birth and self.born_from <= date_of_birth < self.born_before
        )

    def lives_at(self, postcode_normalised: str) -> bool:
        """Whether an address's postcode fits the postcode or district typed."""
        if self.near_postcode:
            return postcode_normalised == self.near_postcode
        if self.near_district:
            return normalise.postcode_district(postcode_normalised) == self.near_district
        return False

    def narrowed_reasons(self, born: bool, lives_at: bool) -> list[str]:
        reasons = []
        if born:
            reasons.append("Born that year" if self.born_year_only else "Same date of birth")
        if lives_at:
            if self.near_postcode:
                reasons.append(f"Postcode {normalise.postcode_display(self.near_postcode)} matches")
            else:
                reasons.append(f"Postcode district {self.near_district} matches")
        return reasons


def _with_namesake_details(plain: Query) -> Query | None:
    """The name with its date or year of birth and postcode or district taken out, or None when
    nothing of the kind was typed (or the rest is not a name)."""
    words = plain.text.split()
    name_words: list[str] = []
    born: tuple[date, date, bool] | None = None
    problem = ""
    near_postcode = near_district = ""
    i = 0
    while i < len(words):
        word, upper = words[i], words[i].upper()
        following = words[i + 1].upper() if i + 1 < len(words) else ""
        if born is None and (_DAY_FIRST.match(word) or _ISO.match(word)):
            born, problem = _date_typed(word)
        elif born is None and _YEAR.match(word) and _is_birth_year(int(word)):
            year = int(word)
            born = (date(year, 1, 1), date(year + 1, 1, 1), True)
        elif not (near_postcode or near_district) and _OUTWARD.match(upper):
            if _INWARD.match(following) and UK_POSTCODE.match(f"{upper} {following}"):
                near_postcode = normalise.postcode(upper + following)
                i += 1
            else:
                near_district = upper
        elif not (near_postcode or near_district) and UK_POSTCODE.match(upper) and " " not in upper:
            near_postcode = normalise.postcode(upper)
        else:
            name_words.append(word)
        i += 1
    found = born is not None or problem or near_postcode or near_district
    if (
        not found
        or not name_words
        or any(not w.replace("-", "").replace("'", "").isalpha() for w in name_words)
    ):
        return None
    born_from, born_before, year_only = born or (None, None, False)
    return Query(
        text=plain.text,
        name_text=" ".join(name_words),
        born_from=born_from,
        born_before=born_before,
        born_year_only=year_only,
        near_postcode=near_postcode,
        near_district=near_district,
        problem=problem,
    )


def _date_typed(word: str) -> tuple[tuple[date, date, bool] | None, str]:
    day_first = _DAY_FIRST.match(word)
    if day_first:
        day, month, year = (int(part) for part in day_first.groups())
    else:
        year, month, day = (int(part) for part in _ISO.match(word).groups())
    try:
        typed = date(year, month, day)
    except ValueError:
        return None, f"The date of birth in your search, {word}, must be a real date"
    if typed > timezone.localdate():
        return None, f"The date of birth in your search, {word}, must be in the past"
    return (typed, typed + timedelta(days=1), False), ""


def _is_birth_year(year: int) -> bool:
    return EARLIEST_BIRTH_YEAR <= year <= timezone.localdate().year
