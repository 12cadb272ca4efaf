"""The committee statistics for a period: every table, in the order the page, the exports and the
committee report show them."""

from __future__ import annotations

from dataclasses import dataclass

from .equalities import equality_tables
from .figures import (
    access_table,
    appeal_table,
    decision_time_table,
    emergency_tables,
    letter_table,
    referral_tables,
    review_table,
    schedule_tables,
)
from .periods import Period
from .tables import Table


@dataclass
class Section:
    slug: str
    title: str
    tables: list[Table]


def statistics(period: Period) -> list[Section]:
    """Every section's tables for ``period``: a constant number of queries (two dozen or so)."""
    return [
        Section("referrals", "Referrals", [*referral_tables(period), decision_time_table(period)]),
        Section("schedule", "The schedule", [*schedule_tables(period), *emergency_tables(period)]),
        Section(
            "reviews-appeals", "Reviews and appeals", [review_table(period), appeal_table(period)]
        ),
        Section("access", "Access to the schedule", [access_table(period)]),
        Section("letters", "Letters", [letter_table(period)]),
        Section("equalities", "Equalities monitoring", equality_tables(period)),
    ]


def all_tables(sections: list[Section]) -> list[Table]:
    return [table for section in sections for table in section.tables]


def table_named(sections: list[Section], slug: str) -> Table | None:
    return next((table for table in all_tables(sections) if table.slug == slug), None)
