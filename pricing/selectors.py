"""Reads of prices. Scope: a product is visible as in catalog.selectors (DESIGN §5); every query
over products goes through `product_visible_q` (rows that point at a product use its prefix)."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import DecimalField, ExpressionWrapper, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from catalog.models import Category, Product
from catalog.selectors import category_visible_q, product_visible_q
from shopmgr.core import roles

from . import rules
from .models import (
    CompetitorPosition,
    CompetitorPrice,
    PriceChange,
    PriceProposal,
    PriceRule,
    PriceSuggestion,
    PricingRun,
)

# --- who may do what -----------------------------------------------------------------------------

def can_use_pricing(user) -> bool:
    """Shop managers and category managers (their categories only) work with prices."""
    return user.is_authenticated and (roles.sees_everything(user) or roles.is_category_scoped(user))


def can_propose(user) -> bool:
    return can_use_pricing(user)


def can_approve(user) -> bool:
    """Shop managers approve; nobody approves their own proposal (checked in the service)."""
    return user.is_authenticated and roles.sees_everything(user)


# --- price history -------------------------------------------------------------------------------

def price_history_for(*, product, limit: int | None = 20) -> QuerySet[PriceChange]:
    """Latest price changes first; the caller has already checked the product's scope."""
    qs = PriceChange.objects.filter(product=product).select_related("created_by").order_by("-valid_from")
    return qs[:limit] if limit else qs


def competitor_prices_for(*, product, limit: int = 20) -> QuerySet[CompetitorPrice]:
    return CompetitorPrice.objects.filter(product=product).order_by("-observed_at", "competitor")[:limit]


def price_points(*, product_id: int, until: dt.datetime | None = None) -> list[rules.PricePoint]:
    """The whole history of one product, oldest first, as points for the pure rules."""
    qs = PriceChange.objects.filter(product_id=product_id)
    if until is not None:
        qs = qs.filter(valid_from__lte=until)
    return [rules.PricePoint(v, p, k) for v, p, k in qs.order_by("valid_from").values_list("valid_from", "price", "kind")]


def price_at(*, product_id: int, moment: dt.datetime) -> PriceChange | None:
    """The price change in effect at a moment (the latest one valid then), or None."""
    return (PriceChange.objects.filter(product_id=product_id, valid_from__lte=moment)
            .order_by("-valid_from").first())


def current_price(*, product_id: int) -> PriceChange | None:
    return price_at(product_id=product_id, moment=timezone.now())


def lowest_price_30d(*, product_id: int, moment: dt.datetime | None = None) -> Decimal | None:
    """The lowest price in effect during the 30 days before `moment` (default: now)."""
    moment = moment or timezone.now()
    return rules.lowest_price_before(price_points(product_id=product_id, until=moment), moment)


# --- products in scope ---------------------------------------------------------------------------

def product_for_pricing(*, user, key: str) -> Product:
    """A product by primary key or SKU, 404 when it is unknown or outside the user's scope."""
    qs = Product.objects.filter(product_visible_q(user)).select_related("category", "supplier")
    product = None
    if key.isdigit():
        product = qs.filter(pk=int(key)).first()
    if product is None:
        product = qs.filter(sku=key).first()
    if product is None:
        raise Http404("no such product")
    return product


# --- guardrails ----------------------------------------------------------------------------------

def default_guardrails() -> rules.Guardrails:
    band = settings.PRICING_DEFAULT_COMPETITOR_BAND
    return rules.Guardrails(
        margin_floor=settings.PRICING_DEFAULT_MARGIN_FLOOR, max_step=settings.PRICING_DEFAULT_MAX_STEP,
        competitor_band_below=band, competitor_band_above=band,
        price_ending=settings.PRICING_DEFAULT_PRICE_ENDING, ceiling_factor=settings.PRICING_DEFAULT_CEILING_FACTOR,
    )


def guardrails_of(rule: PriceRule | None) -> rules.Guardrails:
    if rule is None:
        return default_guardrails()
    return rules.Guardrails(
        margin_floor=rule.margin_floor, max_step=rule.max_step, competitor_band_below=rule.competitor_band_below,
        competitor_band_above=rule.competitor_band_above, price_ending=rule.price_ending,
        ceiling_factor=rule.ceiling_factor,
    )


def guardrails_by_path() -> dict[str, PriceRule]:
    """Every price rule keyed by its category's path (one query; rules are few)."""
    return {r.category.path: r for r in PriceRule.objects.select_related("category")}


