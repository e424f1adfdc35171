"""Day × product facts (DESIGN §3): the line measures per product, for a category's product table.

Same rules as kpis/facts.py (docs/kpis.md): orders placed that Berlin day, cancelled orders left
out, a returned unit counts once its return is received and not rejected, restocked units give
back their cost, a return line's value is kept to four places.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from .facts import CANCELLED, Dialect, range_params, tune_planner

PRODUCT_SQL = """
WITH
ord AS (
    SELECT o.id, o.channel, {day} AS day FROM sales_order o
    WHERE o.placed_at >= %(start)s AND o.placed_at < %(end)s AND o.status <> '{cancelled}'
),
ret AS (
    SELECT rl.order_line_id,
           SUM(rl.quantity) AS qty,
           SUM(CASE WHEN rl.disposition = 'restock' THEN rl.quantity ELSE 0 END) AS restocked,
           SUM(ROUND(l.net_amount * rl.quantity * 1.0 / l.quantity, 4)) AS value
    FROM ord
    JOIN returns_return r ON r.order_id = ord.id
    JOIN returns_returnline rl ON rl.ret_id = r.id
    JOIN sales_orderline l ON l.id = rl.order_line_id
    WHERE r.received_at IS NOT NULL AND r.rejected = %(false)s
    GROUP BY rl.order_line_id
)
INSERT INTO kpis_dailyproductfact
    (day, product_id, channel, orders, units_sold, revenue, cogs_sold, returned_units, returned_value,
     cogs_restocked)
SELECT ord.day, l.product_id, ord.channel,
    COUNT(DISTINCT l.order_id), SUM(l.quantity), SUM(l.net_amount), SUM(l.quantity * l.unit_cost),
    SUM(COALESCE(ret.qty, 0)), SUM(COALESCE(ret.value, 0)), SUM(COALESCE(ret.restocked, 0) * l.unit_cost)
FROM sales_orderline l
JOIN ord ON ord.id = l.order_id
LEFT JOIN ret ON ret.order_line_id = l.id
GROUP BY ord.day, l.product_id, ord.channel
"""


def compute_product_range(first: dt.date, last: dt.date) -> int:
    """Replace the product facts of days first..last; runs in the caller's transaction."""
    d = Dialect(connection.vendor)
    params = range_params(d, first, last)
    with connection.cursor() as cursor:
        tune_planner(cursor, d)  # (as kpis/facts.py: also when called on its own)
        cursor.execute("DELETE FROM kpis_dailyproductfact WHERE day BETWEEN %(first)s AND %(last)s", params)
        cursor.execute(PRODUCT_SQL.format(day=d.berlin_date("o.placed_at"), cancelled=CANCELLED), params)
        cursor.execute("SELECT COUNT(*) FROM kpis_dailyproductfact WHERE day BETWEEN %(first)s AND %(last)s", params)
        return cursor.fetchone()[0]
