"""Kinds of the sales records: customers, orders, order lines, shipments, invoices, payments,
reviews, traffic and marketing spend."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from catalog.models import Product
from returns.models import ReturnLine
from sales.models import (
    Customer,
    Invoice,
    MarketingSpend,
    Order,
    OrderLine,
    Payment,
    Review,
    Shipment,
    TrafficDay,
)
from shopmgr.core.dates import berlin_day
from shopmgr.core.money import line_net

from . import parsing as p
from .base import (
    Column,
    ImportResult,
    Kind,
    Table,
    chunks,
    fetch_map,
    fmt,
    resolve,
    warn_future,
)

ZERO = Decimal(0)


def orders_by_external_id(table: Table, *fields: str) -> dict:
    return fetch_map(Order.objects, "external_id", fields, table.distinct("order_id"))


class CustomersKind(Kind):
    name = "customers"
    model = Customer
    columns = (
        Column("customer_id", p.text(64), field="external_id"),
        Column("name", p.text(200), required=False, default="", field="name"),
        Column("email", p.text(254), required=False, default="", field="email"),
        Column("kind", p.choice(Customer.Kind.values), field="kind"),
        Column("country", p.text(64), required=False, default="", field="country"),
        Column("created_at", p.timestamp, required=False, field="created_at"),
    )
    key = ("customer_id",)

    def check_row(self, row, line, result):
        if row[2] and "@" not in row[2]:
            result.warn(line, "email", f'does not look like an e-mail address: "{row[2]}"')

    def prepare(self, table, result, ctx):
        warn_future(table, result, "created_at", ctx.now)


class OrdersKind(Kind):
    name = "orders"
    model = Order
    columns = (
        Column("order_id", p.text(64), field="external_id"),
        Column("customer_id", p.text(64), field="customer"),
        Column("placed_at", p.timestamp, field="placed_at"),
        Column("channel", p.text(32), field="channel"),
        Column("payment_method", p.text(32), field="payment_method"),
        Column("status", p.choice(Order.Status.values), field="status"),
        Column("shipping_fee", p.money(), required=False, default=ZERO, field="shipping_fee"),
        Column("campaign_code", p.text(64), required=False, default="", field="campaign_code"),
    )
    key = ("order_id",)

    def prepare(self, table, result, ctx):
        customers = fetch_map(Customer.objects, "external_id", ("pk",), table.distinct("customer_id"))
        resolve(table, result, "customer_id", customers, "customer")
        warn_future(table, result, "placed_at", ctx.now)


class OrderLinesKind(Kind):
    """order_lines: net_amount = round((quantity × unit_price − discount) / (1 + vat_rate), 2),
    half-up (DESIGN §2). `discount` absent from the header means no discount (the stored net
    amount must match the discount it was computed from)."""

    name = "order_lines"
    model = OrderLine
    columns = (
        Column("order_id", p.text(64), field="order"),
        Column("line_no", p.integer(min_value=0, min_exclusive=True), field="line_no"),
        Column("sku", p.text(64), field="product"),
        Column("quantity", p.integer(min_value=0, min_exclusive=True), field="quantity"),
        Column("unit_price", p.money(), field="unit_price"),
        Column("vat_rate", p.VAT_RATE, field="vat_rate"),
        Column("discount", p.money(), required=False, default=ZERO, field="discount", keep_when_absent=False),
        Column("unit_cost", p.decimal(places=4, what="a net unit cost"), field="unit_cost"),
    )
    key = ("order_id", "line_no")
    computed_fields = ("net_amount",)

    def check_row(self, row, line, result):
        _, _, _, quantity, unit_price, vat_rate, discount, _ = row
        if discount and discount > quantity * unit_price:
            result.error(line, "discount", f"is larger than the line's gross amount {quantity * unit_price} "
                                           f"(quantity × unit_price), got \"{discount}\"")
            return
        row.append(line_net(quantity=quantity, unit_price=unit_price, vat_rate=vat_rate, discount=discount))

    def prepare(self, table, result, ctx):
        orders = orders_by_external_id(table, "pk")
        products = fetch_map(Product.objects, "sku", ("pk",), table.distinct("sku"))
        resolve(table, result, "order_id", orders, "order")
        resolve(table, result, "sku", products, "product")
        self._check_already_returned(table, result, set(orders.values()))

    @staticmethod
    def _check_already_returned(table: Table, result: ImportResult, order_pks: set[int]) -> None:
        """A stored line cannot shrink below the units already returned from it."""
        if not order_pks or not ReturnLine.objects.exists():
            return
        returned: dict[tuple[int, int], int] = {}
        for batch in chunks(order_pks):
            returned.update(
                ((order_pk, line_no), total)
                for order_pk, line_no, total in ReturnLine.objects.filter(order_line__order_id__in=batch)
                .values("order_line__order_id", "order_line__line_no")
                .annotate(total=Sum("quantity"))
                .values_list("order_line__order_id", "order_line__line_no", "total")
            )
        if not returned:
            return
        for row, line in zip(table.rows, table.lines, strict=True):
            already = returned.get((row[0], row[1]))
            if already and row[3] is not None and row[3] < already:
                result.error(line, "quantity", f"{already} unit(s) of this line are already returned; "
                                               f"the quantity cannot go below that, got \"{row[3]}\"")


class ShipmentsKind(Kind):
    name = "shipments"
    model = Shipment
    columns = (
        Column("order_id", p.text(64), field="order"),
        Column("carrier", p.text(64), field="carrier"),
        Column("shipped_at", p.timestamp, field="shipped_at"),
        Column("promised_by", p.date, field="promised_by"),
        Column("delivered_at", p.timestamp, required=False, field="delivered_at"),
        Column("shipping_cost", p.money(), required=False, default=ZERO, field="shipping_cost"),
    )
    key = ("order_id",)

    def check_row(self, row, line, result):
        shipped_at, delivered_at = row[2], row[4]
        if delivered_at is not None and delivered_at < shipped_at:
            result.warn(line, "delivered_at", f"is before shipped_at ({fmt(delivered_at)} < {fmt(shipped_at)})")

    def prepare(self, table, result, ctx):
        orders = orders_by_external_id(table, "pk", "placed_at")
        for row, line in zip(table.rows, table.lines, strict=True):
            order = orders.get(row[0])
            if order is None:
                continue
            placed_at = order[1]
            if row[2] is not None and row[2] < placed_at:
                result.warn(line, "shipped_at", f"is before the order was placed ({fmt(row[2])} < {fmt(placed_at)})")
            if row[3] is not None and row[3] < berlin_day(placed_at):
                result.warn(line, "promised_by", f"is before the order was placed ({row[3]} < {fmt(placed_at)})")
        resolve(table, result, "order_id", orders, "order", pick=lambda order: order[0])
        warn_future(table, result, "shipped_at", ctx.now)
        warn_future(table, result, "delivered_at", ctx.now)


class InvoicesKind(Kind):
    name = "invoices"
    model = Invoice
    columns = (
        Column("invoice_no", p.text(64), field="number"),
        Column("order_id", p.text(64), field="order"),
        Column("issued_on", p.date, field="issued_on"),
        Column("due_on", p.date, field="due_on"),
        Column("amount", p.money(), field="amount"),
        Column("default_notice", p.boolean, required=False, default=False, field="default_notice"),
    )
    key = ("invoice_no",)

    def check_row(self, row, line, result):
        if row[3] < row[2]:
            result.error(line, "due_on", f'is before issued_on {row[2]}, got "{row[3]}"')

    def prepare(self, table, result, ctx):
        orders = orders_by_external_id(table, "pk", "placed_at")
        for row, line in zip(table.rows, table.lines, strict=True):
            order = orders.get(row[1])
            if order is not None and row[2] is not None and row[2] < berlin_day(order[1]):
                result.warn(line, "issued_on", f"is before the order was placed ({row[2]} < {fmt(order[1])})")
        resolve(table, result, "order_id", orders, "order", pick=lambda order: order[0])


class PaymentsKind(Kind):
    """payments: the key is (invoice_no, paid_on, amount), so two equal payments of one invoice on
    one day cannot be told apart; such a file is refused as a duplicate."""

    name = "payments"
    model = Payment
    columns = (
        Column("invoice_no", p.text(64), field="invoice"),
        Column("paid_on", p.date, field="paid_on"),
        Column("amount", p.money(positive=True), field="amount"),
        Column("method", p.text(32), required=False, default="", field="method"),
    )
    key = ("invoice_no", "paid_on", "amount")

    def prepare(self, table, result, ctx):
        invoices = fetch_map(Invoice.objects, "number", ("pk", "issued_on"), table.distinct("invoice_no"))
        for row, line in zip(table.rows, table.lines, strict=True):
            invoice = invoices.get(row[0])
            if invoice is not None and row[1] is not None and row[1] < invoice[1]:
                result.warn(line, "paid_on", f"is before the invoice was issued ({row[1]} < {invoice[1]})")
        resolve(table, result, "invoice_no", invoices, "invoice", pick=lambda invoice: invoice[0])


class ReviewsKind(Kind):
    name = "reviews"
    model = Review
    columns = (
        Column("order_id", p.text(64), field="order"),
        Column("sku", p.text(64), field="product"),
        Column("rating", p.integer(min_value=1, max_value=5), field="rating"),
        Column("created_at", p.timestamp, field="created_at"),
        Column("text", p.text(), required=False, default="", field="text"),
    )
    key = ("order_id", "sku")

    def prepare(self, table, result, ctx):
        orders = orders_by_external_id(table, "pk", "placed_at")
        products = fetch_map(Product.objects, "sku", ("pk",), table.distinct("sku"))
        for row, line in zip(table.rows, table.lines, strict=True):
            order = orders.get(row[0])
            if order is not None and row[3] is not None and row[3] < order[1]:
                result.warn(line, "created_at", f"is before the order was placed ({fmt(row[3])} < {fmt(order[1])})")
        resolve(table, result, "order_id", orders, "order", pick=lambda order: order[0])
        resolve(table, result, "sku", products, "product")
        ordered: set[tuple[int, int]] = set()
        for batch in chunks({pk for pk, _ in orders.values()}):
            ordered.update(OrderLine.objects.filter(order_id__in=batch).values_list("order_id", "product_id"))
        for row, line in zip(table.rows, table.lines, strict=True):
            if row[0] is not None and row[1] is not None and (row[0], row[1]) not in ordered:
                result.warn(line, "sku", "the product is not on this order")
        warn_future(table, result, "created_at", ctx.now)


class TrafficKind(Kind):
    name = "traffic"
    model = TrafficDay
    columns = (
        Column("date", p.date, field="date"),
        Column("channel", p.text(32), field="channel"),
        Column("sessions", p.integer(min_value=0), field="sessions"),
    )
    key = ("date", "channel")


class MarketingSpendKind(Kind):
    name = "marketing_spend"
    model = MarketingSpend
    columns = (
        Column("date", p.date, field="date"),
        Column("channel", p.text(32), field="channel"),
        Column("campaign_code", p.text(64), required=False, default="", field="campaign_code"),
        Column("amount", p.money(), field="amount"),
    )
    key = ("date", "channel", "campaign_code")
