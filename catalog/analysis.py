"""Pure assortment rules (DOMAIN §4): ABC, XYZ, the ABC-XYZ actions, slow movers and dead stock,
GMROI, content completeness and the delist ranking. No database here: the nightly computation
(catalog/compute.py) feeds these functions with aggregates and stores what they return.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

ZERO = Decimal(0)
ONE = Decimal(1)
RATE = Decimal("0.0001")

ABC_CLASSES = ("A", "B", "C")
XYZ_CLASSES = ("X", "Y", "Z")

# DOMAIN §4, "ABC-XYZ actions" (practice).
RECOMMENDED_ACTIONS = {
    ("A", "X"): _("Automated replenishment, low safety stock"),
    ("A", "Y"): _("Seasonal forecast"),
    ("A", "Z"): _("Manual review, more safety stock or order to demand"),
    ("B", "X"): _("Automate"),
    ("B", "Y"): _("Periodic review"),
    ("B", "Z"): _("Periodic review"),
    ("C", "X"): _("Automate, large lots"),
    ("C", "Y"): _("Periodic review"),
    ("C", "Z"): _("Delist, dropship or make to order"),
}


def rate(numerator, denominator) -> Decimal | None:
    """A ratio to four places; a zero denominator gives None (DESIGN §4), never 0 or an error."""
    if denominator is None or Decimal(denominator) == 0 or numerator is None:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATE, rounding=ROUND_HALF_UP)


# --- ABC ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AbcResult:
    abc_class: str
    cumulative_share: Decimal  # the item's own share included, 0..1


def abc_classes(values: Iterable[tuple[Hashable, Decimal]], *, a: Decimal, b: Decimal) -> dict[Hashable, AbcResult]:
    """Classify items by their share of the total (DOMAIN §4).

    Items sorted by value, largest first (ties by key, so that a rerun gives the same classes);
    an item's class is the first threshold at or above the cumulative share *including* the item:
    A up to `a`, B up to `b`, C the rest. Items worth nothing (or less) are C, and when the group
    has no positive total every item is C.
    """
    items = sorted(values, key=lambda kv: (-Decimal(kv[1]), str(kv[0])))
    total = sum((Decimal(v) for _k, v in items if Decimal(v) > 0), ZERO)
    result: dict[Hashable, AbcResult] = {}
    cumulative = ZERO
    for key, value in items:
        value = Decimal(value)
        if total <= 0 or value <= 0:
            share = ONE if total <= 0 else min(ONE, cumulative / total)
            result[key] = AbcResult("C", share.quantize(RATE, rounding=ROUND_HALF_UP))
            continue
        cumulative += value
        # compared as amounts, not as rounded shares, so that 80 % exactly is still A
        if cumulative <= a * total:
            cls = "A"
        elif cumulative <= b * total:
            cls = "B"
        else:
            cls = "C"
        result[key] = AbcResult(cls, (cumulative / total).quantize(RATE, rounding=ROUND_HALF_UP))
    return result


# --- XYZ ------------------------------------------------------------------------------------

def coefficient_of_variation(periods: Sequence[int | Decimal]) -> Decimal | None:
    """CV = σ / μ of the demand per period, population σ, every period counted (zeros too).

    No demand at all (μ = 0) has no CV: None.
    """
    if not periods:
        return None
    values = [Decimal(v) for v in periods]
    n = Decimal(len(values))
    mean = sum(values, ZERO) / n
    if mean <= 0:
        return None
    variance = sum(((v - mean) ** 2 for v in values), ZERO) / n
    return (variance.sqrt() / mean).quantize(RATE, rounding=ROUND_HALF_UP)


def xyz_class(cv: Decimal | None, *, x: Decimal, y: Decimal) -> str:
    """X below `x`, Y below `y`, Z from `y` on; no demand in the window (no CV) is Z."""
    if cv is None:
        return "Z"
    if cv < x:
        return "X"
    if cv < y:
        return "Y"
    return "Z"


def thresholds_increase(*, a: Decimal, b: Decimal, x: Decimal, y: Decimal) -> list[str]:
    """The reasons a set of class thresholds is unusable (empty when it is fine)."""
    problems = []
    if not (ZERO < a < b <= ONE):
        problems.append(str(_("ABC thresholds must increase: 0 < A < B ≤ 100 %.")))
    if not (ZERO < x < y):
        problems.append(str(_("XYZ thresholds must increase: 0 < X < Y.")))
    return problems


# --- Months ---------------------------------------------------------------------------------

def complete_months(today: dt.date, count: int) -> list[dt.date]:
    """First days of the last `count` complete calendar months before `today`'s month, oldest first."""
    months = []
    year, month = today.year, today.month
    for _i in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        months.append(dt.date(year, month, 1))
    return months[::-1]


def month_end(first: dt.date) -> dt.date:
    nxt = dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


# --- Slow movers, dead stock, GMROI ---------------------------------------------------------

