"""The schedule: over time, at the period's end, added and removed; emergency additions; reviews."""

from __future__ import annotations

import datetime

from django.db.models import Count, DateField, Exists, F, Min, OuterRef, Q
from django.db.models.functions import Coalesce, TruncDate

from panel.models import Decision, DecisionStatus, ItemKind, Outcome
from reports.figures.common import (
    TIER_NAMES,
    TIERS,
    WAIT_BUCKETS,
    days,
    in_period,
    month_label,
    n_of,
    on_days,
    waits_of,
)
from reports.periods import Period, day_after
from reports.tables import Chart, Row, Table
from schedule.models import (
    Appeal,
    Entry,
    EntryEvent,
    EntryEventKind,
    EntryStatus,
)

# --- The schedule -----------------------------------------------------------------------------


def _entries_with_dates():
    """Entries with the day they went on the schedule (the emergency addition, else the panel's
    decision, else the day the entry was made), the day they came off it and the moment the panel
    ratified an emergency addition, if they have.

    Read from the events by a join grouped by entry, not by correlated subqueries: PostgreSQL
    would copy those into every conditional count of ``schedule_tables`` (about 130) and run each
    for every entry (11 s at 100,000 people, bench/stats; 40 ms this way)."""
    return Entry.objects.annotate(
        on_day=Coalesce(
            TruncDate("emergency_added_at"),
            "decided_on",
            TruncDate("created_at"),
            output_field=DateField(),
        ),
        off_day=TruncDate(
            Min("events__created_at", filter=Q(events__to_status=EntryStatus.REMOVED))
        ),
        ratified_at=Min(
            "events__created_at",
            filter=Q(
                events__from_status=EntryStatus.PENDING_RATIFICATION,
                events__to_status=EntryStatus.ACTIVE,
            ),
        ),
    )


def _live_on(day: datetime.date) -> Q:
    return Q(on_day__lte=day) & (Q(off_day__isnull=True) | Q(off_day__gt=day))


def _statuses_on(day: datetime.date, i: int) -> dict[EntryStatus, Q]:
    """Which status a live entry had on ``day`` (``appeal_open_<i>`` annotated for that day):
    pending until the panel ratified it, under appeal while an appeal waited, else active."""
    after = day_after(day)
    pending = Q(emergency_added_at__lt=after) & (
        Q(ratified_at__isnull=True) | Q(ratified_at__gte=after)
    )
    appeal = Q(**{f"appeal_open_{i}": True})
    return {
        EntryStatus.PENDING_RATIFICATION: pending,
        EntryStatus.ACTIVE: ~pending & ~appeal,
        EntryStatus.UNDER_APPEAL: ~pending & appeal,
    }


SCHEDULE_STATUSES = [
    (EntryStatus.PENDING_RATIFICATION, "Pending ratification"),
    (EntryStatus.ACTIVE, "Active"),
    (EntryStatus.UNDER_APPEAL, "Under appeal"),
]


