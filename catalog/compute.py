"""The nightly assortment analyses (issue 6, DOMAIN §4, docs/assortment.md).

Reads the KPI facts (kpis.DailyProductFact, kpis.DailyReturnFact, computed by the 02:30 job) and
the reviews with a handful of GROUP BY queries inside the database, classifies in Python with the
pure rules of catalog/analysis.py, and replaces catalog.ProductAnalysis and
catalog.CategoryAnalysis in one transaction with bulk inserts. Order lines are never read.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Avg, Count, Max, Sum
from django.db.models.functions import Length, TruncMonth
from django.utils import timezone

from kpis.models import DailyProductFact, DailyReturnFact
from sales.models import Review
from shopmgr.core.dates import berlin_midnight_utc, berlin_today
from shopmgr.core.money import to_cents

from . import analysis
from .models import (
    PATH_SEPARATOR,
    AssortmentRules,
    AssortmentRun,
    Category,
    CategoryAnalysis,
    Product,
    ProductAnalysis,
)

logger = logging.getLogger(__name__)

NOT_AS_DESCRIBED = "NOT_AS_DESCRIBED"
BATCH = 2000
ZERO = Decimal(0)


@dataclass(frozen=True)
class EffectiveRules:
    """The rules that apply to a category: its own, its nearest ancestor's, or the defaults."""

    group_id: int  # the ABC population: the category holding the rules, else the root category
    abc_basis: str
    abc_a: Decimal
    abc_b: Decimal
    xyz_x: Decimal
    xyz_y: Decimal
    months: int
    content: analysis.ContentRules
    slow_doi_days: int
    slow_no_sale_days: int
    dead_no_sale_days: int


def default_rules(group_id: int) -> EffectiveRules:
    return EffectiveRules(
        group_id=group_id,
        abc_basis=AssortmentRules.AbcBasis.NET_REVENUE,
        abc_a=settings.ASSORTMENT_ABC_A,
        abc_b=settings.ASSORTMENT_ABC_B,
        xyz_x=settings.ASSORTMENT_XYZ_X,
        xyz_y=settings.ASSORTMENT_XYZ_Y,
        months=settings.ASSORTMENT_MONTHS,
        content=analysis.ContentRules(
            min_description_length=settings.ASSORTMENT_MIN_DESCRIPTION_LENGTH,
            min_images=settings.ASSORTMENT_MIN_IMAGES,
            required_attributes=tuple(settings.ASSORTMENT_REQUIRED_ATTRIBUTES),
        ),
        slow_doi_days=180,
        slow_no_sale_days=90,
        dead_no_sale_days=180,
    )


def rules_from_row(row: AssortmentRules) -> EffectiveRules:
    return EffectiveRules(
        group_id=row.category_id,
        abc_basis=row.abc_basis,
        abc_a=row.abc_a,
        abc_b=row.abc_b,
        xyz_x=row.xyz_x,
        xyz_y=row.xyz_y,
        months=row.months,
        content=analysis.ContentRules(
            min_description_length=row.min_description_length,
            min_images=row.min_images,
            required_attributes=tuple(row.required_attributes or ()),
        ),
        slow_doi_days=row.slow_doi_days,
        slow_no_sale_days=row.slow_no_sale_days,
        dead_no_sale_days=row.dead_no_sale_days,
    )


def effective_rules_by_category() -> dict[int, EffectiveRules]:
    """Every category's effective rules (two queries: categories and rule rows)."""
    categories = list(Category.objects.values_list("pk", "code", "path"))
    by_code = {code: pk for pk, code, _path in categories}
    rows = {r.category_id: r for r in AssortmentRules.objects.all()}
    result: dict[int, EffectiveRules] = {}
    for pk, _code, path in categories:
        chain = [by_code[c] for c in path.strip(PATH_SEPARATOR).split(PATH_SEPARATOR) if c in by_code]
        own = next((rows[c] for c in reversed(chain) if c in rows), None)
        result[pk] = rules_from_row(own) if own else default_rules(chain[0] if chain else pk)
    return result


def rules_for_category(category: Category) -> EffectiveRules:
    chain_codes = category.path.strip(PATH_SEPARATOR).split(PATH_SEPARATOR)
    rows = {r.category.code: r for r in AssortmentRules.objects.filter(category__code__in=chain_codes).select_related("category")}
    for code in reversed(chain_codes):
        if code in rows:
            return rules_from_row(rows[code])
    root = Category.objects.filter(code=chain_codes[0]).values_list("pk", flat=True).first()
    return default_rules(root or category.pk)