def days_of_inventory(*, stock: int, units_90d: int) -> Decimal | None:
    """DOI = on hand / average daily units of the last 90 days; no sales with stock: None (endless)."""
    if stock <= 0:
        return ZERO
    if units_90d <= 0:
        return None
    return (Decimal(stock) * 90 / Decimal(units_90d)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def sell_through(*, units_sold: int, stock: int) -> Decimal | None:
    """Units sold / units available (sold + still on hand) over the same 90 days (docs/assortment.md)."""
    return rate(units_sold, units_sold + max(stock, 0))


MOVEMENT_NORMAL, MOVEMENT_SLOW, MOVEMENT_DEAD = "", "slow", "dead"


def movement(*, stock: int, doi: Decimal | None, days_since_last_sale: int | None, slow_doi_days: int,
             slow_no_sale_days: int, dead_no_sale_days: int) -> str:
    """Dead stock: stock and no sale for `dead_no_sale_days` (or never); slow mover: stock and a DOI
    above `slow_doi_days` or no sale for `slow_no_sale_days` (DOMAIN §4: 180 / 90 / 180 days)."""
    if stock <= 0:
        return MOVEMENT_NORMAL
    if days_since_last_sale is None or days_since_last_sale >= dead_no_sale_days:
        return MOVEMENT_DEAD
    if days_since_last_sale >= slow_no_sale_days or doi is None or doi > slow_doi_days:
        return MOVEMENT_SLOW
    return MOVEMENT_NORMAL


def gmroi(*, net_revenue: Decimal, cogs: Decimal, average_inventory_at_cost: Decimal) -> Decimal | None:
    """GMROI = (net revenue − COGS) / average inventory at cost; (120k − 72k) / 24k = 2.0."""
    return rate(Decimal(net_revenue) - Decimal(cogs), average_inventory_at_cost)


# --- Content --------------------------------------------------------------------------------

CONTENT_WEIGHTS = {"description": 40, "images": 30, "attributes": 30}


@dataclass(frozen=True)
class ContentCheck:
    key: str
    label: str
    have: int
    need: int
    points: int
    max_points: int

    @property
    def ok(self) -> bool:
        return self.have >= self.need


@dataclass(frozen=True)
class ContentRules:
    min_description_length: int = 200
    min_images: int = 3
    required_attributes: tuple[str, ...] = ("brand",)


@dataclass
class ContentResult:
    score: int
    checks: list[ContentCheck] = field(default_factory=list)

    @property
    def gaps(self) -> list[str]:
        return [c.key for c in self.checks if not c.ok]

    @property
    def missing_attributes(self) -> list[str]:
        return [c.key.split(":", 1)[1] for c in self.checks if c.key.startswith("attr:") and not c.ok]


def _part(have: int, need: int, weight: int) -> Decimal:
    if need <= 0:
        return Decimal(weight)
    return Decimal(weight) * min(ONE, Decimal(have) / Decimal(need))


def content_score(*, description_length: int, image_count: int, attributes: dict | None,
                  rules: ContentRules) -> ContentResult:
    """Completeness 0–100: description 40 points (in proportion to the minimum length), images 30
    (in proportion to the minimum number), required attributes 30 (shared equally; an attribute
    counts when it is present and not empty)."""
    attributes = attributes or {}
    present = [a for a in rules.required_attributes if attributes.get(a) not in (None, "", [], {})]
    checks = [
        ContentCheck("description", str(_("Description")), description_length, rules.min_description_length,
                     0, CONTENT_WEIGHTS["description"]),
        ContentCheck("images", str(_("Images")), image_count, rules.min_images, 0, CONTENT_WEIGHTS["images"]),
    ]
    for name in rules.required_attributes:
        checks.append(ContentCheck(f"attr:{name}", name, int(name in present), 1, 0, 0))
    total = (
        _part(description_length, rules.min_description_length, CONTENT_WEIGHTS["description"])
        + _part(image_count, rules.min_images, CONTENT_WEIGHTS["images"])
        + _part(len(present), len(rules.required_attributes), CONTENT_WEIGHTS["attributes"])
    )
    return ContentResult(int(total.quantize(ONE, rounding=ROUND_HALF_UP)), checks)


# --- Delist ranking -------------------------------------------------------------------------

def badness_percentiles(values: dict[Hashable, Decimal | None], *, higher_is_worse: bool) -> dict[Hashable, int]:
    """Per item, the share (0–100) of the group that is better than it; a missing value is
    neither good nor bad (50)."""
    known = [(k, Decimal(v)) for k, v in values.items() if v is not None]
    result = {k: 50 for k, v in values.items() if v is None}
    if not known:
        return result
    ordered = sorted(v for _k, v in known)
    n = len(ordered)
    import bisect

    for key, value in known:
        if higher_is_worse:
            better = bisect.bisect_left(ordered, value)  # items with a lower (better) value
        else:
            better = n - bisect.bisect_right(ordered, value)  # items with a higher (better) value
        result[key] = int((Decimal(better) * 100 / n).quantize(ONE, rounding=ROUND_HALF_UP)) if n > 1 else 50
    return result


def delist_score(*, sales: int, returns: int, margin: int, content: int) -> int:
    """The mean of the four badness percentiles: low sales, high returns, low margin, poor content."""
    return int((Decimal(sales + returns + margin + content) / 4).quantize(ONE, rounding=ROUND_HALF_UP))
