"""What every figure shares: the period's filters, the tiers, waits in days, words for counts."""

from __future__ import annotations

import datetime

from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    Q,
)

from reports.periods import Period
from reports.tables import Days
from ubpanel.tiers import RiskTier

TIERS = list(RiskTier)
TIER_NAMES = {RiskTier.LOW: "Low", RiskTier.MEDIUM: "Medium", RiskTier.HIGH: "High"}
# The buckets of "time from referral to decision" and "time to ratification": the panel meets
# monthly, so within one, two or three meetings' time, or longer.
WAIT_BUCKETS = [
    ("Within 28 days", None, 28),
    ("29 to 56 days", 28, 56),
    ("57 to 91 days", 56, 91),
    ("More than 91 days", 91, None),
]


def in_period(period: Period, name: str) -> Q:
    return Q(**{f"{name}__gte": period.since, f"{name}__lt": period.until})


def on_days(period: Period, name: str) -> Q:
    return Q(**{f"{name}__gte": period.start, f"{name}__lte": period.end})


def days(value: datetime.timedelta | None) -> Days:
    if value is None:
        return Days(None)
    return Days(round(value.total_seconds() / 86400))


def n_of(count: int, singular: str, plural: str) -> str:
    """ "1 appeal was", "3 appeals were": ``n_of(count, "appeal was", "appeals were")``."""
    return f"{count} {singular if count == 1 else plural}"


def month_label(day: datetime.date) -> str:
    """ "Dec 2025" for a month's last day, "1 Dec 2026" for a period ending within a month."""
    if (day + datetime.timedelta(days=1)).day == 1:
        return f"{day:%b %Y}"
    return f"{day:%-d %b %Y}"


def share(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "0%"


def waits_of(queryset, start: str, end: str) -> tuple[dict, Days]:
    """Count, average, longest and the buckets of ``end - start`` (one query), and the median
    (a second: the middle row in order)."""
    waits = queryset.annotate(
        wait=ExpressionWrapper(F(end) - F(start), output_field=DurationField())
    )
    buckets = {
        f"bucket{i}": Count(
            "pk",
            filter=Q(
                *([Q(wait__gt=datetime.timedelta(days=low))] if low is not None else []),
                *([Q(wait__lte=datetime.timedelta(days=high))] if high is not None else []),
            ),
        )
        for i, (_, low, high) in enumerate(WAIT_BUCKETS)
    }
    figures = waits.aggregate(n=Count("pk"), average=Avg("wait"), longest=Max("wait"), **buckets)
    median = Days(None)
    if figures["n"]:
        middle = waits.order_by("wait").values_list("wait", flat=True)[(figures["n"] - 1) // 2]
        median = days(middle)
    return figures, median
