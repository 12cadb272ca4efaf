"""Referrals: received by source, service and behaviour, what became of them, and how long the panel took."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import (
    Case,
    CharField,
    Count,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce

from panel.models import Decision, DecisionStatus, ItemKind, Outcome
from referrals.models import BehaviourCategory, Referral, ReferralSource, ReferralStatus
from reports.figures.common import (
    WAIT_BUCKETS,
    days,
    in_period,
    n_of,
    share,
    waits_of,
)
from reports.periods import Period
from reports.tables import Chart, Row, Table

REFERRAL_OUTCOMES = [
    (Outcome.ADD_TO_SCHEDULE.value, "Added to the schedule"),
    (Outcome.LETTER_ONLY.value, "Letter of expected behaviour (panel)"),
    (Outcome.SPOC_ONLY.value, "Single point of contact only"),
    (Outcome.NO_ACTION.value, "No action (panel)"),
    (Outcome.REFER_TO_LEGAL.value, "Referred to Legal Services"),
    (ReferralStatus.LETTER_RECOMMENDED.value, "Letter of expected behaviour (triage)"),
    (ReferralStatus.OUT_OF_SCOPE.value, "Out of scope"),
    (ReferralStatus.CLOSED.value, "Closed at triage"),
    (ReferralStatus.MERGED.value, "Merged into another referral"),
    ("open", "Not decided yet"),
]

# --- Referrals --------------------------------------------------------------------------------


def received_referrals():
    """Referrals the council received: everything but an unsent draft its writer is still on (a
    manager's web referral, or Health and Safety's escalation). A mailbox email is received when
    it arrives; the others when they are sent."""
    return Referral.objects.filter(
        ~Q(status=ReferralStatus.DRAFT) | Q(source=ReferralSource.MAILBOX)
    ).alias(received_at=Coalesce("submitted_at", "created_at"))


def _referral_outcome():
    decided = (
        Decision.objects.filter(item__referral=OuterRef("pk"), status=DecisionStatus.FINAL)
        .exclude(outcome=Outcome.DEFER)
        .order_by("-decided_at", "-pk")
        .values("outcome")[:1]
    )
    triage = [ReferralStatus.LETTER_RECOMMENDED, ReferralStatus.OUT_OF_SCOPE]
    triage += [ReferralStatus.CLOSED, ReferralStatus.MERGED]
    return Coalesce(
        Subquery(decided),
        Case(
            *(When(status=status, then=Value(status.value)) for status in triage),
            default=Value("open"),
        ),
        output_field=CharField(),
    )


def referral_tables(period: Period) -> list[Table]:
    """Referrals received in the period by source, by service and by what became of them (one
    query grouped by all three), and by behaviour category (one query)."""
    grouped = (
        received_referrals()
        .filter(in_period(period, "received_at"))
        .annotate(outcome=_referral_outcome())
        .values("source", "service__name", "outcome")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_source: dict[str, int] = defaultdict(int)
    by_service: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_outcome: dict[str, int] = defaultdict(int)
    for group in grouped:
        by_source[group["source"]] += group["n"]
        service = by_service[group["service__name"] or "No service given"]
        service[0] += group["n"]
        if group["outcome"] == Outcome.ADD_TO_SCHEDULE:
            service[1] += group["n"]
        by_outcome[group["outcome"]] += group["n"]
    total = sum(by_source.values())

    sources = Table(
        slug="referrals-by-source",
        title="Referrals received, by source",
        row_heading="Source",
        columns=["Referrals"],
        rows=[Row(label, [by_source[value]]) for value, label in ReferralSource.choices],
        totals=[total],
        chart=Chart("bars"),
        summary=(
            f"{n_of(total, 'referral was', 'referrals were')} received: {by_source[ReferralSource.WEB]} from the web form, "
            f"{by_source[ReferralSource.MAILBOX]} by email to the spocassurance mailbox and "
            f"{by_source[ReferralSource.HEALTH_SAFETY]} escalated by Health and Safety."
        ),
    )
    service_rows = sorted(by_service.items(), key=lambda item: (-item[1][0], item[0]))
    services = Table(
        slug="referrals-by-service",
        title="Referrals received, by service",
        row_heading="Service",
        columns=["Referrals", "Added to the schedule"],
        rows=[Row(name, counts) for name, counts in service_rows],
        totals=[total, by_outcome[Outcome.ADD_TO_SCHEDULE]],
        chart=Chart("bars"),
        summary=(
            f"Most referrals came from {service_rows[0][0]} ({service_rows[0][1][0]} of {total})."
            if service_rows
            else "No referrals were received."
        ),
    )
    decided = total - by_outcome["open"]
    outcomes = Table(
        slug="referral-outcomes",
        title="What became of the referrals received",
        row_heading="Outcome",
        columns=["Referrals"],
        rows=[Row(label, [by_outcome[value]]) for value, label in REFERRAL_OUTCOMES],
        totals=[total],
        chart=Chart("bars"),
        notes="The panel's latest decision on the referral, or, without one, where triage left "
        "it. Deferrals are not outcomes: a deferred referral counts as not decided yet.",
        summary=(
            f"{decided} of {total} referrals have an outcome; "
            f"{by_outcome[Outcome.ADD_TO_SCHEDULE]} were added to the schedule "
            f"({share(by_outcome[Outcome.ADD_TO_SCHEDULE], total)})."
        ),
    )
    return [sources, services, outcomes, category_table(period)]


def category_table(period: Period) -> Table:
    """How many referrals received in the period cite each behaviour category (a referral may
    cite several). The categories are a JSON list of the values' own (lower-case) words: each is
    counted by an exact text match on the list as text, which PostgreSQL and SQLite both do (a
    case-insensitive match would fold every row's text fifteen times over)."""
    counts = (
        received_referrals()
        .filter(in_period(period, "received_at"))
        .alias(categories_text=Cast("behaviour_categories", TextField()))
        .aggregate(
            total=Count("pk"),
            **{
                category.value: Count(
                    "pk", filter=Q(categories_text__contains=f'"{category.value}"')
                )
                for category in BehaviourCategory
            },
        )
    )
    rows = [Row(category.label, [counts[category.value]]) for category in BehaviourCategory]
    rows.sort(key=lambda row: -row.values[0])
    return Table(
        slug="referrals-by-behaviour",
        title="Referrals received, by behaviour category",
        row_heading="Behaviour",
        columns=["Referrals citing it"],
        rows=rows,
        chart=Chart("bars"),
        notes=f"A referral may cite several categories; {counts['total']} referrals in all.",
        summary=(
            f"The behaviour most often cited was “{rows[0].label}” ({rows[0].values[0]} of "
            f"{counts['total']} referrals)."
            if counts["total"]
            else "No referrals were received."
        ),
    )


def decision_time_table(period: Period) -> Table:
    """How long referrals waited for the panel's decision: decisions on new referrals and
    referrals back made in the period, from the day the referral was received."""
    decisions = (
        Decision.objects.filter(
            in_period(period, "decided_at"),
            status=DecisionStatus.FINAL,
            item__kind__in=[ItemKind.NEW_REFERRAL, ItemKind.REFERRAL_BACK],
            item__referral__isnull=False,
        )
        .exclude(outcome=Outcome.DEFER)
        .alias(received_at=Coalesce("item__referral__submitted_at", "item__referral__created_at"))
    )
    figures, median = waits_of(decisions, "received_at", "decided_at")
    n = figures["n"]
    return Table(
        slug="time-to-decision",
        title="Time from referral to the panel's decision",
        row_heading="Time taken",
        columns=["Decisions"],
        rows=[Row(label, [figures[f"bucket{i}"]]) for i, (label, _, _) in enumerate(WAIT_BUCKETS)],
        totals=[n],
        chart=Chart("bars"),
        notes=f"Median {median}; average {days(figures['average'])}; longest "
        f"{days(figures['longest'])}. Decisions made in the period, from the day the referral "
        "was received.",
        summary=(
            f"The panel decided {n} referrals; half within {median.days} days, and "
            f"{figures['bucket0']} ({share(figures['bucket0'], n)}) within 28 days."
            if n
            else "The panel decided no referrals in the period."
        ),
    )