def schedule_tables(period: Period) -> list[Table]:
    """The schedule over time (entries on it at each month's end, by tier), at the period's end by
    tier and status, and the entries added and removed in the period: one query.

    Tiers are the entries' tiers now (a tier the panel changed at review is counted as it is). An
    entry's status at the period's end is worked out from its history: pending until the panel
    ratified it, under appeal from the day an appeal arrived until it was decided."""
    end = period.end
    months = period.month_ends()
    # Under appeal on each month's last day: an appeal had arrived and was not yet decided.
    entries = _entries_with_dates().annotate(
        **{
            f"appeal_open_{i}": Exists(
                Appeal.objects.filter(entry=OuterRef("pk"), received_on__lte=day).filter(
                    Q(decided_at__isnull=True) | Q(decided_at__gte=day_after(day))
                )
            )
            for i, day in enumerate(months)
        }
    )
    columns = {}
    for i, day in enumerate(months):
        for tier in TIERS:
            columns[f"m{i}_{tier.value}"] = Count("pk", filter=_live_on(day) & Q(tier=tier))
        for status, condition in _statuses_on(day, i).items():
            columns[f"m{i}_{status.value}"] = Count("pk", filter=_live_on(day) & condition)
    last = len(months) - 1
    for status, condition in _statuses_on(end, last).items():
        for tier in TIERS:
            columns[f"s_{status.value}_{tier.value}"] = Count(
                "pk", filter=_live_on(end) & Q(tier=tier) & condition
            )
    for tier in TIERS:
        columns[f"added_{tier.value}"] = Count(
            "pk", filter=on_days(period, "on_day") & Q(tier=tier)
        )
        columns[f"removed_{tier.value}"] = Count(
            "pk", filter=on_days(period, "off_day") & Q(tier=tier)
        )
    counts = entries.aggregate(**columns)

    def over_time(slug, title, keys, names, notes):
        table = Table(
            slug=slug,
            title=title,
            row_heading="Month",
            columns=[*names, "All"],
            rows=[
                Row(
                    month_label(day),
                    [
                        *(counts[f"m{i}_{key}"] for key in keys),
                        sum(counts[f"m{i}_{key}"] for key in keys),
                    ],
                )
                for i, day in enumerate(months)
            ],
            chart=Chart("stacked"),
            notes="Each month's figure is the schedule on its last day (the last point is the "
            f"period's end). {notes}",
        )
        first, last = table.rows[0].values[-1], table.rows[-1].values[-1]
        table.summary = (
            f"{n_of(first, 'entry was', 'entries were')} live on {months[0]:%-d %B %Y} and "
            f"{last} on {months[-1]:%-d %B %Y}."
        )
        return table

    by_tier = over_time(
        "schedule-over-time",
        "Entries on the schedule at the end of each month, by tier",
        [tier.value for tier in TIERS],
        [TIER_NAMES[tier] for tier in TIERS],
        "Entries are counted at the tier they have now.",
    )
    by_status_over_time = over_time(
        "schedule-status-over-time",
        "Entries on the schedule at the end of each month, by status",
        [status.value for status, _ in SCHEDULE_STATUSES],
        [label for _, label in SCHEDULE_STATUSES],
        "The status each entry had that day, from its history.",
    )
    grid = [
        [counts[f"s_{status.value}_{tier.value}"] for tier in TIERS]
        for status, _ in SCHEDULE_STATUSES
    ]
    by_status = Table(
        slug="schedule-at-period-end",
        title="The schedule at the end of the period, by tier and status",
        row_heading="Status",
        columns=[TIER_NAMES[tier] for tier in TIERS] + ["All"],
        rows=[
            Row(label, [*values, sum(values)])
            for (_, label), values in zip(SCHEDULE_STATUSES, grid, strict=True)
        ],
        totals=[sum(column) for column in zip(*grid, strict=True)] + [sum(map(sum, grid))],
        chart=Chart("bars", column=3),
    )
    live = sum(map(sum, grid))
    high = sum(row[2] for row in grid)
    by_status.summary = (
        f"{n_of(live, 'entry was', 'entries were')} live on {end:%-d %B %Y}, {high} of them "
        "high risk."
    )
    added = [counts[f"added_{tier.value}"] for tier in TIERS]
    removed = [counts[f"removed_{tier.value}"] for tier in TIERS]
    movement = Table(
        slug="schedule-added-removed",
        title="Entries added to and removed from the schedule, by tier",
        row_heading="Tier",
        columns=["Added", "Removed"],
        rows=[Row(TIER_NAMES[tier], [added[i], removed[i]]) for i, tier in enumerate(TIERS)],
        totals=[sum(added), sum(removed)],
        chart=Chart("bars"),
        summary=f"{n_of(sum(added), 'entry was', 'entries were')} added and {sum(removed)} removed "
        "in the period.",
        notes="Added: the day of the emergency addition or the panel's decision. Removed: by "
        "the panel, an upheld appeal, an emergency addition not ratified, or a review overdue.",
    )
    return [by_tier, by_status_over_time, by_status, movement]


