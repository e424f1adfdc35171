"""Daily facts, computed inside the database: one INSERT … SELECT … GROUP BY per range of days.

`compute_range(first, last)` replaces the facts of the Berlin days first..last (both included) for
the given scopes in the caller's transaction; the same SQL serves one day (the nightly per-day
task) and two years (`compute_metrics --all`). It is written once in portable SQL; the three
things PostgreSQL and SQLite spell differently (a timestamp's Berlin date, the days between two
timestamps, the next day) come from `Dialect`. docs/kpis.md states the rules in words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from sales.models import Order
from shopmgr.core.dates import berlin_midnight_utc

from .models import FACT_MEASURES, DailyFact, DailyProductFact

CANCELLED = Order.Status.CANCELLED.value

# The measures the statement below computes (the spend share comes from the day × channel facts).
FACT_COLUMNS = [c for c in FACT_MEASURES if c != "marketing_spend"]
INTEGER_COLUMNS = {
    "orders_all", "orders_cancelled", "orders", "units_sold", "returned_units", "orders_returned",
    "new_customers", "shipments_delivered", "shipments_on_time", "reviews", "rating_sum", "reviews_positive",
}


@dataclass(frozen=True)
class Dialect:
    vendor: str

    def berlin_date(self, column: str) -> str:
        if self.vendor == "postgresql":
            return f"(({column}) AT TIME ZONE 'Europe/Berlin')::date"
        return f"django_datetime_cast_date({column}, 'Europe/Berlin', 'UTC')"

    def days_between(self, start: str, end: str) -> str:
        if self.vendor == "postgresql":
            return f"(EXTRACT(EPOCH FROM ({end}) - ({start})) / 86400.0)"
        # exact microseconds (julianday() differences carry float noise: 4.025 became 4.02499999990)
        return f"(django_timestamp_diff({end}, {start}) / 86400000000.0)"

    def next_day(self, column: str) -> str:
        if self.vendor == "postgresql":
            return f"(({column}) + 1)"
        return f"date({column}, '+1 day')"

    def greatest(self, a: str, b: str) -> str:
        return f"GREATEST({a}, {b})" if self.vendor == "postgresql" else f"MAX({a}, {b})"

    def least(self, a: str, b: str) -> str:
        return f"LEAST({a}, {b})" if self.vendor == "postgresql" else f"MIN({a}, {b})"

    @property
    def materialized(self) -> str:
        """A CTE computed once, not inlined where it is used (PostgreSQL 12 and later)."""
        return "MATERIALIZED " if self.vendor == "postgresql" else ""

    def param_date(self, value: dt.date):
        return value if self.vendor == "postgresql" else value.isoformat()

    def param_timestamp(self, value: dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)


def _fee_case() -> str:
    """CASE over the payment method giving its fee rate (KPI_PAYMENT_FEES; others cost nothing)."""
    rates = settings.KPI_PAYMENT_FEES
    if not rates:
        return "0"
    whens = " ".join(
        f"WHEN {_quote(method)} THEN {float(rate)!r}" for method, rate in sorted(rates.items())
    )
    return f"(CASE o.payment_method {whens} ELSE 0 END)"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _depth(path: str) -> str:
    """A category's depth from its path ("/TOP/" is 0)."""
    return f"(LENGTH({path}) - LENGTH(REPLACE({path}, '/', '')) - 2)"


def category_ranks(paths: dict[int, str]) -> list[tuple[int, ...]]:
    """(id, rank, rank of its depth-0 ancestor, …, of its depth-D ancestor) per category.

    Ranks follow the paths in code-point order, in which a category's subtree is one contiguous run;
    an ancestor the category does not have (it sits higher up) is None.
    """
    rank = {pk: i for i, (pk, _) in enumerate(sorted(paths.items(), key=lambda item: item[1]), start=1)}
    by_path = {path: pk for pk, path in paths.items()}
    depth = max((path.count("/") - 2 for path in paths.values()), default=0)
    rows = []
    for pk, path in paths.items():
        parts = path.strip("/").split("/")
        ancestors = [by_path.get("/" + "/".join(parts[: k + 1]) + "/") for k in range(len(parts))]
        ancestor_ranks = [rank.get(a) if a is not None else None for a in ancestors]
        rows.append((pk, rank[pk], *(ancestor_ranks + [None] * (depth + 1 - len(ancestor_ranks)))))
    return rows


def _values(rows: list[tuple]) -> str:
    return ", ".join("(" + ", ".join("NULL" if v is None else str(int(v)) for v in row) + ")" for row in rows)


# The returns of the selected orders (`sel`) that count: received and not rejected.
RETURNED_LINES_SQL = """counted_return AS (
    SELECT r.id, r.order_id FROM returns_return r JOIN sel ON sel.id = r.order_id
    WHERE r.received_at IS NOT NULL AND r.rejected = %(false)s
),
ret_line AS (
    SELECT rl.order_line_id, SUM(rl.quantity) AS qty, COUNT(*) AS return_lines,
           SUM(CASE WHEN rl.disposition = 'restock' THEN rl.quantity ELSE 0 END) AS restocked
    FROM returns_returnline rl
    JOIN counted_return r ON r.id = rl.ret_id
    GROUP BY rl.order_line_id
),
order_returns AS (
    SELECT order_id, COUNT(*) AS n FROM counted_return GROUP BY order_id
),
"""

