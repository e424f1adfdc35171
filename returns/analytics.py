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

from collections.abc import Iterable
from dataclasses import dataclass
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


class Figures:
    """Additive measures of a set of products over a period, and what follows from them.

    Plain attributes and explicit sums: a year's analysis adds up several thousand products.
    """

    __slots__ = ("units_sold", "orders", "revenue", "cogs_sold", "cogs_restocked", "returned_units",
                 "returned_value", "returns", "orders_returned", "restocked_units", "written_off_units",
                 "written_off_cost", "refunded", "reason_units", "handling_cost_per_return")

    def __init__(self, handling_cost_per_return: Decimal = ZERO):
        self.units_sold = self.orders = 0
        self.revenue = self.cogs_sold = self.cogs_restocked = ZERO
        self.returned_units = self.orders_returned = self.restocked_units = self.written_off_units = 0
        self.returned_value = self.written_off_cost = self.refunded = ZERO
        self.returns = ZERO  # Σ return shares: returns, shared out over their products
        self.reason_units: dict[int, int] = {}
        self.handling_cost_per_return = handling_cost_per_return

    # Pickled (the cache) as one tuple of plain values: a year's analysis holds thousands of these,
    # and pickling each Decimal on its own costs most of reading the analysis back.
    _MONEY = ("revenue", "cogs_sold", "cogs_restocked", "returned_value", "returns", "written_off_cost", "refunded",
              "handling_cost_per_return")
    _COUNTS = ("units_sold", "orders", "returned_units", "orders_returned", "restocked_units", "written_off_units")

    def __getstate__(self):
        return (tuple(str(getattr(self, name)) for name in self._MONEY),
                tuple(getattr(self, name) for name in self._COUNTS), self.reason_units)

    def __setstate__(self, state):
        money, counts, self.reason_units = state
        for name, value in zip(self._MONEY, money, strict=True):
            setattr(self, name, Decimal(value))
        for name, value in zip(self._COUNTS, counts, strict=True):
            setattr(self, name, value)

    def add_sales(self, row: dict) -> None:
        self.units_sold += row["units_sold"] or 0
        self.orders += row["orders"] or 0
        self.revenue += row["revenue"] or ZERO
        self.cogs_sold += row["cogs_sold"] or ZERO
        self.cogs_restocked += row["cogs_restocked"] or ZERO

    def add_returns(self, row: dict, reason_id: int | None = None) -> None:
        units = row["returned_units"] or 0
        self.returned_units += units
        self.returned_value += row["returned_value"] or ZERO
        self.returns += row["returns_share"] or ZERO
        self.orders_returned += row.get("orders_returned") or 0
        self.restocked_units += row.get("restocked_units") or 0
        self.written_off_units += row.get("written_off_units") or 0
        self.written_off_cost += row.get("written_off_cost") or ZERO
        self.refunded += row.get("refunded") or ZERO
        if reason_id is not None:
            self.reason_units[reason_id] = self.reason_units.get(reason_id, 0) + units

    def add(self, other: Figures) -> None:
        self.units_sold += other.units_sold
        self.orders += other.orders
        self.revenue += other.revenue
        self.cogs_sold += other.cogs_sold
        self.cogs_restocked += other.cogs_restocked
        self.returned_units += other.returned_units
        self.returned_value += other.returned_value
        self.returns += other.returns
        self.orders_returned += other.orders_returned
        self.restocked_units += other.restocked_units
        self.written_off_units += other.written_off_units
        self.written_off_cost += other.written_off_cost
        self.refunded += other.refunded
        mine = self.reason_units
        for reason_id, units in other.reason_units.items():
            mine[reason_id] = mine.get(reason_id, 0) + units

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


