"""Timestamps without an offset are Berlin wall-clock time; everything is stored in UTC."""

import datetime as dt

import pytest
from django.utils import timezone

from pricing.models import PriceChange
from sales.models import Order
from tests.imports.conftest import messages

pytestmark = pytest.mark.django_db

ORDERS_HEADER = "order_id,customer_id,placed_at,channel,payment_method,status\n"


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("placed_at", "stored_utc", "berlin_date"),
    [
        ("2026-03-29T00:30", utc(2026, 3, 28, 23, 30), dt.date(2026, 3, 29)),  # the night clocks go forward
        ("2026-03-29T00:30:00+01:00", utc(2026, 3, 28, 23, 30), dt.date(2026, 3, 29)),
        ("2026-10-25T23:30", utc(2026, 10, 25, 22, 30), dt.date(2026, 10, 25)),  # the day clocks went back
        ("2026-10-25T23:30:00+01:00", utc(2026, 10, 25, 22, 30), dt.date(2026, 10, 25)),
        ("2026-07-01 12:00:00", utc(2026, 7, 1, 10, 0), dt.date(2026, 7, 1)),  # summer time
        ("2026-07-01T12:00:00Z", utc(2026, 7, 1, 12, 0), dt.date(2026, 7, 1)),
    ],
)
def test_a_timestamp_without_offset_is_berlin_time(shop, run_import, placed_at, stored_utc, berlin_date):
    # when
    result = run_import("orders", ORDERS_HEADER + f"A-2,K-1,{placed_at},webshop,card,paid\n")

    # then
    assert result.ok, messages(result.errors)
    assert result.warnings == []
    order = Order.objects.get(external_id="A-2")
    assert order.placed_at == stored_utc
    assert timezone.localtime(order.placed_at).date() == berlin_date


@pytest.mark.parametrize(
    ("local", "stored_utc", "note"),
    [
        ("2026-03-29T02:30", utc(2026, 3, 29, 1, 30), "does not exist in Berlin"),
        ("2026-10-25T02:30", utc(2026, 10, 25, 0, 30), "occurs twice in Berlin"),
    ],
)
def test_local_times_at_the_clock_change_are_imported_with_a_warning(shop, run_import, local, stored_utc, note):
    # when
    result = run_import("orders", ORDERS_HEADER + f"A-2,K-1,{local},webshop,card,paid\n")

    # then
    assert result.ok
    [warning] = result.warnings
    assert (warning.line, warning.column) == (2, "placed_at")
    assert note in warning.message
    assert Order.objects.get(external_id="A-2").placed_at == stored_utc


def test_a_valid_from_date_means_berlin_midnight(shop, run_import):
    # when
    result = run_import(
        "prices",
        "sku,price,valid_from\nFW-1001,49.95,2026-03-29\nFW-1001,54.95,2026-10-25\nFW-1001,59.95,2026-11-01T06:00\n",
    )

    # then
    assert result.ok, messages(result.errors)
    assert sorted(PriceChange.objects.values_list("valid_from", flat=True)) == [
        utc(2026, 3, 28, 23, 0),  # CET, the clocks go forward later that night
        utc(2026, 10, 24, 22, 0),  # still CEST at midnight
        utc(2026, 11, 1, 5, 0),
    ]


def test_a_date_and_the_same_moment_as_timestamp_are_one_key(shop, run_import):
    # when
    result = run_import("prices", "sku,price,valid_from\nFW-1001,49.95,2026-03-29\n"
                                  "FW-1001,54.95,2026-03-29T00:00:00+01:00\n")

    # then
    assert [(e.line, e.column) for e in result.errors] == [(3, "sku")]
    assert "duplicate key" in result.errors[0].message