# The lines of the selected orders in the path order of their categories, with their returns
# (see `_facts_sql`: the running shares and the previous ranks decide in which scopes they count).
LINE_RUN_SQL = """line_run AS (
    -- the lines of the selected orders in path order within their order, with what came before
    SELECT l.order_id, p.category_id, l.product_id, l.quantity, l.unit_cost, l.net_amount,
           COALESCE(rt.qty, 0) AS ret_qty, COALESCE(rt.restocked, 0) AS restocked_qty,
           -- docs/kpis.md: a return line's value is kept to four decimals
           CASE WHEN rt.return_lines IS NULL THEN 0
                WHEN rt.return_lines = 1 THEN ROUND(l.net_amount * rt.qty * 1.0 / l.quantity, 4)
                ELSE (SELECT SUM(ROUND(l.net_amount * x.quantity * 1.0 / l.quantity, 4))
                      FROM returns_returnline x JOIN returns_return xr ON xr.id = x.ret_id
                      WHERE x.order_line_id = l.id AND xr.received_at IS NOT NULL AND xr.rejected = %(false)s)
           END AS ret_value,
           {level_ranks},
           LAG(cat.rnk) OVER upto AS prev_rnk,
           SUM(l.net_amount) OVER upto AS net_upto,
           ROW_NUMBER() OVER upto AS lines_upto,
           MAX(CASE WHEN rt.qty > 0 THEN cat.rnk END) OVER before AS prev_returned_rnk,
           SUM(l.net_amount) OVER whole AS order_net,
           COUNT(*) OVER whole AS order_lines,
           SUM(l.quantity * l.unit_price - l.discount) OVER whole AS order_gross
    FROM sales_orderline l
    JOIN sel ON sel.id = l.order_id
    JOIN catalog_product p ON p.id = l.product_id
    JOIN cat ON cat.id = p.category_id
    LEFT JOIN ret_line rt ON rt.order_line_id = l.id
    WINDOW whole AS (PARTITION BY l.order_id),
           upto AS (PARTITION BY l.order_id ORDER BY cat.rnk, l.id ROWS UNBOUNDED PRECEDING),
           before AS (PARTITION BY l.order_id ORDER BY cat.rnk, l.id
                      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
    UNION ALL
    -- an order without lines: one line of no product in the pseudo-category 0, which only the
    -- whole shop's scope holds (it counts as an order there, with its shipment, fees and invoices)
    SELECT sel.id, 0, NULL, 0, 0, 0, 0, 0, 0, {no_level_ranks}, NULL, 0, 1, NULL, 0, 1, 0
    FROM sel
    WHERE NOT EXISTS (SELECT 1 FROM sales_orderline x WHERE x.order_id = sel.id)
),
"""


def _scope_ctes(categories: list[tuple[int, ...]], scope_filter: str) -> str:
    """`cat` (each category's path rank and its ancestors' ranks) and `scope_member` (the scopes a
    category counts in, with the scope's level: 0 the whole shop, depth + 1 a category, none a group)."""
    levels = range(len(categories[0]) - 2)
    level = f"(CASE fs.kind WHEN 'all' THEN 0 WHEN 'category' THEN {_depth('sc.path')} + 1 END)"
    return f"""cat (id, rnk, {", ".join(f"r{k}" for k in levels)}) AS (
    VALUES {_values(categories)}
),
scope_member AS (
    SELECT m.category_id, m.scope_id, fs.kind, {level} AS level
    FROM kpis_factscopecategory m
    JOIN kpis_factscope fs ON fs.id = m.scope_id
    LEFT JOIN catalog_category sc ON sc.id = fs.category_id
    WHERE {scope_filter}
    UNION ALL
    -- the pseudo-category 0 of an order without lines (see LINE_RUN_SQL): the whole shop only
    SELECT 0, m.scope_id, 'all', 0
    FROM (SELECT id AS scope_id FROM kpis_factscope WHERE kind = 'all') m
    WHERE {scope_filter}
),
"""


def _line_run(levels: range) -> str:
    return LINE_RUN_SQL.replace("{level_ranks}", ", ".join(f"cat.r{k}" for k in levels)).replace(
        "{no_level_ranks}", ", ".join("NULL" for _ in levels)
    )


def _shared(prev: str, levels: range) -> str:
    """How many scope levels of the line hold `prev`, the path rank of an earlier line's category."""
    inner = " + ".join(f"(CASE WHEN {prev} >= r{k} THEN 1 ELSE 0 END)" for k in levels)
    return f"(CASE WHEN {prev} IS NULL THEN 0 ELSE 1 + {inner} END)"


def _share(upto: bool) -> str:
    """The order's line-net share (by line count if its net is 0) of its lines up to this one."""
    net = "ln.net_upto" if upto else "(ln.net_upto - ln.net_amount)"
    lines = "ln.lines_upto" if upto else "(ln.lines_upto - 1)"
    return f"(CASE WHEN ln.order_net <> 0 THEN {net} * 1.0 / ln.order_net ELSE {lines} * 1.0 / ln.order_lines END)"