class Analysis:
    """Per product, category, supplier and reason, with the total of what the user may see.

    Products, categories and the total are rolled up at once; suppliers and reasons when first
    asked for (a page shows one of them at most).
    """

    def __init__(self, *, total: Figures, products: dict[int, tuple[ProductInfo, Figures]],
                 categories: dict[int, Figures], own_categories: dict[int, Figures], returns: list[dict] | None,
                 handling_cost: Decimal):
        self.total = total
        self.products = products  # product id → (what is known of it, its figures)
        self.categories = categories  # category id → the category with everything below it
        self.own_categories = own_categories  # category id → its own products only
        # per product × reason fact rows (analyse(returns=…)), or None: the reasons come from
        # per-reason sums (load_reasons), read only for the reasons tab
        self._returns, self._handling_cost = returns, handling_cost
        self._suppliers: dict[int | None, tuple[str, Figures]] | None = None
        self._reasons: dict[int, Figures] | None = None

    @property
    def suppliers(self) -> dict[int | None, tuple[str, Figures]]:
        if self._suppliers is None:
            suppliers: dict[int | None, tuple[str, Figures]] = {}
            for info, figures in self.products.values():
                if info.supplier_id not in suppliers:
                    suppliers[info.supplier_id] = (info.supplier_name, Figures(self._handling_cost))
                suppliers[info.supplier_id][1].add(figures)
            self._suppliers = suppliers
        return self._suppliers

    @property
    def reasons(self) -> dict[int, Figures]:
        """Per reason; every reason's rates relate to the scope's sales."""
        if self._reasons is None:
            if self._returns is None:
                raise LookupError("the reasons are not loaded (Analysis.load_reasons)")
            reasons: dict[int, Figures] = {}
            for row in self._returns:
                if row["product_id"] not in self.products:
                    continue
                reason_id = row["reason_id"]
                if reason_id not in reasons:
                    reasons[reason_id] = Figures(self._handling_cost)
                reasons[reason_id].add_returns(row)
            self._set_reasons(reasons)
        return self._reasons

    def load_reasons(self, rows: Iterable[dict]) -> dict[int, Figures]:
        """The reasons from the return facts summed per reason (reason_id and the sums), read
        with the same scope as the products (returns/selectors.py analytics_reason_facts)."""
        reasons: dict[int, Figures] = {}
        for row in rows:
            figures = reasons[row["reason_id"]] = Figures(self._handling_cost)
            figures.add_returns(row)
        self._set_reasons(reasons)
        return reasons

    def _set_reasons(self, reasons: dict[int, Figures]) -> None:
        for figures in reasons.values():
            figures.units_sold, figures.revenue = self.total.units_sold, self.total.revenue
            figures.orders = self.product_orders
        self._reasons = reasons

    # Pickled (the cache) by columns: one string per money measure and one list per count over all
    # of its Figures, the products' infos as tuples. Writing and reading back a year's analysis
    # (5,700 Figures) one object at a time took 40–50 ms each way.
    def __getstate__(self):
        if self._returns:
            raise ValueError("settle() the analysis before pickling it")
        suppliers = self.suppliers
        reasons = self._reasons or {}
        figures = [f for _info, f in self.products.values()]
        figures += [self.total, *self.categories.values(), *self.own_categories.values(),
                    *(f for _name, f in suppliers.values()), *reasons.values()]
        return {
            "infos": [(i.pk, i.sku, i.name, i.category_id, i.supplier_id, i.supplier_name)
                      for i, _f in self.products.values()],
            "categories": list(self.categories), "own_categories": list(self.own_categories),
            "suppliers": [(pk, name) for pk, (name, _f) in suppliers.items()],
            "reasons": None if self._reasons is None else list(reasons),
            "handling_cost": str(self._handling_cost),
            "money": [" ".join([str(getattr(f, name)) for f in figures]) for name in Figures._MONEY],
            "counts": [[getattr(f, name) for f in figures] for name in Figures._COUNTS],
            "reason_units": [f.reason_units for f in figures],
        }

    def __setstate__(self, state):
        n = len(state["reason_units"])
        money = [list(map(Decimal, column.split(" "))) if n else [] for column in state["money"]]
        columns = [*zip(Figures._MONEY, money, strict=True), *zip(Figures._COUNTS, state["counts"], strict=True)]
        figures = []
        for reason_units in state["reason_units"]:
            f = Figures.__new__(Figures)
            f.reason_units = reason_units
            figures.append(f)
        for name, values in columns:
            for f, value in zip(figures, values, strict=True):
                setattr(f, name, value)
        rest = iter(figures[len(state["infos"]):])
        self.products = {row[0]: (ProductInfo(*row), f) for row, f in zip(state["infos"], figures, strict=False)}
        self.total = next(rest)
        self.categories = {pk: next(rest) for pk in state["categories"]}
        self.own_categories = {pk: next(rest) for pk in state["own_categories"]}
        self._suppliers = {pk: (name, next(rest)) for pk, name in state["suppliers"]}
        self._reasons = None if state["reasons"] is None else {pk: next(rest) for pk in state["reasons"]}
        self._returns, self._handling_cost = None, Decimal(state["handling_cost"])

    def settle(self) -> Analysis:
        """Roll suppliers (and reasons, when known) up now and let go of the fact rows (before caching)."""
        _ = self.suppliers
        if self._returns is not None:
            _ = self.reasons
        self._returns = None
        return self

    @property
    def product_orders(self) -> int:
        """Σ over the products of their orders: an order counted once per product."""
        return sum(figures.orders for _info, figures in self.products.values())


