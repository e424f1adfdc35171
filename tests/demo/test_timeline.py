"""The calendar helpers of the demo generator."""

import datetime as dt
import random

from shopmgr.core.dates import BERLIN
from shopmgr.core.demo.catalog import price_point
from shopmgr.core.demo.timeline import black_friday, build_timeline, distribute, to_datetime


def test_black_friday_is_the_day_after_the_fourth_thursday_of_november():
    assert black_friday(2024) == dt.date(2024, 11, 29)
    assert black_friday(2025) == dt.date(2025, 11, 28)
    assert black_friday(2026) == dt.date(2026, 11, 27)


def test_distribute_splits_the_total_exactly_and_never_negative():
    weights = [random.Random(3).random() for _ in range(730)]
    for total in (1, 7, 3000, 1_000_000):
        counts = distribute(total, weights)
        assert sum(counts) == total and min(counts) >= 0


def test_local_hours_stay_on_their_berlin_day_across_daylight_saving_switches():
    # given a history that contains the spring and autumn switches of 2025
    tl = build_timeline(today=dt.date(2026, 1, 1), rng=random.Random(1))
    for switch in (dt.date(2025, 3, 30), dt.date(2025, 10, 26)):
        day = tl.day_of_date(switch)
        # then every hour of that day, up to its last second, is on that Berlin date
        for hour in range(24):
            start = to_datetime(tl.local_ts(day, hour)).astimezone(BERLIN)
            end = to_datetime(tl.local_ts(day, hour, 3599)).astimezone(BERLIN)
            assert start.date() == end.date() == switch


def test_history_is_two_years_up_to_yesterday():
    tl = build_timeline(today=dt.date(2026, 3, 2), rng=random.Random(1))
    assert tl.dates[0] == dt.date(2024, 3, 2) and tl.dates[-1] == dt.date(2026, 3, 1)
    assert to_datetime(tl.now_ts).astimezone(BERLIN) == dt.datetime(2026, 3, 2, tzinfo=BERLIN)


def test_prices_end_in_the_products_ending():
    assert price_point(4_321, 99) == 4_299
    assert price_point(4_380, 99) == 4_399
    assert price_point(4_321, 95) == 4_295
    assert price_point(4_321, 49) == 4_349
    assert price_point(10, 99) == 99