def _facts_sql(d: Dialect, scope_filter: str, categories: list[tuple[int, ...]], *, products: bool = False,
               spend_scope: int | None = None) -> str:
    """The statement behind one range; parameters: start, end (UTC timestamps), first, last (days),
    first_due and last_due (the due dates whose next day is first and last), false.

    One pass over the order lines. Every figure of a scope is either a sum over its lines (units,
    revenue, COGS, returns, and order-level money shared out by line-net share) or a count of the
    orders (shipments) with at least one line in it. The lines are read once, in the path order of
    their categories within their order; a category with its subtree then holds one contiguous
    run of an order's lines, so an order counts in such a scope at exactly one line, the one whose
    predecessor lies outside it. `shared` says how many of a line's scope levels (the whole shop,
    its top category, …, its own category) hold its predecessor too: the line counts for the
    levels from `shared` on. The part of an order's money that falls to line l is s(l) − s(l − 1), s
    being the order's line-net share up to and including l, so that the shares of an order's lines
    in a scope add up to the scope's share (exactly one for the whole order). The lines are rolled
    up per day × channel × category (× `shared` for the counts) and only those small rows are
    joined to the scopes. A scope of several subtrees (a manager of categories in different
    branches) counts its orders from (order, scope) pairs instead; so do the shipments and
    invoices of the range whose orders were placed before it (for one day: yesterday's orders
    delivered today, last month's invoices paid today), which are few.

    With `products` (PostgreSQL only: a data-modifying WITH) the same lines also give the day ×
    product facts (kpis/product_facts.py states them; SQLite runs that statement on its own).
    With `spend_scope` (the whole shop's scope, when every scope of whole days is computed, after
    the day × channel facts) each row gets its share of the day's and channel's marketing spend in
    the same statement (see SPEND_SHARE).
    """
    live = f"o.status <> '{CANCELLED}'"
    placed = "o.placed_at >= %(start)s AND o.placed_at < %(end)s"
    delivered = "s.delivered_at >= %(start)s AND s.delivered_at < %(end)s"
    levels = range(len(categories[0]) - 2)

    product_insert = PRODUCT_INSERT if products else ""
    final_insert = FINAL_INSERT.format(
        columns=", ".join(FACT_COLUMNS),
        spend=SPEND_SHARE if spend_scope is not None else "0",
        all_revenue=(f"MAX(CASE WHEN f.scope_id = {int(spend_scope)} THEN f.revenue END) OVER (PARTITION BY f.day, f.channel)"
                     if spend_scope is not None else "0"),
    )
    return f"""
WITH
{_scope_ctes(categories, scope_filter)}inv_id AS (
    -- (a join, not `IN (…)`: with IN the planner read every invoice to find one day's few hundred)
    SELECT x.id FROM sales_invoice x WHERE x.issued_on BETWEEN %(first)s AND %(last)s
    UNION
    SELECT x.id FROM sales_invoice x WHERE x.due_on BETWEEN %(first_due)s AND %(last_due)s
    UNION
    SELECT y.invoice_id FROM sales_payment y WHERE y.paid_on BETWEEN %(first)s AND %(last)s
),
inv AS (
    SELECT i.id, i.order_id, i.issued_on, i.due_on, i.amount,
        CASE WHEN {placed} THEN 1 ELSE 0 END AS placed_in_range
    FROM inv_id
    JOIN sales_invoice i ON i.id = inv_id.id
    JOIN sales_order o ON o.id = i.order_id
    WHERE {live}
),
sel AS (
    SELECT o.id FROM sales_order o WHERE {placed}
),
{RETURNED_LINES_SQL}order_x AS {d.materialized}(
    -- one row per order placed in the range with what its lines need; `delivered_day` only if it
    -- was delivered in the range too (and is not cancelled). Materialized: inlined into `line`,
    -- its new-customer probe ran once per line instead of once per order (at 1M orders, 469,000
    -- probes instead of 159,000 for a 128-day chunk)
    SELECT o.id, o.channel, {d.berlin_date("o.placed_at")} AS day,
        CASE WHEN {delivered} AND {live} THEN {d.berlin_date("s.delivered_at")} END AS delivered_day,
        CASE WHEN {live} THEN 1 ELSE 0 END AS live,
        -- a new customer: no earlier non-cancelled order (probed per order by the customer index;
        -- as a join to a list of first orders the plan turned into a nested loop over that list
        -- whenever the planner underestimated it, e.g. before the tables had statistics)
        CASE WHEN {live} AND NOT EXISTS (
            SELECT 1 FROM sales_order e
            WHERE e.customer_id = o.customer_id AND e.placed_at <= o.placed_at AND e.status <> '{CANCELLED}'
              AND (e.placed_at < o.placed_at OR e.id < o.id)
        ) THEN 1 ELSE 0 END AS new_customer,
        CASE WHEN {d.berlin_date("s.delivered_at")} <= s.promised_by THEN 1 ELSE 0 END AS on_time,
        {d.days_between("o.placed_at", "s.delivered_at")} AS delivery_days,
        COALESCE(orr.n, 0) AS returns_n, COALESCE(s.shipping_cost, 0) AS shipping_cost,
        {_fee_case()} AS fee_rate, o.shipping_fee
    FROM sel
    JOIN sales_order o ON o.id = sel.id
    LEFT JOIN sales_shipment s ON s.order_id = o.id
    LEFT JOIN order_returns orr ON orr.order_id = o.id
),
{_line_run(levels)}line AS (
    SELECT ln.order_id, ox.channel, ln.category_id, ln.product_id, ox.day, ox.delivered_day, ox.live, ox.new_customer,
        CASE WHEN ln.ret_qty > 0 THEN 1 ELSE 0 END AS returned,
        {_shared("ln.prev_rnk", levels)} AS shared,
        CASE WHEN ln.ret_qty > 0 THEN {_shared("ln.prev_returned_rnk", levels)} ELSE 0 END AS shared_returned,
        {_share(True)} - {_share(False)} AS share,
        ln.quantity, ln.unit_cost, ln.net_amount, ln.ret_qty, ln.ret_value, ln.restocked_qty,
        ox.returns_n, ox.shipping_cost, ox.fee_rate * (ln.order_gross + ox.shipping_fee) AS payment_fee,
        ox.on_time, ox.delivery_days
    FROM line_run ln JOIN order_x ox ON ox.id = ln.order_id
),
{product_insert}money_fact AS (
    SELECT day, channel, category_id,
        SUM(quantity) AS units_sold, SUM(net_amount) AS revenue, SUM(quantity * unit_cost) AS cogs_sold,
        SUM(ret_qty) AS returned_units, SUM(ret_value) AS returned_value,
        SUM(restocked_qty * unit_cost) AS cogs_restocked, SUM(share * returns_n) AS returns_count,
        SUM(share * shipping_cost) AS shipping_cost,
        SUM(share * payment_fee) AS payment_fees
    FROM line WHERE live = 1
    GROUP BY day, channel, category_id
),
count_fact AS (
    SELECT day, channel, category_id, shared, shared_returned,
        COUNT(*) AS orders_all, SUM(1 - live) AS orders_cancelled, SUM(live) AS orders,
        SUM(live * returned) AS orders_returned, SUM(new_customer) AS new_customers
    FROM line
    GROUP BY day, channel, category_id, shared, shared_returned
),
ship_fact AS (
    SELECT delivered_day AS day, channel, category_id, shared,
        COUNT(*) AS delivered, SUM(on_time) AS on_time, SUM(delivery_days) AS days_sum
    FROM line WHERE delivered_day IS NOT NULL
    GROUP BY delivered_day, channel, category_id, shared
),
group_order AS (
    SELECT ln.order_id, sm.scope_id, MAX(ln.returned) AS has_return, MAX(ln.day) AS day,
        MAX(ln.channel) AS channel, MAX(ln.live) AS live, MAX(ln.new_customer) AS new_customer,
        MAX(ln.delivered_day) AS delivered_day, MAX(ln.on_time) AS on_time, MAX(ln.delivery_days) AS delivery_days
    FROM line ln JOIN scope_member sm ON sm.category_id = ln.category_id
    WHERE sm.kind = 'group'
    GROUP BY ln.order_id, sm.scope_id
),
late_shipment AS (
    -- shipments delivered in the range whose order was placed outside it: few, so their scopes
    -- come from (shipment, scope) pairs
    SELECT s.id, {d.berlin_date("s.delivered_at")} AS day, o.channel, sm.scope_id,
        CASE WHEN {d.berlin_date("s.delivered_at")} <= s.promised_by THEN 1 ELSE 0 END AS on_time,
        {d.days_between("o.placed_at", "s.delivered_at")} AS delivery_days
    FROM sales_shipment s
    JOIN sales_order o ON o.id = s.order_id
    LEFT JOIN sales_orderline l ON l.order_id = o.id
    LEFT JOIN catalog_product p ON p.id = l.product_id
    JOIN scope_member sm ON sm.category_id = COALESCE(p.category_id, 0)
    WHERE {delivered} AND {live} AND NOT ({placed})
    GROUP BY s.id, s.delivered_at, s.promised_by, o.placed_at, o.channel, sm.scope_id
),
paid AS (
    SELECT y.invoice_id, y.paid_on, y.amount,
        SUM(y.amount) OVER (PARTITION BY y.invoice_id ORDER BY y.paid_on, y.id
                            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running
    FROM sales_payment y WHERE y.invoice_id IN (SELECT id FROM inv)
),
paid_capped AS (
    SELECT paid.invoice_id, paid.paid_on,
        {d.least("paid.amount", d.greatest("inv.amount - (paid.running - paid.amount)", "0"))} AS amount
    FROM paid JOIN inv ON inv.id = paid.invoice_id
),
receivable_event AS (
    SELECT order_id, issued_on AS day, amount AS open_change, 0 AS overdue_change FROM inv
    UNION ALL
    SELECT order_id, {d.next_day("due_on")}, 0, amount FROM inv
    UNION ALL
    SELECT inv.order_id, {d.greatest("pc.paid_on", "inv.issued_on")}, -pc.amount, 0
    FROM paid_capped pc JOIN inv ON inv.id = pc.invoice_id
    UNION ALL
    SELECT inv.order_id, {d.greatest("pc.paid_on", d.next_day("inv.due_on"))}, 0, -pc.amount
    FROM paid_capped pc JOIN inv ON inv.id = pc.invoice_id
),
order_receivable AS (
    SELECT e.order_id, e.day, SUM(e.open_change) AS open_change, SUM(e.overdue_change) AS overdue_change
    FROM receivable_event e
    WHERE e.day BETWEEN %(first)s AND %(last)s
    GROUP BY e.order_id, e.day
),
receivable_fact AS (
    -- orders placed in the range: their lines' shares
    SELECT e.day, ln.channel, ln.category_id,
        SUM(e.open_change * ln.share) AS open_change, SUM(e.overdue_change * ln.share) AS overdue_change
    FROM order_receivable e JOIN line ln ON ln.order_id = e.order_id
    GROUP BY e.day, ln.channel, ln.category_id
),
late_invoice AS (
    SELECT DISTINCT order_id FROM inv WHERE placed_in_range = 0
),
inv_line AS (
    -- the lines of orders placed outside the range with an invoice event in it, with their order's
    -- totals (an order without lines: one pseudo-line of category 0, as in LINE_RUN_SQL)
    SELECT li.order_id, o.channel, COALESCE(p.category_id, 0) AS category_id,
        COALESCE(l.net_amount, 0) AS net_amount,
        SUM(COALESCE(l.net_amount, 0)) OVER (PARTITION BY li.order_id) AS order_net,
        COUNT(*) OVER (PARTITION BY li.order_id) AS order_lines
    FROM late_invoice li
    JOIN sales_order o ON o.id = li.order_id
    LEFT JOIN sales_orderline l ON l.order_id = li.order_id
    LEFT JOIN catalog_product p ON p.id = l.product_id
),
inv_order_scope AS (
    -- their line-net share in each scope (by line count if the order's net is 0), one row per
    -- order and scope, so that their receivables join it on the order alone
    SELECT il.order_id, sm.scope_id, MAX(il.channel) AS channel,
        CASE WHEN MAX(il.order_net) <> 0 THEN SUM(il.net_amount) * 1.0 / MAX(il.order_net)
             ELSE COUNT(*) * 1.0 / MAX(il.order_lines) END AS share
    FROM inv_line il JOIN scope_member sm ON sm.category_id = il.category_id
    GROUP BY il.order_id, sm.scope_id
),
money_part AS (
    SELECT a.day, sm.scope_id, a.channel,
        SUM(a.units_sold) AS units_sold, SUM(a.revenue) AS revenue, SUM(a.cogs_sold) AS cogs_sold,
        SUM(a.returned_units) AS returned_units, SUM(a.returned_value) AS returned_value,
        SUM(a.cogs_restocked) AS cogs_restocked, SUM(a.returns_count) AS returns_count,
        SUM(a.shipping_cost) AS shipping_cost, SUM(a.payment_fees) AS payment_fees
    FROM money_fact a JOIN scope_member sm ON sm.category_id = a.category_id
    GROUP BY a.day, sm.scope_id, a.channel
),
count_part AS (
    SELECT a.day, sm.scope_id, a.channel,
        SUM(CASE WHEN sm.level >= a.shared THEN a.orders_all ELSE 0 END) AS orders_all,
        SUM(CASE WHEN sm.level >= a.shared THEN a.orders_cancelled ELSE 0 END) AS orders_cancelled,
        SUM(CASE WHEN sm.level >= a.shared THEN a.orders ELSE 0 END) AS orders,
        SUM(CASE WHEN sm.level >= a.shared_returned THEN a.orders_returned ELSE 0 END) AS orders_returned,
        SUM(CASE WHEN sm.level >= a.shared THEN a.new_customers ELSE 0 END) AS new_customers
    FROM count_fact a JOIN scope_member sm ON sm.category_id = a.category_id
    WHERE sm.level >= a.shared OR sm.level >= a.shared_returned
    GROUP BY a.day, sm.scope_id, a.channel
    UNION ALL
    SELECT day, scope_id, channel, COUNT(*), SUM(1 - live), SUM(live), SUM(live * has_return), SUM(new_customer)
    FROM group_order
    GROUP BY day, scope_id, channel
),
ship_part AS (
    SELECT a.day, sm.scope_id, a.channel,
        SUM(a.delivered) AS delivered, SUM(a.on_time) AS on_time, SUM(a.days_sum) AS days_sum
    FROM ship_fact a JOIN scope_member sm ON sm.category_id = a.category_id
    WHERE sm.level >= a.shared
    GROUP BY a.day, sm.scope_id, a.channel
    UNION ALL
    SELECT delivered_day, scope_id, channel, COUNT(*), SUM(on_time), SUM(delivery_days)
    FROM group_order WHERE delivered_day IS NOT NULL
    GROUP BY delivered_day, scope_id, channel
    UNION ALL
    SELECT day, scope_id, channel, COUNT(*), SUM(on_time), SUM(delivery_days)
    FROM late_shipment
    GROUP BY day, scope_id, channel
),
review_part AS (
    SELECT {d.berlin_date("rv.created_at")} AS day, sm.scope_id, o.channel,
        COUNT(*) AS reviews, SUM(rv.rating) AS rating_sum, SUM(CASE WHEN rv.rating >= 4 THEN 1 ELSE 0 END) AS positive
    FROM sales_review rv
    JOIN sales_order o ON o.id = rv.order_id
    JOIN catalog_product p ON p.id = rv.product_id
    JOIN scope_member sm ON sm.category_id = p.category_id
    WHERE rv.created_at >= %(start)s AND rv.created_at < %(end)s AND {live}
    GROUP BY {d.berlin_date("rv.created_at")}, sm.scope_id, o.channel
),
receivable_part AS (
    -- an invoice's changes shared out by its order's line-net share in each scope
    SELECT a.day, sm.scope_id, a.channel,
        SUM(a.open_change) AS open_change, SUM(a.overdue_change) AS overdue_change
    FROM receivable_fact a JOIN scope_member sm ON sm.category_id = a.category_id
    GROUP BY a.day, sm.scope_id, a.channel
    UNION ALL
    SELECT e.day, os.scope_id, os.channel, SUM(e.open_change * os.share), SUM(e.overdue_change * os.share)
    FROM order_receivable e
    JOIN inv_order_scope os ON os.order_id = e.order_id
    GROUP BY e.day, os.scope_id, os.channel
),
parts AS (
    SELECT day, scope_id, channel, 0 AS orders_all, 0 AS orders_cancelled, 0 AS orders, units_sold, revenue,
        cogs_sold, returned_units, returned_value, cogs_restocked, 0 AS orders_returned, returns_count,
        shipping_cost, payment_fees, 0 AS new_customers, 0 AS delivered, 0 AS on_time, 0 AS days_sum,
        0 AS reviews, 0 AS rating_sum, 0 AS positive, 0 AS open_change, 0 AS overdue_change
    FROM money_part
    UNION ALL
    SELECT day, scope_id, channel, orders_all, orders_cancelled, orders, 0, 0, 0, 0, 0, 0, orders_returned, 0,
        0, 0, new_customers, 0, 0, 0, 0, 0, 0, 0, 0
    FROM count_part
    UNION ALL
    SELECT day, scope_id, channel, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, delivered, on_time, days_sum,
        0, 0, 0, 0, 0
    FROM ship_part
    UNION ALL
    SELECT day, scope_id, channel, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        reviews, rating_sum, positive, 0, 0
    FROM review_part
    UNION ALL
    SELECT day, scope_id, channel, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        open_change, overdue_change
    FROM receivable_part
)
{final_insert}
"""


