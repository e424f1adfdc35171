"""A deliberately simple reference for every KPI of DESIGN §4 and docs/kpis.md.

It reads the raw rows through the ORM and loops over them in Python: no facts, no SQL
aggregation, no code of the metrics engine. Sums are exact fractions (`Fraction`); the only
intermediate rounding is the one docs/kpis.md prescribes (a return line's value kept to four
decimals); everything else is rounded once, at the end, half-up: money to cents, rates to four
places, delivery days and ratings to two. The answer has the shape of `GET /api/kpis/`.

Rules read from docs/kpis.md where it leaves a choice (the test report lists them):

- a return counts when `received_at` is set and it is not rejected (neither the `rejected` flag
  nor the status `rejected`), whenever it arrived (cohort view);
- cancelled orders count only in `cancellation_rate`: their lines, returns, shipments, fees,
  invoices, reviews and customers count nowhere else;
- in a category scope an order counts in `return_rate_orders` when a returned unit is on one of
  its lines in scope; return handling is still shared by the order's line-net share;
- a category's share of a day's marketing spend (per channel) is its share of that day's and
  channel's revenue; a day and channel without revenue gives a category no share (the whole shop
  still carries all spend);
- new customers: the customer's first non-cancelled order over all time (any channel, any
  category) is in the selection (in P, of the channel, with a line in scope); repeat customers:
  customers with an order in the selection who had any non-cancelled order before P's first day;
- receivables follow the selection's orders (channel, line-net share in scope), as of `to`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch

from catalog.models import Category
from returns.models import Return
from sales.models import MarketingSpend, Order, OrderLine, Review, Shipment, TrafficDay
from shopmgr.core import roles

BERLIN = ZoneInfo("Europe/Berlin")
SECONDS_PER_DAY = 86400

COUNT, MONEY, RATE, DAYS, RATING = "count", "money", "rate", "days", "rating"
PLACES = {MONEY: 2, RATE: 4, DAYS: 2, RATING: 2}

# The 26 keys of DESIGN §4 with their units, written out here (not imported from the registry).
UNITS: dict[str, str] = {
    "orders": COUNT,
    "units_sold": COUNT,
    "revenue": MONEY,
    "aov": MONEY,
    "returned_units": COUNT,
    "returned_value": MONEY,
    "net_revenue": MONEY,
    "return_rate": RATE,
    "return_rate_value": RATE,
    "return_rate_orders": RATE,
    "cogs": MONEY,
    "gross_profit": MONEY,
    "gross_margin": RATE,
    "contribution": MONEY,
    "contribution_after_marketing": MONEY,
    "cancellation_rate": RATE,
    "sessions": COUNT,
    "conversion_rate": RATE,
    "on_time_rate": RATE,
    "avg_delivery_days": DAYS,
    "avg_rating": RATING,
    "csat": RATE,
    "new_customers": COUNT,
    "repeat_rate": RATE,
    "open_receivables": MONEY,
    "overdue_receivables": MONEY,
}
KEYS = tuple(UNITS)


def berlin_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(BERLIN).date()


def exact(value) -> Fraction:
    """A Decimal, int or float setting as an exact fraction (a float via its shortest repr)."""
    if isinstance(value, float):
        return Fraction(repr(value))
    return Fraction(value)


def round_half_up(value: Fraction, places: int) -> Decimal:
    scale = 10**places
    magnitude = abs(value) * scale
    whole = (magnitude.numerator * 2 + magnitude.denominator) // (2 * magnitude.denominator)
    if value < 0:
        whole = -whole
    return Decimal(whole).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def ratio(numerator, denominator) -> Fraction | None:
    if not denominator:
        return None
    return Fraction(numerator) / Fraction(denominator)


@dataclass(frozen=True)
class Selection:
    """What a request selects: Berlin days `date_from`..`date_to`, category paths, a channel."""

    date_from: dt.date
    date_to: dt.date
    paths: tuple[str, ...] | None = None  # None: the whole shop
    channel: str | None = None

    def in_period(self, day: dt.date) -> bool:
        return self.date_from <= day <= self.date_to

    def in_scope(self, category_path: str) -> bool:
        return self.paths is None or any(category_path.startswith(path) for path in self.paths)

    def channel_matches(self, channel: str) -> bool:
        return self.channel is None or channel == self.channel


def _is_counted_return(ret: Return) -> bool:
    return ret.received_at is not None and not ret.rejected and ret.status != Return.Status.REJECTED


def _line_in_scope(line, sel: Selection) -> bool:
    return sel.in_scope(line.product.category.path)


def _share(order, sel: Selection) -> Fraction:
    """The order's line-net share in scope (by line count when its net is 0)."""
    if sel.paths is None:
        return Fraction(1)
    lines = list(order.lines.all())
    in_scope = [line for line in lines if _line_in_scope(line, sel)]
    total_net = sum((Fraction(line.net_amount) for line in lines), Fraction(0))
    if total_net:
        return sum((Fraction(line.net_amount) for line in in_scope), Fraction(0)) / total_net
    if not lines:
        return Fraction(0)
    return Fraction(len(in_scope), len(lines))


