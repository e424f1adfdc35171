import datetime as dt
from decimal import Decimal

import factory

from sales.models import Customer, Order, OrderLine
from shopmgr.core.money import line_net
from tests.catalog.factories import ProductFactory


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    external_id = factory.Sequence(lambda n: f"C{n:06d}")
    name = factory.Sequence(lambda n: f"Kunde {n}")
    email = factory.LazyAttribute(lambda c: f"{c.external_id.lower()}@example.com")


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    external_id = factory.Sequence(lambda n: f"O{n:07d}")
    customer = factory.SubFactory(CustomerFactory)
    placed_at = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
    channel = "webshop"
    payment_method = "invoice"
    status = Order.Status.DELIVERED
    shipping_fee = Decimal("4.95")


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    line_no = factory.Sequence(lambda n: n + 1)
    product = factory.SubFactory(ProductFactory)
    quantity = 1
    unit_price = Decimal("23.80")
    vat_rate = Decimal("0.19")
    discount = Decimal("0")
    unit_cost = Decimal("10.00")
    net_amount = factory.LazyAttribute(
        lambda o: line_net(quantity=o.quantity, unit_price=o.unit_price, vat_rate=o.vat_rate, discount=o.discount)
    )
