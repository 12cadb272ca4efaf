"""Record ids in URLs and forms: only numbers a database id column can hold.

Every object URL takes its id with ``<id:pk>`` rather than Django's ``<int:pk>``, which accepts
any run of digits: ``/referrals/9223372036854775808/`` (2**63, one past the largest signed 64-bit
integer) would reach the database, fail there and answer 500. With this converter it does not
match, and is the plain 404 of any unknown address. The converter is registered once, when this
module is first imported: ``UbpanelConfig.ready()`` imports it, before any URL configuration is
read.

``parse_id`` is the same rule for ids that arrive another way (a button's value, a form field):
``ubpanel.access.get_object_or_404`` and the forms use it.
"""

from django.urls import register_converter

# The largest value of a signed 64-bit integer (PostgreSQL's bigint, SQLite's INTEGER): the
# widest id column any model here has.
MAX_ID = 2**63 - 1
MAX_ID_DIGITS = len(str(MAX_ID))  # 19


def parse_id(value) -> int | None:
    """The id ``value`` stands for, or None when it is not one: not a whole number written in
    ASCII digits, or too large for an id column. Never raises, however long or odd the value."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= MAX_ID else None
    if not isinstance(value, str):
        return None
    # Checked before int(): a 100,000-digit string is refused without being converted, and
    # str.isdigit() would let through other scripts' digits ("١٢").
    if not value or len(value) > MAX_ID_DIGITS or not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if number <= MAX_ID else None


class IdConverter:
    """``<id:pk>``: a record id, 1 to 19 digits and no larger than ``MAX_ID``."""

    regex = f"[0-9]{{1,{MAX_ID_DIGITS}}}"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            # Django treats a ValueError here as "this pattern does not match".
            raise ValueError(f"{value!r} is not a record id")
        return number

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")
