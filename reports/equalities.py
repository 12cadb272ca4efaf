"""Equalities monitoring: returned questionnaires counted by protected characteristic against the
outcome for the individual, with small numbers withheld so that nobody can be identified.

The outcome is the tier of the schedule entry the letter was about (low, medium and high risk
letters carry the questionnaire). Counts from 1 to ``EQUALITIES_SUPPRESSION_THRESHOLD - 1`` are
withheld, and so is whatever would give one away by subtraction (``tables.suppress``).
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import CharField, Count, Q, Value
from django.db.models.functions import Coalesce

from correspondence.equalities import CATEGORIES
from correspondence.models import (
    QUESTIONNAIRE_KINDS,
    Characteristic,
    Letter,
    LetterStatus,
    QuestionnaireReturn,
)

from .figures.common import TIER_NAMES, TIERS, on_days
from .periods import Period
from .tables import Row, Suppressed, Table, suppress

NOT_ANSWERED = "Not answered"
OUTCOMES = [*(tier.value for tier in TIERS), "none"]
OUTCOME_NAMES = [*(TIER_NAMES[tier] for tier in TIERS), "No schedule entry"]


def equality_tables(period: Period) -> list[Table]:
    """One table per protected characteristic (one query for all of them), after a table of the
    questionnaires sent and returned (one query each)."""
    threshold = settings.EQUALITIES_SUPPRESSION_THRESHOLD
    returns = QuestionnaireReturn.objects.filter(on_days(period, "received_on"))
    columns = {"total": Count("pk")}
    for characteristic, categories in CATEGORIES.items():
        key = f"categories__{characteristic}"
        for category, _ in categories:
            columns[f"{characteristic}:{category}"] = Count("pk", filter=Q(**{key: category}))
        columns[f"{characteristic}:"] = Count("pk", filter=Q(**{f"{key}__isnull": True}))
    grouped = {
        group["outcome"]: group
        for group in returns.annotate(
            outcome=Coalesce("letter__entry__tier", Value("none"), output_field=CharField())
        )
        .values("outcome")
        .annotate(**columns)
        .order_by()
    }
    sent = Letter.objects.filter(
        on_days(period, "sent_on"),
        status=LetterStatus.SENT,
        kind__in=QUESTIONNAIRE_KINDS,
    ).count()
    received = sum(group["total"] for group in grouped.values())
    tables = [
        Table(
            slug="equalities-returns",
            title="Equalities questionnaires sent and returned",
            row_heading="Questionnaires",
            columns=["Number"],
            rows=[
                Row("Sent with a letter in the period", [sent]),
                Row("Returned in the period", [received]),
            ],
            summary=f"{received} questionnaires were returned; {sent} went out with letters "
            "in the period.",
        )
    ]
    for characteristic, label in Characteristic.choices:
        categories = [*CATEGORIES[characteristic], ("", NOT_ANSWERED)]
        grid = [
            [
                grouped.get(outcome, {}).get(f"{characteristic}:{category}", 0)
                for outcome in OUTCOMES
            ]
            for category, _ in categories
        ]
        row_totals = [sum(row) for row in grid]
        column_totals = [sum(column) for column in zip(*grid, strict=True)]
        shown, shown_rows, shown_columns, grand = suppress(
            grid, row_totals, column_totals, threshold
        )
        withheld = any(isinstance(v, Suppressed) for row in shown for v in row)
        tables.append(
            Table(
                slug=f"equalities-{characteristic.replace('_', '-')}",
                title=f"{label}: returned questionnaires by outcome",
                row_heading=label,
                columns=[*OUTCOME_NAMES, "All"],
                rows=[
                    Row(name, [*values, total])
                    for (_, name), values, total in zip(categories, shown, shown_rows, strict=True)
                ],
                totals=[*shown_columns, grand],
                notes=(
                    f"Counts from 1 to {threshold - 1}, and any count that would reveal one, are "
                    f"shown as “fewer than {threshold}”. The outcome is the tier of the entry "
                    "the letter was about."
                ),
                summary=(
                    f"Some counts are withheld because they are under {threshold}."
                    if withheld
                    else f"{received} returns; no count needed withholding."
                ),
            )
        )
    return tables