# The rows of the range, summed per day × scope × channel; with the scope's share of the day's and
# channel's marketing spend: its share of that day's and channel's revenue (the whole shop's row).
FINAL_INSERT = """INSERT INTO kpis_dailyfact (day, scope_id, channel, {columns}, marketing_spend)
SELECT f.day, f.scope_id, f.channel, {columns}, {spend}
FROM (
    SELECT f.*, {all_revenue} AS all_revenue
    FROM (
        SELECT day, scope_id, channel,
            SUM(orders_all) AS orders_all, SUM(orders_cancelled) AS orders_cancelled, SUM(orders) AS orders,
            SUM(units_sold) AS units_sold, SUM(revenue) AS revenue, SUM(cogs_sold) AS cogs_sold,
            SUM(returned_units) AS returned_units, SUM(returned_value) AS returned_value,
            SUM(cogs_restocked) AS cogs_restocked, SUM(orders_returned) AS orders_returned,
            SUM(returns_count) AS returns_count, SUM(shipping_cost) AS shipping_cost,
            SUM(payment_fees) AS payment_fees, SUM(new_customers) AS new_customers,
            SUM(delivered) AS shipments_delivered, SUM(on_time) AS shipments_on_time,
            SUM(days_sum) AS delivery_days_sum, SUM(reviews) AS reviews, SUM(rating_sum) AS rating_sum,
            SUM(positive) AS reviews_positive, SUM(open_change) AS receivables_change,
            SUM(overdue_change) AS overdue_change
        FROM parts
        GROUP BY day, scope_id, channel
    ) f
) f
LEFT JOIN kpis_dailychannelfact c ON c.day = f.day AND c.channel = f.channel"""