def _money(value) -> Decimal:
    # SQLite sums decimals as floats: back to cents before any arithmetic
    return to_cents(Decimal(str(value))) if value is not None else ZERO


LOCK_KEY = "catalog:assortment-run"
LOCK_SECONDS = 3600


class AssortmentRunning(Exception):
    """Another computation of the analyses is running (the nightly job or the command)."""


def assortment_compute(*, today: dt.date | None = None, trigger: str = "command") -> AssortmentRun:
    """Recompute every product's and category's analyses as of yesterday (Berlin) and replace the
    stored ones in one transaction: a reader sees either the old or the new figures. A lock in the
    cache (Redis in production) keeps two runs from overlapping."""
    today = today or berlin_today()
    as_of = today - dt.timedelta(days=1)
    if not cache.add(LOCK_KEY, trigger, LOCK_SECONDS):
        raise AssortmentRunning("the assortment analyses are being computed already; try again later")
    try:
        return _run(today=today, as_of=as_of, trigger=trigger)
    finally:
        cache.delete(LOCK_KEY)


def _run(*, today: dt.date, as_of: dt.date, trigger: str) -> AssortmentRun:
    started = time.perf_counter()
    run = AssortmentRun.objects.create(trigger=trigger, as_of=as_of, started_at=timezone.now())
    try:
        count = _compute(today=today, as_of=as_of)
    except Exception as exc:
        run.status, run.error, run.finished_at = AssortmentRun.Status.FAILED, str(exc)[:2000], timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        raise
    run.status, run.products, run.finished_at = AssortmentRun.Status.SUCCEEDED, count, timezone.now()
    run.seconds = Decimal(time.perf_counter() - started).quantize(Decimal("0.01"))
    run.save(update_fields=["status", "products", "finished_at", "seconds"])
    return run


