"""The calendar of the demo: Berlin days, hour boundaries in UTC, seasonality and campaigns.

Times inside the generator are whole seconds since the Unix epoch (UTC). Days are indices into
`Timeline.dates`, day 0 being the first day of history; negative indices lie before it. Local hour
boundaries are taken from zoneinfo once per day, so daylight-saving switches never move an
order to another Berlin day (DESIGN §2).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from shopmgr.core.dates import BERLIN

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

# Orders per hour of day (Berlin), relative: a lunch bump and an evening peak.
HOUR_WEIGHTS = (0.6, 0.3, 0.2, 0.15, 0.15, 0.25, 0.6, 1.2, 2.0, 2.8, 3.3, 3.6,
                4.0, 3.8, 3.6, 3.5, 3.6, 3.9, 4.4, 5.2, 5.8, 5.6, 4.3, 2.4)
# Monday .. Sunday. Sunday and Monday are the strong days, Saturday the weak one.
WEEKDAY_FACTORS = (1.08, 1.0, 0.98, 0.97, 0.9, 0.8, 1.12)
# Sunday and Monday evenings (18-22 h) are stronger still (couch commerce).
EVENING_BOOST = 1.35
# January .. December: a Q4 peak, a quiet summer.
MONTH_FACTORS = (0.95, 0.85, 0.9, 0.92, 0.9, 0.85, 0.84, 0.85, 0.9, 1.08, 1.5, 1.6)
YEARLY_GROWTH = 1.12
DAILY_NOISE = 0.06


@dataclass(frozen=True)
class Campaign:
    code: str
    first: int  # day index, inclusive
    last: int  # day index, inclusive
    discount_pct: int
    share: float  # share of orders in the window that use the code
    daily_budget_cents: int  # marketing spend per day and channel at 1,000 orders a day


@dataclass
class Timeline:
    today: dt.date
    dates: list[dt.date]  # history: day 0 .. yesterday
    extra_days: int  # days after today that are precomputed for follow-up events
    before_days: int  # days before day 0 that are precomputed
    weekday: list[int] = field(default_factory=list)
    hour_starts: list[list[int]] = field(default_factory=list)  # [day + before_days][hour] -> ts
    day_weight: list[float] = field(default_factory=list)
    campaigns: list[Campaign] = field(default_factory=list)
    black_fridays: list[int] = field(default_factory=list)

    @property
    def days(self) -> int:
        return len(self.dates)

    @property
    def now_ts(self) -> int:
        """Midnight at the start of `today` (Berlin): everything seeded happened before it."""
        return self.midnight(self.days)

    def date(self, day: int) -> dt.date:
        return self.dates[0] + dt.timedelta(days=day)

    def weekday_of(self, day: int) -> int:
        return self.weekday[day + self.before_days]

    def midnight(self, day: int) -> int:
        return self.hour_starts[day + self.before_days][0]

    def local_ts(self, day: int, hour: int, second: int = 0) -> int:
        return self.hour_starts[day + self.before_days][hour] + second

    def day_of_date(self, date: dt.date) -> int:
        return (date - self.dates[0]).days


def berlin_midnight_ts(date: dt.date) -> int:
    return int(dt.datetime(date.year, date.month, date.day, tzinfo=BERLIN).timestamp())


def to_datetime(ts: int) -> dt.datetime:
    return EPOCH + dt.timedelta(seconds=ts)


def black_friday(year: int) -> dt.date:
    """The day after Thanksgiving (the fourth Thursday of November)."""
    first = dt.date(year, 11, 1)
    first_thursday = 1 + (3 - first.weekday()) % 7
    return dt.date(year, 11, first_thursday + 21 + 1)


def two_years_before(today: dt.date) -> dt.date:
    try:
        return today.replace(year=today.year - 2)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 2, day=28)


def build_timeline(*, today: dt.date, rng, extra_days: int = 120, before_days: int = 1500) -> Timeline:
    start = two_years_before(today)
    count = (today - start).days
    dates = [start + dt.timedelta(days=i) for i in range(count)]
    tl = Timeline(today=today, dates=dates, extra_days=extra_days, before_days=before_days)
    for i in range(-before_days, count + extra_days):
        date = start + dt.timedelta(days=i)
        tl.weekday.append(date.weekday())
        if i >= -10:  # hour boundaries are needed from a few days before history on
            tl.hour_starts.append([
                int(dt.datetime(date.year, date.month, date.day, h, tzinfo=BERLIN).timestamp())
                for h in range(24)
            ])
        else:
            tl.hour_starts.append([berlin_midnight_ts(date)])
    years = range(start.year, today.year + 1)
    tl.black_fridays = [tl.day_of_date(black_friday(y)) for y in years]
    tl.day_weight = _day_weights(tl, rng)
    tl.campaigns = _campaigns(tl, years)
    return tl


def _day_weights(tl: Timeline, rng) -> list[float]:
    special: dict[int, float] = {}
    for bf in tl.black_fridays:
        for offset, factor in ((-4, 1.35), (-3, 1.4), (-2, 1.45), (-1, 1.5), (0, 2.6), (1, 1.9),
                               (2, 1.8), (3, 2.2), (4, 1.3)):
            special[bf + offset] = factor
    weights = []
    for day, date in enumerate(tl.dates):
        w = MONTH_FACTORS[date.month - 1] * WEEKDAY_FACTORS[date.weekday()]
        w *= YEARLY_GROWTH ** (day / 365.0)
        if date.month == 12:
            if 19 <= date.day <= 23:
                w *= 0.85
            elif date.day == 24:
                w *= 0.35
            elif date.day in (25, 26):
                w *= 0.6
            elif date.day >= 27:
                w *= 0.75
        w *= special.get(day, 1.0)
        w *= max(0.5, 1.0 + rng.gauss(0.0, DAILY_NOISE))
        weights.append(w)
    return weights


def _campaigns(tl: Timeline, years) -> list[Campaign]:
    first_day, last_day = 0, tl.days - 1
    out = []

    def add(code, first: dt.date, last: dt.date, pct, share, budget):
        a, b = tl.day_of_date(first), tl.day_of_date(last)
        if b < first_day or a > last_day:
            return
        out.append(Campaign(code, max(a, first_day), min(b, last_day), pct, share, budget))

    for y in years:
        yy = y % 100
        add(f"WINTERSALE{yy}", dt.date(y, 1, 2), dt.date(y, 1, 31), 20, 0.22, 90_000)
        add(f"SPRING{yy}", dt.date(y, 3, 20), dt.date(y, 4, 10), 10, 0.15, 60_000)
        add(f"SUMMERSALE{yy}", dt.date(y, 7, 1), dt.date(y, 7, 31), 20, 0.22, 80_000)
        bf = black_friday(y)
        add(f"BLACKWEEK{yy}", bf - dt.timedelta(days=4), bf + dt.timedelta(days=3), 20, 0.35, 250_000)
        add(f"XMAS{yy}", dt.date(y, 12, 1), dt.date(y, 12, 18), 10, 0.15, 120_000)
    return out


def hour_cumulative(weekday: int) -> tuple[list[float], float]:
    cum, total = [], 0.0
    for hour, w in enumerate(HOUR_WEIGHTS):
        if weekday in (6, 0) and 18 <= hour <= 22:
            w *= EVENING_BOOST
        total += w
        cum.append(total)
    return cum, total


def distribute(total: int, weights: list[float]) -> list[int]:
    """Split `total` over `weights` exactly (cumulative rounding), deterministic."""
    s = math.fsum(weights)
    counts, acc, prev = [], 0.0, 0
    for w in weights:
        acc += w
        cur = round(acc / s * total)
        counts.append(cur - prev)
        prev = cur
    counts[-1] += total - prev
    return counts
