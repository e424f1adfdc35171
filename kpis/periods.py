"""Reporting periods of the dashboards: presets, custom ranges and the periods they are compared with.

All dates are Berlin calendar days (DESIGN §2), `first` and `last` both included. The facts are
computed nightly, so the presets end with *yesterday*, the last complete day; a "to date" preset
on the first day of its month or year holds that one day (today) rather than nothing.

Comparisons: the previous period has the same number of days and ends the day before `first`;
the year-ago period has the same calendar dates one year earlier (29 February becomes 28 February).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from shopmgr.core.dates import berlin_today

YESTERDAY = "yesterday"
LAST_7_DAYS = "last_7_days"
LAST_30_DAYS = "last_30_days"
MONTH_TO_DATE = "month_to_date"
LAST_MONTH = "last_month"
YEAR_TO_DATE = "year_to_date"
CUSTOM = "custom"

PRESETS = [
    (YESTERDAY, _("Yesterday")),
    (LAST_7_DAYS, _("Last 7 days")),
    (LAST_30_DAYS, _("Last 30 days")),
    (MONTH_TO_DATE, _("Month to date")),
    (LAST_MONTH, _("Last month")),
    (YEAR_TO_DATE, _("Year to date")),
    (CUSTOM, _("Custom")),
]
DEFAULT_PRESET = LAST_30_DAYS
# The longest period a page or export may ask for (the API allows the same).
MAX_DAYS = 3 * 366


def year_earlier(day: dt.date) -> dt.date:
    """The same calendar date a year earlier; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date
    preset: str = CUSTOM

    def __post_init__(self):
        if self.first > self.last:
            raise ValueError(f"period starts ({self.first}) after it ends ({self.last})")

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Period:
        """The period of equal length that ends the day before this one starts."""
        last = self.first - dt.timedelta(days=1)
        return Period(last - dt.timedelta(days=self.days - 1), last)

    def year_ago(self) -> Period:
        return Period(year_earlier(self.first), year_earlier(self.last))

    def months(self) -> list[dt.date]:
        """The first day of each calendar month the period touches."""
        months, month = [], self.first.replace(day=1)
        while month <= self.last:
            months.append(month)
            month = (month + dt.timedelta(days=32)).replace(day=1)
        return months

    def days_in_month(self, month: dt.date) -> int:
        """How many days of the period fall into the month starting on `month`."""
        month_last = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        start, end = max(self.first, month), min(self.last, month_last)
        return max(0, (end - start).days + 1)

    def each_day(self):
        day = self.first
        while day <= self.last:
            yield day
            day += dt.timedelta(days=1)


def preset_period(preset: str, *, today: dt.date | None = None) -> Period:
    """The days a preset stands for, seen from `today` (Berlin; default: now)."""
    today = today or berlin_today()
    yesterday = today - dt.timedelta(days=1)
    if preset == YESTERDAY:
        return Period(yesterday, yesterday, preset)
    if preset == LAST_7_DAYS:
        return Period(today - dt.timedelta(days=7), yesterday, preset)
    if preset == LAST_30_DAYS:
        return Period(today - dt.timedelta(days=30), yesterday, preset)
    if preset == MONTH_TO_DATE:
        first = today.replace(day=1)
        return Period(first, max(first, yesterday), preset)
    if preset == LAST_MONTH:
        last = today.replace(day=1) - dt.timedelta(days=1)
        return Period(last.replace(day=1), last, preset)
    if preset == YEAR_TO_DATE:
        first = today.replace(month=1, day=1)
        return Period(first, max(first, yesterday), preset)
    raise ValueError(f"unknown period preset {preset!r}")


def month_last_day(month: dt.date) -> dt.date:
    return (month.replace(day=1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