def analyse(*, sales: Iterable[dict], products: dict[int, ProductInfo], category_paths: dict[int, str],
            handling_cost: Decimal, returns: Iterable[dict] | None = None,
            product_returns: Iterable[dict] | None = None,
            exact_orders: dict[int | None, tuple[int, int]] | None = None) -> Analysis:
    """Roll the fact rows up.

    `sales`: one row per product (product facts summed: product_id, units_sold, orders, revenue,
    cogs_sold, cogs_restocked). The return facts either as `returns`, one row per product and
    reason (summed, with reason_id), or as `product_returns`, one row per product (summed over
    its reasons, with `reason_units`: reason id → returned units); with the latter the reasons
    are loaded when asked for (Analysis.load_reasons). `products`: what is known of each product
    (rows of others are left out). `category_paths`: the categories to report (id → path), each
    with its subtree. `exact_orders`: (orders, orders with a return) from the KPI facts per
    category id, None for the total; they replace the per-product sums there.
    """
    figures_of: dict[int, tuple[ProductInfo, Figures]] = {}

    def product(pk: int) -> Figures | None:
        found = figures_of.get(pk)
        if found is None:
            info = products.get(pk)
            if info is None:
                return None
            found = figures_of[pk] = (info, Figures(handling_cost))
        return found[1]

    for row in sales:
        figures = product(row["product_id"])
        if figures is not None:
            figures.add_sales(row)
    if returns is not None:
        returns = list(returns)
        for row in returns:
            figures = product(row["product_id"])
            if figures is not None:
                figures.add_returns(row, row["reason_id"])
    for row in product_returns or ():
        figures = product(row["product_id"])
        if figures is not None:
            figures.add_returns(row)
            units = figures.reason_units
            for reason_id, reason_units in row["reason_units"].items():
                units[reason_id] = units.get(reason_id, 0) + reason_units

    own: dict[int, Figures] = {}
    for info, figures in figures_of.values():
        if info.category_id not in own:
            own[info.category_id] = Figures(handling_cost)
        own[info.category_id].add(figures)
    total = Figures(handling_cost)
    for figures in own.values():
        total.add(figures)

    categories: dict[int, Figures] = {}
    for pk, path in category_paths.items():
        figures = Figures(handling_cost)
        for other_pk, other in own.items():
            other_path = category_paths.get(other_pk)
            if other_path is not None and other_path.startswith(path):
                figures.add(other)
        categories[pk] = figures
    for pk, (orders, orders_returned) in (exact_orders or {}).items():
        target = total if pk is None else categories.get(pk)
        if target is not None:
            target.orders, target.orders_returned = orders, orders_returned
    return Analysis(total=total, products=figures_of, categories=categories, own_categories=own, returns=returns,
                    handling_cost=handling_cost)


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


def needs_a_look(analysis: Analysis, *, reason_codes: dict[int, str], factor: Decimal, min_units: int) -> list[Finding]:
    """Products whose unit return rate is well above their category's, the costliest first.

    Rule: at least `min_units` units sold and MIN_RETURNED_UNITS returned in the period, and a
    return rate of at least `factor` × the rate of the product's own category (all its products
    in the period, the product included). Sorted by the returned units beyond the category's rate.
    """
    own = analysis.own_categories
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
            reason_share=ratio(figures.reason_units[reason_id], figures.returned_units) if reason_id is not None else None,
            action=suggested_action(reason_code=code, rate=rate, category_rate=category_rate,
                                    margin_after=figures.margin_after_returns),
        ))
    findings.sort(key=lambda f: (-f.excess_units, f.info.sku))
    return findings
