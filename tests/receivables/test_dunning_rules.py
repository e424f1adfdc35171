"""The pure dunning rules (returns/dunning.py), pinned by the worked examples of DOMAIN §1 and more."""

import datetime as dt
from decimal import Decimal as D

import pytest

from returns import dunning

d = dt.date

# The published base rates of DOMAIN §1.2 (the same table the migration seeds).
RATES = [
    dunning.BaseRate(valid_from=day, rate=D(rate))
    for day, rate in [
        (d(2020, 1, 1), "-0.88"), (d(2020, 7, 1), "-0.88"), (d(2021, 1, 1), "-0.88"), (d(2021, 7, 1), "-0.88"),
        (d(2022, 1, 1), "-0.88"), (d(2022, 7, 1), "-0.88"), (d(2023, 1, 1), "1.62"), (d(2023, 7, 1), "3.12"),
        (d(2024, 1, 1), "3.62"), (d(2024, 7, 1), "3.37"), (d(2025, 1, 1), "2.27"), (d(2025, 7, 1), "1.27"),
        (d(2026, 1, 1), "1.27"),
    ]
]


# --- §286 BGB --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("due", "received", "expected"), [
    # DOMAIN §1.1: received and due 03.03.2025 → last day 02.04.2025 (Wed) → default from 03.04.2025
    (d(2025, 3, 3), d(2025, 3, 3), d(2025, 4, 3)),
    # receipt after the due date counts from the receipt
    (d(2025, 3, 3), d(2025, 3, 10), d(2025, 4, 10)),
    # last day Sat 05.04.2025 → Mon 07.04 (§193) → default from Tue 08.04.2025
    (d(2025, 3, 6), d(2025, 3, 6), d(2025, 4, 8)),
    # last day Good Friday 18.04.2025 → Easter Monday is a holiday too → Tue 22.04 → default 23.04
    (d(2025, 3, 19), d(2025, 3, 19), d(2025, 4, 23)),
    # last day Fri 03.10.2025 (German Unity Day) → Mon 06.10 → default from 07.10.2025
    (d(2025, 9, 3), d(2025, 9, 3), d(2025, 10, 7)),
    # last day Thu 25.12.2025 → 26.12 holiday, 27/28 weekend → Mon 29.12 → default from 30.12.2025
    (d(2025, 11, 25), d(2025, 11, 25), d(2025, 12, 30)),
])
def test_thirty_day_rule_counts_from_the_day_after_and_skips_weekends_and_holidays(due, received, expected):
    assert dunning.thirty_day_default_start(due_on=due, received_on=received) == expected


@pytest.mark.parametrize(("is_consumer", "notice", "reminders", "expected"), [
    # a business is in default by the 30-day rule even without any notice on the invoice
    (False, False, [], d(2025, 4, 3)),
    # a consumer only when the invoice carried the §286(3) notice ...
    (True, True, [], d(2025, 4, 3)),
    # ... otherwise only a reminder after the due date puts them in default: the day after its receipt
    (True, False, [d(2025, 3, 20)], d(2025, 3, 21)),
    # the earliest event wins: a reminder received before the 30 days ran out
    (True, True, [d(2025, 3, 20)], d(2025, 3, 21)),
    (False, False, [d(2025, 4, 20)], d(2025, 4, 3)),
    # a reminder before (or on) the due date does not count (§286(1): after the due date)
    (True, False, [d(2025, 3, 3), d(2025, 3, 25)], d(2025, 3, 26)),
])
def test_default_start_is_the_earliest_of_reminder_and_thirty_day_rule(is_consumer, notice, reminders, expected):
    start = dunning.default_start(
        due_on=d(2025, 3, 3), received_on=d(2025, 3, 3), is_consumer=is_consumer, has_286_notice=notice,
        reminders_received_on=reminders,
    )
    assert start == expected


def test_consumer_without_notice_and_without_reminder_is_not_in_default():
    start = dunning.default_start(due_on=d(2025, 3, 3), received_on=d(2025, 3, 3), is_consumer=True,
                                  has_286_notice=False)
    assert start is None


def test_easter_and_the_movable_holidays():
    assert dunning.easter_sunday(2025) == d(2025, 4, 20)
    assert dunning.easter_sunday(2026) == d(2026, 4, 5)
    assert {d(2026, 4, 3), d(2026, 4, 6), d(2026, 5, 14), d(2026, 5, 25)} <= dunning.public_holidays(2026)


