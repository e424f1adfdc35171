"""Deterministic demo data for a German online shop (EUR): two years of history up to yesterday.

`seed_demo(orders=..., seed=..., today=...)` fills the shop tables of an empty database (or, with
`flush=True`, of one whose shop data it deletes first) in one transaction. The same seed and the
same `today` give byte-identical rows: every random draw comes from `random.Random` instances
seeded from the seed and the name of the phase, nothing reads the clock, and ids are assigned
here, starting at 1.

Modules: `timeline` (Berlin days, seasonality, campaigns), `catalog` (categories, suppliers,
products, price history, competitor prices), `orders` (customers, orders, lines), `after_sales`
(shipments, invoices, payments, returns, reviews), `marketing` (traffic, spend), `load` (flush and
the bulk load), `words` (German names and texts).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable

from django.db import transaction

from catalog.models import Category, Product, Supplier
from pricing.models import CompetitorPrice, PriceChange
from returns.models import Return, ReturnLine, ReturnReason
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
from shopmgr.core.bulk import copy_insert, reset_sequences
from shopmgr.core.dates import berlin_today

from . import load
from .after_sales import (
    INVOICE_FIELDS,
    PAYMENT_FIELDS,
    RETURN_FIELDS,
    RETURN_LINE_FIELDS,
    REVIEW_FIELDS,
    AfterSales,
)
from .catalog import (
    CATEGORY_FIELDS,
    COMPETITOR_PRICE_FIELDS,
    PRICE_CHANGE_FIELDS,
    PRODUCT_FIELDS,
    SUPPLIER_FIELDS,
    build_catalog,
    competitor_price_rows,
)
from .marketing import SPEND_FIELDS, TRAFFIC_FIELDS, spend_rows, traffic_rows
from .orders import (
    CUSTOMER_FIELDS,
    ORDER_FIELDS,
    ORDER_LINE_FIELDS,
    SHIPMENT_FIELDS,
    expected_orders_per_day,
    generate_orders,
)
from .timeline import build_timeline

MAX_ORDERS = 10_000_000


class DemoDataError(Exception):
    """The demo data cannot be seeded as asked (bad arguments, or shop data already present)."""


# The chunk attribute, model and fields of every table the order generator fills.
_ORDER_TABLES = (
    ("customers", Customer, CUSTOMER_FIELDS),
    ("orders", Order, ORDER_FIELDS),
    ("lines", OrderLine, ORDER_LINE_FIELDS),
    ("shipments", Shipment, SHIPMENT_FIELDS),
    ("invoices", Invoice, INVOICE_FIELDS),
    ("payments", Payment, PAYMENT_FIELDS),
    ("returns", Return, RETURN_FIELDS),
    ("return_lines", ReturnLine, RETURN_LINE_FIELDS),
    ("reviews", Review, REVIEW_FIELDS),
)
COUNT_KEYS = {
    "catalog.Category": "categories", "catalog.Supplier": "suppliers", "catalog.Product": "products",
    "pricing.PriceChange": "price_changes", "pricing.CompetitorPrice": "competitor_prices",
    "sales.Customer": "customers", "sales.Order": "orders", "sales.OrderLine": "order_lines",
    "sales.Shipment": "shipments", "sales.Invoice": "invoices", "sales.Payment": "payments",
    "returns.Return": "returns", "returns.ReturnLine": "return_lines", "sales.Review": "reviews",
    "sales.TrafficDay": "traffic_days", "sales.MarketingSpend": "marketing_spend",
}


def _stream(seed: int, phase: str) -> random.Random:
    """An independent random stream per phase: changing one phase never shifts another."""
    return random.Random(f"shopmgr-demo:{seed}:{phase}")


def seed_demo(
    *,
    orders: int,
    seed: int = 42,
    today: dt.date | None = None,
    flush: bool = False,
    on_phase: Callable[[str, float], None] | None = None,
) -> dict[str, int]:
    """Seed the demo data and return the number of rows written per table.

    Refuses (DemoDataError) when a shop table already holds rows, unless `flush` is set: then the
    shop data and everything depending on it is deleted first (users, groups and return reasons
    stay; category managers are kept by category code). `on_phase(name, seconds)` is told how
    long each phase took.
    """
    if isinstance(orders, bool) or not isinstance(orders, int) or orders < 1:
        raise DemoDataError(f"orders must be a whole number of at least 1, got {orders!r}")
    if orders > MAX_ORDERS:
        raise DemoDataError(f"orders must be at most {MAX_ORDERS:,}, got {orders:,}")
    today = today or berlin_today()
    report = on_phase or (lambda name, seconds: None)
    reason_ids = dict(ReturnReason.objects.values_list("code", "id"))
    missing = sorted(_required_reasons() - set(reason_ids))
    if missing:
        raise DemoDataError(f"return reasons missing (run migrate): {', '.join(missing)}")
    counts: dict[str, int] = {}

    def write(model, fields, rows) -> None:
        key = COUNT_KEYS[model._meta.label]
        counts[key] = counts.get(key, 0) + copy_insert(model, fields, rows)

    with transaction.atomic():
        started = time.perf_counter()
        load.settle_deferred_checks()
        existing = load.shop_data_counts()
        managers: list[tuple[str, int]] = []
        if existing and not flush:
            found = ", ".join(f"{n:,} {label}" for label, n in existing.items())
            raise DemoDataError(
                f"the database already holds shop data ({found}); run seed_demo with --flush to replace it"
            )
        if existing:
            managers = load.category_managers()
            load.flush_shop_data()
        report("flush", time.perf_counter() - started)

        timings: dict[str, float] = {}
        with load.bulk_load(timings=timings):
            started = time.perf_counter()
            tl = build_timeline(today=today, rng=_stream(seed, "calendar"))
            catalog = build_catalog(tl=tl, orders=orders, rng=_stream(seed, "catalog"))
            write(Category, CATEGORY_FIELDS, catalog.category_rows)
            write(Supplier, SUPPLIER_FIELDS, catalog.supplier_rows)
            write(Product, PRODUCT_FIELDS, catalog.product_rows)
            write(PriceChange, PRICE_CHANGE_FIELDS, catalog.price_change_rows)
            report("catalogue and price history", time.perf_counter() - started)

            started = time.perf_counter()
            write(CompetitorPrice, COMPETITOR_PRICE_FIELDS,
                  competitor_price_rows(tl=tl, cat=catalog, rng=_stream(seed, "competitors")))
            report("competitor prices", time.perf_counter() - started)

            started = time.perf_counter()
            after = AfterSales(tl=tl, rng=_stream(seed, "orders"), reason_ids=reason_ids)
            for chunk in generate_orders(tl=tl, cat=catalog, total=orders, rng=after.rng, after=after):
                for attribute, model, fields in _ORDER_TABLES:
                    write(model, fields, getattr(chunk, attribute))
            report("customers, orders and after-sales", time.perf_counter() - started)

            started = time.perf_counter()
            expected = expected_orders_per_day(tl, orders)
            write(TrafficDay, TRAFFIC_FIELDS, traffic_rows(tl=tl, expected=expected, rng=_stream(seed, "traffic")))
            write(MarketingSpend, SPEND_FIELDS, spend_rows(tl=tl, expected=expected, rng=_stream(seed, "spend")))
            report("traffic and marketing spend", time.perf_counter() - started)
        for name, seconds in timings.items():
            report(name, seconds)

        started = time.perf_counter()
        load.restore_category_managers(managers)
        reset_sequences(*load.SEEDED_MODELS)
        load.analyze()
        report("sequences and statistics", time.perf_counter() - started)
    started = time.perf_counter()
    load.vacuum_invoices()
    report("vacuum", time.perf_counter() - started)
    return {key: counts.get(key, 0) for key in COUNT_KEYS.values()}


def _required_reasons() -> set[str]:
    from .after_sales import _GOODS, REASON_MIX

    codes = {code for table in (*REASON_MIX.values(), _GOODS) for code, _ in table}
    return codes | {"LATE"}
