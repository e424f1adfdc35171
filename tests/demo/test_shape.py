"""The demo data looks like a German online shop: the shapes the dashboards and features rely on."""

import datetime as dt
import random
from collections import Counter, defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Count, F, Q, Sum

from catalog.models import Category, Product
from pricing.models import CompetitorPrice, PriceChange
from returns.models import ReturnLine
from sales.models import Customer, Invoice, Order, OrderLine, Review, Shipment, TrafficDay
from shopmgr.core.money import line_net
from tests.demo.conftest import SHAPE_ORDERS, TODAY

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
REQUIRED_ROOTS = {"FASHION", "SHOES", "ELECTRONICS", "HOME", "GARDEN", "SPORTS", "TOYS", "BEAUTY", "BOOKS", "FOOD"}


def berlin_date(ts: dt.datetime) -> dt.date:
    return ts.astimezone(BERLIN).date()


def unit_return_rate(root: str) -> float:
    """Returned units (received, not rejected) / units sold (non-cancelled orders), in a root's subtree."""
    in_root = Q(product__category__path__startswith=f"/{root}/")
    lines = OrderLine.objects.filter(in_root).exclude(order__status=Order.Status.CANCELLED)
    sold = lines.aggregate(n=Sum("quantity"))["n"]
    returned = ReturnLine.objects.filter(
        order_line__in=lines, ret__rejected=False, ret__received_at__isnull=False
    ).aggregate(n=Sum("quantity"))["n"] or 0
    return returned / sold


def test_the_requested_number_of_orders_is_seeded(demo):
    assert demo["orders"] == Order.objects.count() == SHAPE_ORDERS
    assert demo["order_lines"] == OrderLine.objects.count()


def test_category_tree_has_two_levels_with_the_required_roots(demo):
    categories = list(Category.objects.select_related("parent"))
    roots = {c.code for c in categories if c.parent is None}
    assert 30 <= len(categories) <= 40
    assert roots >= REQUIRED_ROOTS
    for c in categories:
        if c.parent is not None:
            assert c.parent.parent is None, c.code
            assert c.code.startswith(f"{c.parent.code}-")
            assert c.path == f"/{c.parent.code}/{c.code}/" and c.depth == 1
    assert {"FASHION-WOMEN", "FASHION-MEN", "FASHION-KIDS", "ELECTRONICS-PHONES"} <= {c.code for c in categories}


def test_books_and_food_carry_reduced_vat_everything_else_full(demo):
    reduced = Q(category__path__startswith="/BOOKS/") | Q(category__path__startswith="/FOOD/")
    assert set(Product.objects.filter(reduced).values_list("vat_rate", flat=True)) == {Decimal("0.07")}
    assert set(Product.objects.exclude(reduced).values_list("vat_rate", flat=True)) == {Decimal("0.19")}


def test_products_have_statuses_prices_with_endings_and_some_incomplete_content(demo):
    statuses = Counter(Product.objects.values_list("status", flat=True))
    assert statuses["active"] > 0.7 * sum(statuses.values())
    assert statuses["proposed"] and statuses["phase_out"] and statuses["delisted"]
    endings = {int(p * 100) % 100 for p in Product.objects.values_list("price", flat=True)}
    assert endings <= {99, 95, 49}
    assert Product.objects.filter(Q(description="") | Q(image_count=0) | Q(attributes={})).exists()
    for cost, price, vat in Product.objects.values_list("cost", "price", "vat_rate"):
        assert cost < price / (1 + vat)


def test_fashion_is_returned_often_electronics_seldom_books_and_food_hardly_ever(demo):
    assert 0.30 <= unit_return_rate("FASHION") <= 0.50
    assert 0.30 <= unit_return_rate("SHOES") <= 0.50
    assert unit_return_rate("ELECTRONICS") < 0.10
    assert unit_return_rate("BOOKS") < 0.05 and unit_return_rate("FOOD") < 0.05


def test_no_order_line_is_returned_more_often_than_it_was_ordered(demo):
    over = OrderLine.objects.annotate(returned=Sum("return_lines__quantity")).filter(returned__gt=F("quantity"))
    assert not over.exists()


def test_size_reasons_dominate_fashion_returns_defects_electronics(demo):
    def top_reasons(root):
        rows = ReturnLine.objects.filter(order_line__product__category__path__startswith=f"/{root}/")
        return [code for code, _ in Counter(rows.values_list("reason__code", flat=True)).most_common(2)]

    assert set(top_reasons("FASHION")) == {"SIZE_SMALL", "SIZE_LARGE"}
    assert top_reasons("ELECTRONICS")[0] == "DEFECTIVE"