def _has_line_in_scope(order, sel: Selection) -> bool:
    if sel.paths is None:
        return True
    return any(_line_in_scope(line, sel) for line in order.lines.all())


def _gross_total(order) -> Fraction:
    lines = sum(
        (line.quantity * Fraction(line.unit_price) - Fraction(line.discount) for line in order.lines.all()),
        Fraction(0),
    )
    return lines + Fraction(order.shipping_fee)


def _payment_fee_rate(method: str) -> Fraction:
    rate = settings.KPI_PAYMENT_FEES.get(method)
    return exact(rate) if rate is not None else Fraction(0)


def _load_orders() -> list[Order]:
    return list(
        Order.objects.select_related("customer")
        # (the lines' products joined, not prefetched: SQLite refuses a prefetch by thousands of ids)
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.select_related("product__category")),
            "returns__lines", "invoices__payments",
        )
        .order_by("placed_at", "id")
    )


def measures(sel: Selection) -> dict[str, Fraction | int]:
    """The unrounded sums and counts the KPIs are made of, straight from the rows."""
    handling_cost = exact(settings.KPI_RETURN_HANDLING_COST)
    orders = _load_orders()
    shipments = {shipment.order_id: shipment for shipment in Shipment.objects.all()}
    order_by_id = {order.id: order for order in orders}

    m: dict[str, Fraction | int] = defaultdict(int)
    customers_in_p: set[int] = set()
    # revenue per (day, channel): the whole shop's and the scope's, to share marketing spend
    day_revenue_all: dict[tuple[dt.date, str], Fraction] = defaultdict(Fraction)
    day_revenue_scope: dict[tuple[dt.date, str], Fraction] = defaultdict(Fraction)

    for order in orders:
        day = berlin_day(order.placed_at)
        if not sel.in_period(day):
            continue
        cancelled = order.status == Order.Status.CANCELLED
        if not cancelled:
            for line in order.lines.all():
                day_revenue_all[(day, order.channel)] += Fraction(line.net_amount)
                if _line_in_scope(line, sel):
                    day_revenue_scope[(day, order.channel)] += Fraction(line.net_amount)
        if not sel.channel_matches(order.channel) or not _has_line_in_scope(order, sel):
            continue
        m["orders_all"] += 1
        if cancelled:
            m["orders_cancelled"] += 1
            continue
        m["orders"] += 1
        customers_in_p.add(order.customer_id)
        share = _share(order, sel)
        lines_in_scope = {line.id: line for line in order.lines.all() if _line_in_scope(line, sel)}
        for line in lines_in_scope.values():
            m["units_sold"] += line.quantity
            m["revenue"] += Fraction(line.net_amount)
            m["cogs_sold"] += line.quantity * Fraction(line.unit_cost)
        has_returned_unit = False
        for ret in order.returns.all():
            if not _is_counted_return(ret):
                continue
            m["return_handling_cost"] += handling_cost * share
            for return_line in ret.lines.all():
                line = lines_in_scope.get(return_line.order_line_id)
                if line is None:
                    continue
                has_returned_unit = True
                m["returned_units"] += return_line.quantity
                # docs/kpis.md: kept to four decimals per line, rounded once at the end
                value = Fraction(line.net_amount) * return_line.quantity / line.quantity
                m["returned_value"] += Fraction(round_half_up(value, 4))
                if return_line.disposition == "restock":
                    m["cogs_restocked"] += return_line.quantity * Fraction(line.unit_cost)
        if has_returned_unit:
            m["orders_returned"] += 1
        shipment = shipments.get(order.id)
        if shipment is not None:
            m["shipping_cost"] += Fraction(shipment.shipping_cost) * share
        m["payment_fees"] += _payment_fee_rate(order.payment_method) * _gross_total(order) * share

    for spend in MarketingSpend.objects.all():
        if not sel.in_period(spend.date) or not sel.channel_matches(spend.channel):
            continue
        if sel.paths is None:
            m["marketing_spend"] += Fraction(spend.amount)
            continue
        key = (spend.date, spend.channel)
        if day_revenue_all[key]:
            m["marketing_spend"] += Fraction(spend.amount) * day_revenue_scope[key] / day_revenue_all[key]

    m["sessions"] = sum(
        traffic.sessions
        for traffic in TrafficDay.objects.all()
        if sel.in_period(traffic.date) and sel.channel_matches(traffic.channel)
    )

    for shipment in shipments.values():
        if shipment.delivered_at is None or not sel.in_period(berlin_day(shipment.delivered_at)):
            continue
        order = order_by_id[shipment.order_id]
        if (
            order.status == Order.Status.CANCELLED
            or not sel.channel_matches(order.channel)
            or not _has_line_in_scope(order, sel)
        ):
            continue
        m["shipments_delivered"] += 1
        if berlin_day(shipment.delivered_at) <= shipment.promised_by:
            m["shipments_on_time"] += 1
        elapsed = shipment.delivered_at - order.placed_at
        m["delivery_days_sum"] += Fraction(
            elapsed.days * SECONDS_PER_DAY * 10**6 + elapsed.seconds * 10**6 + elapsed.microseconds,
            SECONDS_PER_DAY * 10**6,
        )

    for review in Review.objects.select_related("order", "product__category"):
        if (
            not sel.in_period(berlin_day(review.created_at))
            or review.order.status == Order.Status.CANCELLED
            or not sel.channel_matches(review.order.channel)
            or not sel.in_scope(review.product.category.path)
        ):
            continue
        m["reviews"] += 1
        m["rating_sum"] += review.rating
        if review.rating >= 4:
            m["reviews_positive"] += 1

    first_order: dict[int, Order] = {}
    ordered_before_p: set[int] = set()
    for order in orders:  # sorted by placed_at, then id
        if order.status == Order.Status.CANCELLED:
            continue
        first_order.setdefault(order.customer_id, order)
        if berlin_day(order.placed_at) < sel.date_from:
            ordered_before_p.add(order.customer_id)
    for order in first_order.values():
        if (
            sel.in_period(berlin_day(order.placed_at))
            and sel.channel_matches(order.channel)
            and _has_line_in_scope(order, sel)
        ):
            m["new_customers"] += 1
    m["customers"] = len(customers_in_p)
    m["repeat_customers"] = len(customers_in_p & ordered_before_p)

    for order in orders:
        if (
            order.status == Order.Status.CANCELLED
            or not sel.channel_matches(order.channel)
            or not _has_line_in_scope(order, sel)
        ):
            continue
        share = _share(order, sel)
        for invoice in order.invoices.all():
            if invoice.issued_on > sel.date_to:
                continue
            amount = Fraction(invoice.amount)
            paid = sum(
                (Fraction(payment.amount) for payment in invoice.payments.all() if payment.paid_on <= sel.date_to),
                Fraction(0),
            )
            still_open = (amount - min(amount, paid)) * share
            m["open_receivables"] += still_open
            if invoice.due_on < sel.date_to:
                m["overdue_receivables"] += still_open
    return m


