"""Demo customers, orders and order lines, with everything that follows an order.

One pass over the days of history builds the orders of each day and, for each order, its lines,
shipment, invoice and payments, return and review, because all of these depend on the order's
own timing (a late delivery makes a bad review and a LATE return more likely). The rows come out
in chunks of whole days so that the writer can stream them to the database while memory stays
flat.

Money is computed in integer cents and converted to Decimal once per value; line nets come from
`shopmgr.core.money.line_net` through a cache (the same quantity, price, VAT and discount always
give the same net).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, field
from decimal import Decimal

from shopmgr.core.money import line_net

from .after_sales import AfterSales
from .catalog import ROOTS, VAT_DECIMAL, Catalog, cents_to_decimal
from .timeline import Timeline, distribute, hour_cumulative, to_datetime
from .words import CITIES, FIRST_NAMES, LAST_NAMES, LEGAL_FORMS, TRADES

CUSTOMER_FIELDS = ("id", "external_id", "name", "email", "kind", "country", "created_at")
ORDER_FIELDS = ("id", "external_id", "customer", "placed_at", "channel", "payment_method", "status",
                "shipping_fee", "campaign_code")
ORDER_LINE_FIELDS = ("id", "order", "line_no", "product", "quantity", "unit_price", "vat_rate", "discount",
                     "unit_cost", "net_amount")
SHIPMENT_FIELDS = ("id", "order", "carrier", "shipped_at", "promised_by", "delivered_at", "shipping_cost")

CHUNK_ORDERS = 50_000

# Share of baskets whose main category is a root, before seasonality.
ROOT_SHARES = {"FASHION": 26, "SHOES": 10, "ELECTRONICS": 14, "HOME": 11, "GARDEN": 6, "SPORTS": 8,
               "TOYS": 7, "BEAUTY": 7, "BOOKS": 6, "FOOD": 5}
# Seasonal factor per root and month (January first); roots not listed are flat.
ROOT_SEASON = {
    "GARDEN": (0.3, 0.6, 1.6, 2.2, 2.4, 1.9, 1.4, 1.0, 0.7, 0.5, 0.3, 0.3),
    "TOYS": (0.7, 0.7, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 1.0, 1.8, 2.6),
    "ELECTRONICS": (1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 1.0, 1.1, 1.4, 1.5),
    "SPORTS": (1.5, 1.2, 1.1, 1.0, 1.1, 1.2, 1.1, 1.0, 0.9, 0.9, 0.8, 0.8),
    "BEAUTY": (0.9, 0.9, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.2, 1.5),
    "FASHION": (1.0, 0.9, 1.1, 1.15, 1.0, 0.95, 0.95, 0.9, 1.1, 1.15, 1.0, 0.95),
}
MAIN_ROOT_SHARE = 0.7  # lines of a basket from its main root; the rest from anywhere
# Lines per order: 1..5, mean about 3.
LINE_COUNT_CUM = (0.15, 0.37, 0.63, 0.83, 1.0)
# Probability that a line has more than one unit.
MULTI_UNIT = {"FOOD": 0.35, "BOOKS": 0.12, "BEAUTY": 0.2}
MULTI_UNIT_DEFAULT = 0.07
NEW_CUSTOMER_SHARE = 0.36
B2B_SHARE = 0.1
CHANNELS_B2C = (("webshop", 0.58), ("app", 0.80), ("marketplace", 1.0))
CHANNELS_B2B = (("webshop", 0.9), ("marketplace", 1.0))
PAYMENTS_B2C = (("paypal", 0.34), ("invoice", 0.61), ("klarna", 0.78), ("card", 1.0))
PAYMENTS_B2B = (("invoice", 0.85), ("card", 0.95), ("paypal", 1.0))
PAYMENTS_MARKETPLACE = (("paypal", 0.5), ("card", 1.0))
CANCEL_B2C, CANCEL_B2B = 0.025, 0.01
FREE_SHIPPING_FROM = {False: 5000, True: 15000}  # gross cents, B2C / B2B
SHIPPING_FEE_CENTS = 495
WELCOME = ("WELCOME10", 10, 0.25)  # code, discount %, share of first orders that use it
NEWSLETTER = ("NEWSLETTER", 5, 0.025)
GOODWILL_DISCOUNT_SHARE = 0.015  # lines with a 10 % goodwill discount (price complaint)
BLOCK_DAYS = 28  # the assortment on sale is fixed per block of days
SAFE_TOTAL = 1 - 1e-12


def _pick(cum_table, u):
    for value, cum in cum_table:
        if u < cum:
            return value
    return cum_table[-1][0]


@dataclass
class OrderChunk:
    customers: list = field(default_factory=list)
    orders: list = field(default_factory=list)
    lines: list = field(default_factory=list)
    shipments: list = field(default_factory=list)
    invoices: list = field(default_factory=list)
    payments: list = field(default_factory=list)
    returns: list = field(default_factory=list)
    return_lines: list = field(default_factory=list)
    reviews: list = field(default_factory=list)


def _ascii(text: str) -> str:
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("ş", "s"), ("ı", "i"), (" ", "")):
        text = text.replace(a, b)
    return text.lower()


_ASCII = {name: _ascii(name) for name in FIRST_NAMES + LAST_NAMES}


class CustomerMaker:
    """German consumers and businesses; ids from 1 in order of creation."""

    def __init__(self, rng):
        self.rng = rng
        self.next_id = 1
        self.is_b2b: list[bool] = [False]

    def make(self, created_ts: int, b2b: bool) -> tuple:
        rng = self.rng
        cid = self.next_id
        self.next_id += 1
        self.is_b2b.append(b2b)
        last = rng.choice(LAST_NAMES)
        if b2b:
            city, adjective = rng.choice(CITIES)
            trade = rng.choice(TRADES)
            pattern = rng.random()
            if pattern < 0.4:
                name = f"{last} {trade} {rng.choice(LEGAL_FORMS)}"
            elif pattern < 0.7:
                name = f"{adjective} {trade} {rng.choice(LEGAL_FORMS)}"
            else:
                name = f"{trade} {last} {city}"
            email = f"einkauf.{cid}@example.net"
            country = "AT" if city == "Wien" else "DE"
            kind = "b2b"
        else:
            first = rng.choice(FIRST_NAMES)
            name = f"{first} {last}"
            email = f"{_ASCII[first]}.{_ASCII[last]}{cid % 1000}@example.{rng.choice(('com', 'org'))}"
            u = rng.random()
            country = "DE" if u < 0.95 else "AT" if u < 0.99 else "NL"
            kind = "b2c"
        return (cid, f"K{cid:07d}", name, email, kind, country, to_datetime(created_ts))


class Assortment:
    """Which products can be ordered in a block of days, and how likely each is picked."""

    def __init__(self, tl: Timeline, cat: Catalog):
        self.tl, self.cat = tl, cat
        self._blocks: dict[int, list] = {}
        self._root_tables: dict[tuple[int, int], tuple[list[int], list[float], float]] = {}

    def products(self, block: int) -> list:
        table = self._blocks.get(block)
        if table is None:
            cat = self.cat
            first = block * BLOCK_DAYS
            last = min(first + BLOCK_DAYS, self.tl.days)
            pids_by_root: list[list[int]] = [[] for _ in ROOTS]
            cum_by_root: list[list[float]] = [[] for _ in ROOTS]
            totals = [0.0] * len(ROOTS)
            for pid in range(1, cat.products + 1):
                since, until = cat.sellable_from[pid], cat.sellable_until[pid]
                if since is None or since > first or until < last:
                    continue
                root_index = cat.root[pid]
                totals[root_index] += cat.popularity[pid]
                pids_by_root[root_index].append(pid)
                cum_by_root[root_index].append(totals[root_index])
            # a draw is random() * total; keep it below the last cumulative weight despite rounding
            per_root = [
                (pids, cum, total * SAFE_TOTAL) if pids else None
                for pids, cum, total in zip(pids_by_root, cum_by_root, totals, strict=True)
            ]
            table = self._blocks[block] = per_root
        return table

    def roots(self, block: int, month: int) -> tuple[list[int], list[float], float]:
        key = (block, month)
        table = self._root_tables.get(key)
        if table is None:
            available = self.products(block)
            indices, cum, total = [], [], 0.0
            for root_index, root in enumerate(ROOTS):
                if available[root_index] is None:
                    continue
                total += ROOT_SHARES[root] * ROOT_SEASON.get(root, (1.0,) * 12)[month - 1]
                indices.append(root_index)
                cum.append(total)
            table = self._root_tables[key] = (indices, cum, total * SAFE_TOTAL)
        return table


def generate_orders(*, tl: Timeline, cat: Catalog, total: int, rng, after: AfterSales):
    """Yield OrderChunk objects covering `total` orders over the days of history, oldest first."""
    counts = distribute(total, tl.day_weight)
    customers = CustomerMaker(rng)
    assortment = Assortment(tl, cat)
    rnd = rng.random

    # Customers who registered before the history starts, so that early orders have regulars.
    chunk = OrderChunk()
    pool: list[int] = []
    for _ in range(max(20, total // 25)):
        created = tl.midnight(-rng.randint(1, 1095)) + rng.randrange(86_400)
        chunk.customers.append(customers.make(created, rnd() < B2B_SHARE))
        pool.append(customers.next_id - 1)
    is_b2b = customers.is_b2b

    campaign_of_day: list = [None] * tl.days
    for c in tl.campaigns:
        for day in range(c.first, c.last + 1):
            if campaign_of_day[day] is None:
                campaign_of_day[day] = (c.code, c.discount_pct, c.share)
    hour_tables = [hour_cumulative(wd) for wd in range(7)]

    # Caches: Decimal per cent value, line net per (quantity, price, VAT, discount).
    money: dict[int, Decimal] = {}
    nets: dict[tuple[int, int, int, int], Decimal] = {}
    fee_decimals = {0: cents_to_decimal(0), SHIPPING_FEE_CENTS: cents_to_decimal(SHIPPING_FEE_CENTS)}
    vat_decimals = VAT_DECIMAL
    p_vat, p_cost, p_times = cat.vat_pct, cat.cost, cat.price_times
    p_cents, p_decs = cat.price_cents, cat.price_decimals
    multi_unit = [MULTI_UNIT.get(root, MULTI_UNIT_DEFAULT) for root in ROOTS]

    order_id = line_id = 0
    before = tl.before_days
    for day in range(tl.days):
        n = counts[day]
        if n:
            date = tl.dates[day]
            hour_starts = tl.hour_starts[day + before]
            hour_cum, hour_total = hour_tables[date.weekday()]
            block = day // BLOCK_DAYS
            products = assortment.products(block)
            root_indices, root_cum, root_total = assortment.roots(block, date.month)
            campaign = campaign_of_day[day]
            placed = sorted(
                hour_starts[min(23, bisect_right(hour_cum, rnd() * hour_total))] + int(rnd() * 3600)
                for _ in range(n)
            )
            midnight = hour_starts[0]
            for ts in placed:
                order_id += 1
                # --- customer: new, or a returning one picked in proportion to past orders (Pareto-ish)
                if rnd() < NEW_CUSTOMER_SHARE:
                    b2b = rnd() < B2B_SHARE
                    chunk.customers.append(customers.make(ts - rng.randrange(60, 3 * 86_400), b2b))
                    customer = customers.next_id - 1
                    first_order = True
                else:
                    customer = pool[int(rnd() * len(pool))]
                    b2b = is_b2b[customer]
                    first_order = False
                pool.append(customer)

                if b2b:
                    channel = _pick(CHANNELS_B2B, rnd())
                    payment = _pick(PAYMENTS_B2B, rnd())
                    cancelled = rnd() < CANCEL_B2B
                else:
                    channel = _pick(CHANNELS_B2C, rnd())
                    payment = _pick(PAYMENTS_MARKETPLACE if channel == "marketplace" else PAYMENTS_B2C, rnd())
                    cancelled = rnd() < CANCEL_B2C
                code, pct = "", 0
                if channel != "marketplace":
                    if campaign is not None and rnd() < campaign[2]:
                        code, pct = campaign[0], campaign[1]
                    elif first_order and rnd() < WELCOME[2]:
                        code, pct = WELCOME[0], WELCOME[1]
                    elif rnd() < NEWSLETTER[2]:
                        code, pct = NEWSLETTER[0], NEWSLETTER[1]

                # --- lines
                u = rnd()
                n_lines = 1
                while u >= LINE_COUNT_CUM[n_lines - 1]:
                    n_lines += 1
                main_root = root_indices[bisect_right(root_cum, rnd() * root_total)]
                chosen: list[int] = []
                order_lines = []
                goods_cents = 0
                for _ in range(n_lines):
                    root = main_root if rnd() < MAIN_ROOT_SHARE else \
                        root_indices[bisect_right(root_cum, rnd() * root_total)]
                    pids, cum, tot = products[root]
                    pid = pids[bisect_right(cum, rnd() * tot)]
                    if pid in chosen:
                        pid = pids[bisect_right(cum, rnd() * tot)]
                        if pid in chosen:
                            continue
                    chosen.append(pid)
                    if rnd() < multi_unit[root] * (2.5 if b2b else 1.0):
                        quantity = 2 if rnd() < 0.7 else 3 if rnd() < 0.67 else 4 + int(rnd() * 3)
                    else:
                        quantity = 1
                    times = p_times[pid]
                    k = bisect_right(times, ts) - 1
                    price = p_cents[pid][k]
                    gross = quantity * price
                    if pct:
                        discount = (gross * pct + 50) // 100
                    elif rnd() < GOODWILL_DISCOUNT_SHARE:
                        discount = (gross + 5) // 10
                    else:
                        discount = 0
                    vat = p_vat[pid]
                    key = (quantity, price, vat, discount)
                    net = nets.get(key)
                    disc_dec = money.get(discount)
                    if disc_dec is None:
                        disc_dec = money[discount] = cents_to_decimal(discount)
                    if net is None:
                        net = nets[key] = line_net(quantity=quantity, unit_price=p_decs[pid][k],
                                                   vat_rate=vat_decimals[vat], discount=disc_dec)
                    line_id += 1
                    chunk.lines.append((line_id, order_id, len(chosen), pid, quantity, p_decs[pid][k],
                                        vat_decimals[vat], disc_dec, p_cost[pid], net))
                    goods_cents += gross - discount
                    order_lines.append((line_id, pid, quantity, price, discount, root))
                fee = 0 if goods_cents >= FREE_SHIPPING_FROM[b2b] else SHIPPING_FEE_CENTS

                if cancelled:
                    status = "cancelled"
                else:
                    status = after.follow_order(
                        chunk, order_id=order_id, day=day, placed_ts=ts, local_hour=(ts - midnight) // 3600,
                        b2b=b2b, payment=payment, gross_cents=goods_cents + fee, lines=order_lines,
                    )
                chunk.orders.append((order_id, f"B{order_id:08d}", customer, to_datetime(ts), channel, payment,
                                     status, fee_decimals[fee], code))
        if len(chunk.orders) >= CHUNK_ORDERS or day == tl.days - 1:
            yield chunk
            chunk = OrderChunk()


def expected_orders_per_day(tl: Timeline, total: int) -> list[float]:
    s = math.fsum(tl.day_weight)
    return [total * w / s for w in tl.day_weight]
