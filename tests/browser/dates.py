"""Typing a date into the GOV.UK date input (day, month and year boxes in a fieldset whose legend
names the date), and checking what it shows."""

import re
from datetime import date

from playwright.sync_api import expect


def date_group(scope, legend: str):
    """The fieldset whose legend is ``legend`` (with or without "(optional)")."""
    return scope.get_by_role("group", name=re.compile(rf"^{re.escape(legend)}( \(optional\))?$"))


def _boxes(scope, legend: str | None, name: str | None):
    if name is not None:
        return [scope.locator(f"input[name$='{name}_{part}']") for part in ("day", "month", "year")]
    group = date_group(scope, legend)
    return [group.get_by_label(part, exact=True) for part in ("Day", "Month", "Year")]


def fill_date(scope, legend: str | None = None, value: date | None = None, *, name=None):
    """Type ``value`` as GOV.UK asks: ``2`` ``11`` ``2026``. ``name`` finds the boxes by the
    field's name (its end) where there is no single legend, as in a list of incidents."""
    for box, typed in zip(
        _boxes(scope, legend, name), (value.day, value.month, value.year), strict=True
    ):
        box.fill(str(typed))


def expect_date(scope, legend: str | None = None, value: date | None = None, *, name=None):
    for box, typed in zip(
        _boxes(scope, legend, name), (value.day, value.month, value.year), strict=True
    ):
        expect(box).to_have_value(str(typed))