# --- §288 BGB -----------------------------------------------------------------------------------

INTEREST_CASES = [
    # id, principal, default from, paid on (until), consumer, payments, expected total, segments (days, rate, amount)
    ("DOMAIN consumer: 1,000 € from 16.11.2024, paid 14.02.2025",
     "1000.00", d(2024, 11, 16), d(2025, 2, 14), True, [], "19.31",
     [(46, "8.37", "10.55"), (44, "7.27", "8.76")]),
    ("DOMAIN B2B: 10,000 € at 12.62 % for 30 days (act/365)",
     "10000.00", d(2024, 1, 10), d(2024, 2, 9), False, [], "103.73", [(30, "12.62", "103.73")]),
    ("B2B across 1 July 2024: 3.62 → 3.37",
     "5000.00", d(2024, 6, 1), d(2024, 8, 1), False, [], "104.39", [(30, "12.62", "51.86"), (31, "12.37", "52.53")]),
    ("consumer with a part payment of 400 € on 01.12.2024 (segment ends 30.11)",
     "1000.00", d(2024, 11, 16), d(2025, 2, 14), True, [(d(2024, 12, 1), "400.00")], "12.96",
     [(15, "8.37", "3.44"), (31, "8.37", "4.27"), (44, "7.27", "5.26")]),
    ("a payment on the first day of default counts in full",
     "1000.00", d(2024, 11, 16), d(2024, 12, 16), True, [(d(2024, 11, 16), "1000.00")], "0.00", []),
    ("negative base rate 2022: −0.88 + 5 = 4.12 % (points, not a markup)",
     "1000.00", d(2022, 3, 1), d(2022, 3, 31), True, [], "3.39", [(30, "4.12", "3.39")]),
    ("no interest before default starts",
     "1000.00", d(2025, 4, 3), d(2025, 4, 3), True, [], "0.00", []),
    ("rounded once: two segments of 1 day whose cents alone would round differently",
     "100.00", d(2024, 6, 30), d(2024, 7, 2), True, [], "0.05", [(1, "8.62", "0.02"), (1, "8.37", "0.02")]),
    ("leap year 2024 still divides by 365 (DOMAIN: 19.28 would be act/366)",
     "1000.00", d(2024, 2, 1), d(2024, 3, 2), True, [], "7.08", [(30, "8.62", "7.08")]),
]


@pytest.mark.parametrize(
    ("principal", "start", "until", "consumer", "payments", "expected", "segments"),
    [case[1:] for case in INTEREST_CASES], ids=[case[0] for case in INTEREST_CASES],
)
def test_default_interest_worked_examples(principal, start, until, consumer, payments, expected, segments):
    interest = dunning.default_interest(
        principal=D(principal), default_from=start, until=until, is_consumer=consumer, rates=RATES,
        payments=[dunning.Payment(paid_on=day, amount=D(a)) for day, a in payments],
    )
    assert interest.amount == D(expected)
    assert [(s.days, str(s.rate), str(dunning.to_cents(s.interest))) for s in interest.segments] == [
        (days, rate, amount) for days, rate, amount in segments
    ]


def test_rounding_once_differs_from_rounding_each_segment():
    # 100 € × 8.62 % / 365 = 0.02362 and 100 € × 8.37 % / 365 = 0.02293: 0.04655 → 0.05, cents each → 0.04
    interest = dunning.default_interest(
        principal=D("100.00"), default_from=d(2024, 6, 30), until=d(2024, 7, 2), is_consumer=True, rates=RATES,
    )
    assert interest.amount == D("0.05")
    assert sum(dunning.to_cents(s.interest) for s in interest.segments) == D("0.04")


def test_a_half_year_without_a_published_rate_is_reported_and_the_last_rate_used():
    interest = dunning.default_interest(
        principal=D("1000.00"), default_from=d(2026, 6, 1), until=d(2026, 8, 1), is_consumer=True, rates=RATES,
    )
    assert interest.missing_base_rates == (d(2026, 7, 1),)
    assert [str(s.rate) for s in interest.segments] == ["6.27", "6.27"]
    # 1000 × 6.27 % × 61 / 365 = 10.4786
    assert interest.amount == D("10.48")


def test_b2b_flat_fee_once_and_never_for_consumers():
    assert dunning.business_flat_fee(is_consumer=False, in_default=True) == D("40.00")
    assert dunning.business_flat_fee(is_consumer=False, in_default=False) == D("0.00")
    assert dunning.business_flat_fee(is_consumer=True, in_default=True) == D("0.00")


