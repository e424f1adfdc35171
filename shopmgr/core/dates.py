"""Dates and times the way the shop counts them (DESIGN §2): a "day" is a Berlin calendar day,
timestamps are stored in UTC."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

BERLIN = ZoneInfo("Europe/Berlin")


def berlin_day(moment: dt.datetime) -> dt.date:
    """The Berlin calendar day of an aware timestamp (daylight saving never moves it)."""
    return moment.astimezone(BERLIN).date()


def berlin_today() -> dt.date:
    return berlin_day(timezone.now())


def berlin_midnight_utc(day: dt.date) -> dt.datetime:
    """The UTC moment a Berlin day starts: the lower bound of that day's timestamps."""
    return dt.datetime.combine(day, dt.time(), tzinfo=BERLIN).astimezone(dt.UTC)
