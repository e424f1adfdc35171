"""The hand-made day of returns the facts and the analytics tests share."""

from decimal import Decimal

import pytest

from sales.models import Order
from tests.catalog.factories import ProductFactory, SupplierFactory
from tests.returns_analytics.factories import LATE_EVENING, MORNING, RECEIVED, make_return
from tests.sales.factories import OrderFactory, OrderLineFactory


@pytest.fixture
def day_of_returns(category_tree):
    """Three orders of 3 March (two web shop, one marketplace) and a cancelled one, with returns.

    Order A (web shop): 3 dresses at 23.80 gross (net 60.00, cost 10.00 each), 1 phone at 119.00
      (net 100.00, cost 60.00).
        R1 received: 1 dress, too small, restocked.
        R2 received: 1 dress, not as described, written off (refund 23.80); the phone, defective,
           back to the supplier (refund 119.00).
    Order B (web shop, 00:30 Berlin time): 2 dresses at 23.80 (net 40.00).
        R3 received: both dresses, too small, not inspected yet.
    Order C (marketplace): 1 dress at 35.70 (net 30.00).
        R4 requested, not received: 1 dress, too large → not counted.
        R5 received but rejected: 1 dress, too small → not counted.
    Order D (web shop, cancelled): 1 dress. R6 received → cancelled orders count nowhere.
    """
    dress = ProductFactory(sku="DRESS", category=category_tree["women"], cost=Decimal("10.00"),
                           supplier=SupplierFactory(name="Modehaus"))
    phone = ProductFactory(sku="PHONE", category=category_tree["phones"], cost=Decimal("60.00"),
                           supplier=SupplierFactory(name="Phonetech"))
    a = OrderFactory(external_id="A", placed_at=MORNING)
    a_dress = OrderLineFactory(order=a, line_no=1, product=dress, quantity=3, unit_price=Decimal("23.80"),
                               unit_cost=Decimal("10.00"))
    a_phone = OrderLineFactory(order=a, line_no=2, product=phone, quantity=1, unit_price=Decimal("119.00"),
                               unit_cost=Decimal("60.00"))
    b = OrderFactory(external_id="B", placed_at=LATE_EVENING)
    b_dress = OrderLineFactory(order=b, line_no=1, product=dress, quantity=2, unit_price=Decimal("23.80"))
    c = OrderFactory(external_id="C", placed_at=MORNING, channel="marketplace")
    c_dress = OrderLineFactory(order=c, line_no=1, product=dress, quantity=1, unit_price=Decimal("35.70"))
    d = OrderFactory(external_id="D", placed_at=MORNING, status=Order.Status.CANCELLED)
    d_dress = OrderLineFactory(order=d, line_no=1, product=dress, quantity=1)
    assert (a_dress.net_amount, a_phone.net_amount, b_dress.net_amount, c_dress.net_amount) == (
        Decimal("60.00"), Decimal("100.00"), Decimal("40.00"), Decimal("30.00"))

    make_return("R1", a, received_at=RECEIVED, lines=[(a_dress, 1, "SIZE_SMALL", "restock")])
    make_return("R2", a, received_at=RECEIVED, lines=[
        (a_dress, 1, "NOT_AS_DESCRIBED", "write_off", "23.80"),
        (a_phone, 1, "DEFECTIVE", "to_supplier", "119.00"),
    ])
    make_return("R3", b, received_at=RECEIVED, lines=[(b_dress, 2, "SIZE_SMALL", "")])
    make_return("R4", c, lines=[(c_dress, 1, "SIZE_LARGE", "")])
    make_return("R5", c, received_at=RECEIVED, rejected=True, lines=[(c_dress, 1, "SIZE_SMALL", "")])
    make_return("R6", d, received_at=RECEIVED, lines=[(d_dress, 1, "SIZE_SMALL", "restock")])
    return {"dress": dress, "phone": phone, "orders": {"A": a, "B": b, "C": c}, "c_dress": c_dress}