def _compute(*, today: dt.date, as_of: dt.date) -> int:
    rules_by_category = effective_rules_by_category()
    max_months = max([r.months for r in rules_by_category.values()] + [settings.ASSORTMENT_MONTHS])
    months = analysis.complete_months(today, max_months)
    month_index = {m: i for i, m in enumerate(months)}
    month_labels = [m.strftime("%Y-%m") for m in months]
    window_start, window_end = months[0], analysis.month_end(months[-1])
    d90_start = as_of - dt.timedelta(days=89)

    # 1. Monthly measures per product over the longest window (one GROUP BY over the facts).
    monthly: dict[int, list[list]] = {}
    rows = (
        DailyProductFact.objects.filter(day__gte=window_start, day__lte=window_end)
        .annotate(month=TruncMonth("day"))
        .values("product_id", "month")
        .annotate(u=Sum("units_sold"), r=Sum("revenue"), rv=Sum("returned_value"), ru=Sum("returned_units"),
                  c=Sum("cogs_sold"), cr=Sum("cogs_restocked"))
        .order_by()
    )
    for row in rows.iterator(chunk_size=10_000):
        month = row["month"]
        if isinstance(month, dt.datetime):
            month = month.date()
        i = month_index.get(month)
        if i is None:
            continue
        series = monthly.setdefault(row["product_id"], [[0, ZERO, 0, ZERO] for _m in months])
        net = _money(row["r"]) - _money(row["rv"])
        series[i] = [row["u"] or 0, net, row["ru"] or 0, net - (_money(row["c"]) - _money(row["cr"]))]

    # 2. The last 90 days per product.
    last90 = {
        row["product_id"]: row
        for row in DailyProductFact.objects.filter(day__gte=d90_start, day__lte=as_of)
        .values("product_id")
        .annotate(u=Sum("units_sold"), r=Sum("revenue"), rv=Sum("returned_value"), ru=Sum("returned_units"),
                  c=Sum("cogs_sold"), cr=Sum("cogs_restocked"))
        .order_by()
        .iterator(chunk_size=10_000)
    }
    # 3. The last day with a sale, over the whole history of facts.
    last_sale = dict(
        DailyProductFact.objects.filter(units_sold__gt=0, day__lte=as_of)
        .values("product_id").annotate(last=Max("day")).order_by().values_list("product_id", "last")
        .iterator(chunk_size=10_000)
    )
    # 4. Returns for "not as described" and reviews (written in the months analysed).
    not_as_described = dict(
        DailyReturnFact.objects.filter(reason__code=NOT_AS_DESCRIBED, day__gte=window_start, day__lte=window_end)
        .values("product_id").annotate(n=Sum("returned_units")).order_by().values_list("product_id", "n")
    )
    reviews = {
        pid: (avg, n)
        for pid, avg, n in Review.objects.filter(
            created_at__gte=berlin_midnight_utc(window_start),
            created_at__lt=berlin_midnight_utc(window_end + dt.timedelta(days=1)),
        )
        .values("product_id").annotate(avg=Avg("rating"), n=Count("pk"))
        .order_by().values_list("product_id", "avg", "n").iterator(chunk_size=10_000)
    }

    # 5. Per product, in Python with the pure rules.
    now = timezone.now()
    products = (
        Product.objects.annotate(description_length=Length("description"))
        .values_list("pk", "category_id", "status", "stock", "cost", "image_count", "attributes", "description_length")
        .order_by("pk")
    )
    analyses: list[ProductAnalysis] = []
    abc_values: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    by_group: dict[int, list[ProductAnalysis]] = defaultdict(list)
    for pid, category_id, status, stock, cost, image_count, attributes, description_length in products.iterator(
        chunk_size=10_000
    ):
        rules = rules_by_category[category_id]
        series = monthly.get(pid) or [[0, ZERO, 0, ZERO] for _m in months]
        own = series[-rules.months:]
        units_12m = sum(m[0] for m in own)
        revenue_12m = sum((m[1] for m in own), ZERO)
        profit_12m = sum((m[3] for m in own), ZERO)
        cv = analysis.coefficient_of_variation([m[0] for m in own])
        r90 = last90.get(pid)
        units_90d = (r90["u"] or 0) if r90 else 0
        returned_90d = (r90["ru"] or 0) if r90 else 0
        revenue_90d = (_money(r90["r"]) - _money(r90["rv"])) if r90 else ZERO
        margin_90d = (revenue_90d - (_money(r90["c"]) - _money(r90["cr"]))) if r90 else ZERO
        last_day = last_sale.get(pid)
        if isinstance(last_day, dt.datetime):
            last_day = last_day.date()
        days_since = (as_of - last_day).days if last_day else None
        doi = analysis.days_of_inventory(stock=stock, units_90d=units_90d)
        content = analysis.content_score(
            description_length=description_length or 0, image_count=image_count, attributes=attributes,
            rules=rules.content,
        )
        rating = reviews.get(pid)
        nad = not_as_described.get(pid) or 0
        pa = ProductAnalysis(
            product_id=pid,
            group_id=rules.group_id,
            abc_class="C",
            xyz_class=analysis.xyz_class(cv, x=rules.xyz_x, y=rules.xyz_y),
            cv=cv,
            monthly={
                "months": month_labels[-rules.months:],
                "units": [m[0] for m in own],
                "net_revenue": [float(m[1]) for m in own],
                "returned_units": [m[2] for m in own],
                "gross_profit": [float(m[3]) for m in own],
            },
            units_12m=units_12m,
            revenue_12m=revenue_12m,
            gross_profit_12m=profit_12m,
            units_90d=units_90d,
            revenue_90d=revenue_90d,
            margin_90d=margin_90d,
            gross_margin_90d=analysis.rate(margin_90d, revenue_90d) if revenue_90d > 0 else None,
            returned_units_90d=returned_90d,
            return_rate_90d=analysis.rate(returned_90d, units_90d),
            days_of_inventory=doi,
            last_sale_on=last_day,
            days_since_last_sale=days_since,
            sell_through=analysis.sell_through(units_sold=units_90d, stock=stock),
            movement=analysis.movement(
                stock=stock, doi=doi, days_since_last_sale=days_since, slow_doi_days=rules.slow_doi_days,
                slow_no_sale_days=rules.slow_no_sale_days, dead_no_sale_days=rules.dead_no_sale_days,
            ) if status in (Product.Status.ACTIVE, Product.Status.PHASE_OUT) else "",
            content_score=content.score,
            content_gaps=content.gaps,
            not_as_described_units_12m=nad,
            not_as_described_rate=analysis.rate(nad, units_12m),
            rating_avg=Decimal(str(rating[0])).quantize(Decimal("0.01")) if rating else None,
            review_count=rating[1] if rating else 0,
            computed_at=now,
        )
        pa._rules = rules
        pa._stock_at_cost = Decimal(max(stock, 0)) * Decimal(cost)
        pa._cogs_12m = revenue_12m - profit_12m
        pa._category_id = category_id
        pa._candidate = status in (Product.Status.ACTIVE, Product.Status.PHASE_OUT)
        abc_values[rules.group_id].append(
            (pid, profit_12m if rules.abc_basis == AssortmentRules.AbcBasis.GROSS_PROFIT else revenue_12m)
        )
        by_group[rules.group_id].append(pa)
        analyses.append(pa)

    # 6. ABC and the delist ranking, per population.
    for group_id, members in by_group.items():
        rules = members[0]._rules
        classes = analysis.abc_classes(abc_values[group_id], a=rules.abc_a, b=rules.abc_b)
        values = dict(abc_values[group_id])
        for pa in members:
            result = classes[pa.product_id]
            pa.abc_class, pa.abc_cumulative_share = result.abc_class, result.cumulative_share
            pa.abc_value = values[pa.product_id]
        # the ranking compares the products that can still be delisted (active, phase-out)
        candidates = [pa for pa in members if pa._candidate]
        sales = analysis.badness_percentiles({pa.product_id: pa.revenue_12m for pa in candidates}, higher_is_worse=False)
        returns = analysis.badness_percentiles(
            {pa.product_id: pa.return_rate_90d for pa in candidates}, higher_is_worse=True
        )
        margin = analysis.badness_percentiles(
            {pa.product_id: pa.gross_margin_90d for pa in candidates}, higher_is_worse=False
        )
        content = analysis.badness_percentiles(
            {pa.product_id: Decimal(pa.content_score) for pa in candidates}, higher_is_worse=False
        )
        for pa in candidates:
            pk = pa.product_id
            pa.rank_sales, pa.rank_returns, pa.rank_margin, pa.rank_content = sales[pk], returns[pk], margin[pk], content[pk]
            pa.delist_score = analysis.delist_score(
                sales=sales[pk], returns=returns[pk], margin=margin[pk], content=content[pk]
            )

    categories = _category_rollup(analyses, now)
    with transaction.atomic():
        ProductAnalysis.objects.all().delete()
        ProductAnalysis.objects.bulk_create(analyses, batch_size=BATCH)
        CategoryAnalysis.objects.all().delete()
        CategoryAnalysis.objects.bulk_create(categories, batch_size=BATCH)
    _tidy_up()
    logger.info("assortment analyses: %s products, %s categories", len(analyses), len(categories))
    return len(analyses)


