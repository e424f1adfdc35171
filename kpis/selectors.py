"""Reads of the key figures: sums of the daily facts for a period, a scope and a channel."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Q, Sum

from shopmgr.core.dates import berlin_midnight_utc, berlin_today

from .facts import FACT_COLUMNS, Dialect
from .models import DailyChannelFact, DailyFact, FactScope
from .registry import compute_all
from .scopes import ALL_KEY

ZERO = Decimal(0)


def _repeat_customers(*, scope: FactScope, first: dt.date, last: dt.date, channel: str | None) -> tuple[int, int]:
    """(customers with a non-cancelled order in the period and scope, those who had ordered before).

    Distinct customers over a period are not a sum of days, so this one reads the orders.
    """
    d = Dialect(connection.vendor)
    start = d.param_timestamp(berlin_midnight_utc(first))
    end = d.param_timestamp(berlin_midnight_utc(last + dt.timedelta(days=1)))
    channel_sql = "AND o.channel = %(channel)s" if channel else ""
    # the whole shop counts every order, one without lines too (a category holds only orders with
    # a line in it)
    scope_sql = "" if scope.kind == FactScope.Kind.ALL else """
              AND EXISTS (
                SELECT 1 FROM sales_orderline l
                JOIN catalog_product p ON p.id = l.product_id
                JOIN kpis_factscopecategory m ON m.category_id = p.category_id
                WHERE l.order_id = o.id AND m.scope_id = %(scope)s
              )"""
    sql = f"""
        SELECT COUNT(*), COALESCE(SUM(CASE WHEN EXISTS (
            SELECT 1 FROM sales_order e
            WHERE e.customer_id = c.customer_id AND e.status <> 'cancelled' AND e.placed_at < %(start)s
        ) THEN 1 ELSE 0 END), 0)
        FROM (
            SELECT DISTINCT o.customer_id FROM sales_order o
            WHERE o.placed_at >= %(start)s AND o.placed_at < %(end)s AND o.status <> 'cancelled' {channel_sql}{scope_sql}
        ) c
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"start": start, "end": end, "scope": scope.pk, "channel": channel})
        customers, repeat = cursor.fetchone()
    return int(customers or 0), int(repeat or 0)


def _repeat_customers_cached(*, scope: FactScope, first: dt.date, last: dt.date,
                             channel: str | None) -> tuple[int, int]:
    """The repeat-customer count reads orders; keep it until the next metrics run finishes, like
    the facts themselves (a BI tool asking the same period again gets it from the cache)."""
    from django.core.cache import cache

    from .models import MetricsRun

    last_run = (
        MetricsRun.objects.filter(status=MetricsRun.Status.SUCCEEDED)
        .order_by("-finished_at").values_list("pk", "finished_at").first()
    )
    if last_run is None:
        return _repeat_customers(scope=scope, first=first, last=last, channel=channel)
    version = f"{last_run[0]}@{last_run[1].timestamp()}"
    key = f"kpis:repeat:{version}:{scope.pk}:{scope.key}:{channel or ''}:{first}:{last}"
    cached = cache.get(key)
    if cached is None:
        cached = _repeat_customers(scope=scope, first=first, last=last, channel=channel)
        cache.set(key, cached, timeout=26 * 3600)
    return tuple(cached)


def measures_for(*, scope: FactScope, first: dt.date, last: dt.date, channel: str | None = None) -> dict:
    """The summed measures of days first..last (receivables: everything up to `last`)."""
    facts = DailyFact.objects.filter(scope=scope, day__lte=last)
    channel_facts = DailyChannelFact.objects.filter(day__gte=first, day__lte=last)
    if channel:
        facts = facts.filter(channel=channel)
        channel_facts = channel_facts.filter(channel=channel)
    in_period = Q(day__gte=first)
    sums = facts.aggregate(
        **{f"period_{column}": Sum(column, filter=in_period) for column in [*FACT_COLUMNS, "marketing_spend"]},
        open_receivables=Sum("receivables_change"),
        overdue_receivables=Sum("overdue_change"),
    )
    measures = {key.removeprefix("period_"): (value if value is not None else 0) for key, value in sums.items()}
    traffic = channel_facts.aggregate(sessions=Sum("sessions"), spend=Sum("marketing_spend"))
    measures["sessions"] = traffic["sessions"] or 0
    if scope.key == ALL_KEY:
        measures["marketing_spend"] = traffic["spend"] or ZERO
    measures["return_handling_cost"] = Decimal(measures["returns_count"]) * settings.KPI_RETURN_HANDLING_COST
    measures["customers"], measures["repeat_customers"] = _repeat_customers_cached(
        scope=scope, first=first, last=last, channel=channel
    )
    return measures


def kpis_for(*, scope: FactScope, first: dt.date, last: dt.date, channel: str | None = None) -> dict:
    """Every KPI of the registry, rounded to its unit; None where a denominator is zero."""
    return compute_all(measures_for(scope=scope, first=first, last=last, channel=channel))


def provisional_until(last: dt.date) -> dt.date | None:
    """Until when a period's figures can still change through returns (None: final)."""
    until = last + dt.timedelta(days=settings.KPI_PROVISIONAL_DAYS)
    return until if until >= berlin_today() else None
