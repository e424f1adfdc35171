"""Reads behind the KPI dashboard: period figures with comparisons, daily series, category rows, targets.

Everything here reads the small fact tables (`DailyFact`, `DailyChannelFact`), never order lines,
and each function is a fixed number of queries however many days, categories or channels there
are: the period figures and both comparison periods are one aggregate, the chart one grouped
query, the category table one grouped query over all its scopes. Values come from the registry.

`repeat_rate` and the receivables are left out on purpose: the first needs a scan of the orders
(see `selectors._repeat_customers`), the second a sum over all days up to the period's end.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection

from catalog.models import Category
from catalog.selectors import category_visible_q
from shopmgr.core.dates import berlin_today

from . import registry
from .facts import FACT_COLUMNS
from .models import DailyChannelFact, DailyFact, FactScope, KpiTarget
from .periods import Period
from .scopes import ALL_KEY, category_key, top_most

ZERO = Decimal(0)

# The tiles of the dashboard, in groups (a heading each); never repeat_rate (it scans orders).
TILE_GROUPS: list[tuple[str, list[str]]] = [
    ("sales", ["revenue", "orders", "aov", "units_sold"]),
    ("earnings", ["net_revenue", "return_rate", "gross_margin", "contribution"]),
    ("marketing", ["contribution_after_marketing", "sessions", "conversion_rate", "new_customers"]),
    ("service", ["cancellation_rate", "on_time_rate", "avg_delivery_days", "avg_rating"]),
]
TILE_KEYS: list[str] = [key for _group, keys in TILE_GROUPS for key in keys]
# Key figures that add up over days and categories: a month's target is shared out by days.
ADDITIVE_KEYS = {
    "orders", "units_sold", "revenue", "returned_units", "returned_value", "net_revenue", "cogs",
    "gross_profit", "contribution", "contribution_after_marketing", "sessions", "new_customers",
}
TARGET_KEYS: list[str] = TILE_KEYS
# Key figures that move while a period's returns can still arrive (DESIGN §4, cohort view).
RETURN_DEPENDENT_KEYS = {
    "returned_units", "returned_value", "net_revenue", "return_rate", "return_rate_value", "return_rate_orders",
    "cogs", "gross_profit", "gross_margin", "contribution", "contribution_after_marketing",
}
SERIES_COLUMNS = ["revenue", "orders", "units_sold", "returned_units"]
TABLE_COLUMNS = [
    "orders", "units_sold", "revenue", "returned_units", "returned_value", "cogs_sold",
    "cogs_restocked", "shipping_cost", "payment_fees", "returns_count",
]


# --- categories -----------------------------------------------------------------------------

def visible_categories(*, user) -> list[Category]:
    """Every category the user may see, in tree order (one query; the tree is small)."""
    return list(
        Category.objects.filter(category_visible_q(user))
        .only("id", "code", "name", "path", "depth", "parent_id")
        .order_by("path")
    )


def table_categories(categories: list[Category], parent: Category | None) -> list[Category]:
    """The rows of the category table: the children of `parent`, or the top of the user's tree."""
    if parent is not None:
        return [c for c in categories if c.parent_id == parent.pk]
    return top_most(categories)


def ancestors(categories: list[Category], category: Category) -> list[Category]:
    """The visible categories above `category`, from the top down (for the breadcrumb)."""
    return [c for c in categories if category.path.startswith(c.path) and c.pk != category.pk]


# --- measures -------------------------------------------------------------------------------

def _complete(measures: dict, *, scope_is_shop: bool, sessions, spend) -> dict:
    """Add what `selectors.measures_for` adds to the summed facts (except receivables, repeats)."""
    measures = {key: (value if value is not None else 0) for key, value in measures.items()}
    measures["sessions"] = sessions or 0
    if scope_is_shop:
        measures["marketing_spend"] = spend or ZERO
    measures["return_handling_cost"] = Decimal(measures.get("returns_count", 0)) * settings.KPI_RETURN_HANDLING_COST
    return measures


MEASURE_COLUMNS = [*FACT_COLUMNS, "marketing_spend"]


