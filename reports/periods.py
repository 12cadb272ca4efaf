"""The period a report covers, and the form that chooses it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.dateformat import format as date_format

from ubpanel.forms import DATE_INPUT, GovukForm

# A report covers at most this many years: the schedule-over-time chart has one point a month.
LONGEST_YEARS = 5


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both days included."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def last_twelve_months(cls, today: datetime.date | None = None) -> Period:
        today = today or timezone.localdate()
        return cls(start=_add_months(today, -12) + datetime.timedelta(days=1), end=today)

    @property
    def since(self) -> datetime.datetime:
        """The first moment of ``start``, in the council's time zone."""
        return _midnight(self.start)

    @property
    def until(self) -> datetime.datetime:
        """The first moment after ``end``."""
        return day_after(self.end)

    @property
    def label(self) -> str:
        return f"{date_format(self.start, 'j F Y')} to {date_format(self.end, 'j F Y')}"

    @property
    def slug(self) -> str:
        """How file names say it: ``2025-12-01-to-2026-11-30``."""
        return f"{self.start.isoformat()}-to-{self.end.isoformat()}"

    def month_ends(self) -> list[datetime.date]:
        """The last day of each month the period touches, the last point being its end."""
        points = []
        month = self.start.replace(day=1)
        while month <= self.end:
            following = _add_months(month, 1)
            points.append(min(following - datetime.timedelta(days=1), self.end))
            month = following
        return points

    def query(self) -> str:
        """The period as the statistics page's query string (its links and exports keep it)."""
        return "&".join(
            f"{name}_{part}={value}"
            for name, day in (("start", self.start), ("end", self.end))
            for part, value in (("day", day.day), ("month", day.month), ("year", day.year))
        )


def day_after(day: datetime.date) -> datetime.datetime:
    """The first moment after ``day``, in the council's time zone."""
    return _midnight(day + datetime.timedelta(days=1))


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    month += 1
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    last = (following - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last))


class PeriodForm(GovukForm):
    start = forms.DateField(
        label="From",
        widget=DATE_INPUT,
        error_messages={"required": "Enter the date the period starts"},
    )
    end = forms.DateField(
        label="To",
        widget=DATE_INPUT,
        help_text="The day is included.",
        error_messages={"required": "Enter the date the period ends"},
    )

    def clean_end(self):
        end = self.cleaned_data["end"]
        if end > timezone.localdate():
            raise forms.ValidationError("The period must end today or earlier")
        return end

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                self.add_error("end", "The period must end on or after the day it starts")
            elif _add_months(start, 12 * LONGEST_YEARS) <= end:
                self.add_error(
                    "end", f"A report covers at most {LONGEST_YEARS} years: choose a later start"
                )
        return data

    def period(self) -> Period:
        return Period(start=self.cleaned_data["start"], end=self.cleaned_data["end"])


def period_from(data) -> tuple[PeriodForm, Period | None]:
    """The form bound to ``data`` (a GET query) and its period; the last twelve months when
    nothing was chosen, None when what was typed is wrong (the form says why)."""
    if not any(key.startswith(("start", "end")) for key in data):
        period = Period.last_twelve_months()
        return PeriodForm(initial={"start": period.start, "end": period.end}), period
    form = PeriodForm(data)
    return form, (form.period() if form.is_valid() else None)
