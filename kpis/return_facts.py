"""Day × product × reason facts of returns, for the return analytics (docs/return-analytics.md).

Same rules as kpis/facts.py and kpis/product_facts.py: a return counts against the Berlin day
and the channel of its order (cohort view, DESIGN §4), cancelled orders count nowhere, a returned
unit counts once its return is received and not rejected, and a return line's value (line net ×
returned quantity / line quantity) is kept to four places. One `INSERT … SELECT … GROUP BY` per
range, in the caller's transaction, after the range's facts were deleted: recomputing a day
gives the same rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from django.db import connection

from .facts import CANCELLED, Dialect, channel_filter, range_params, tune_planner

RETURN_SQL = """
WITH
ord AS (
    SELECT o.id, o.channel, {day} AS day FROM sales_order o
    WHERE o.placed_at >= %(start)s AND o.placed_at < %(end)s AND o.status <> '{cancelled}'{channels}
),
line AS (
    -- the counted return lines of the range's orders
    SELECT ord.day, ord.channel, ord.id AS order_id, r.id AS ret_id, l.product_id, rl.reason_id,
           rl.quantity, rl.disposition, rl.refund_amount, l.unit_cost,
           ROUND(l.net_amount * rl.quantity * 1.0 / l.quantity, 4) AS value
    FROM ord
    JOIN returns_return r ON r.order_id = ord.id
    JOIN returns_returnline rl ON rl.ret_id = r.id
    JOIN sales_orderline l ON l.id = rl.order_line_id
    WHERE r.received_at IS NOT NULL AND r.rejected = %(false)s
),
ret_total AS (
    SELECT ret_id, SUM(value) AS value, SUM(quantity) AS quantity FROM line GROUP BY ret_id
),
first_reason AS (
    SELECT order_id, product_id, MIN(reason_id) AS reason_id FROM line GROUP BY order_id, product_id
)
INSERT INTO kpis_dailyreturnfact
    (day, product_id, reason_id, channel, returned_units, returned_value, return_lines, returns,
     returns_share, orders_returned, restocked_units, refurbished_units, to_supplier_units,
     written_off_units, written_off_cost, refunded)
SELECT line.day, line.product_id, line.reason_id, line.channel,
    SUM(line.quantity), SUM(line.value), COUNT(*), COUNT(DISTINCT line.ret_id),
    SUM(CASE WHEN t.value <> 0 THEN line.value * 1.0 / t.value ELSE line.quantity * 1.0 / t.quantity END),
    COUNT(DISTINCT CASE WHEN fr.reason_id = line.reason_id THEN line.order_id END),
    SUM(CASE WHEN line.disposition = 'restock' THEN line.quantity ELSE 0 END),
    SUM(CASE WHEN line.disposition = 'refurbish' THEN line.quantity ELSE 0 END),
    SUM(CASE WHEN line.disposition = 'to_supplier' THEN line.quantity ELSE 0 END),
    SUM(CASE WHEN line.disposition = 'write_off' THEN line.quantity ELSE 0 END),
    SUM(CASE WHEN line.disposition = 'write_off' THEN line.quantity * line.unit_cost ELSE 0 END),
    SUM(COALESCE(line.refund_amount, 0))
FROM line
JOIN ret_total t ON t.ret_id = line.ret_id
JOIN first_reason fr ON fr.order_id = line.order_id AND fr.product_id = line.product_id
GROUP BY line.day, line.product_id, line.reason_id, line.channel
"""


def compute_return_range(first: dt.date, last: dt.date, *, channels: Collection[str] | None = None,
                         tuned: bool = False) -> int:
    """Replace the return facts of the Berlin days first..last (orders placed on them) of `channels`
    (None: all; every row is its order's channel's); rows written.

    Runs in the caller's transaction (kpis.facts.compute_range, inside the metrics job); `tuned`:
    the caller set the planner already (kpis.facts.tune_planner).
    """
    d = Dialect(connection.vendor)
    channel_sql, channel_params = channel_filter("{t}.channel", channels)
    params = {**range_params(d, first, last), **channel_params}
    where = f"day BETWEEN %(first)s AND %(last)s{channel_sql.replace('{t}.', '')}"
    with connection.cursor() as cursor:
        if not tuned:
            tune_planner(cursor, d)  # (as kpis/facts.py: also when called on its own)
        cursor.execute(f"DELETE FROM kpis_dailyreturnfact WHERE {where}", params)
        cursor.execute(RETURN_SQL.format(day=d.berlin_date("o.placed_at"), cancelled=CANCELLED,
                                         channels=channel_sql.replace("{t}", "o")), params)
        if cursor.rowcount is not None and cursor.rowcount >= 0:
            return cursor.rowcount
        # (an INSERT … WITH … does not report its row count on every database)
        cursor.execute(f"SELECT COUNT(*) FROM kpis_dailyreturnfact WHERE {where}", params)
        return cursor.fetchone()[0]