@dataclass
class DailyFigures:
    """The facts of a scope summed per day over the days of some periods, with the traffic per day."""

    facts: dict[dt.date, dict]  # day -> column -> sum
    traffic: dict[dt.date, dict]  # day -> {"sessions", "spend"}


# The dashboard's fact reads are plain SQL: each is one fixed grouped sum, and building it through
# the ORM (two dozen Sum expressions, every request) took longer than the database took to run
# it — over 30 days about 5 of the page's 25 ms. SUM gives what the ORM's Sum gave: int for integer
# columns, Decimal for numeric ones, None when there is no row.
Condition = tuple[str, list]


Statement = tuple[str, list]


def _in_list(column: str, values: list) -> Condition:
    """`column` is one of `values`: one array parameter on PostgreSQL (one statement text whatever
    their number), a list of parameters elsewhere (SQLite, the demo database, has no arrays)."""
    if not values:
        return "1 = 0", []
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def _sums_sql(group: str, columns: list[str], source: str, where: list[Condition]) -> Statement:
    """`SELECT group, SUM(f.column), … FROM source WHERE … GROUP BY group` over fact rows `f`."""
    params = [param for _sql, condition_params in where for param in condition_params]
    sql = (
        f"SELECT {group}, {', '.join(f'SUM(f.{column}) AS {column}' for column in columns)} FROM {source} "
        f"WHERE {' AND '.join(condition for condition, _params in where)} GROUP BY {group}"
    )
    return sql, params


def _sums_by(group: str, columns: list[str], source: str, where: list[Condition]) -> list[tuple]:
    return _fetch([_sums_sql(group, columns, source, where)])[0]


def _fetch(statements: list[Statement]) -> list[list[tuple]]:
    """The rows of each statement, all sent in one round trip where the database allows it.

    psycopg binds the parameters on the client (Django's default), so several statements go out
    as one query string and come back as one result set each: one round trip and one pass through
    Django's cursor instead of one per statement (each costs more than the small reads themselves).
    """
    options = connection.settings_dict.get("OPTIONS", {})
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql" or options.get("server_side_binding"):
            results = []
            for sql, params in statements:
                cursor.execute(sql, params)
                decimals = [column[0] in DECIMAL_COLUMNS for column in cursor.description]
                results.append([
                    tuple(_exact(value) if decimal else value for value, decimal in zip(row, decimals, strict=True))
                    for row in cursor.fetchall()
                ])
            return results
        cursor.execute(";\n".join(sql for sql, _params in statements),
                       [param for _sql, params in statements for param in params])
        results = [cursor.fetchall()]
        while cursor.nextset():
            results.append(cursor.fetchall())
    if len(results) != len(statements):
        raise RuntimeError(f"{len(statements)} statements gave {len(results)} results")
    return results


# SQLite gives decimal columns and their sums back as floats, or as integers where whole: back to
# decimals at the facts' ten places (as Django's own SQLite converter does for the ORM), told by
# the column's name (the sums are named after their columns).
DECIMAL_COLUMNS = frozenset(
    field.column for model in (DailyFact, DailyChannelFact, KpiTarget) for field in model._meta.concrete_fields
    if field.get_internal_type() == "DecimalField"
)
_DECIMAL_CONTEXT = decimal.Context(prec=28)
_TEN_PLACES = Decimal(10) ** -10


def _exact(value):
    if isinstance(value, float):
        return _DECIMAL_CONTEXT.create_decimal_from_float(value).quantize(_TEN_PLACES, context=_DECIMAL_CONTEXT)
    if isinstance(value, int):
        return Decimal(value)
    return value


def _days_in(periods: list[Period]) -> Condition:
    sql = " OR ".join(["f.day BETWEEN %s AND %s"] * len(periods))
    return f"({sql})", [day for period in periods for day in (period.first, period.last)]


def _of_channel(channel: str | None) -> list[Condition]:
    return [("f.channel = %s", [channel])] if channel else []


