"""Day × product facts add up to the shop's figures and follow the same rules."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum

from kpis.facts import compute_range
from kpis.models import DailyFact, DailyProductFact
from kpis.product_facts import compute_product_range
from kpis.scopes import scopes_sync
from returns.models import Return, ReturnLine, ReturnReason
from sales.models import Order
from tests.catalog.factories import ProductFactory
from tests.sales.factories import OrderFactory, OrderLineFactory

pytestmark = pytest.mark.django_db
BERLIN_LATE = dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC)  # 3 March in Berlin


def test_product_facts_add_up_to_the_shop_and_follow_the_rules(category_tree):
    # given two products, an order late on 2 March UTC (3 March in Berlin), a cancelled order,
    dress = ProductFactory(sku="DRESS", category=category_tree["women"])
    phone = ProductFactory(sku="PHONE", category=category_tree["phones"])
    order = OrderFactory(placed_at=BERLIN_LATE)
    dress_line = OrderLineFactory(order=order, line_no=1, product=dress, quantity=3,
                                  unit_price=Decimal("10.01"), vat_rate=Decimal("0.19"))
    OrderLineFactory(order=order, line_no=2, product=phone, quantity=1,
                     unit_price=Decimal("119.00"), vat_rate=Decimal("0.19"), unit_cost=Decimal("60"))
    cancelled = OrderFactory(placed_at=BERLIN_LATE, status=Order.Status.CANCELLED)
    OrderLineFactory(order=cancelled, line_no=1, product=dress, quantity=5)
    # and one of three dresses back, restocked (received), one more returned but rejected
    reason = ReturnReason.objects.get(code="SIZE_SMALL")
    ok = Return.objects.create(external_id="R1", order=order, received_at=BERLIN_LATE)
    ReturnLine.objects.create(ret=ok, order_line=dress_line, quantity=1, reason=reason, disposition="restock")
    bad = Return.objects.create(external_id="R2", order=order, received_at=BERLIN_LATE, rejected=True)
    ReturnLine.objects.create(ret=bad, order_line=dress_line, quantity=1, reason=reason)
    scopes_sync()

    # when the day is computed
    with transaction.atomic():
        compute_range(dt.date(2026, 3, 3), dt.date(2026, 3, 3))
        compute_product_range(dt.date(2026, 3, 3), dt.date(2026, 3, 3))

    # then each product has its row on the Berlin day, the cancelled order counts nowhere
    rows = {r.product_id: r for r in DailyProductFact.objects.filter(day=dt.date(2026, 3, 3))}
    assert set(rows) == {dress.pk, phone.pk}
    d = rows[dress.pk]
    # dress: 3 × 10.01 = 30.03 gross / 1.19 = 25.235… → 25.24 net; one unit back: 25.24 / 3 = 8.4133
    assert (d.orders, d.units_sold, d.revenue, d.returned_units) == (1, 3, Decimal("25.24"), 1)
    assert d.returned_value == Decimal("8.4133")
    assert d.cogs_restocked == Decimal("10.00")
    # and the products add up to the whole shop's line figures
    shop = DailyFact.objects.filter(scope__key="all", day=dt.date(2026, 3, 3)).aggregate(
        units=Sum("units_sold"), revenue=Sum("revenue"), returned=Sum("returned_units"))
    products = DailyProductFact.objects.aggregate(
        units=Sum("units_sold"), revenue=Sum("revenue"), returned=Sum("returned_units"))
    assert products == shop == {"units": 4, "revenue": Decimal("125.24"), "returned": 1}


def test_category_page_lists_its_products_after_compute_metrics(client, shop_manager, category_tree):
    from django.core.management import call_command

    # given a dress sold in March and a phone (another category)
    dress = ProductFactory(sku="DRESS-9", category=category_tree["women"])
    phone = ProductFactory(sku="PHONE-9", category=category_tree["phones"])
    OrderLineFactory(product=dress, order=OrderFactory(placed_at=BERLIN_LATE), line_no=1)
    OrderLineFactory(product=phone, order=OrderFactory(placed_at=BERLIN_LATE), line_no=1)
    # when the facts are computed and the fashion figures opened
    call_command("compute_metrics", "--all", verbosity=0)
    client.force_login(shop_manager)
    response = client.get("/kpis/", {"from": "2026-03-01", "to": "2026-03-31", "category": "FASHION"})
    # then the dress is in the product table, the phone is not
    rows = [row.record["sku"] for row in response.context["product_table"].rows]
    assert rows == ["DRESS-9"]