def test_returns_arrive_5_to_25_days_after_delivery_and_old_ones_are_closed(demo):
    rows = ReturnLine.objects.filter(ret__received_at__isnull=False).values_list(
        "ret__received_at", "ret__order__shipment__delivered_at", "ret__status"
    )
    for received, delivered, _ in rows:
        assert 5 <= (berlin_date(received) - berlin_date(delivered)).days <= 25
    statuses = Counter(status for received, _, status in rows if berlin_date(received) < TODAY - dt.timedelta(days=30))
    assert set(statuses) <= {"closed"}
    assert Counter(ReturnLine.objects.values_list("ret__status", flat=True))["closed"] > 0


def test_refunds_are_the_returned_gross(demo):
    for rl in ReturnLine.objects.filter(refund_amount__isnull=False).select_related("order_line")[:300]:
        line = rl.order_line
        paid = line.quantity * line.unit_price - line.discount
        assert abs(rl.refund_amount - paid * rl.quantity / line.quantity) <= Decimal("0.01")


def test_q4_months_have_more_orders_per_day_than_february_to_september(demo):
    first = TODAY - dt.timedelta(days=(TODAY - TODAY.replace(year=TODAY.year - 2)).days)
    days_per_month = Counter((first + dt.timedelta(days=i)).month for i in range((TODAY - first).days))
    orders_per_month = Counter(berlin_date(ts).month for ts in Order.objects.values_list("placed_at", flat=True))
    per_day = {m: orders_per_month[m] / days_per_month[m] for m in range(1, 13)}
    feb_to_sep = [per_day[m] for m in range(2, 10)]
    assert min(per_day[11], per_day[12]) > max(feb_to_sep)
    assert (per_day[10] + per_day[11] + per_day[12]) / 3 > 1.3 * sum(feb_to_sep) / len(feb_to_sep)


def test_history_covers_two_years_up_to_yesterday(demo):
    dates = [berlin_date(ts) for ts in Order.objects.values_list("placed_at", flat=True)]
    assert max(dates) == TODAY - dt.timedelta(days=1)
    assert min(dates) >= TODAY.replace(year=TODAY.year - 2)
    assert min(dates) <= TODAY.replace(year=TODAY.year - 2) + dt.timedelta(days=7)


def test_about_three_lines_per_order_and_a_few_percent_cancelled(demo):
    assert 2.6 <= OrderLine.objects.count() / SHAPE_ORDERS <= 3.4
    cancelled = Order.objects.filter(status=Order.Status.CANCELLED).count() / SHAPE_ORDERS
    assert 0.01 <= cancelled <= 0.04


def test_order_status_matches_its_shipment(demo):
    assert not Shipment.objects.filter(order__status=Order.Status.CANCELLED).exists()
    delivered = Order.objects.filter(status=Order.Status.DELIVERED)
    assert delivered.filter(shipment__delivered_at__isnull=False).count() == delivered.count()
    assert not Order.objects.filter(status=Order.Status.SHIPPED, shipment__delivered_at__isnull=False).exists()
    assert not Order.objects.filter(status__in=["placed", "paid"], shipment__isnull=False).exists()
    old = TODAY - dt.timedelta(days=30)
    assert set(Order.objects.filter(placed_at__date__lt=old).values_list("status", flat=True)) == {
        "delivered", "cancelled"
    }


def test_shipments_are_promised_2_to_4_days_out_and_about_90_percent_on_time(demo):
    rows = list(Shipment.objects.values_list("order__placed_at", "promised_by", "shipped_at", "delivered_at"))
    for placed, promised, shipped, delivered in rows:
        assert 2 <= (promised - berlin_date(placed)).days <= 4
        assert shipped > placed
        assert delivered is None or delivered > shipped
    delivered = [(promised, d) for _, promised, _, d in rows if d is not None]
    on_time = sum(1 for promised, d in delivered if berlin_date(d) <= promised) / len(delivered)
    assert 0.85 <= on_time <= 0.95
    assert Shipment.objects.filter(delivered_at__isnull=True).exists()  # the most recent are on their way
    costs = Shipment.objects.values_list("shipping_cost", flat=True)
    assert min(costs) >= 3 and max(costs) <= 7


