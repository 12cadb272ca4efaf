"""A statistics table as every output shows it (the page, its chart, CSV, XLSX and the committee
report's PDF), and small-number suppression for the equalities tables.

A table's cells are counts (``int``), durations in days (``Days``), or ``SUPPRESSED`` where a count
could identify someone. Nothing in a table names an individual: rows are services, categories,
tiers, outcomes and months.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class Suppressed:
    """A count withheld because it is small (or because it would give a small one away)."""

    def __init__(self, threshold: int):
        self.threshold = threshold

    def __str__(self) -> str:
        return f"fewer than {self.threshold}"

    def __repr__(self) -> str:
        return f"Suppressed(<{self.threshold})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Suppressed) and other.threshold == self.threshold

    def __hash__(self) -> int:
        return hash(("suppressed", self.threshold))


@dataclass(frozen=True)
class Days:
    """A length of time in whole days (None: nothing to measure)."""

    days: int | None

    def __str__(self) -> str:
        if self.days is None:
            return "none"
        return f"{self.days} day" if self.days == 1 else f"{self.days} days"


@dataclass
class Row:
    label: str
    values: list[Any]


@dataclass
class Chart:
    """What the table's chart draws: ``bars`` (one horizontal bar per row, from ``column``) or
    ``stacked`` (one column per row, its value columns stacked: the schedule over time)."""

    kind: str
    column: int = 0


@dataclass
class Table:
    slug: str
    title: str
    columns: list[str]  # the value columns' headings; the row label's heading is ``row_heading``
    rows: list[Row]
    summary: str = ""
    row_heading: str = ""
    notes: str = ""
    chart: Chart | None = None
    totals: list[Any] | None = None

    @property
    def is_empty(self) -> bool:
        return not any(
            value for row in self.rows for value in row.values if isinstance(value, int)
        ) and not any(isinstance(v, (Days, Suppressed)) for row in self.rows for v in row.values)

    def cells(self) -> list[list[Any]]:
        """Every line as it is exported: the header, the rows, then the totals if any."""
        lines = [[self.row_heading, *self.columns]]
        lines += [[row.label, *row.values] for row in self.rows]
        if self.totals is not None:
            lines.append(["Total", *self.totals])
        return lines


def suppress(
    grid: list[list[int]], row_totals: list[int], column_totals: list[int], threshold: int
) -> tuple[list[list[Any]], list[Any], list[Any], Any]:
    """Withhold every count from 1 to ``threshold - 1``, then, wherever a line of the table (a row
    and its total, a column and its total, the totals and the grand total) hides exactly one
    count, which subtraction would recover, the smallest other non-zero count in that line too;
    again until no line gives one away. Zeros are shown: they identify nobody.

    Returns the grid, the row totals, the column totals and the grand total with ``Suppressed``
    in place of what is withheld.
    """
    values: dict[tuple, int] = {("t",): sum(row_totals)}
    for r, row in enumerate(grid):
        values[("r", r)] = row_totals[r]
        for c, value in enumerate(row):
            values[("g", r, c)] = value
    for c, value in enumerate(column_totals):
        values[("c", c)] = value
    lines = [[*(("g", r, c) for c in range(len(row))), ("r", r)] for r, row in enumerate(grid)]
    lines += [
        [*(("g", r, c) for r in range(len(grid))), ("c", c)] for c in range(len(column_totals))
    ]
    lines.append([*(("c", c) for c in range(len(column_totals))), ("t",)])
    lines.append([*(("r", r) for r in range(len(grid))), ("t",)])
    hidden = {key for key, value in values.items() if 0 < value < threshold}
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(key in hidden for key in line) != 1:
                continue
            shown = [(values[key], key) for key in line if key not in hidden and values[key] > 0]
            if shown:
                hidden.add(min(shown)[1])
                changed = True
    mark = Suppressed(threshold)

    def shown(key: tuple) -> Any:
        return mark if key in hidden else values[key]

    return (
        [[shown(("g", r, c)) for c in range(len(row))] for r, row in enumerate(grid)],
        [shown(("r", r)) for r in range(len(grid))],
        [shown(("c", c)) for c in range(len(column_totals))],
        shown(("t",)),
    )