def rule_for_path(path: str, rules_by_path: dict[str, PriceRule]) -> PriceRule | None:
    """The nearest rule up the tree: "/FASHION/WOMEN/" looks at itself, then "/FASHION/"."""
    parts = [p for p in path.split("/") if p]
    while parts:
        rule = rules_by_path.get("/" + "/".join(parts) + "/")
        if rule is not None:
            return rule
        parts.pop()
    return None


def guardrails_for(category: Category) -> rules.Guardrails:
    return guardrails_of(rule_for_path(category.path, guardrails_by_path()))


# --- competitor position -------------------------------------------------------------------------

@dataclass(frozen=True)
class MarketPosition:
    competitors: int
    cheapest: Decimal
    median: Decimal
    rank: int  # 1 = we are the cheapest (ties count in our favour)
    of: int  # sellers including us
    gap: Decimal | None  # (our − median) / median


def latest_competitor_prices(*, product_id: int, now: dt.datetime | None = None) -> dict[str, CompetitorPrice]:
    now = now or timezone.now()
    since = now - dt.timedelta(days=settings.PRICING_COMPETITOR_DAYS)
    latest: dict[str, CompetitorPrice] = {}
    for cp in CompetitorPrice.objects.filter(product_id=product_id, observed_at__gte=since,
                                             observed_at__lte=now).order_by("observed_at"):
        latest[cp.competitor] = cp
    return latest


def market_position(*, our_price: Decimal | None, competitor_prices: list[Decimal]) -> MarketPosition | None:
    if not competitor_prices or our_price is None:
        return None
    median = rules.cents(Decimal(str(statistics.median(competitor_prices))))
    rank = 1 + sum(1 for p in competitor_prices if p < our_price)
    gap = ((our_price - median) / median).quantize(Decimal("0.0001")) if median else None
    return MarketPosition(len(competitor_prices), min(competitor_prices), median, rank,
                          len(competitor_prices) + 1, gap)


def market_positions(*, user) -> QuerySet[CompetitorPosition]:
    """Products with competitor observations, with the gap of our live price to the median."""
    gap = ExpressionWrapper((F("product__price") - F("median")) / F("median"),
                            output_field=DecimalField(max_digits=12, decimal_places=4))
    return (CompetitorPosition.objects.filter(product_visible_q(user, "product__"), median__gt=0)
            .select_related("product", "product__category").annotate(gap=gap))


def far_from_market(qs: QuerySet[CompetitorPosition], which: str) -> QuerySet[CompetitorPosition]:
    threshold = settings.PRICING_MARKET_GAP
    if which == "above":
        return qs.filter(product__price__gte=F("median") * (1 + threshold))
    if which == "below":
        return qs.filter(product__price__lte=F("median") * (1 - threshold))
    return qs


# --- suggestions and proposals -------------------------------------------------------------------

def latest_run() -> PricingRun | None:
    return PricingRun.objects.filter(status=PricingRun.Status.DONE).order_by("-started_at").first()


def suggestions(*, user, run: PricingRun | None) -> QuerySet[PriceSuggestion]:
    if run is None:
        return PriceSuggestion.objects.none()
    return (PriceSuggestion.objects.filter(product_visible_q(user, "product__"), run=run)
            .select_related("product", "product__category"))


def suggestion_get(*, user, pk: int) -> PriceSuggestion:
    suggestion = (PriceSuggestion.objects.filter(product_visible_q(user, "product__"), pk=pk)
                  .select_related("product", "product__category", "run").first())
    if suggestion is None:
        raise Http404("no such suggestion")
    return suggestion


def latest_suggestions_for(*, product) -> list[PriceSuggestion]:
    run = latest_run()
    if run is None:
        return []
    return list(PriceSuggestion.objects.filter(run=run, product=product).order_by("kind"))


def proposals(*, user) -> QuerySet[PriceProposal]:
    return (PriceProposal.objects.filter(product_visible_q(user, "product__"))
            .select_related("product", "product__category", "proposed_by", "decided_by"))


def pending_proposal_for(*, product) -> PriceProposal | None:
    return (PriceProposal.objects.filter(product=product, status=PriceProposal.Status.PENDING)
            .select_related("proposed_by").first())


def filter_categories(*, user) -> QuerySet[Category]:
    """The categories of a filter's drop-down: those the user sees, in tree order."""
    return Category.objects.filter(category_visible_q(user)).only("code", "name", "depth", "path").order_by("path")


def visible_q(user) -> Q:
    return product_visible_q(user)