def test_conversion_rate_is_between_one_and_a_half_and_three_percent(demo):
    orders = Order.objects.exclude(status=Order.Status.CANCELLED).count()
    sessions = TrafficDay.objects.aggregate(n=Sum("sessions"))["n"]
    assert 0.015 <= orders / sessions <= 0.03
    assert set(TrafficDay.objects.values_list("channel", flat=True)) == {"webshop", "app", "marketplace"}


def test_customers_are_b2c_and_about_ten_percent_b2b_with_repeat_buyers(demo):
    kinds = Counter(Customer.objects.values_list("kind", flat=True))
    assert 0.05 <= kinds["b2b"] / (kinds["b2b"] + kinds["b2c"]) <= 0.15
    assert all(c.startswith("K") and len(c) == 8 for c in Customer.objects.values_list("external_id", flat=True))
    per_customer = sorted(Order.objects.values("customer").annotate(n=Count("id")).values_list("n", flat=True))
    assert per_customer[-1] >= 8  # a few very loyal customers
    assert sum(1 for n in per_customer if n > 1) / len(per_customer) > 0.3


def test_order_lines_use_the_price_valid_when_the_order_was_placed(demo):
    ids = list(OrderLine.objects.values_list("id", flat=True))
    sample = random.Random(1).sample(ids, 300)
    for line in OrderLine.objects.filter(id__in=sample).select_related("order", "product"):
        valid = PriceChange.objects.filter(product=line.product, valid_from__lte=line.order.placed_at).first()
        assert valid is not None and valid.price == line.unit_price, line
        assert line.vat_rate == line.product.vat_rate and line.unit_cost == line.product.cost
        assert line.net_amount == line_net(
            quantity=line.quantity, unit_price=line.unit_price, vat_rate=line.vat_rate, discount=line.discount
        )


def test_product_price_is_the_latest_valid_price_change(demo):
    now = dt.datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=BERLIN)
    latest = {}
    for product_id, price in PriceChange.objects.filter(valid_from__lt=now).order_by("product", "valid_from") \
            .values_list("product", "price"):
        latest[product_id] = price
    assert dict(Product.objects.values_list("id", "price")) == latest
    kinds = Counter(PriceChange.objects.values_list("kind", flat=True))
    assert kinds["regular"] > Product.objects.count() and kinds["sale"] > 0


def test_competitor_prices_for_a_good_share_of_products_from_two_to_four_competitors(demo):
    per_product = CompetitorPrice.objects.values("product").annotate(n=Count("competitor", distinct=True))
    counts = [row["n"] for row in per_product]
    assert len(counts) >= 0.4 * Product.objects.count()
    assert min(counts) >= 2 and max(counts) <= 4


def test_invoices_for_invoice_orders_with_terms_amounts_and_some_overdue_unpaid(demo):
    invoices = Invoice.objects.select_related("order__customer").annotate(paid=Sum("payments__amount"))
    assert invoices.exists()
    overdue_unpaid = 0
    for inv in invoices:
        b2b = inv.order.customer.kind == "b2b"
        assert inv.order.payment_method == "invoice" or b2b
        assert (inv.due_on - inv.issued_on).days == (30 if b2b else 14)
        if inv.due_on < TODAY and not inv.paid:
            overdue_unpaid += 1
        assert (inv.paid or 0) <= inv.amount
    assert overdue_unpaid >= 3
    b2c = invoices.filter(order__customer__kind="b2c")
    assert b2c.filter(default_notice=True).count() > 0.7 * b2c.count()
    sample = Invoice.objects.select_related("order")[:200]
    for inv in sample:
        lines = inv.order.lines.all()
        gross = sum(line.quantity * line.unit_price - line.discount for line in lines)
        assert inv.amount == gross + inv.order.shipping_fee


def test_reviews_are_mostly_good_and_worse_after_late_deliveries(demo):
    delivered = Order.objects.filter(status=Order.Status.DELIVERED).count()
    reviewed = Review.objects.values("order").distinct().count()
    assert 0.08 <= reviewed / delivered <= 0.17
    ratings = defaultdict(list)
    for rating, delivered_at, promised in Review.objects.values_list(
        "rating", "order__shipment__delivered_at", "order__shipment__promised_by"
    ):
        ratings[berlin_date(delivered_at) > promised].append(rating)
    on_time, late = ratings[False], ratings[True]
    assert sum(on_time) / len(on_time) >= 4.0
    assert sum(late) / len(late) < sum(on_time) / len(on_time) - 0.3