DAILY_FACTS = f"{DailyFact._meta.db_table} f"
DAILY_TRAFFIC = f"{DailyChannelFact._meta.db_table} f"
SCOPED_FACTS = f"{DailyFact._meta.db_table} f JOIN {FactScope._meta.db_table} s ON s.id = f.scope_id"


def _day_runs(periods: list[Period]) -> list[tuple[dt.date, dt.date]]:
    """The days of the periods as runs of consecutive days that do not touch (the previous period
    adjoins the current one; over a year the previous period is the year-ago period)."""
    runs: list[list[dt.date]] = []
    for first, last in sorted((period.first, period.last) for period in periods):
        if runs and first <= runs[-1][1] + dt.timedelta(days=1):
            runs[-1][1] = max(runs[-1][1], last)
        else:
            runs.append([first, last])
    return [(first, last) for first, last in runs]


def _sums_per_day(columns: list[str], source: str, where: list[Condition], periods: list[Period]) -> Statement:
    """`_sums_sql` grouped by day over the days of the periods: one grouped read per run of days,
    joined by UNION ALL (a day is in one run only). Each run is a range of the (scope, day) index;
    one read with the periods OR-ed scanned all of a scope's days and filtered them."""
    parts = [
        _sums_sql("f.day", columns, source, [*where, ("f.day BETWEEN %s AND %s", [first, last])])
        for first, last in _day_runs(periods)
    ]
    return " UNION ALL ".join(sql for sql, _params in parts), [param for _sql, params in parts for param in params]


def _daily_statements(*, scope: FactScope, periods: list[Period], channel: str | None) -> list[Statement]:
    channel_only = _of_channel(channel)
    return [
        _sums_per_day(MEASURE_COLUMNS, DAILY_FACTS, [("f.scope_id = %s", [scope.pk]), *channel_only], periods),
        _sums_per_day(["sessions", "marketing_spend"], DAILY_TRAFFIC, channel_only, periods),
    ]


def _daily_from(facts: list[tuple], traffic: list[tuple]) -> DailyFigures:
    return DailyFigures(
        facts={_day(day): dict(zip(MEASURE_COLUMNS, sums, strict=True)) for day, *sums in facts},
        traffic={_day(day): {"sessions": sessions, "spend": spend} for day, sessions, spend in traffic},
    )


def _day(value) -> dt.date:
    """A day as read by plain SQL: a date (PostgreSQL) or its ISO text (SQLite)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def daily_figures(*, scope: FactScope, periods: list[Period], channel: str | None) -> DailyFigures:
    """Two grouped reads (facts, traffic) covering every day of the periods.

    Summing per day in the database and per period here is cheaper than asking the database for
    each column and period separately, and the same rows draw the chart.
    """
    return _daily_from(*_fetch(_daily_statements(scope=scope, periods=periods, channel=channel)))


def period_measures(*, scope: FactScope, daily: DailyFigures, period: Period) -> dict:
    """The measures of one period summed from the daily figures, completed like `measures_for`."""
    sums = dict.fromkeys(MEASURE_COLUMNS, 0)
    sessions, spend = 0, ZERO
    for day, row in daily.facts.items():
        if period.first <= day <= period.last:
            for column, value in row.items():
                if value:
                    sums[column] += value
    for day, row in daily.traffic.items():
        if period.first <= day <= period.last:
            sessions += row["sessions"] or 0
            spend += row["spend"] or ZERO
    return _complete(sums, scope_is_shop=scope.key == ALL_KEY, sessions=sessions, spend=spend)


# --- tiles ----------------------------------------------------------------------------------

@dataclass
class Change:
    """A tile's change against a comparison period: percent, percentage points or plain units."""

    kind: str  # "percent" | "points" | "absolute"
    value: Decimal | None
    tone: str  # "good" | "bad" | "neutral"
    base: Decimal | int | None  # the comparison period's value


@dataclass
class Target:
    value: Decimal  # the target for the period (money and counts prorated by days)
    progress: Decimal | None  # actual / target (additive figures)
    reached: bool | None  # the actual is at least as good as the target
    prorated: bool  # the period covers only part of a month