SPEND_SHARE = """CASE WHEN c.marketing_spend <> 0 AND f.revenue <> 0 AND f.all_revenue <> 0
    THEN c.marketing_spend * f.revenue / f.all_revenue ELSE 0 END"""

# The day × product facts from the lines of `_facts_sql` (same rules as kpis/product_facts.py).
PRODUCT_INSERT = """product_fact AS (
    INSERT INTO kpis_dailyproductfact
        (day, product_id, channel, orders, units_sold, revenue, cogs_sold, returned_units, returned_value,
         cogs_restocked)
    SELECT day, product_id, channel, COUNT(DISTINCT order_id), SUM(quantity), SUM(net_amount),
        SUM(quantity * unit_cost), SUM(ret_qty), SUM(ret_value), SUM(restocked_qty * unit_cost)
    FROM line WHERE live = 1 AND product_id IS NOT NULL
    GROUP BY day, product_id, channel
),
"""

# A row for every day and channel with traffic, spend or orders (orders give no figures here, but
# make the table the list of every channel there is: the dashboard's channel picker reads it).
CHANNEL_SQL = """
INSERT INTO kpis_dailychannelfact (day, channel, sessions, marketing_spend)
SELECT day, channel, SUM(sessions), SUM(spend) FROM (
    SELECT t.date AS day, t.channel, t.sessions, 0 AS spend FROM sales_trafficday t
    WHERE t.date BETWEEN %(first)s AND %(last)s
    UNION ALL
    SELECT s.date, s.channel, 0, s.amount FROM sales_marketingspend s
    WHERE s.date BETWEEN %(first)s AND %(last)s
    UNION ALL
    SELECT DISTINCT {day}, o.channel, 0, 0 FROM sales_order o
    WHERE o.placed_at >= %(start)s AND o.placed_at < %(end)s
) x
GROUP BY day, channel
"""

