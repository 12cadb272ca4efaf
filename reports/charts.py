"""Charts as server-rendered SVG: the shapes are worked out here, ``reports/_chart.html`` draws
them. No script: the page's CSP allows none inline, and a chart must print and read without one.

Every chart sits beside its table, which carries the same numbers; the SVG is one image to a
screen reader (``role="img"``), named by the table's title and described by its summary.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from .tables import Table

WIDTH = 460
# GOV.UK colours with at least 3:1 contrast against white (WCAG 2.2, 1.4.11), one per tier.
COLOURS = ["#1d70b8", "#4c2c92", "#d4351c"]
BAR_COLOUR = "#1d70b8"
LABEL_CHARACTERS = 52


@dataclass
class Shape:
    x: float
    y: float
    width: float = 0
    height: float = 0
    text: str = ""
    colour: str = ""
    anchor: str = "start"


@dataclass
class Drawing:
    kind: str
    height: int
    bars: list[Shape] = field(default_factory=list)
    texts: list[Shape] = field(default_factory=list)
    lines: list[Shape] = field(default_factory=list)
    width: int = WIDTH


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1] + "…"


def _count(value) -> int | None:
    return value if isinstance(value, int) else None


def _ticks(top: int) -> list[int]:
    """Round gridline values from 0 to at least ``top``: four or five of them."""
    if top <= 0:
        return [0, 1]
    raw = top / 4
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(1, int(step))
    return list(range(0, top + step, step)) if top % step else list(range(0, top + 1, step))


def draw(tables: Iterable[Table]) -> None:
    """Give each table its ``drawing``, as the page and the committee report's PDF show it."""
    for table in tables:
        table.drawing = drawing(table)


def drawing(table: Table) -> Drawing | None:
    """The chart of ``table`` (None when it has none, or nothing to draw)."""
    if table.chart is None or not table.rows or table.is_empty:
        return None
    if table.chart.kind == "stacked":
        return _stacked(table)
    return _bars(table, table.chart.column)


def _bars(table: Table, column: int) -> Drawing:
    """One horizontal bar per row: its label above it, its number at its end."""
    row_height, bar_height, label_width = 48, 18, WIDTH - 60
    values = [_count(row.values[column]) for row in table.rows]
    top = max([v for v in values if v is not None] or [0]) or 1
    drawing = Drawing("bars", height=row_height * len(table.rows) + 4)
    for i, (row, value) in enumerate(zip(table.rows, values, strict=True)):
        y = i * row_height
        drawing.texts.append(Shape(0, y + 15, text=_short(row.label)))
        length = 0 if not value else max(2, label_width * value / top)
        drawing.bars.append(Shape(0, y + 20, width=length, height=bar_height, colour=BAR_COLOUR))
        shown = str(row.values[column]) if value is not None else "withheld"
        drawing.texts.append(Shape(length + 6, y + 35, text=shown))
    return drawing


def _stacked(table: Table) -> Drawing:
    """One column per row (a month), its value columns (the tiers) stacked, with a legend."""
    series = [name for name in table.columns if name != "All"]
    left, top_margin, plot_height, bottom = 44, 40, 220, 44
    drawing = Drawing("stacked", height=top_margin + plot_height + bottom)
    totals = [sum(_count(v) or 0 for v in row.values[: len(series)]) for row in table.rows]
    ticks = _ticks(max(totals or [0]))
    scale = plot_height / (ticks[-1] or 1)
    base = top_margin + plot_height
    for tick in ticks:
        y = base - tick * scale
        drawing.lines.append(Shape(left, y, width=WIDTH - left))
        drawing.texts.append(Shape(left - 6, y + 4, text=str(tick), anchor="end"))
    slot = (WIDTH - left) / len(table.rows)
    bar = max(2.0, slot * 0.7)
    every = math.ceil(len(table.rows) / 7)
    for i, row in enumerate(table.rows):
        x = left + i * slot + (slot - bar) / 2
        y = base
        for s, _ in enumerate(series):
            height = (_count(row.values[s]) or 0) * scale
            if height:
                y -= height
                drawing.bars.append(Shape(x, y, width=bar, height=height, colour=COLOURS[s]))
        if i % every == 0 or i == len(table.rows) - 1:
            *_, month, year = row.label.split()
            centre = x + bar / 2
            drawing.texts.append(Shape(centre, base + 18, text=month, anchor="middle"))
            if i == 0 or month == "Jan" or i == len(table.rows) - 1:
                drawing.texts.append(Shape(centre, base + 36, text=year, anchor="middle"))
    for s, name in enumerate(series):
        x = left + s * 110
        drawing.bars.append(Shape(x, 8, width=14, height=14, colour=COLOURS[s]))  # its key
        drawing.texts.append(Shape(x + 20, 20, text=name))
    return drawing
