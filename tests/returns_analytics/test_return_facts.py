"""Day × product × reason facts of returns against the raw rows of a hand-made day."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum

from kpis.facts import compute_range
from kpis.models import DailyProductFact, DailyReturnFact
from kpis.return_facts import compute_return_range
from tests.returns_analytics.factories import DAY, RECEIVED, reason

pytestmark = pytest.mark.django_db

MEASURES = [
    "returned_units", "returned_value", "return_lines", "returns", "returns_share", "orders_returned",
    "restocked_units", "refurbished_units", "to_supplier_units", "written_off_units", "written_off_cost", "refunded",
]


def _rows():
    return {
        (row.product.sku, row.reason.code, row.channel): {m: getattr(row, m) for m in MEASURES}
        for row in DailyReturnFact.objects.filter(day=DAY).select_related("product", "reason")
    }


def _expected():
    # SIZE_SMALL sorts before NOT_AS_DESCRIBED by id (seeded in that order): order A's dress counts
    # its return as an order with a return under SIZE_SMALL, once.
    assert reason("SIZE_SMALL").pk < reason("NOT_AS_DESCRIBED").pk
    zero = Decimal(0)
    return {
        # R1: 1 dress, value 60.00 × 1 / 3 = 20.0000, the only line of R1 (share 1), restocked;
        # R3: 2 dresses, value 40.00 × 2 / 2 = 40.0000 (share 1), not inspected yet.
        ("DRESS", "SIZE_SMALL", "webshop"): {
            "returned_units": 3, "returned_value": Decimal("60.0000"), "return_lines": 2, "returns": 2,
            "returns_share": Decimal("2"), "orders_returned": 2, "restocked_units": 1, "refurbished_units": 0,
            "to_supplier_units": 0, "written_off_units": 0, "written_off_cost": zero, "refunded": zero,
        },
        # R2's dress: 20.0000 of R2's 120.0000 → share 1/6 = 0.1666666667; written off at cost 10.00
        ("DRESS", "NOT_AS_DESCRIBED", "webshop"): {
            "returned_units": 1, "returned_value": Decimal("20.0000"), "return_lines": 1, "returns": 1,
            "returns_share": Decimal("0.1666666667"), "orders_returned": 0, "restocked_units": 0,
            "refurbished_units": 0, "to_supplier_units": 0, "written_off_units": 1,
            "written_off_cost": Decimal("10.0000"), "refunded": Decimal("23.80"),
        },
        # R2's phone: 100.0000 of 120.0000 → share 5/6 = 0.8333333333; back to the supplier
        ("PHONE", "DEFECTIVE", "webshop"): {
            "returned_units": 1, "returned_value": Decimal("100.0000"), "return_lines": 1, "returns": 1,
            "returns_share": Decimal("0.8333333333"), "orders_returned": 1, "restocked_units": 0,
            "refurbished_units": 0, "to_supplier_units": 1, "written_off_units": 0, "written_off_cost": zero,
            "refunded": Decimal("119.00"),
        },
    }


def test_a_day_gives_exactly_the_expected_rows(day_of_returns):
    # when the day's return facts are computed
    with transaction.atomic():
        compute_return_range(DAY, DAY)
    # then only received, not rejected returns of live orders count, on the order's Berlin day
    assert _rows() == _expected()
    # and the shares of R2 add up to one handling: three returns in all
    assert DailyReturnFact.objects.aggregate(s=Sum("returns_share"))["s"] == Decimal("3")


def test_recomputing_a_day_is_idempotent(day_of_returns):
    with transaction.atomic():
        compute_return_range(DAY, DAY)
        compute_return_range(DAY, DAY)
    assert DailyReturnFact.objects.count() == 3
    assert _rows() == _expected()


def test_other_days_are_left_alone(day_of_returns):
    # given a fact of another day
    DailyReturnFact.objects.create(day=DAY + dt.timedelta(days=1), product=day_of_returns["dress"],
                                   reason=reason("OTHER"), channel="webshop", returned_units=7)
    # when 3 March is computed, then 4 March's row is still there
    with transaction.atomic():
        compute_return_range(DAY, DAY)
    assert DailyReturnFact.objects.filter(day=DAY + dt.timedelta(days=1), returned_units=7).exists()
    # and a range over both days replaces the 4th with what its orders say (nothing)
    with transaction.atomic():
        compute_return_range(DAY, DAY + dt.timedelta(days=1))
    assert not DailyReturnFact.objects.filter(day=DAY + dt.timedelta(days=1)).exists()


def test_a_return_received_later_counts_when_its_day_is_recomputed(day_of_returns):
    # given the day computed while R4 (marketplace) was only requested
    with transaction.atomic():
        compute_return_range(DAY, DAY)
    assert not DailyReturnFact.objects.filter(channel="marketplace").exists()
    # when R4 arrives and the day is recomputed
    from returns.models import Return

    Return.objects.filter(external_id="R4").update(received_at=RECEIVED, status=Return.Status.RECEIVED)
    with transaction.atomic():
        compute_return_range(DAY, DAY)
    # then its dress (net 30.00, too large) counts on the marketplace
    row = DailyReturnFact.objects.get(channel="marketplace")
    assert (row.product.sku, row.reason.code, row.returned_units, row.returned_value, row.orders_returned) == (
        "DRESS", "SIZE_LARGE", 1, Decimal("30.0000"), 1)


def test_whole_day_metrics_fill_the_return_facts_and_they_match_the_product_facts(day_of_returns):
    from kpis.scopes import scopes_sync

    scopes_sync()
    # when the metrics job computes the whole day
    with transaction.atomic():
        compute_range(DAY, DAY)
    # then the return facts are there and add up to the product facts' returns per product
    assert _rows() == _expected()
    by_product = dict(
        DailyReturnFact.objects.values("product_id").annotate(u=Sum("returned_units")).values_list("product_id", "u")
    )
    product_facts = dict(
        DailyProductFact.objects.filter(returned_units__gt=0).values("product_id")
        .annotate(u=Sum("returned_units")).values_list("product_id", "u")
    )
    assert by_product == product_facts == {day_of_returns["dress"].pk: 4, day_of_returns["phone"].pk: 1}
    values = DailyReturnFact.objects.aggregate(v=Sum("returned_value"))["v"]
    assert values == DailyProductFact.objects.aggregate(v=Sum("returned_value"))["v"] == Decimal("180")