# A category's share of a day's spend in a channel is its share of that day's and channel's revenue.
SPEND_SHARE_SQL = """
UPDATE kpis_dailyfact SET marketing_spend = (
    SELECT c.marketing_spend * kpis_dailyfact.revenue / a.revenue
    FROM kpis_dailychannelfact c, kpis_dailyfact a
    WHERE c.day = kpis_dailyfact.day AND c.channel = kpis_dailyfact.channel
      AND a.day = kpis_dailyfact.day AND a.channel = kpis_dailyfact.channel AND a.scope_id = %(all_scope)s
      AND a.revenue <> 0
)
WHERE day BETWEEN %(first)s AND %(last)s AND revenue <> 0 AND {scope_filter}
  AND EXISTS (SELECT 1 FROM kpis_dailychannelfact c WHERE c.day = kpis_dailyfact.day
              AND c.channel = kpis_dailyfact.channel AND c.marketing_spend <> 0)
"""


def range_params(d: Dialect, first: dt.date, last: dt.date) -> dict:
    """The parameters every fact statement of days first..last takes (Berlin midnights in UTC)."""
    return {
        "start": d.param_timestamp(berlin_midnight_utc(first)),
        "end": d.param_timestamp(berlin_midnight_utc(last + dt.timedelta(days=1))),
        "first": d.param_date(first),
        "last": d.param_date(last),
        "first_due": d.param_date(first - dt.timedelta(days=1)),
        "last_due": d.param_date(last - dt.timedelta(days=1)),
        "false": False,
    }


def tune_planner(cursor, d: Dialect) -> None:
    """PostgreSQL settings for the fact statements of this transaction (SET LOCAL), in one round trip."""
    if d.vendor != "postgresql":
        return
    settings_sql = [
        # The CTE joins look huge to the planner, which then spends seconds JIT-compiling a
        # statement that runs in milliseconds (measured: 1.3 s of 1.4 s for 90 days).
        "SET LOCAL jit = off",
        # The facts read what sits in memory: an index lookup costs hardly more than reading
        # in sequence. With the default (4) the planner merged a day's few hundred orders
        # against whole indexes (one day at 1M orders: 310 → 190 ms).
        "SET LOCAL random_page_cost = 1.1",
        # Facts are derived: a crash right after COMMIT loses at most the last fraction of a second
        # of them, with the run's record of the day in the same transaction, and the next run
        # computes the day again. Not waiting for the disk at each of a nightly run's thirty-odd
        # commits saves seconds of wall time on a busy disk (measured: 5.9 s wall for 2.3 s of work).
        "SET LOCAL synchronous_commit = off",
    ]
    if settings.KPI_WORK_MEM_MB:  # (measured at 1M orders: 256 MB made a 128-day chunk slower, 16 → 19 s)
        settings_sql.append(f"SET LOCAL work_mem = '{int(settings.KPI_WORK_MEM_MB)}MB'")
    cursor.execute("; ".join(settings_sql))


