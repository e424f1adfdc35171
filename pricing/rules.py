"""Pure price rules (DOMAIN §3): no database, no request. Everything here is pinned by tests with
the worked numbers of DOMAIN §3.1 and §3.4.

- the lowest price of the 30 days before a reduction (§11 PAngV, CJEU C-330/23);
- the log-log regression of weekly units on price (elasticity), with a season control;
- the profit-maximising price for a constant elasticity and the guardrails that bound it;
- the markdown that clears a slow mover's stock by a date.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from operator import mul

from shopmgr.core.dates import BERLIN

CENT = Decimal("0.01")
REFERENCE_DAYS = 30


def cents(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


# --- 30-day lowest price (§11 PAngV) ------------------------------------------------------------

@dataclass(frozen=True)
class PricePoint:
    """One price valid from a moment on (until the next point of the same product)."""

    valid_from: dt.datetime
    price: Decimal
    kind: str = "regular"


def window_start(moment: dt.datetime, days: int = REFERENCE_DAYS) -> dt.datetime:
    """30 Berlin calendar days before `moment`: wall-clock arithmetic in Berlin, so a reduction at
    Berlin midnight looks back to Berlin midnight even across a daylight-saving switch."""
    local = moment.astimezone(BERLIN)
    return (local - dt.timedelta(days=days)).replace(tzinfo=None).replace(tzinfo=BERLIN).astimezone(dt.UTC)


def price_at(history: Sequence[PricePoint], moment: dt.datetime) -> PricePoint | None:
    """The point in effect at `moment` (history sorted by valid_from)."""
    current = None
    for point in history:
        if point.valid_from <= moment:
            current = point
        else:
            break
    return current


def lowest_price_before(history: Sequence[PricePoint], moment: dt.datetime,
                        days: int = REFERENCE_DAYS) -> Decimal | None:
    """ref = min(gross price in effect on [moment − 30 days, moment)); None without an earlier price.

    A product younger than 30 days looks back to its first price (no exception for new products).
    """
    start = window_start(moment, days)
    lowest = None
    for i, point in enumerate(history):
        if point.valid_from >= moment:
            break
        ends = history[i + 1].valid_from if i + 1 < len(history) else None
        if ends is not None and ends <= start:
            continue  # ended before the window opened
        if lowest is None or point.price < lowest:
            lowest = point.price
    return lowest


def reduction_start(history: Sequence[PricePoint], moment: dt.datetime) -> PricePoint | None:
    """The first point of the reduction in effect at `moment`, or None when the price in effect is
    no reduction from the one before it. A series of stepwise reductions, each lower than the one
    before, keeps the start of the series (§11(2) PAngV)."""
    effective = [p for p in history if p.valid_from <= moment]
    if len(effective) < 2 or effective[-1].price >= effective[-2].price:
        return None
    i = len(effective) - 1
    while i > 0 and effective[i].price < effective[i - 1].price:
        i -= 1
    return effective[i + 1]


@dataclass(frozen=True)
class Reduction:
    starts: dt.datetime
    reference: Decimal | None  # the 30-day low before the reduction (series) started
    price: Decimal
    percent: Decimal | None  # (ref − price) / ref, None when it is no reduction from the 30-day low

    @property
    def may_be_advertised(self) -> bool:
        return self.percent is not None and self.percent > 0


def current_reduction(history: Sequence[PricePoint], moment: dt.datetime) -> Reduction | None:
    """The reduction in effect at `moment` with its strike-through reference and percentage, both
    computed from the 30-day low before it started (CJEU C-330/23), never from a list price."""
    start = reduction_start(history, moment)
    if start is None:
        return None
    current = price_at(history, moment)
    reference = lowest_price_before(history, start.valid_from)
    percent = None
    if reference is not None and current.price < reference:
        percent = ((reference - current.price) / reference).quantize(Decimal("0.0001"), ROUND_HALF_UP)
    return Reduction(starts=start.valid_from, reference=reference, price=current.price, percent=percent)


def reduction_percent(*, reference: Decimal | None, price: Decimal) -> Decimal | None:
    """discount% = (ref − new) / ref; None when `price` is no reduction from the reference."""
    if reference is None or reference <= 0 or price >= reference:
        return None
    return ((reference - price) / reference).quantize(Decimal("0.0001"), ROUND_HALF_UP)


# --- Elasticity: ln q = α + ε·ln p (+ season) -------------------------------------------------

@dataclass(frozen=True)
class Fit:
    elasticity: float
    std_error: float | None
    r_squared: float | None
    observations: int
    distinct_prices: int


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float] | None:
    """Gauss-Jordan with partial pivoting for the small normal equations; None when singular."""
    n = len(vector)
    a = [row[:] + [vector[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        if abs(a[pivot][col]) < 1e-12:
            return None
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(n):
            if r != col:
                f = a[r][col] / a[col][col]
                if f:
                    for c in range(col, n + 1):
                        a[r][c] -= f * a[col][c]
    return [a[i][n] / a[i][i] for i in range(n)]


def _inverse_diagonal_entry(matrix: list[list[float]], index: int) -> float | None:
    unit = [1.0 if i == index else 0.0 for i in range(len(matrix))]
    column = _solve(matrix, unit)
    return None if column is None else column[index]


def ols(y: Sequence[float], columns: Sequence[Sequence[float]], *, intercept: bool = True):
    """Least squares of y on the columns; returns (coefficients, standard errors, R²) or None.

    Coefficients come in the order [intercept?] + columns.
    """
    n = len(y)
    xs = ([[1.0] * n] if intercept else []) + [list(c) for c in columns]
    k = len(xs)
    if n <= k:
        return None
    xtx = [[sum(map(mul, xs[i], xs[j])) for j in range(k)] for i in range(k)]
    xty = [sum(map(mul, xs[i], y)) for i in range(k)]
    beta = _solve(xtx, xty)
    if beta is None:
        return None
    fitted = [0.0] * n
    for i in range(k):
        b = beta[i]
        fitted = [f + b * x for f, x in zip(fitted, xs[i], strict=True)]
    ss_res = sum((a - b) ** 2 for a, b in zip(y, fitted, strict=True))
    mean = sum(y) / n if intercept else 0.0
    ss_tot = sum((v - mean) ** 2 for v in y)
    r2 = 1 - ss_res / ss_tot if ss_tot > 0 else None
    sigma2 = ss_res / (n - k)
    errors = []
    for i in range(k):
        d = _inverse_diagonal_entry(xtx, i)
        errors.append(math.sqrt(max(sigma2 * d, 0.0)) if d is not None else None)
    return beta, errors, r2


def fit_elasticity(prices: Sequence[float], units: Sequence[float],
                   season: Sequence[float] | None = None) -> Fit | None:
    """ε from ln q = α + ε·ln p (+ γ·season): weeks with units > 0 and a price > 0 only."""
    rows = [(p, q, season[i] if season else None) for i, (p, q) in enumerate(zip(prices, units, strict=True))
            if p and p > 0 and q and q > 0]
    if len(rows) < 3:
        return None
    y = [math.log(q) for _, q, _ in rows]
    columns = [[math.log(p) for p, _, _ in rows]]
    if season is not None:
        columns.append([s for _, _, s in rows])
    result = ols(y, columns)
    if result is None and season is not None:  # the season did not vary: fit without it
        result = ols(y, columns[:1])
    if result is None:
        return None
    beta, errors, r2 = result
    return Fit(elasticity=beta[1], std_error=errors[1], r_squared=r2, observations=len(rows),
               distinct_prices=len({round(p, 2) for p, _, _ in rows}))


def fit_pooled_elasticity(groups: Sequence[tuple[Sequence[float], Sequence[float], Sequence[float] | None]]) -> Fit | None:
    """One ε for a category: each product's ln q and ln p taken as deviations from its own means
    (product fixed effects), so that cheap and dear products do not fake a price effect."""
    y: list[float] = []
    lp: list[float] = []
    ss: list[float] = []
    distinct = set()
    use_season = all(g[2] is not None for g in groups)
    products = 0
    for prices, units, season in groups:
        rows = [(math.log(p), math.log(q), season[i] if use_season else 0.0)
                for i, (p, q) in enumerate(zip(prices, units, strict=True)) if p and p > 0 and q and q > 0]
        if len(rows) < 2:
            continue
        products += 1
        n = len(rows)
        mp = sum(r[0] for r in rows) / n
        mq = sum(r[1] for r in rows) / n
        ms = sum(r[2] for r in rows) / n
        for a, b, s in rows:
            lp.append(a - mp)
            y.append(b - mq)
            ss.append(s - ms)
            distinct.add(round(math.exp(a), 2))
    if len(y) < 3:
        return None
    columns = [lp, ss] if use_season and any(abs(s) > 1e-12 for s in ss) else [lp]
    result = ols(y, columns, intercept=False)
    if result is None and len(columns) > 1:
        result = ols(y, [lp], intercept=False)
    if result is None:
        return None
    beta, errors, r2 = result
    # Degrees of freedom lost to the product means are not in `ols`: correct the error.
    n, k = len(y), len(columns)
    dof = n - k - products
    se = errors[0]
    if se is not None and dof > 0:
        se *= math.sqrt((n - k) / dof)
    elif dof <= 0:
        se = None
    return Fit(elasticity=beta[0], std_error=se, r_squared=r2, observations=n, distinct_prices=len(distinct))


# --- Optimum and guardrails ---------------------------------------------------------------------

def optimal_net_price(*, unit_cost: Decimal, elasticity: float) -> Decimal | None:
    """p* = c·ε/(1+ε) for a constant ε < −1, i.e. (p − c)/p = −1/ε; None for −1 ≤ ε (no optimum)."""
    if elasticity >= -1:
        return None
    e = Decimal(str(elasticity))
    return unit_cost * e / (1 + e)


def price_with_ending(value: Decimal, ending_cents: int) -> Decimal:
    """The largest price with the ending (e.g. .99) not above `value`: 32.989 → 31.99."""
    if ending_cents is None or ending_cents < 0:
        return cents(value).quantize(CENT, rounding=ROUND_FLOOR)
    ending = Decimal(ending_cents) / 100
    whole = (Decimal(value) - ending).to_integral_value(rounding=ROUND_FLOOR)
    return whole + ending


def next_ending_up(value: Decimal, ending_cents: int) -> Decimal:
    return price_with_ending(value, ending_cents) + 1


@dataclass(frozen=True)
class Guardrails:
    """The rules a category sets (pricing.PriceRule); fractions, e.g. 0.15 for 15 %."""

    margin_floor: Decimal = Decimal("0.15")
    max_step: Decimal = Decimal("0.10")
    competitor_band_below: Decimal | None = Decimal("0.15")
    competitor_band_above: Decimal | None = Decimal("0.15")
    price_ending: int = 99
    ceiling_factor: Decimal | None = Decimal("4")  # gross ≤ factor × full unit cost gross


@dataclass
class Step:
    """One link of a suggestion's explanation; rendered in the reader's language (explain.py)."""

    code: str
    values: dict = field(default_factory=dict)


@dataclass
class Suggestion:
    price: Decimal | None
    outcome: str  # "suggested", "no_change", or the reason there is none
    steps: list[Step]
    bound_by: str = ""
    optimum_gross: Decimal | None = None
    floor_gross: Decimal | None = None
    below_floor: bool = False


def margin_floor_gross(*, unit_cost: Decimal, vat_rate: Decimal, margin_floor: Decimal) -> Decimal:
    """(p_net − c)/p_net ≥ m_min  ⇔  p_net ≥ c/(1 − m_min); as a gross price."""
    return unit_cost / (1 - margin_floor) * (1 + vat_rate)


def margin_of(*, gross: Decimal, vat_rate: Decimal, unit_cost: Decimal) -> Decimal:
    net = gross / (1 + vat_rate)
    return (net - unit_cost) / net if net else Decimal(0)


def suggest_price(*, current: Decimal, unit_cost: Decimal, vat_rate: Decimal, elasticity: float | None,
                  std_error: float | None, max_std_error: float, rails: Guardrails,
                  competitor_median: Decimal | None = None, elasticity_source: str = "product") -> Suggestion:
    """The profit-maximising price bounded by the guardrails, with every step written down.

    Order: optimum → competitor band → ceiling → max step → margin floor → ending (rounded down,
    inside the step; up to the next ending where rounding down would leave the step or the floor).
    """
    steps: list[Step] = []
    if elasticity is None:
        return Suggestion(None, "no_elasticity", [Step("no_elasticity")])
    steps.append(Step("elasticity", {"elasticity": round(elasticity, 2), "std_error": None if std_error is None else round(std_error, 2),
                                     "source": elasticity_source}))
    if std_error is None or std_error > max_std_error:
        steps.append(Step("too_uncertain", {"std_error": None if std_error is None else round(std_error, 2),
                                            "max": max_std_error}))
        return Suggestion(None, "too_uncertain", steps)
    optimum_net = optimal_net_price(unit_cost=unit_cost, elasticity=elasticity)
    if optimum_net is None:
        steps.append(Step("inelastic", {"elasticity": round(elasticity, 2)}))
        return Suggestion(None, "inelastic", steps)
    optimum = optimum_net * (1 + vat_rate)
    steps.append(Step("optimum", {"unit_cost": cents(unit_cost), "elasticity": round(elasticity, 2),
                                  "optimum_net": cents(optimum_net), "optimum_gross": cents(optimum)}))
    target, bound_by = optimum, ""
    if competitor_median is not None:
        low = competitor_median * (1 - rails.competitor_band_below) if rails.competitor_band_below is not None else None
        high = competitor_median * (1 + rails.competitor_band_above) if rails.competitor_band_above is not None else None
        if high is not None and target > high:
            target, bound_by = high, "competitor_band"
            steps.append(Step("competitor_high", {"median": competitor_median, "band": rails.competitor_band_above, "bound": cents(high)}))
        elif low is not None and target < low:
            target, bound_by = low, "competitor_band"
            steps.append(Step("competitor_low", {"median": competitor_median, "band": rails.competitor_band_below, "bound": cents(low)}))
    if rails.ceiling_factor is not None:
        ceiling = unit_cost * rails.ceiling_factor * (1 + vat_rate)
        if target > ceiling:
            target, bound_by = ceiling, "ceiling"
            steps.append(Step("ceiling", {"factor": rails.ceiling_factor, "bound": cents(ceiling)}))
    up, down = current * (1 + rails.max_step), current * (1 - rails.max_step)
    if target > up:
        target, bound_by = up, "max_step"
        steps.append(Step("step_up", {"current": current, "step": rails.max_step, "bound": up.quantize(Decimal("0.001"))}))
    elif target < down:
        target, bound_by = down, "max_step"
        steps.append(Step("step_down", {"current": current, "step": rails.max_step, "bound": down.quantize(Decimal("0.001"))}))
    floor = margin_floor_gross(unit_cost=unit_cost, vat_rate=vat_rate, margin_floor=rails.margin_floor)
    if target < floor:
        target, bound_by = min(floor, up), "margin_floor"
        steps.append(Step("margin_floor", {"margin": rails.margin_floor, "bound": cents(floor)}))
    price = price_with_ending(target, rails.price_ending)
    if price < cents(down) or price < cents(floor):
        # rounding down left the step or the floor: the next price with the ending, if the step allows
        candidate = next_ending_up(target, rails.price_ending)
        if candidate <= max(up, current):
            bound_by = "margin_floor" if price < floor else "max_step"
            price = candidate
    steps.append(Step("ending", {"target": target.quantize(Decimal("0.001")), "ending": rails.price_ending, "price": price}))
    below_floor = price < cents(floor)
    net = price / (1 + vat_rate)
    steps.append(Step("margin_check", {"net": cents(net), "floor_net": cents(floor / (1 + vat_rate)),
                                       "margin": rails.margin_floor, "ok": not below_floor}))
    if price == current:
        return Suggestion(None, "no_change", steps, bound_by, cents(optimum), cents(floor), below_floor)
    return Suggestion(price, "suggested", steps, bound_by, cents(optimum), cents(floor), below_floor)


@dataclass(frozen=True)
class Forecast:
    units_before: Decimal
    units_after: Decimal
    revenue_before: Decimal  # net, per week
    revenue_after: Decimal
    contribution_before: Decimal  # (p_net − c) × units, per week
    contribution_after: Decimal


def forecast(*, weekly_units: Decimal, current: Decimal, new: Decimal, elasticity: float, unit_cost: Decimal,
             vat_rate: Decimal) -> Forecast:
    """q = q0 × (p/p0)^ε; revenue and contribution per week, net of VAT."""
    ratio = float(new / current)
    units_after = Decimal(str(float(weekly_units) * ratio ** elasticity))
    net_before, net_after = current / (1 + vat_rate), new / (1 + vat_rate)
    return Forecast(
        units_before=weekly_units.quantize(Decimal("0.1"), ROUND_HALF_UP),
        units_after=units_after.quantize(Decimal("0.1"), ROUND_HALF_UP),
        revenue_before=cents(weekly_units * net_before), revenue_after=cents(units_after * net_after),
        contribution_before=cents(weekly_units * (net_before - unit_cost)),
        contribution_after=cents(units_after * (net_after - unit_cost)),
    )


# --- Markdown for slow movers -------------------------------------------------------------------

MARKDOWN_STEPS = (Decimal("0.10"), Decimal("0.20"), Decimal("0.30"), Decimal("0.40"), Decimal("0.50"))


def markdown_minimum(*, stock: int, weeks_left: Decimal, weekly_units: Decimal, elasticity: float) -> Decimal | None:
    """d_min = 1 − (r_req/r0)^(1/ε) with r_req = stock / weeks_left; 0 when r0 already suffices."""
    if weeks_left <= 0 or weekly_units <= 0 or elasticity >= 0:
        return None
    required = Decimal(stock) / weeks_left
    if required <= weekly_units:
        return Decimal(0)
    return Decimal(str(1 - (float(required / weekly_units)) ** (1 / elasticity)))


def markdown_revenue(*, stock: int, weeks_left: Decimal, weekly_units: Decimal, elasticity: float,
                     price: Decimal, discount: Decimal) -> tuple[Decimal, Decimal]:
    """(gross revenue, units left over) over the weeks left at a discount: r(d) = r0·(1−d)^ε."""
    rate = float(weekly_units) * (1 - float(discount)) ** elasticity
    sold = min(Decimal(stock), Decimal(str(rate)) * weeks_left)
    return cents(sold * price * (1 - discount)), (Decimal(stock) - sold).quantize(Decimal("0.01"), ROUND_HALF_UP)


def markdown_step(d_min: Decimal, steps: Sequence[Decimal] = MARKDOWN_STEPS) -> Decimal | None:
    """The smallest step at or above d_min ("early and shallow"); None when even the deepest is short."""
    for s in steps:
        if s >= d_min:
            return s
    return None