def values(m) -> dict[str, Fraction | int | None]:
    """The 26 KPIs from the measures, unrounded (DESIGN §4)."""
    revenue = Fraction(m["revenue"])
    returned_value = Fraction(m["returned_value"])
    net_revenue = revenue - returned_value
    cogs = Fraction(m["cogs_sold"]) - Fraction(m["cogs_restocked"])
    gross_profit = net_revenue - cogs
    contribution = (
        gross_profit
        - Fraction(m["shipping_cost"])
        - Fraction(m["return_handling_cost"])
        - Fraction(m["payment_fees"])
    )
    return {
        "orders": m["orders"],
        "units_sold": m["units_sold"],
        "revenue": revenue,
        "aov": ratio(revenue, m["orders"]),
        "returned_units": m["returned_units"],
        "returned_value": returned_value,
        "net_revenue": net_revenue,
        "return_rate": ratio(m["returned_units"], m["units_sold"]),
        "return_rate_value": ratio(returned_value, revenue),
        "return_rate_orders": ratio(m["orders_returned"], m["orders"]),
        "cogs": cogs,
        "gross_profit": gross_profit,
        "gross_margin": ratio(gross_profit, net_revenue),
        "contribution": contribution,
        "contribution_after_marketing": contribution - Fraction(m["marketing_spend"]),
        "cancellation_rate": ratio(m["orders_cancelled"], m["orders_all"]),
        "sessions": m["sessions"],
        "conversion_rate": ratio(m["orders"], m["sessions"]),
        "on_time_rate": ratio(m["shipments_on_time"], m["shipments_delivered"]),
        "avg_delivery_days": ratio(m["delivery_days_sum"], m["shipments_delivered"]),
        "avg_rating": ratio(m["rating_sum"], m["reviews"]),
        "csat": ratio(m["reviews_positive"], m["reviews"]),
        "new_customers": m["new_customers"],
        "repeat_rate": ratio(m["repeat_customers"], m["customers"]),
        "open_receivables": Fraction(m["open_receivables"]),
        "overdue_receivables": Fraction(m["overdue_receivables"]),
    }


