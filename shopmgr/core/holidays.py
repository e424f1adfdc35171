"""German public holidays and working days (§193 BGB), shared by the returns desk's withdrawal
period (returns/rules.py) and dunning's default dates (returns/dunning.py)."""

from __future__ import annotations

import datetime as dt


def easter_sunday(year: int) -> dt.date:
    """Easter Sunday of the Gregorian calendar (the anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def german_national_holidays(year: int) -> dict[dt.date, str]:
    """The public holidays that hold in every German state (the regional ones are left out:
    a deadline computed without them is never later than the law's, see docs/returns.md)."""
    easter = easter_sunday(year)
    days = {
        dt.date(year, 1, 1): "Neujahr",
        easter - dt.timedelta(days=2): "Karfreitag",
        easter + dt.timedelta(days=1): "Ostermontag",
        dt.date(year, 5, 1): "Tag der Arbeit",
        easter + dt.timedelta(days=39): "Christi Himmelfahrt",
        easter + dt.timedelta(days=50): "Pfingstmontag",
        dt.date(year, 10, 3): "Tag der Deutschen Einheit",
        dt.date(year, 12, 25): "1. Weihnachtstag",
        dt.date(year, 12, 26): "2. Weihnachtstag",
    }
    if year == 2017:
        days[dt.date(2017, 10, 31)] = "Reformationstag (500 Jahre)"
    return days


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday and not a national public holiday (§193 BGB: Saturdays do not count)."""
    return day.weekday() < 5 and day not in german_national_holidays(day.year)


def next_working_day(day: dt.date) -> dt.date:
    """The day itself when it is a working day, else the next one (§193 BGB)."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day
