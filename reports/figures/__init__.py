"""Every figure of the committee statistics, counted by the database.

Each function reads one part of the protocol's work for a period and returns ``Table``s; each
makes one or two queries whatever the number of rows (aggregates with conditional counts, grouped
by a handful of values). Python only arranges the grouped counts into rows and adds up those few
groups where one query serves several tables.

Where a figure rests on a choice, the function's docstring says it (and the README, "Committee
statistics").
"""

from .common import TIER_NAMES, TIERS, WAIT_BUCKETS
from .referrals import REFERRAL_OUTCOMES, category_table, decision_time_table, referral_tables
from .register import access_table, appeal_table, letter_table
from .schedule import emergency_tables, review_table, schedule_tables

__all__ = [
    "REFERRAL_OUTCOMES",
    "TIERS",
    "TIER_NAMES",
    "WAIT_BUCKETS",
    "access_table",
    "appeal_table",
    "category_table",
    "decision_time_table",
    "emergency_tables",
    "letter_table",
    "referral_tables",
    "review_table",
    "schedule_tables",
]