def compute_range(first: dt.date, last: dt.date, *, scope_ids: Iterable[int] | None = None,
                  channel_facts: bool = True) -> int:
    """Replace the facts of days first..last for the given scopes (all when None). Returns rows.

    Runs in the caller's transaction; the caller makes it atomic.
    """
    from catalog.models import Category

    from .models import FactScope
    from .scopes import ALL_KEY

    d = Dialect(connection.vendor)
    if scope_ids is None:
        scope_filter, filter_params = "1 = 1", {}
    else:
        ids = sorted(int(i) for i in scope_ids)
        if not ids:
            return 0
        scope_filter = f"m.scope_id IN ({', '.join(str(i) for i in ids)})"
        filter_params = {}
    params = {**range_params(d, first, last), **filter_params}
    all_scope = FactScope.objects.filter(key=ALL_KEY).values_list("pk", flat=True).first()
    categories = category_ranks(dict(Category.objects.values_list("pk", "path")))
    with connection.cursor() as cursor:
        tune_planner(cursor, d)
        delete_filter = scope_filter.replace("m.scope_id", "scope_id")
        cursor.execute(
            f"DELETE FROM kpis_dailyfact WHERE day BETWEEN %(first)s AND %(last)s AND {delete_filter}", params
        )
        whole_days = scope_ids is None  # (not a scope backfill): the day × product facts too
        together = whole_days and d.vendor == "postgresql"
        if channel_facts:  # (first: the spend shares below read them)
            cursor.execute("DELETE FROM kpis_dailychannelfact WHERE day BETWEEN %(first)s AND %(last)s", params)
            cursor.execute(CHANNEL_SQL.format(day=d.berlin_date("o.placed_at")), params)
        # Every scope of whole days at once: the spend shares in the same statement. A backfill of
        # some scopes has no shop-wide row beside them and updates its rows afterwards.
        spend_inline = whole_days and all_scope is not None
        if together:
            cursor.execute("DELETE FROM kpis_dailyproductfact WHERE day BETWEEN %(first)s AND %(last)s", params)
        if categories:  # (without categories there are no products, hence no lines and no reviews)
            cursor.execute(
                _facts_sql(d, scope_filter, categories, products=together,
                           spend_scope=all_scope if spend_inline else None),
                params,
            )
        if whole_days:
            from .product_facts import compute_product_range
            from .return_facts import compute_return_range

            if not together:
                compute_product_range(first, last)
            compute_return_range(first, last)
        if all_scope is not None and not spend_inline:
            cursor.execute(SPEND_SHARE_SQL.format(scope_filter=delete_filter), {**params, "all_scope": all_scope})
        # (an INSERT … WITH … does not report its row count on every database: count what is there)
        cursor.execute(
            f"SELECT COUNT(*) FROM kpis_dailyfact WHERE day BETWEEN %(first)s AND %(last)s AND {delete_filter}",
            params,
        )
        return cursor.fetchone()[0]


# --- the return figures of days whose only changes are returns ---------------------------------

# What a return changes in the facts of its order's day: these columns of the day × scope ×
# channel facts and of the day × product facts (and the day × product × reason return facts).
RETURN_FACT_COLUMNS = ["returned_units", "returned_value", "cogs_restocked", "returns_count", "orders_returned"]
RETURN_PRODUCT_COLUMNS = ["returned_units", "returned_value", "cogs_restocked"]


def _update_from(model, key: list[str], columns: list[str], fresh: str, where: str = "") -> str:
    """An UPDATE of `columns` of the range's rows of `model`'s table (those `where` also selects,
    e.g. some channels) to the figures in CTE `fresh` (0 where it has none: a return that was
    rejected or deleted), writing only the rows that change (the figures cast to the columns' own
    types, so that equal values compare equal)."""
    table = model._meta.db_table
    casts = {c: model._meta.get_field(c).db_type(connection) for c in columns}
    figures = [f"CAST(COALESCE(n.{c}, 0) AS {casts[c]})" for c in columns]
    # (the rows that change are picked while the day's rows are read, so that only they are
    # looked up again to be written: a day has thousands of product rows, its returns change a
    # few hundred; OFFSET 0 keeps the planner from joining every row to the table first)
    return f"""UPDATE {table} t SET {", ".join(f"{c} = x.{c}" for c in columns)}
    FROM (
        SELECT t2.id, {", ".join(f"{figure} AS {c}" for figure, c in zip(figures, columns, strict=True))}
        FROM {table} t2
        LEFT JOIN {fresh} n ON {" AND ".join(f"n.{k} = t2.{k}" for k in key)}
        WHERE t2.day BETWEEN %(first)s AND %(last)s{where.replace("{t}", "t2")}
          AND ({", ".join(f"t2.{c}" for c in columns)}) IS DISTINCT FROM ({", ".join(figures)})
        OFFSET 0
    ) x
    WHERE t.id = x.id
    RETURNING 1"""


def channel_filter(column: str, channels: Collection[str] | None) -> tuple[str, dict]:
    """(" AND column IN (…)", its parameters) for some channels; ("", {}) for all (None)."""
    if channels is None:
        return "", {}
    names = sorted(channels)
    params = {f"channel_{i}": name for i, name in enumerate(names)}
    inside = ", ".join(f"%({p})s" for p in params) or "NULL"  # (none: no row matches)
    return f" AND {column} IN ({inside})", params