@dataclass
class Tile:
    kpi: registry.Kpi
    value: Decimal | int | None
    previous: Change
    year_ago: Change
    target: Target | None = None
    note: str = ""
    provisional: bool = False


def _tone(kpi: registry.Kpi, delta) -> str:
    if delta is None or delta == 0 or kpi.higher_is_better is None:
        return "neutral"
    return "good" if (delta > 0) == kpi.higher_is_better else "bad"


def change(kpi: registry.Kpi, value, base) -> Change:
    """Rates change in percentage points, ratings and days in their unit, the rest in percent.

    The change is rounded as it is shown (one decimal; two for ratings and days), and its colour
    follows the rounded figure: a change shown as 0,0 is neutral.
    """
    if value is None or base is None:
        return Change("percent", None, "neutral", base)
    delta = Decimal(value) - Decimal(base)
    if kpi.unit == registry.RATE:
        kind, shown = "points", (delta * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    elif kpi.unit in (registry.RATING, registry.DAYS):
        kind, shown = "absolute", delta.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    elif base == 0:
        return Change("percent", None, "neutral", base)
    else:
        kind = "percent"
        shown = (delta / abs(Decimal(base)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Change(kind, shown, _tone(kpi, shown), base)


def tiles(measures: dict[str, dict], keys: list[str] = TILE_KEYS, *, provisional: bool = False) -> dict[str, Tile]:
    """A tile per key with its value and its changes against the `previous` and `year_ago` periods.

    `provisional`: the period can still gain returns; the tiles that depend on returns say so.
    """
    result = {}
    for key in keys:
        kpi = registry.BY_KEY[key]
        value = kpi.value(measures["current"])
        tile = Tile(
            kpi=kpi, value=value,
            previous=change(kpi, value, kpi.value(measures["previous"])),
            year_ago=change(kpi, value, kpi.value(measures["year_ago"])),
            provisional=provisional and key in RETURN_DEPENDENT_KEYS,
        )
        if tile.provisional:
            # Returns still to come make the comparison unfair: show it, but call it neither good nor bad.
            tile.previous.tone = tile.year_ago.tone = "neutral"
        result[key] = tile
    return result


# --- daily series for the charts ------------------------------------------------------------

def provisional_from() -> dt.date:
    """The first day whose orders can still gain returns (their figures are provisional)."""
    return berlin_today() - dt.timedelta(days=settings.KPI_PROVISIONAL_DAYS)


def _bucket(day: dt.date, granularity: str) -> dt.date:
    if granularity == "week":
        return day - dt.timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day


def granularity_for(period: Period) -> str:
    """Days up to three months, weeks up to a year and a bit, months beyond."""
    if period.days <= 92:
        return "day"
    if period.days <= 400:
        return "week"
    return "month"


def series(*, daily: DailyFigures, period: Period) -> dict:
    """Revenue, orders, return rate and conversion per day of the period, from the daily figures.

    Over long periods a point is a week or a month; revenue and orders are then the mean per day
    of that week or month, so that a week cut off by the period's edge does not look like a slump.
    """
    granularity = granularity_for(period)
    buckets: dict[dt.date, dict] = {}
    for day in period.each_day():
        bucket = buckets.setdefault(_bucket(day, granularity), dict.fromkeys(SERIES_COLUMNS, 0) | {
            "sessions": 0, "first": day, "days": 0})
        bucket["days"] += 1
        bucket["last"] = day
        row = daily.facts.get(day)
        if row:
            for column in SERIES_COLUMNS:
                bucket[column] += row[column] or 0
        traffic = daily.traffic.get(day)
        if traffic:
            bucket["sessions"] += traffic["sessions"] or 0
    revenue, orders = registry.BY_KEY["revenue"], registry.BY_KEY["orders"]
    return_rate, conversion = registry.BY_KEY["return_rate"], registry.BY_KEY["conversion_rate"]
    points = []
    for _start, measures in sorted(buckets.items()):
        days = measures["days"]
        points.append({
            "start": measures["first"].isoformat(),
            "end": measures["last"].isoformat(),
            "days": days,
            "revenue": round(float(revenue.value(measures)) / days, 2),
            "orders": orders.value(measures) if days == 1 else round(orders.value(measures) / days, 2),
            "return_rate": _number(return_rate.value(measures)),
            "conversion_rate": _number(conversion.value(measures)),
        })
    return {"granularity": granularity, "points": points}


def _number(value):
    """Decimals as JSON numbers for the chart (display only; the tiles keep exact values)."""
    return None if value is None else float(value)


# --- category table -------------------------------------------------------------------------

def _category_statements(*, categories: list[Category], period: Period, previous: Period,
                         channel: str | None) -> list[Statement]:
    # Two plain reads (this period's measures, the previous period's revenue) scan fewer rows
    # than one read of both periods with a filter on every sum.
    keys = [category_key(c.code) for c in categories]
    in_scopes, channel_only = _in_list("s.key", keys), _of_channel(channel)
    return [
        _sums_sql("s.key", TABLE_COLUMNS, SCOPED_FACTS, [in_scopes, _days_in([period]), *channel_only]),
        _sums_sql("s.key", ["revenue"], SCOPED_FACTS, [in_scopes, _days_in([previous]), *channel_only]),
    ]


def category_rows(*, categories: list[Category], period: Period, previous: Period,
                  channel: str | None, total_revenue) -> list[dict]:
    """Figures of each category (with everything below it) for the table: two grouped queries."""
    if not categories:
        return []
    current, before = _fetch(_category_statements(
        categories=categories, period=period, previous=previous, channel=channel,
    ))
    return _category_rows_from(categories, current, before, total_revenue=total_revenue)


def _category_rows_from(categories: list[Category], current_sums: list[tuple], before_sums: list[tuple], *,
                        total_revenue) -> list[dict]:
    keys = {category_key(c.code): c for c in categories}
    current = {key: dict(zip(TABLE_COLUMNS, sums, strict=True)) for key, *sums in current_sums}
    before = dict(before_sums)
    by_key = registry.BY_KEY
    rows = []
    for key, category in keys.items():
        found = current.get(key) or {}
        measures = _complete(
            {c: found.get(c) for c in TABLE_COLUMNS}, scope_is_shop=False, sessions=0, spend=0,
        )
        revenue = by_key["revenue"].value(measures)
        previous_revenue = before.get(key) or ZERO
        rows.append({
            "category": category,
            "code": category.code,
            "name": category.name,
            "revenue": revenue,
            "revenue_change": change(by_key["revenue"], revenue, by_key["revenue"].value({"revenue": previous_revenue})).value,
            "share": (revenue / total_revenue) if total_revenue else None,
            "orders": by_key["orders"].value(measures),
            "aov": by_key["aov"].value(measures),
            "units_sold": by_key["units_sold"].value(measures),
            "net_revenue": by_key["net_revenue"].value(measures),
            "return_rate": by_key["return_rate"].value(measures),
            "gross_margin": by_key["gross_margin"].value(measures),
            "contribution": by_key["contribution"].value(measures),
        })
    return rows


# --- targets --------------------------------------------------------------------------------

def _period_target(kpi_key: str, period: Period, by_month: dict[dt.date, Decimal]) -> tuple[Decimal, bool] | None:
    """A month target seen over the period: shared out by days (sums) or day-weighted (ratios)."""
    months = period.months()
    if not all(month in by_month for month in months):
        return None
    prorated = False
    if kpi_key in ADDITIVE_KEYS:
        total = ZERO
        for month in months:
            days, month_days = period.days_in_month(month), _month_days(month)
            prorated = prorated or days != month_days
            total += by_month[month] * days / month_days
        return total, prorated
    weighted = sum((by_month[m] * period.days_in_month(m) for m in months), ZERO)
    return weighted / period.days, False


def _month_days(month: dt.date) -> int:
    return ((month + dt.timedelta(days=32)).replace(day=1) - month).days


def _target_statement(*, period: Period, categories: list[Category] | None, keys: list[str]) -> Statement:
    """The month targets the period touches: the whole shop's (`categories` None) or the categories'."""
    table = KpiTarget._meta.db_table
    conditions = [_in_list("month", period.months()), _in_list("kpi", keys)]
    if categories is None:
        conditions.append(("category_id IS NULL", []))
    else:
        conditions.append(_in_list("category_id", [c.pk for c in categories]))
    sql = f"SELECT kpi, month, category_id, value FROM {table} WHERE " + " AND ".join(c for c, _p in conditions)
    return sql, [param for _c, params in conditions for param in params]


def targets(*, period: Period, categories: list[Category] | None, tile_values: dict[str, Tile]) -> None:
    """Attach to each tile the target for the period, if one is set for every month it touches.

    `categories` None: the whole shop's targets. A list: the sum of the categories' targets for
    figures that add up (all of them must have one); a ratio only when there is one category.
    """
    if categories is not None and not categories:
        return
    found = _fetch([_target_statement(period=period, categories=categories, keys=list(tile_values))])[0]
    _attach_targets(found, period=period, categories=categories, tile_values=tile_values)


def _attach_targets(target_rows: list[tuple], *, period: Period, categories: list[Category] | None,
                    tile_values: dict[str, Tile]) -> None:
    found: dict[tuple[str, int | None], dict[dt.date, Decimal]] = defaultdict(dict)
    for kpi, month, category_id, value in target_rows:
        found[(kpi, category_id)][month] = value
    owners = [None] if categories is None else [c.pk for c in categories]
    for key, tile in tile_values.items():
        if len(owners) > 1 and key not in ADDITIVE_KEYS:
            continue
        parts = [_period_target(key, period, found.get((key, owner), {})) for owner in owners]
        if not parts or any(part is None for part in parts):
            continue
        total = sum((part[0] for part in parts), ZERO)
        tile.target = _judge(tile, total, prorated=any(part[1] for part in parts))


def _judge(tile: Tile, target: Decimal, *, prorated: bool) -> Target:
    kpi, actual = tile.kpi, tile.value
    unit_places = registry.QUANT.get(kpi.unit, Decimal(1))
    target = target.quantize(unit_places, rounding=ROUND_HALF_UP)
    progress = None
    if actual is not None and target and kpi.key in ADDITIVE_KEYS:
        progress = Decimal(actual) / target
    reached = None
    # A figure still waiting for returns has not reached or missed anything yet.
    if actual is not None and kpi.higher_is_better is not None and not tile.provisional:
        reached = actual >= target if kpi.higher_is_better else actual <= target
    return Target(value=target, progress=progress, reached=reached, prorated=prorated)


# --- the dashboard's reads in one round trip ------------------------------------------------

@dataclass
class DashboardReads:
    """The rows behind the dashboard's tiles, chart, category table and targets, read together."""

    daily: DailyFigures
    category_sums: tuple[list[tuple], list[tuple]]  # this period's measures, the previous period's revenue
    target_rows: list[tuple]  # kpi, month, category_id, value


def dashboard_reads(*, scope: FactScope, period: Period, previous: Period, year_ago: Period, channel: str | None,
                    table_categories: list[Category], target_categories: list[Category] | None) -> DashboardReads:
    """What `daily_figures`, `category_rows` and `targets` read, as one batch of statements (see `_fetch`)."""
    statements = _daily_statements(scope=scope, periods=[period, previous, year_ago], channel=channel)
    if table_categories:
        statements += _category_statements(
            categories=table_categories, period=period, previous=previous, channel=channel,
        )
    with_targets = target_categories is None or bool(target_categories)
    if with_targets:
        statements.append(_target_statement(period=period, categories=target_categories, keys=TARGET_KEYS))
    results = _fetch(statements)
    facts, traffic = results[0], results[1]
    category_sums = (results[2], results[3]) if table_categories else ([], [])
    return DashboardReads(
        daily=_daily_from(facts, traffic), category_sums=category_sums,
        target_rows=results[-1] if with_targets else [],
    )


def category_rows_read(reads: DashboardReads, *, categories: list[Category], total_revenue) -> list[dict]:
    """`category_rows` from the rows of `dashboard_reads` (the same categories)."""
    if not categories:
        return []
    return _category_rows_from(categories, *reads.category_sums, total_revenue=total_revenue)


def targets_read(reads: DashboardReads, *, period: Period, categories: list[Category] | None,
                 tile_values: dict[str, Tile]) -> None:
    """`targets` from the rows of `dashboard_reads` (the same period and categories; tiles of TARGET_KEYS)."""
    if categories is not None and not categories:
        return
    rows = [row for row in reads.target_rows if row[0] in tile_values]
    _attach_targets(rows, period=period, categories=categories, tile_values=tile_values)


# --- channels -------------------------------------------------------------------------------

def channels() -> list[str]:
    """The sales channels with orders, traffic or spend (one query of the small day × channel table,
    which holds a row for each of them: kpis/facts.py CHANNEL_SQL)."""
    return sorted(DailyChannelFact.objects.order_by().values_list("channel", flat=True).distinct())


SCOPE_FIELDS = ["id", "key", "kind", "category_id", "complete"]
# visible_categories' fields, in the model's order (Model.from_db takes them so)
CATEGORY_FIELDS = [
    f.attname for f in Category._meta.concrete_fields if f.attname in {"id", "code", "name", "path", "depth", "parent_id"}
]


def categories_scope_and_channels(*, user, key: str) -> tuple[list[Category], FactScope | None, list[str]]:
    """`visible_categories(user)`, the scope of `key` as stored (None if there is none) and
    `channels()`, in one round trip (see `_fetch`)."""
    statements: list[Statement] = []
    try:
        statements.append(
            Category.objects.filter(category_visible_q(user)).order_by("path")
            .values_list(*CATEGORY_FIELDS).query.sql_with_params()
        )
        with_categories = True
    except EmptyResultSet:  # a user who may see no category: no query, as the ORM would do
        with_categories = False
    statements += [
        (f"SELECT {', '.join(SCOPE_FIELDS)} FROM {FactScope._meta.db_table} WHERE key = %s", [key]),
        (f"SELECT DISTINCT channel FROM {DailyChannelFact._meta.db_table}", []),
    ]
    results = _fetch(statements)
    category_rows = results.pop(0) if with_categories else []
    scope_rows, channel_rows = results
    categories = [Category.from_db(connection.alias, CATEGORY_FIELDS, row) for row in category_rows]
    scope = FactScope.from_db(connection.alias, SCOPE_FIELDS, scope_rows[0]) if scope_rows else None
    return categories, scope, sorted(channel for (channel,) in channel_rows)


@dataclass
class Dashboard:
    """Everything the dashboard page shows, read with a fixed number of queries."""

    period: Period
    previous: Period
    year_ago: Period
    tiles: dict[str, Tile]
    chart: dict
    rows: list[dict] = field(default_factory=list)


PRODUCT_ROWS = 50


def product_rows(*, category: Category, period: Period, channel: str | None) -> list[dict]:
    """The category's products (with everything below it) by revenue: one grouped query."""
    from django.db.models import F, Sum

    from .models import DailyProductFact

    facts = DailyProductFact.objects.filter(
        day__gte=period.first, day__lte=period.last, product__category__path__startswith=category.path
    )
    if channel:
        facts = facts.filter(channel=channel)
    grouped = (
        facts.values("product_id", sku=F("product__sku"), name=F("product__name"))
        .annotate(
            revenue=Sum("revenue"), units_sold=Sum("units_sold"), orders=Sum("orders"),
            returned_units=Sum("returned_units"), returned_value=Sum("returned_value"),
            cogs_sold=Sum("cogs_sold"), cogs_restocked=Sum("cogs_restocked"),
        )
        .order_by("-revenue", "sku")[:PRODUCT_ROWS]
    )
    rows = []
    for row in grouped:
        net = row["revenue"] - row["returned_value"]
        profit = net - (row["cogs_sold"] - row["cogs_restocked"])
        rows.append({
            **row,
            "net_revenue": net,
            "return_rate": registry.ratio(row["returned_units"], row["units_sold"]),
            "gross_margin": registry.ratio(profit, net),
        })
    return rows