def _tidy_up() -> None:
    """Replacing every row leaves as many dead ones behind: on PostgreSQL vacuum them away and
    refresh the planner's statistics, or the product list scans a table several times its size
    (6,000 products after five runs: 35 MB, a 36 ms count; after VACUUM: under 2 ms)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    tables = "catalog_productanalysis, catalog_categoryanalysis"
    with connection.cursor() as cursor:
        if connection.in_atomic_block:  # VACUUM cannot run inside a transaction (e.g. in tests)
            cursor.execute(f"ANALYZE {tables}")
        else:
            cursor.execute(f"VACUUM ANALYZE {tables}")


def _category_rollup(analyses: list[ProductAnalysis], now) -> list[CategoryAnalysis]:
    """Each category sums its whole subtree: GMROI = (net revenue − COGS) / inventory at cost, with the
    stock on hand at cost standing in for the average inventory (no stock history is kept)."""
    categories = list(Category.objects.values_list("pk", "code", "path"))
    by_code = {code: pk for pk, code, _p in categories}
    ancestors = {
        pk: [by_code[c] for c in path.strip(PATH_SEPARATOR).split(PATH_SEPARATOR) if c in by_code]
        for pk, _code, path in categories
    }
    totals = {pk: {"n": 0, "rev": ZERO, "cogs": ZERO, "inv": ZERO, "slow": 0, "dead": 0, "dead_inv": ZERO,
                   "content": 0} for pk, _c, _p in categories}
    for pa in analyses:
        for pk in ancestors.get(pa._category_id, ()):
            t = totals[pk]
            t["n"] += 1
            t["rev"] += pa.revenue_12m
            t["cogs"] += pa._cogs_12m
            t["inv"] += pa._stock_at_cost
            t["content"] += pa.content_score
            if pa.movement == analysis.MOVEMENT_SLOW:
                t["slow"] += 1
            elif pa.movement == analysis.MOVEMENT_DEAD:
                t["dead"] += 1
                t["dead_inv"] += pa._stock_at_cost
    return [
        CategoryAnalysis(
            category_id=pk, products=t["n"], revenue_12m=t["rev"], cogs_12m=to_cents(t["cogs"]),
            inventory_at_cost=to_cents(t["inv"]),
            gmroi=analysis.gmroi(net_revenue=t["rev"], cogs=t["cogs"], average_inventory_at_cost=to_cents(t["inv"])),
            slow_movers=t["slow"], dead_stock=t["dead"], dead_stock_at_cost=to_cents(t["dead_inv"]),
            content_score_avg=(Decimal(t["content"]) / t["n"]).quantize(Decimal("0.1")) if t["n"] else None,
            computed_at=now,
        )
        for pk, t in totals.items()
    ]