def test_claim_adds_open_amount_fees_and_interest_without_vat():
    # B2B: 10,000 € in default from 10.01.2024, part payment 4,000 € on 25.01.2024, claim on 09.02.2024
    claim = dunning.claim_for(
        amount=D("10000.00"), payments=[dunning.Payment(paid_on=d(2024, 1, 25), amount=D("4000.00"))],
        as_of=d(2024, 2, 9), default_from=d(2024, 1, 10), is_consumer=False, rates=RATES,
        level_fee=D("1.05"), earlier_fees=D("0.00"),
    )
    # 10,000 × 12.62 % × 15/365 = 51.8630 + 6,000 × 12.62 % × 15/365 = 31.1178 → 82.98
    assert claim.interest.amount == D("82.98")
    assert claim.open_amount == D("6000.00")
    assert claim.fee == D("41.05")  # 1.05 € notice fee + 40 € §288(5), no VAT on either
    assert claim.total == D("6124.03")


# --- Levels --------------------------------------------------------------------------------------

LEVELS = [
    dunning.Level(number=1, days_overdue=7, min_open_amount=D("1.00"), min_interval_days=0, fee=D("0.00")),
    dunning.Level(number=2, days_overdue=21, min_open_amount=D("5.00"), min_interval_days=14, fee=D("1.05")),
    dunning.Level(number=3, days_overdue=35, min_open_amount=D("5.00"), min_interval_days=14, fee=D("1.05")),
    dunning.Level(number=4, days_overdue=49, min_open_amount=D("5.00"), min_interval_days=14, fee=D("0.00")),
]
DUE = d(2026, 3, 1)


@pytest.mark.parametrize(("as_of", "open_amount", "last", "last_on", "blocked", "level", "reason"), [
    (d(2026, 3, 1), "50.00", None, None, "", None, dunning.Reason.NOT_DUE),
    (d(2026, 3, 7), "50.00", None, None, "", None, dunning.Reason.TOO_EARLY),  # 6 days overdue
    (d(2026, 3, 8), "50.00", None, None, "", 1, ""),  # 7 days: payment reminder
    (d(2026, 3, 8), "0.50", None, None, "", None, dunning.Reason.BELOW_MINIMUM),
    (d(2026, 4, 30), "50.00", None, None, "", 1, ""),  # never skip: long overdue still starts at 1
    (d(2026, 3, 22), "50.00", 1, d(2026, 3, 8), "", 2, ""),  # 21 days, 14 since the reminder
    (d(2026, 3, 22), "50.00", 1, d(2026, 3, 10), "", None, dunning.Reason.INTERVAL),
    (d(2026, 3, 22), "4.99", 1, d(2026, 3, 8), "", None, dunning.Reason.BELOW_MINIMUM),
    (d(2026, 5, 1), "50.00", 4, d(2026, 4, 20), "", None, dunning.Reason.LAST_LEVEL),
    (d(2026, 3, 22), "50.00", 1, d(2026, 3, 8), dunning.Reason.DISPUTE, None, dunning.Reason.DISPUTE),
    (d(2026, 3, 22), "50.00", None, None, dunning.Reason.OPEN_RETURN, None, dunning.Reason.OPEN_RETURN),
    # a backdated run: the reminder of 30.03 already went out, no level 2 dated before it
    (d(2026, 3, 10), "50.00", 1, d(2026, 3, 30), "", None, dunning.Reason.TOO_EARLY),
    (d(2026, 3, 25), "50.00", 1, d(2026, 3, 30), "", None, dunning.Reason.INTERVAL),
])
def test_next_level(as_of, open_amount, last, last_on, blocked, level, reason):
    decision = dunning.next_level(
        levels=LEVELS, due_on=DUE, as_of=as_of, open_amount=D(open_amount), last_level_number=last,
        last_notice_on=last_on, blocked=blocked,
    )
    assert (decision.level.number if decision.level else None, decision.reason) == (level, reason)
    assert decision.days_overdue == (as_of - DUE).days


@pytest.mark.parametrize("days", [[7, 21, 21, 49], [7, 21, 14, 49], [30, 7]])
def test_level_days_must_increase(days):
    with pytest.raises(dunning.DunningRuleError, match="must start later"):
        dunning.check_level_days([dunning.Level(number=i + 1, days_overdue=n) for i, n in enumerate(days)])


def test_increasing_level_days_pass():
    dunning.check_level_days(LEVELS)