def as_json(key: str, value) -> int | str | None:
    if value is None:
        return None
    unit = UNITS[key]
    if unit == COUNT:
        return int(value)
    return str(round_half_up(Fraction(value), PLACES[unit]))


def kpis(
    *, date_from: dt.date, date_to: dt.date, categories=None, channel: str | None = None
) -> dict[str, int | str | None]:
    """Every KPI as the API sends it. `categories`: None (whole shop) or categories whose
    subtrees together form the scope."""
    paths = None if categories is None else tuple(category.path for category in categories)
    sel = Selection(date_from=date_from, date_to=date_to, paths=paths, channel=channel)
    return {key: as_json(key, value) for key, value in values(measures(sel)).items()}


def scope_for(user, category_code: str | None = None):
    """The categories the API covers for `user`: the asked subtree, the manager's categories,
    or None for the whole shop. Visibility (404) is the API's business, not checked here."""
    if category_code:
        return [Category.objects.get(code=category_code)]
    if roles.is_category_scoped(user):
        return list(Category.objects.filter(managers=user))
    return None


def api_answer(
    user, *, date_from: dt.date, date_to: dt.date, category: str | None = None, channel: str | None = None
) -> dict:
    """What `GET /api/kpis/` must answer to `user` for these parameters."""
    return {
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "kpis": kpis(
            date_from=date_from, date_to=date_to, categories=scope_for(user, category), channel=channel
        ),
    }
