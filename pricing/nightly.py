"""The nightly pricing run: competitor positions, elasticities and price suggestions (issue 7).

Set-based reads, then plain Python per product over pre-aggregated rows:
1. weekly units and returns per product: ONE grouped query over kpis.DailyProductFact;
2. every product's price history: ONE ordered query over PriceChange (the price in effect per
   week is the mean of the prices in effect at noon on its seven days);
3. competitor observations of the last PRICING_COMPETITOR_DAYS: ONE ordered query;
then the regressions (pure rules) and bulk writes in one transaction. A run replaces the
suggestions, elasticities and positions of the run before.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import statistics
from bisect import bisect_right
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import DateField, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from catalog.models import Product
from kpis.models import DailyFact, DailyProductFact
from shopmgr.core.dates import BERLIN, berlin_day

from . import explain, rules
from .models import (
    CompetitorPosition,
    CompetitorPrice,
    PriceChange,
    PriceRule,
    PriceSuggestion,
    PricingRun,
    ProductElasticity,
)
from .selectors import guardrails_of, rule_for_path

log = logging.getLogger(__name__)

RECENT_WEEKS = 8  # the current sales rate is the mean of the last eight complete weeks
COST_DAYS = 90  # shipping and payment shares come from the last 90 days of whole-shop facts
BATCH = 2000


class RunRefused(Exception):
    pass


def cost_basis(*, today: dt.date) -> dict:
    """Per-unit shipping share and payment-fee share of revenue from the whole-shop KPI facts of the
    last 90 days (DB II inputs), falling back to settings while no facts exist."""
    totals = DailyFact.objects.filter(
        scope__key="all", day__gte=today - dt.timedelta(days=COST_DAYS), day__lt=today,
    ).aggregate(shipping=Sum("shipping_cost"), payment=Sum("payment_fees"), units=Sum("units_sold"),
                revenue=Sum("revenue"))
    handling = settings.KPI_RETURN_HANDLING_COST
    if totals["units"] and totals["revenue"]:
        return {
            "source": "facts", "days": COST_DAYS,
            "shipping_per_unit": str(rules.cents(Decimal(totals["shipping"] or 0) / totals["units"])),
            "payment_share": str((Decimal(totals["payment"] or 0) / Decimal(totals["revenue"])).quantize(Decimal("0.0001"))),
            "return_handling": str(handling),
        }
    return {
        "source": "settings",
        "shipping_per_unit": str(settings.PRICING_FALLBACK_SHIPPING_PER_UNIT),
        "payment_share": str(settings.PRICING_FALLBACK_PAYMENT_SHARE),
        "return_handling": str(handling),
    }


def full_unit_cost(*, purchase: Decimal, net_price: Decimal, return_rate: Decimal, basis: dict) -> tuple[Decimal, dict]:
    """c = purchase + shipping share + payment fee share of the net price + return rate × handling."""
    shipping = Decimal(basis["shipping_per_unit"])
    payment = rules.cents(net_price * Decimal(basis["payment_share"]))
    returns = rules.cents(return_rate * Decimal(basis["return_handling"]))
    total = purchase + shipping + payment + returns
    return total, {"unit_cost": rules.cents(total), "purchase": rules.cents(purchase), "shipping": shipping,
                   "payment": payment, "returns": returns, "return_rate": return_rate}


def _week_bounds(today: dt.date, weeks: int) -> tuple[dt.date, dt.date]:
    """Complete Berlin weeks (Monday to Sunday) before the current one."""
    this_monday = today - dt.timedelta(days=today.weekday())
    return this_monday - dt.timedelta(weeks=weeks), this_monday


def _weekly_units(first: dt.date, end: dt.date) -> dict[int, dict[dt.date, tuple[int, int]]]:
    """product → week (Monday) → (units sold, returned units); one grouped query."""
    rows = (DailyProductFact.objects.filter(day__gte=first, day__lt=end)
            .annotate(week=TruncWeek("day", output_field=DateField()))
            .values("product_id", "week")
            .annotate(units=Sum("units_sold"), returned=Sum("returned_units"))
            .order_by()
            .values_list("product_id", "week", "units", "returned"))
    out: dict[int, dict[dt.date, tuple[int, int]]] = defaultdict(dict)
    for pid, week, units, returned in rows.iterator(chunk_size=20000):
        if isinstance(week, dt.datetime):
            week = week.date()
        out[pid][week] = (units or 0, returned or 0)
    return out


def _histories(product_ids=None) -> dict[int, list[rules.PricePoint]]:
    qs = PriceChange.objects.order_by("product_id", "valid_from").values_list("product_id", "valid_from", "price", "kind")
    if product_ids is not None:
        qs = qs.filter(product_id__in=product_ids)
    out: dict[int, list[rules.PricePoint]] = defaultdict(list)
    for pid, valid_from, price, kind in qs.iterator(chunk_size=20000):
        out[pid].append(rules.PricePoint(valid_from, price, kind))
    return out


def week_noons(monday: dt.date) -> list[dt.datetime]:
    """Noon (Berlin) of the seven days of a week, as aware datetimes."""
    return [dt.datetime.combine(monday + dt.timedelta(days=d), dt.time(12), tzinfo=BERLIN).astimezone(dt.UTC)
            for d in range(7)]


def week_price(history: list[rules.PricePoint], noons: list[dt.datetime],
               starts: list[dt.datetime] | None = None) -> float | None:
    """The mean of the prices in effect at noon (Berlin) on the seven days of a week."""
    starts = starts if starts is not None else [p.valid_from for p in history]
    i = bisect_right(starts, noons[0]) - 1
    total, n = 0.0, 0
    for noon in noons:
        while i + 1 < len(history) and starts[i + 1] <= noon:
            i += 1
        if i >= 0:
            total += float(history[i].price)
            n += 1
    return total / n if n else None


def competitor_positions(*, now: dt.datetime) -> list[CompetitorPosition]:
    since = now - dt.timedelta(days=settings.PRICING_COMPETITOR_DAYS)
    latest: dict[int, dict[str, tuple[Decimal, dt.datetime]]] = defaultdict(dict)
    rows = (CompetitorPrice.objects.filter(observed_at__gte=since, observed_at__lte=now)
            .order_by("product_id", "observed_at").values_list("product_id", "competitor", "price", "observed_at"))
    for pid, competitor, price, observed in rows.iterator(chunk_size=20000):
        latest[pid][competitor] = (price, observed)
    positions = []
    for pid, by_competitor in latest.items():
        prices = [p for p, _ in by_competitor.values()]
        positions.append(CompetitorPosition(
            product_id=pid, competitors=len(prices), cheapest=min(prices), highest=max(prices),
            median=rules.cents(Decimal(str(statistics.median(prices)))),
            observed_until=max(o for _, o in by_competitor.values()), computed_at=now,
            prices=[str(p) for p in sorted(prices)],
        ))
    return positions


def run_pricing(*, trigger: str = "nightly", now: dt.datetime | None = None) -> PricingRun:
    """Compute and store competitor positions, elasticities and suggestions; one run at a time."""
    now = now or timezone.now()
    with transaction.atomic():
        stale = now - dt.timedelta(hours=3)
        if PricingRun.objects.select_for_update().filter(status=PricingRun.Status.RUNNING, started_at__gt=stale).exists():
            raise RunRefused("a pricing run is already running")
        run = PricingRun.objects.create(started_at=now, trigger=trigger)
    try:
        _compute(run, now)
    except Exception as exc:
        PricingRun.objects.filter(pk=run.pk).update(status=PricingRun.Status.FAILED, finished_at=timezone.now(),
                                                     error=repr(exc)[:2000])
        raise
    run.refresh_from_db()
    return run


def _compute(run: PricingRun, now: dt.datetime) -> None:  # noqa: C901 — the run, step by step
    today = berlin_day(now)
    first, end = _week_bounds(today, settings.PRICING_HISTORY_WEEKS)
    weeks = [first + dt.timedelta(weeks=i) for i in range(settings.PRICING_HISTORY_WEEKS)]
    recent_weeks = weeks[-RECENT_WEEKS:]
    basis = cost_basis(today=today)

    products = list(Product.objects.filter(status__in=[Product.Status.ACTIVE, Product.Status.PHASE_OUT])
                    .values_list("pk", "category_id", "category__path", "cost", "price", "vat_rate", "stock", "status")
                    .order_by("pk"))
    weekly = _weekly_units(first, end)
    histories = _histories()
    positions = competitor_positions(now=now)
    median_of = {p.product_id: p.median for p in positions}
    rules_by_path = {r.category.path: r for r in PriceRule.objects.select_related("category")}

    # Season control: ln of the rest of the root category's units in the week (the product's own
    # units left out, or its own demand would explain itself) relative to the rest's mean week.
    root_of = {pid: path.split("/")[1] for pid, _, path, *_ in products}
    root_week: dict[str, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    root_total: dict[str, int] = defaultdict(int)
    for pid, by_week in weekly.items():
        root = root_of.get(pid)
        if root:
            for week, (units, _) in by_week.items():
                root_week[root][week] += units
                root_total[root] += units

    # Per product: the weekly series (weeks with sales and a price).
    series: dict[int, tuple[list[float], list[float], list[float] | None]] = {}
    noons_of: dict[dt.date, list[dt.datetime]] = {}
    for pid, *_ in products:
        by_week = weekly.get(pid)
        history = histories.get(pid)
        if not by_week or not history:
            continue
        root = root_of[pid]
        rest_mean = (root_total[root] - sum(u for u, _ in by_week.values())) / len(weeks)
        prices, units, seas = [], [], []
        starts = [point.valid_from for point in history]
        for week in sorted(by_week):
            q = by_week[week][0]
            if week not in noons_of:
                noons_of[week] = week_noons(week)
            p = week_price(history, noons_of[week], starts)
            if q > 0 and p:
                prices.append(p)
                units.append(float(q))
                rest = root_week[root][week] - q
                seas.append(math.log(rest / rest_mean) if rest > 0 and rest_mean > 0 else 0.0)
        series[pid] = (prices, units, seas if rest_mean > 0 else None)

    pooled_cache: dict[int, rules.Fit | None] = {}
    members: dict[int, list[int]] = defaultdict(list)
    for pid, category_id, *_ in products:
        if pid in series:
            members[category_id].append(pid)

    def pooled(category_id: int) -> rules.Fit | None:
        if category_id not in pooled_cache:
            groups = [series[m] for m in members.get(category_id, [])]
            pooled_cache[category_id] = rules.fit_pooled_elasticity(groups) if groups else None
        return pooled_cache[category_id]

    elasticities: list[ProductElasticity] = []
    suggestions: list[PriceSuggestion] = []
    outcomes: dict[str, int] = defaultdict(int)
    max_se = settings.PRICING_MAX_STD_ERROR
    for pid, category_id, path, cost, price, vat_rate, stock, status in products:
        by_week = weekly.get(pid, {})
        sold = sum(u for u, _ in by_week.values())
        returned = sum(r for _, r in by_week.values())
        return_rate = (Decimal(returned) / Decimal(sold)).quantize(Decimal("0.0001")) if sold else Decimal(0)
        weekly_units = (Decimal(sum(by_week.get(w, (0, 0))[0] for w in recent_weeks)) / RECENT_WEEKS).quantize(Decimal("0.01"))
        fit, source = None, ProductElasticity.Source.PRODUCT
        prices, units, seas = series.get(pid, ([], [], []))
        if len(prices) >= settings.PRICING_MIN_WEEKS and len({round(p, 2) for p in prices}) >= settings.PRICING_MIN_DISTINCT_PRICES:
            fit = rules.fit_elasticity(prices, units, seas)
        if fit is None:
            fit, source = pooled(category_id), ProductElasticity.Source.CATEGORY
        if fit is not None:
            elasticities.append(ProductElasticity(
                product_id=pid, elasticity=fit.elasticity, std_error=fit.std_error, r_squared=fit.r_squared,
                weeks=fit.observations, distinct_prices=fit.distinct_prices, source=source,
                weekly_units=weekly_units, return_rate=return_rate, computed_at=now,
            ))
        history = histories.get(pid, [])
        current = rules.price_at(history, now)
        current_price = current.price if current else price
        rails = guardrails_of(rule_for_path(path, rules_by_path))
        unit_cost, cost_values = full_unit_cost(purchase=cost, net_price=current_price / (1 + vat_rate),
                                                return_rate=return_rate, basis=basis)
        if not current_price or current_price <= 0:
            result = rules.Suggestion(None, "no_price", [rules.Step("no_price")])
        else:
            result = rules.suggest_price(
                current=current_price, unit_cost=unit_cost, vat_rate=vat_rate,
                elasticity=fit.elasticity if fit else None, std_error=fit.std_error if fit else None,
                max_std_error=max_se, rails=rails, competitor_median=median_of.get(pid), elasticity_source=source,
            )
            if fit is not None:
                result.steps.insert(1, rules.Step("unit_cost", cost_values))
        contribution_change = reference_after = change = None
        if result.price is not None:
            expected = rules.forecast(weekly_units=weekly_units, current=current_price, new=result.price,
                                      elasticity=fit.elasticity, unit_cost=unit_cost, vat_rate=vat_rate)
            contribution_change = expected.contribution_after - expected.contribution_before
            result.steps.append(rules.Step("forecast", expected.__dict__))
            reference_after, step = reference_effect(history, now, result.price)
            result.steps.append(step)
            change = ((result.price - current_price) / current_price).quantize(Decimal("0.0001"))
        outcomes[result.outcome] += 1
        suggestions.append(PriceSuggestion(
            run=run, product_id=pid, kind=PriceSuggestion.Kind.OPTIMUM, outcome=result.outcome,
            current_price=current_price, suggested_price=result.price, change=change, unit_cost=unit_cost,
            elasticity=fit.elasticity if fit else None, optimum_price=result.optimum_gross, bound_by=result.bound_by,
            below_floor=result.below_floor, contribution_change=contribution_change, reference_30d=reference_after,
            steps=explain.to_json(result.steps), created_at=now,
        ))
        markdown = markdown_suggestion(run=run, pid=pid, status=status, stock=stock, weekly_units=weekly_units,
                                       fit=fit, current_price=current_price, unit_cost=unit_cost,
                                       vat_rate=vat_rate, rails=rails, history=history, now=now,
                                       source=source)
        if markdown is not None:
            outcomes["markdown"] += 1
            suggestions.append(markdown)

    with transaction.atomic():
        CompetitorPosition.objects.all().delete()
        CompetitorPosition.objects.bulk_create(positions, batch_size=BATCH)
        ProductElasticity.objects.all().delete()
        ProductElasticity.objects.bulk_create(elasticities, batch_size=BATCH)
        PriceSuggestion.objects.exclude(run=run).delete()
        PriceSuggestion.objects.bulk_create(suggestions, batch_size=BATCH)
        PricingRun.objects.filter(pk=run.pk).update(
            status=PricingRun.Status.DONE, finished_at=timezone.now(), products=len(products),
            suggestions=sum(1 for s in suggestions if s.suggested_price is not None),
            outcomes=dict(outcomes), cost_basis=basis,
        )


def reference_effect(history: list[rules.PricePoint], now: dt.datetime, new: Decimal) -> tuple[Decimal | None, rules.Step]:
    """The suggestion's effect on the 30-day lowest price (§11 PAngV): the low a reduction starting
    now would have to be computed from, and the low that holds after the change."""
    reference = rules.lowest_price_before(history, now)
    current = rules.price_at(history, now)
    if reference is None:
        return new, rules.Step("reference_none", {"price": new})
    if current is not None and new > current.price:
        return min(reference, current.price), rules.Step("reference_up", {"reference": min(reference, current.price)})
    percent = rules.reduction_percent(reference=reference, price=new)
    if percent is None:
        return reference, rules.Step("reference_no_reduction", {"reference": reference, "price": new})
    return new, rules.Step("reference_down", {"reference": reference, "percent": percent, "price": new})


def markdown_suggestion(*, run, pid, status, stock, weekly_units, fit, current_price, unit_cost, vat_rate, rails,
                        history, now, source="product") -> PriceSuggestion | None:
    """A sale price that clears a slow mover by the clearance date (DOMAIN §3.4): phase-out products
    with stock, and products whose stock lasts longer than the clearance window at the current rate."""
    weeks_left = Decimal(settings.PRICING_MARKDOWN_WEEKS)
    if stock <= 0 or fit is None or fit.elasticity >= -1 or weekly_units <= 0:
        return None  # with −1 ≤ ε a markdown loses more revenue than it wins in units
    if fit.std_error is None or fit.std_error > settings.PRICING_MAX_STD_ERROR:
        return None  # too uncertain to promise a clearance
    slow = weekly_units * weeks_left * 3 < stock  # would take three times the window
    if status != Product.Status.PHASE_OUT and not slow:
        return None
    d_min = rules.markdown_minimum(stock=stock, weeks_left=weeks_left, weekly_units=weekly_units, elasticity=fit.elasticity)
    if d_min is None or d_min <= 0:
        return None
    step = rules.markdown_step(d_min)
    if step is None:
        return None  # even the deepest step would not clear the stock: a case for salvage, not a sale
    steps = [rules.Step("elasticity", {"elasticity": round(fit.elasticity, 2), "std_error": None if fit.std_error is None else round(fit.std_error, 2), "source": source}),
             rules.Step("markdown", {"stock": stock, "weeks": weeks_left, "weekly_units": weekly_units,
                                     "required": (Decimal(stock) / weeks_left).quantize(Decimal("0.1")),
                                     "d_min": d_min.quantize(Decimal("0.001")), "step": step})]
    for s in rules.MARKDOWN_STEPS:
        revenue, left = rules.markdown_revenue(stock=stock, weeks_left=weeks_left, weekly_units=weekly_units,
                                               elasticity=fit.elasticity, price=current_price, discount=s)
        steps.append(rules.Step("markdown_revenue", {"step": s, "revenue": revenue, "left": left}))
    price = rules.price_with_ending(current_price * (1 - step), rails.price_ending)
    if price <= 0:
        return None
    floor = rules.margin_floor_gross(unit_cost=unit_cost, vat_rate=vat_rate, margin_floor=rails.margin_floor)
    steps.append(rules.Step("margin_check", {"net": rules.cents(price / (1 + vat_rate)),
                                             "floor_net": rules.cents(floor / (1 + vat_rate)),
                                             "margin": rails.margin_floor, "ok": price >= floor}))
    reference_after, ref_step = reference_effect(history, now, price)
    steps.append(ref_step)
    return PriceSuggestion(
        run=run, product_id=pid, kind=PriceSuggestion.Kind.MARKDOWN, outcome=PriceSuggestion.Outcome.SUGGESTED,
        current_price=current_price, suggested_price=price,
        change=((price - current_price) / current_price).quantize(Decimal("0.0001")), unit_cost=unit_cost,
        elasticity=fit.elasticity, bound_by="markdown", below_floor=price < floor, reference_30d=reference_after,
        steps=explain.to_json(steps), created_at=now,
    )
