"""The database refuses what must never be stored, whoever writes it."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from sales.models import Review, TrafficDay
from tests.catalog.factories import CategoryFactory, ProductFactory
from tests.sales.factories import CustomerFactory, OrderFactory, OrderLineFactory

pytestmark = pytest.mark.django_db


def refused(make) -> bool:
    try:
        with transaction.atomic():
            make()
    except IntegrityError:
        return True
    return False


def test_order_line_quantity_must_be_positive():
    order = OrderFactory()
    assert refused(lambda: OrderLineFactory(order=order, quantity=0))
    assert refused(lambda: OrderLineFactory(order=order, quantity=-2))
    assert not refused(lambda: OrderLineFactory(order=order, quantity=1))


def test_negative_money_is_refused_where_it_is_meaningless():
    order = OrderFactory()
    assert refused(lambda: OrderLineFactory(order=order, unit_price=Decimal("-1.00")))
    assert refused(lambda: OrderLineFactory(order=order, discount=Decimal("-0.01")))
    assert refused(lambda: ProductFactory(cost=Decimal("-5")))
    assert refused(lambda: OrderFactory(shipping_fee=Decimal("-4.95")))


def test_vat_rate_is_a_fraction():
    assert refused(lambda: OrderLineFactory(vat_rate=Decimal("1.19")))  # 1.19 typed instead of 0.19
    assert refused(lambda: ProductFactory(vat_rate=Decimal("1.00")))


def test_rating_outside_one_to_five_is_refused():
    line = OrderLineFactory()
    for bad in (0, 6):
        assert refused(lambda bad=bad: Review.objects.create(
            order=line.order, product=line.product, rating=bad, created_at=line.order.placed_at))
    assert not refused(lambda: Review.objects.create(
        order=line.order, product=line.product, rating=5, created_at=line.order.placed_at))


def test_duplicate_keys_are_refused():
    CategoryFactory(code="DUP")
    assert refused(lambda: CategoryFactory._meta.model.objects.create(code="DUP", name="again"))
    CustomerFactory(external_id="K1")
    assert refused(lambda: CustomerFactory(external_id="K1", name="again"))
    order = OrderFactory()
    OrderLineFactory(order=order, line_no=1)
    assert refused(lambda: OrderLineFactory(order=order, line_no=1))
    TrafficDay.objects.create(date="2026-01-01", channel="webshop", sessions=10)
    assert refused(lambda: TrafficDay.objects.create(date="2026-01-01", channel="webshop", sessions=11))
