"""Return analytics: figures per product, category, supplier and reason, the "needs a look" rule and
the suggested actions (docs/return-analytics.md). Pure: the fact rows come from returns/selectors.py.

Definitions (DESIGN §4, cohort view): a period's sales and its returns both belong to the days the
orders were placed; a returned unit counts once its return is received and not rejected.

- return rate by units = returned units / units sold; by value = returned value / revenue (net);
  by orders = orders with a returned unit / orders. Products, categories and the total count each
  order once (categories and the total from the KPI facts of their scope). Suppliers and reasons
  count an order once per product (an order with two returned products of one supplier counts
  twice, in the orders too), because their orders are not a sum over products.
- cost of returns = handling (KPI_RETURN_HANDLING_COST per return, shared out over the products
  of a return by their returned value) + written-off value (unit cost × written-off units).
- margin after returns = (revenue − returned value − COGS after restock − handling) / (revenue −
  returned value); COGS after restock = COGS sold − restocked units' cost, so written-off units'
  cost is in it already (it is not subtracted twice).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

ZERO = Decimal(0)

# --- suggested actions ----------------------------------------------------------------------------

CONTENT_FIX = "content_fix"
SUPPLIER_CLAIM = "supplier_claim"
FULFILMENT_CHECK = "fulfilment_check"
PRICE_CHECK = "price_check"
DELISTING_REVIEW = "delisting_review"
READ_RETURNS = "read_returns"

ACTIONS = {
    CONTENT_FIX: (_("Content fix"), _("Size chart, fit notes, photos and description: tell customers what they get.")),
    SUPPLIER_CLAIM: (_("Supplier claim"), _("Claim the defective units from the supplier and raise the quality issue.")),
    FULFILMENT_CHECK: (_("Check fulfilment"), _("Picking, packaging and carrier: the shop caused these returns.")),
    PRICE_CHECK: (_("Check the price"), _("Customers found it cheaper elsewhere: compare with the competitors.")),
    DELISTING_REVIEW: (_("Delisting review"), _("Returns this high leave too little margin: consider delisting.")),
    READ_RETURNS: (_("Read the returns"), _("No clear pattern in the reason: read the returns' notes.")),
}

# DOMAIN §2.3 reason codes → what to change. Size and expectation reasons are fixed by better
# content (bracketing is ordering several sizes to choose: size advice again); defects and poor
# quality are the supplier's; wrong item, transit damage and late delivery are the shop's
# fulfilment (the merchant-fault codes that are not about the product); a better price elsewhere
# is a price question. Codes added in the admin fall back on "read the returns".
REASON_ACTIONS = {
    "SIZE_SMALL": CONTENT_FIX,
    "SIZE_LARGE": CONTENT_FIX,
    "NOT_AS_DESCRIBED": CONTENT_FIX,
    "CHANGED_MIND": CONTENT_FIX,
    "BRACKETING": CONTENT_FIX,
    "DEFECTIVE": SUPPLIER_CLAIM,
    "QUALITY": SUPPLIER_CLAIM,
    "WRONG_ITEM": FULFILMENT_CHECK,
    "TRANSIT_DAMAGE": FULFILMENT_CHECK,
    "LATE": FULFILMENT_CHECK,
    "BETTER_PRICE": PRICE_CHECK,
    "OTHER": READ_RETURNS,
}

# A delisting review instead of the reason's action: a rate at least this multiple of the
# category's while the margin after returns is below DELIST_MARGIN (or there is none).
DELIST_FACTOR = Decimal("2.5")
DELIST_MARGIN = Decimal("0.10")
# "Needs a look" also wants at least this many returned units (one or two returns are chance).
MIN_RETURNED_UNITS = 3


def action_for_reason(code: str | None) -> str:
    return REASON_ACTIONS.get(code or "", READ_RETURNS)


def suggested_action(*, reason_code: str | None, rate, category_rate, margin_after) -> str:
    """The action for a product that needs a look: a delisting review when its rate is very high
    (≥ DELIST_FACTOR × its category's) and its margin after returns low (< DELIST_MARGIN, or none);
    otherwise the action of its dominant reason."""
    very_high = rate is not None and category_rate and rate >= DELIST_FACTOR * category_rate
    if very_high and (margin_after is None or margin_after < DELIST_MARGIN):
        return DELISTING_REVIEW
    return action_for_reason(reason_code)


# --- figures --------------------------------------------------------------------------------------

def ratio(numerator, denominator):
    """numerator / denominator as a Decimal; None when the denominator is zero (DESIGN §4)."""
    if not denominator:
        return None
    return Decimal(numerator) / Decimal(denominator)


@dataclass
class Figures:
    """Additive measures of a set of products over a period, and what follows from them."""

    units_sold: int = 0
    orders: int = 0
    revenue: Decimal = ZERO
    cogs_sold: Decimal = ZERO
    cogs_restocked: Decimal = ZERO
    returned_units: int = 0
    returned_value: Decimal = ZERO
    returns: Decimal = ZERO  # Σ return shares: returns, shared out over their products
    orders_returned: int = 0
    restocked_units: int = 0
    written_off_units: int = 0
    written_off_cost: Decimal = ZERO
    refunded: Decimal = ZERO
    reason_units: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    handling_cost_per_return: Decimal = ZERO

    SALES = ("units_sold", "orders", "revenue", "cogs_sold", "cogs_restocked")
    RETURNS = ("returned_units", "returned_value", "orders_returned", "restocked_units", "written_off_units",
               "written_off_cost", "refunded")

    def add_sales(self, row: dict) -> None:
        for name in self.SALES:
            setattr(self, name, getattr(self, name) + (row.get(name) or 0))

    def add_returns(self, row: dict, reason_id: int | None = None) -> None:
        for name in self.RETURNS:
            setattr(self, name, getattr(self, name) + (row.get(name) or 0))
        self.returns += row.get("returns_share") or 0
        if reason_id is not None:
            self.reason_units[reason_id] += row.get("returned_units") or 0

    def add(self, other: Figures) -> None:
        for name in (*self.SALES, *self.RETURNS, "returns"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for reason_id, units in other.reason_units.items():
            self.reason_units[reason_id] += units

    # what follows
    @property
    def return_rate(self):
        return ratio(self.returned_units, self.units_sold)

    @property
    def return_rate_value(self):
        return ratio(self.returned_value, self.revenue)

    @property
    def return_rate_orders(self):
        return ratio(self.orders_returned, self.orders)

    @property
    def handling_cost(self) -> Decimal:
        return Decimal(self.returns) * self.handling_cost_per_return

    @property
    def return_cost(self) -> Decimal:
        return self.handling_cost + Decimal(self.written_off_cost)

    @property
    def net_revenue(self) -> Decimal:
        return Decimal(self.revenue) - Decimal(self.returned_value)

    @property
    def margin_before_returns(self):
        return ratio(Decimal(self.revenue) - Decimal(self.cogs_sold), self.revenue)

    @property
    def profit_after_returns(self) -> Decimal:
        return self.net_revenue - (Decimal(self.cogs_sold) - Decimal(self.cogs_restocked)) - self.handling_cost

    @property
    def margin_after_returns(self):
        return ratio(self.profit_after_returns, self.net_revenue)

    def top_reason_id(self) -> int | None:
        """The reason with the most returned units (ties: the lower id, i.e. the list's order)."""
        best = [(units, -reason_id) for reason_id, units in self.reason_units.items() if units > 0]
        return -max(best)[1] if best else None


@dataclass
class ProductInfo:
    pk: int
    sku: str
    name: str
    category_id: int
    supplier_id: int | None
    supplier_name: str


@dataclass
class Analysis:
    """Per product, category, supplier and reason, with the total of what the user may see."""

    total: Figures
    products: dict[int, tuple[ProductInfo, Figures]]
    categories: dict[int, Figures]  # category id → the category with everything below it
    suppliers: dict[int | None, tuple[str, Figures]]
    reasons: dict[int, Figures]


def analyse(*, sales: Iterable[dict], returns: Iterable[dict], category_paths: dict[int, str],
            handling_cost: Decimal, exact_orders: dict[int | None, tuple[int, int]] | None = None) -> Analysis:
    """Roll the fact rows up.

    `sales`: one row per product (product facts: product_id, sku, name, category_id, supplier_id,
    supplier_name, units_sold, orders, revenue, cogs_sold, cogs_restocked). `returns`: one row
    per product and reason (return facts, with reason_id). `category_paths`: the categories to
    report (id → path), each with its subtree. `exact_orders`: (orders, orders with a return) from
    the KPI facts per category id, None for the total; they replace the per-product sums there.
    """
    products: dict[int, tuple[ProductInfo, Figures]] = {}

    def product(row: dict) -> Figures:
        pk = row["product_id"]
        if pk not in products:
            info = ProductInfo(pk, row["sku"], row["name"], row["category_id"], row.get("supplier_id"),
                               row.get("supplier_name") or "")
            products[pk] = (info, Figures(handling_cost_per_return=handling_cost))
        return products[pk][1]

    reasons: dict[int, Figures] = {}
    for row in sales:
        product(row).add_sales(row)
    for row in returns:
        product(row).add_returns(row, row["reason_id"])
        reasons.setdefault(row["reason_id"], Figures(handling_cost_per_return=handling_cost)).add_returns(row)

    total = Figures(handling_cost_per_return=handling_cost)
    suppliers: dict[int | None, tuple[str, Figures]] = {}
    own: dict[int, Figures] = defaultdict(lambda: Figures(handling_cost_per_return=handling_cost))
    for info, figures in products.values():
        total.add(figures)
        own[info.category_id].add(figures)
        name, supplier = suppliers.setdefault(info.supplier_id, (info.supplier_name, Figures(
            handling_cost_per_return=handling_cost)))
        supplier.add(figures)
    # every reason's rates relate to the scope's sales
    for figures in reasons.values():
        figures.units_sold, figures.revenue, figures.orders = total.units_sold, total.revenue, total.orders

    categories: dict[int, Figures] = {}
    for pk, path in category_paths.items():
        figures = Figures(handling_cost_per_return=handling_cost)
        for other_pk, other in own.items():
            other_path = category_paths.get(other_pk)
            if other_path is not None and other_path.startswith(path):
                figures.add(other)
        categories[pk] = figures
    for pk, (orders, orders_returned) in (exact_orders or {}).items():
        target = total if pk is None else categories.get(pk)
        if target is not None:
            target.orders, target.orders_returned = orders, orders_returned
    return Analysis(total=total, products=products, categories=categories, suppliers=suppliers, reasons=reasons)


# --- needs a look ---------------------------------------------------------------------------------

@dataclass
class Finding:
    info: ProductInfo
    figures: Figures
    category_rate: Decimal
    factor: Decimal  # the product's rate / its category's
    excess_units: Decimal  # returned units beyond what the category's rate would give
    reason_id: int | None
    reason_share: Decimal | None  # the dominant reason's share of the product's returned units
    action: str


def own_category_figures(analysis: Analysis) -> dict[int, Figures]:
    """Each category's own products (not its sub-categories'): the comparison for its products."""
    own: dict[int, Figures] = {}
    for info, figures in analysis.products.values():
        own.setdefault(info.category_id, Figures(handling_cost_per_return=figures.handling_cost_per_return)).add(figures)
    return own


def needs_a_look(analysis: Analysis, *, reason_codes: dict[int, str], factor: Decimal, min_units: int) -> list[Finding]:
    """Products whose unit return rate is well above their category's, the costliest first.

    Rule: at least `min_units` units sold and MIN_RETURNED_UNITS returned in the period, and a
    return rate of at least `factor` × the rate of the product's own category (all its products
    in the period, the product included). Sorted by the returned units beyond the category's rate.
    """
    own = own_category_figures(analysis)
    findings = []
    for info, figures in analysis.products.values():
        rate = figures.return_rate
        category_rate = own[info.category_id].return_rate
        if rate is None or not category_rate:
            continue
        if figures.units_sold < min_units or figures.returned_units < MIN_RETURNED_UNITS:
            continue
        if rate < factor * category_rate:
            continue
        reason_id = figures.top_reason_id()
        code = reason_codes.get(reason_id) if reason_id is not None else None
        findings.append(Finding(
            info=info, figures=figures, category_rate=category_rate, factor=rate / category_rate,
            excess_units=figures.returned_units - category_rate * figures.units_sold,
            reason_id=reason_id,
            reason_share=ratio(figures.reason_units[reason_id], figures.returned_units) if reason_id else None,
            action=suggested_action(reason_code=code, rate=rate, category_rate=category_rate,
                                    margin_after=figures.margin_after_returns),
        ))
    findings.sort(key=lambda f: (-f.excess_units, f.info.sku))
    return findings
