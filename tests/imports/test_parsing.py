"""Field parsers: what a cell may look like, and the reason given when it does not."""

import datetime as dt
from decimal import Decimal

import pytest

from shopmgr.core.csvimport import parsing as p


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12.50", Decimal("12.50")), ("0", Decimal("0")), ("7", Decimal("7")), ("12.500", Decimal("12.50")),
     (".5", Decimal("0.5")), ("+3.10", Decimal("3.10"))],
)
def test_money_accepts_plain_decimals(text, expected):
    assert p.money()(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("-0.01", "must be an amount >= 0"),
        ("12,50", "must be an amount with '.' as decimal separator, like 12.50"),
        ("1.234,50", "must be an amount like 12.50"),
        ("12.505", "must have at most 2 decimal places"),
        ("1e3", "must be an amount like 12.50"),
        ("NaN", "must be an amount like 12.50"),
        ("1000000000000", "must be below 1000000000000"),
    ],
)
def test_money_refuses_with_a_reason(text, reason):
    with pytest.raises(p.FieldError, match=f"^{reason}$".replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        p.money()(text)


def test_a_vat_rate_is_a_fraction_below_one():
    assert p.VAT_RATE("0.19") == Decimal("0.19")
    assert p.VAT_RATE("0") == Decimal("0")
    for text in ("1", "19", "-0.07"):
        with pytest.raises(p.FieldError, match="must be a VAT rate >= 0 and < 1"):
            p.VAT_RATE(text)


def test_integers_with_bounds():
    quantity = p.integer(min_value=0, min_exclusive=True)
    assert quantity("3") == 3
    for text in ("0", "-2", "1.5", "zwei"):
        with pytest.raises(p.FieldError, match="^must be a whole number > 0$"):
            quantity(text)
    with pytest.raises(p.FieldError, match="must be at most 2147483647"):
        quantity("2147483648")
    with pytest.raises(p.FieldError, match="^must be a whole number from 1 to 5$"):
        p.integer(min_value=1, max_value=5)("6")


def test_dates_are_iso():
    assert p.date("2026-02-28") == dt.date(2026, 2, 28)
    for text in ("2026-02-30", "28.02.2026", "20260228", "2026-2-28"):
        with pytest.raises(p.FieldError):
            p.date(text)


def test_timestamps_with_offset_are_converted_to_utc():
    assert p.timestamp("2026-03-29T00:30:00+01:00") == dt.datetime(2026, 3, 28, 23, 30, tzinfo=dt.UTC)
    assert p.timestamp("2026-06-01T08:00:00.5+02:00") == dt.datetime(2026, 6, 1, 6, 0, 0, 500000, tzinfo=dt.UTC)


def test_timestamps_need_a_time():
    for text in ("2026-03-29", "2026-03-29T25:00", "yesterday", "2026-03-29X10:00"):
        with pytest.raises(p.FieldError, match="must be a timestamp like 2026-03-29T00:30:00\\+01:00"):
            p.timestamp(text)


def test_a_date_or_timestamp_reads_a_date_as_berlin_midnight():
    assert p.date_or_timestamp("2026-07-01") == dt.datetime(2026, 6, 30, 22, 0, tzinfo=dt.UTC)
    assert p.date_or_timestamp("2026-07-01T10:00:00Z") == dt.datetime(2026, 7, 1, 10, 0, tzinfo=dt.UTC)


def test_booleans():
    assert [p.boolean(t) for t in ("true", "TRUE", "1", "yes", "ja")] == [True] * 5
    assert [p.boolean(t) for t in ("false", "0", "no", "nein")] == [False] * 4
    with pytest.raises(p.FieldError, match="must be true or false"):
        p.boolean("vielleicht")


def test_choices_are_case_insensitive_and_canonical():
    status = p.choice(["placed", "paid"])
    assert status("PAID") == "paid"
    with pytest.raises(p.FieldError, match="must be one of placed, paid"):
        status("sent")


def test_codes_cannot_contain_the_path_separator():
    with pytest.raises(p.FieldError, match="must not contain '/' or spaces"):
        p.code(64)("FASHION/WOMEN")


def test_texts_have_a_maximum_length():
    with pytest.raises(p.FieldError, match="must be at most 3 characters long"):
        p.text(3)("abcd")
