"""Orders ready for the returns desk: delivered (with a shipment), paid, with their lines."""

import datetime as dt
from decimal import Decimal

from returns.models import ReturnReason
from sales.models import Customer, Invoice, Order, Payment, Shipment
from shopmgr.core.dates import BERLIN
from tests.catalog.factories import ProductFactory
from tests.sales.factories import CustomerFactory, OrderFactory, OrderLineFactory


def berlin(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=BERLIN)


def delivered_order(
    *, delivered_on: dt.date | None, lines=((1, "23.80", "0"),), payment_method: str = "card",
    shipping_fee: str = "4.95", status: str = Order.Status.DELIVERED, kind: str = Customer.Kind.B2C,
    paid: str | None = None, products=None, **order_kwargs,
) -> Order:
    """An order placed two days before its delivery; `lines`: (quantity, gross unit price, discount).

    `paid` books an invoice and one payment of that amount (invoice orders); `products` gives one
    product per line (default: a fresh product with stock 10 for each line)."""
    placed_day = (delivered_on or dt.date(2026, 3, 2)) - dt.timedelta(days=2)
    order = OrderFactory(
        customer=CustomerFactory(kind=kind), placed_at=berlin(placed_day, 9), payment_method=payment_method,
        shipping_fee=Decimal(shipping_fee), status=status, **order_kwargs,
    )
    for no, (quantity, unit_price, discount) in enumerate(lines, start=1):
        product = products[no - 1] if products else ProductFactory(stock=10)
        OrderLineFactory(order=order, line_no=no, product=product, quantity=quantity,
                         unit_price=Decimal(unit_price), discount=Decimal(discount))
    if delivered_on is not None or status in (Order.Status.SHIPPED, Order.Status.DELIVERED):
        Shipment.objects.create(
            order=order, carrier="DHL", shipped_at=berlin(placed_day, 15), promised_by=placed_day + dt.timedelta(days=3),
            delivered_at=berlin(delivered_on) if delivered_on else None,
        )
    if paid is not None:
        invoice = Invoice.objects.create(number=f"INV-{order.external_id}", order=order, issued_on=placed_day,
                                         due_on=placed_day + dt.timedelta(days=14), amount=Decimal(paid))
        if Decimal(paid):
            Payment.objects.create(invoice=invoice, paid_on=placed_day + dt.timedelta(days=5), amount=Decimal(paid))
    return order


def reason(code: str = "SIZE_SMALL") -> ReturnReason:
    return ReturnReason.objects.get(code=code)