def emergency_tables(period: Period) -> list[Table]:
    """Emergency additions made in the period: ratified, not ratified, still waiting; and how
    long ratification took (from the addition to the panel's ratification)."""
    additions = _entries_with_dates().filter(in_period(period, "emergency_added_at"))
    figures = additions.aggregate(
        added=Count("pk"),
        ratified=Count("pk", filter=Q(ratified_at__isnull=False)),
        ended=Count("pk", filter=Q(ratified_at__isnull=True, status=EntryStatus.REMOVED)),
        waiting=Count("pk", filter=Q(status=EntryStatus.PENDING_RATIFICATION)),
    )
    waits, median = waits_of(
        additions.filter(ratified_at__isnull=False), "emergency_added_at", "ratified_at"
    )
    added = n_of(figures["added"], "emergency addition was", "emergency additions were")
    outcomes = Table(
        slug="emergency-additions",
        title="Emergency additions and their ratification",
        row_heading="Emergency additions",
        columns=["Entries"],
        rows=[
            Row("Ratified by the panel", [figures["ratified"]]),
            Row("Not ratified: removed", [figures["ended"]]),
            Row("Waiting for ratification", [figures["waiting"]]),
        ],
        totals=[figures["added"]],
        chart=Chart("bars"),
        notes="Additions made in the period, with where they stand today.",
        summary=f"{added} made; {figures['ratified']} ratified and {figures['ended']} not.",
    )
    ratified = waits["n"]
    timing = Table(
        slug="time-to-ratification",
        title="Time from emergency addition to ratification",
        row_heading="Time taken",
        columns=["Ratified additions"],
        rows=[Row(label, [waits[f"bucket{i}"]]) for i, (label, _, _) in enumerate(WAIT_BUCKETS)],
        totals=[ratified],
        chart=Chart("bars"),
        notes=f"Median {median}; average {days(waits['average'])}; longest "
        f"{days(waits['longest'])}. Additions made in the period and ratified since.",
        summary=(
            f"Half of the {ratified} ratified additions were ratified within {median}."
            if ratified
            else "None of the additions made in the period has been ratified."
        ),
    )
    return [outcomes, timing]


def review_table(period: Period) -> Table:
    """12-month reviews the panel decided in the period (kept, removed, referred to Legal
    Services), held by their due date or after it, and the reviews escalated as overdue."""
    reviews = Decision.objects.filter(
        in_period(period, "decided_at"), status=DecisionStatus.FINAL, item__kind=ItemKind.REVIEW
    ).exclude(outcome=Outcome.DEFER)
    outcomes = [Outcome.KEEP, Outcome.REMOVE, Outcome.REFER_TO_LEGAL]
    on_time = Q(decided_on__lte=F("review_was_due_on"))
    late = Q(decided_on__gt=F("review_was_due_on"))
    figures = reviews.aggregate(
        **{
            f"{outcome.value}_{when}": Count("pk", filter=Q(outcome=outcome) & condition)
            for outcome in outcomes
            for when, condition in (
                ("on_time", on_time),
                ("late", late),
                ("unknown", Q(review_was_due_on__isnull=True)),
            )
        }
    )
    escalated = EntryEvent.objects.filter(
        in_period(period, "created_at"), kind=EntryEventKind.REVIEW_OVERDUE
    ).aggregate(n=Count("entry", distinct=True))["n"]
    labels = {
        Outcome.KEEP: "Kept for another 12 months",
        Outcome.REMOVE: "Removed",
        Outcome.REFER_TO_LEGAL: "Referred to Legal Services",
    }
    rows = []
    for outcome in outcomes:
        on, after, unknown = (
            figures[f"{outcome.value}_{when}"] for when in ("on_time", "late", "unknown")
        )
        rows.append(Row(labels[outcome], [on, after, unknown, on + after + unknown]))
    columns = [sum(row.values[i] for row in rows) for i in range(4)]
    return Table(
        slug="reviews",
        title="12-month reviews decided, on time and overdue",
        row_heading="Outcome",
        columns=["By the due date", "After the due date", "Due date not recorded", "All"],
        rows=rows,
        totals=columns,
        chart=Chart("bars", column=3),
        notes=f"{escalated} entries were escalated to the chair and Assurance as overdue in the "
        "period. The due date is recorded with each review decision from this release on; "
        "earlier reviews count as “due date not recorded”.",
        summary=(
            f"The panel decided {columns[3]} reviews, {columns[0]} by their due date and "
            f"{columns[1]} after it."
        ),
    )
