"""Working days in England and Wales, for the 28-working-day appeal window."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

# The protocol: a request for review "must be made in writing within 28 working days of the
# notification".
APPEAL_WORKING_DAYS = 28


@lru_cache(maxsize=16)
def _bank_holidays(year: int) -> frozenset[date]:
    # England and Wales share their bank holidays; the holidays package files them under ENG.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def working_days_after(day: date, count: int) -> date:
    """The date ``count`` working days after ``day`` (``day`` itself not counted)."""
    current = day
    remaining = count
    while remaining:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def appeal_deadline(notified_on: date) -> date:
    return working_days_after(notified_on, APPEAL_WORKING_DAYS)
