"""Helpers for the KPI tests: a data set that lives for one test module, the API call."""

import contextlib
import datetime as dt
from decimal import Decimal

from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from returns.models import Return, ReturnLine, ReturnReason
from sales.models import Invoice, Order, Payment, Review, Shipment
from tests.sales.factories import OrderLineFactory

API = "/api/kpis/"

# The documented defaults (.env.example), pinned so that a local .env cannot move the numbers.
KPI_SETTINGS = {
    "KPI_RETURN_HANDLING_COST": Decimal("6.95"),
    "KPI_PAYMENT_FEES": {"paypal": 0.0249, "card": 0.014, "klarna": 0.0299, "invoice": 0.0},
}


def ts(text: str) -> dt.datetime:
    """An ISO timestamp with its offset, as the CSV import takes it."""
    moment = dt.datetime.fromisoformat(text)
    assert moment.tzinfo is not None, text
    return moment


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@contextlib.contextmanager
def module_data(django_db_blocker, build):
    """Build a data set once for a module, compute the facts, roll everything back afterwards.

    The tests of the module run inside this outer transaction (their own atomic blocks become
    savepoints), so nothing leaks into other modules on SQLite or PostgreSQL.
    """
    with django_db_blocker.unblock(), override_settings(**KPI_SETTINGS), transaction.atomic():
        data = build()
        call_command("compute_metrics", "--all", verbosity=0)
        yield data
        transaction.set_rollback(True)


def make_order(external_id, *, customer, placed_at, channel, payment_method, lines,
               status=Order.Status.DELIVERED, shipping_fee="4.95"):
    """`lines`: (product, quantity, gross unit price, gross line discount, net unit cost)."""
    order = Order.objects.create(
        external_id=external_id, customer=customer, placed_at=ts(placed_at), channel=channel,
        payment_method=payment_method, status=status, shipping_fee=Decimal(shipping_fee),
    )
    for line_no, (product, quantity, unit_price, discount, unit_cost) in enumerate(lines, start=1):
        OrderLineFactory(
            order=order, line_no=line_no, product=product, quantity=quantity,
            unit_price=Decimal(unit_price), vat_rate=product.vat_rate, discount=Decimal(discount),
            unit_cost=Decimal(unit_cost),
        )
    return order


def make_shipment(order, *, cost, promised_by, delivered_at, shipped_at=None):
    return Shipment.objects.create(
        order=order, carrier="DHL", shipped_at=ts(shipped_at) if shipped_at else order.placed_at,
        promised_by=day(promised_by), delivered_at=ts(delivered_at) if delivered_at else None,
        shipping_cost=Decimal(cost),
    )


def make_return(external_id, order, *, received_at, lines, rejected=False):
    """`lines`: (line_no, quantity, disposition)."""
    if received_at is None:
        status = Return.Status.REQUESTED
    else:
        status = Return.Status.REJECTED if rejected else Return.Status.RECEIVED
    ret = Return.objects.create(
        external_id=external_id, order=order, status=status, rejected=rejected,
        requested_at=order.placed_at, received_at=ts(received_at) if received_at else None,
    )
    reason = ReturnReason.objects.get(code="CHANGED_MIND")
    for line_no, quantity, disposition in lines:
        ReturnLine.objects.create(
            ret=ret, order_line=order.lines.get(line_no=line_no), quantity=quantity, reason=reason,
            disposition=disposition,
        )
    return ret


def make_invoice(number, order, *, issued_on, due_on, amount, payments=()):
    """`payments`: (paid_on, amount)."""
    invoice = Invoice.objects.create(
        number=number, order=order, issued_on=day(issued_on), due_on=day(due_on), amount=Decimal(amount),
    )
    for paid_on, paid in payments:
        Payment.objects.create(invoice=invoice, paid_on=day(paid_on), amount=Decimal(paid))
    return invoice


def make_review(order, product, *, rating, created_at):
    return Review.objects.create(order=order, product=product, rating=rating, created_at=ts(created_at))


def get_kpis(client, **params):
    """GET /api/kpis/ with `from`/`to` given as date_from/date_to; the JSON answer."""
    query = {"from": params.pop("date_from"), "to": params.pop("date_to")}
    query.update({key: value for key, value in params.items() if value is not None})
    response = client.get(API, query)
    assert response.status_code == 200, (query, response.status_code, response.content[:500])
    return response.json()