def _return_columns_sql(d: Dialect, categories: list[tuple[int, ...]], channels: str = "") -> str:
    """The return figures of the orders placed in the range that have a counted return, rolled up
    as `_facts_sql` rolls them up (the same lines in path order, the same shares and levels), and
    written over the range's facts in place. Returns (fact rows changed, product fact rows
    changed, figures without a fact row to take them). PostgreSQL only.

    `channels` (from `channel_filter` on "{t}.channel") limits it to the orders and fact rows of
    those channels: every figure of an order goes to its own channel's rows, so the rows of the
    other channels would come out unchanged."""
    live = f"o.status <> '{CANCELLED}'"
    levels = range(len(categories[0]) - 2)
    return f"""
WITH
{_scope_ctes(categories, "1 = 1")}sel AS (
    SELECT DISTINCT o.id FROM sales_order o JOIN returns_return r ON r.order_id = o.id
    WHERE o.placed_at >= %(start)s AND o.placed_at < %(end)s
      AND r.received_at IS NOT NULL AND r.rejected = %(false)s{channels.replace("{t}", "o")}
),
{RETURNED_LINES_SQL}{_line_run(levels)}line AS (
    SELECT ln.order_id, o.channel, ln.category_id, ln.product_id, {d.berlin_date("o.placed_at")} AS day,
        CASE WHEN {live} THEN 1 ELSE 0 END AS live,
        CASE WHEN ln.ret_qty > 0 THEN 1 ELSE 0 END AS returned,
        CASE WHEN ln.ret_qty > 0 THEN {_shared("ln.prev_returned_rnk", levels)} ELSE 0 END AS shared_returned,
        {_share(True)} - {_share(False)} AS share,
        ln.unit_cost, ln.ret_qty, ln.ret_value, ln.restocked_qty, COALESCE(orr.n, 0) AS returns_n
    FROM line_run ln
    JOIN sales_order o ON o.id = ln.order_id
    LEFT JOIN order_returns orr ON orr.order_id = ln.order_id
),
product_fresh AS (
    SELECT day, product_id, channel, SUM(ret_qty) AS returned_units, SUM(ret_value) AS returned_value,
        SUM(restocked_qty * unit_cost) AS cogs_restocked
    FROM line WHERE live = 1 AND product_id IS NOT NULL
    GROUP BY day, product_id, channel
),
product_done AS (
    {_update_from(DailyProductFact, ["day", "product_id", "channel"], RETURN_PRODUCT_COLUMNS, "product_fresh", channels)}
),
money_fact AS (
    SELECT day, channel, category_id, SUM(ret_qty) AS returned_units, SUM(ret_value) AS returned_value,
        SUM(restocked_qty * unit_cost) AS cogs_restocked, SUM(share * returns_n) AS returns_count
    FROM line WHERE live = 1
    GROUP BY day, channel, category_id
),
count_fact AS (
    SELECT day, channel, category_id, shared_returned, SUM(live) AS orders_returned
    FROM line WHERE returned = 1
    GROUP BY day, channel, category_id, shared_returned
),
group_order AS (
    SELECT ln.order_id, sm.scope_id, MAX(ln.day) AS day, MAX(ln.channel) AS channel, MAX(ln.live) AS live
    FROM line ln JOIN scope_member sm ON sm.category_id = ln.category_id
    WHERE sm.kind = 'group' AND ln.returned = 1
    GROUP BY ln.order_id, sm.scope_id
),
fresh AS (
    SELECT day, scope_id, channel, SUM(returned_units) AS returned_units, SUM(returned_value) AS returned_value,
        SUM(cogs_restocked) AS cogs_restocked, SUM(returns_count) AS returns_count,
        SUM(orders_returned) AS orders_returned
    FROM (
        SELECT a.day, sm.scope_id, a.channel, a.returned_units, a.returned_value, a.cogs_restocked,
            a.returns_count, 0 AS orders_returned
        FROM money_fact a JOIN scope_member sm ON sm.category_id = a.category_id
        UNION ALL
        SELECT a.day, sm.scope_id, a.channel, 0, 0, 0, 0, a.orders_returned
        FROM count_fact a JOIN scope_member sm ON sm.category_id = a.category_id
        WHERE sm.level >= a.shared_returned
        UNION ALL
        SELECT day, scope_id, channel, 0, 0, 0, 0, live FROM group_order
    ) p
    GROUP BY day, scope_id, channel
),
fact_done AS (
    {_update_from(DailyFact, ["day", "scope_id", "channel"], RETURN_FACT_COLUMNS, "fresh", channels)}
)
SELECT (SELECT COUNT(*) FROM fact_done), (SELECT COUNT(*) FROM product_done),
    (SELECT COUNT(*) FROM fresh n WHERE NOT EXISTS (
        SELECT 1 FROM kpis_dailyfact t WHERE t.day = n.day AND t.scope_id = n.scope_id AND t.channel = n.channel))
    + (SELECT COUNT(*) FROM product_fresh n WHERE NOT EXISTS (
        SELECT 1 FROM kpis_dailyproductfact t
        WHERE t.day = n.day AND t.product_id = n.product_id AND t.channel = n.channel))
"""


def compute_return_figures(first: dt.date, last: dt.date, *, channels: Collection[str] | None = None) -> int | None:
    """Re-roll the return figures of days first..last, whose other source rows did not change since
    their facts were computed (the nightly run's days touched only by returns), for the orders
    and fact rows of `channels` (None: all; the nightly run names the channels of the orders whose
    returns changed). Returns the fact rows changed, or None where that cannot be done in place
    (not PostgreSQL, or a figure without its fact row, e.g. a day never computed): the caller
    then recomputes the days whole.

    Runs in the caller's transaction. A late return of an order 20 days ago changes a handful of
    rows of that day instead of rewriting all of them.
    """
    from catalog.models import Category

    from .return_facts import compute_return_range

    d = Dialect(connection.vendor)
    if d.vendor != "postgresql":
        return None
    categories = category_ranks(dict(Category.objects.values_list("pk", "path")))
    if not categories:
        return 0
    channel_sql, channel_params = channel_filter("{t}.channel", channels)
    with connection.cursor() as cursor:
        tune_planner(cursor, d)
        cursor.execute(_return_columns_sql(d, categories, channel_sql), {**range_params(d, first, last), **channel_params})
        facts_changed, products_changed, homeless = cursor.fetchone()
    if homeless:
        return None
    compute_return_range(first, last, channels=channels, tuned=True)
    return facts_changed + products_changed
