"""Pure price rules with the worked numbers of DOMAIN §3.1 (30-day low) and §3.4 (elasticity,
optimum, guardrails, forecast, markdown)."""

import datetime as dt
import math
from decimal import Decimal as D

import pytest

from pricing import rules
from pricing.rules import Guardrails, PricePoint
from shopmgr.core.dates import BERLIN


def berlin(y, m, d, h=0, minute=0):
    return dt.datetime(y, m, d, h, minute, tzinfo=BERLIN)


def history(*points):
    return [PricePoint(when, D(price), kind) for when, price, kind in points]


# --- §3.1: the lowest price of the 30 days before a reduction --------------------------------

PROMO = history(
    (berlin(2026, 1, 1), "49.99", "regular"),
    (berlin(2026, 3, 1), "39.99", "sale"),  # promotion inside the 30 days before 2026-03-20
    (berlin(2026, 3, 8), "49.99", "regular"),
    (berlin(2026, 3, 20), "44.99", "sale"),
)


def test_after_a_39_99_promotion_44_99_is_no_reduction_from_49_99():
    # given the DOMAIN §3.1 example: 49.99, a 39.99 promotion, 49.99 again, then 44.99
    at = berlin(2026, 3, 21)
    # when the reduction in effect is looked at
    reduction = rules.current_reduction(PROMO, at)
    # then its reference is the 30-day low 39.99, and 44.99 is no reduction from it
    assert reduction.reference == D("39.99")
    assert reduction.percent is None
    assert not reduction.may_be_advertised
    assert rules.reduction_percent(reference=D("39.99"), price=D("44.99")) is None


def test_once_the_promotion_is_older_than_30_days_the_same_cut_is_a_reduction_of_10_percent():
    # the 39.99 promotion ended on 2026-03-08; a cut on 2026-04-08 looks back to 2026-03-09
    prices = PROMO[:3] + history((berlin(2026, 4, 8), "44.99", "sale"))
    reduction = rules.current_reduction(prices, berlin(2026, 4, 9))
    assert reduction.reference == D("49.99")
    # (49.99 − 44.99) / 49.99 = 10.0 %
    assert reduction.percent == D("0.1000")
    assert reduction.may_be_advertised


@pytest.mark.parametrize(("at", "expected"), [
    # a product launched 10 days ago: the lowest price since launch (no exception for new products)
    (berlin(2026, 5, 11), D("19.99")),
    # the day of launch itself: no earlier price at all
    (berlin(2026, 5, 1), None),
])
def test_a_product_younger_than_30_days_looks_back_to_its_first_price(at, expected):
    prices = history((berlin(2026, 5, 1), "19.99", "regular"), (berlin(2026, 5, 5), "24.99", "regular"))
    assert rules.lowest_price_before(prices, at) == expected


def test_a_series_of_stepwise_reductions_keeps_the_low_before_the_series():
    # given 100 → 90 → 80 → 70, each step a week apart (§11(2) PAngV: a continuous reduction)
    prices = history(
        (berlin(2026, 1, 1), "100.00", "regular"),
        (berlin(2026, 6, 1), "90.00", "sale"),
        (berlin(2026, 6, 8), "80.00", "sale"),
        (berlin(2026, 6, 15), "70.00", "sale"),
    )
    reduction = rules.current_reduction(prices, berlin(2026, 6, 16))
    # then the reference stays 100.00 (the low before the series), not 80.00
    assert reduction.starts == berlin(2026, 6, 1)
    assert reduction.reference == D("100.00")
    assert reduction.percent == D("0.3000")
    # whereas the plain 30-day low before the last step is 80.00
    assert rules.lowest_price_before(prices, berlin(2026, 6, 15)) == D("80.00")


@pytest.mark.parametrize(("old_price_ends", "expected"), [
    # the window of a sale starting 2026-03-29 00:00 Berlin (the night clocks go forward) opens
    # 2026-02-27 00:00 Berlin: a price that ended exactly then is outside it,
    (berlin(2026, 2, 27, 0, 0), D("59.99")),
    # one that ended half an hour later is inside.
    (berlin(2026, 2, 27, 0, 30), D("39.99")),
])
def test_a_sale_starting_at_midnight_berlin_looks_back_30_berlin_days(old_price_ends, expected):
    prices = history(
        (berlin(2026, 1, 1), "39.99", "regular"),
        (old_price_ends, "59.99", "regular"),
        (berlin(2026, 3, 29), "49.99", "sale"),
    )
    starts = berlin(2026, 3, 29)
    assert rules.window_start(starts) == berlin(2026, 2, 27)
    assert rules.lowest_price_before(prices, starts) == expected


def test_a_price_increase_is_no_reduction():
    prices = history((berlin(2026, 1, 1), "10.00", "regular"), (berlin(2026, 2, 1), "12.00", "regular"))
    assert rules.current_reduction(prices, berlin(2026, 2, 2)) is None


# --- §3.4 step 1: elasticity -------------------------------------------------------------------

def test_elasticity_of_the_worked_example_is_minus_2():
    # prices 10/12/15/20 with units 1000/694/444/250 → ε = −2.0
    fit = rules.fit_elasticity([10, 12, 15, 20], [1000, 694, 444, 250])
    assert fit.elasticity == pytest.approx(-2.0, abs=0.01)
    assert fit.distinct_prices == 4
    assert fit.r_squared == pytest.approx(1.0, abs=1e-4)


def test_a_constant_vat_rate_does_not_change_the_elasticity():
    gross = [p * 1.19 for p in (10, 12, 15, 20)]
    assert rules.fit_elasticity(gross, [1000, 694, 444, 250]).elasticity == pytest.approx(-2.0, abs=0.01)


def test_the_season_control_separates_a_christmas_peak_from_the_price_effect():
    # given ε = −2 and a season that doubles demand in two weeks that happen to have the high price
    prices = [10, 12, 15, 20, 10, 12, 15, 20]
    season = [0, 0, 0, math.log(2), 0, 0, math.log(2), 0]
    units = [1000 * (p / 10) ** -2 * math.exp(s) for p, s in zip(prices, season, strict=True)]
    # when fitted without and with the season control
    naive = rules.fit_elasticity(prices, units)
    controlled = rules.fit_elasticity(prices, units, season)
    # then only the controlled fit finds −2
    assert controlled.elasticity == pytest.approx(-2.0, abs=1e-6)
    assert naive.elasticity > -1.9


def test_pooled_elasticity_uses_deviations_from_each_products_means():
    # a cheap product selling a lot and a dear one selling little (no price effect across them),
    # each with ε = −3 within its own history
    cheap = ([5, 6, 5, 6], [1000 * (p / 5) ** -3 for p in (5, 6, 5, 6)], None)
    dear = ([50, 55, 50, 55], [10 * (p / 50) ** -3 for p in (50, 55, 50, 55)], None)
    fit = rules.fit_pooled_elasticity([cheap, dear])
    assert fit.elasticity == pytest.approx(-3.0, abs=1e-6)


def test_no_elasticity_from_fewer_than_three_weeks_or_one_price():
    assert rules.fit_elasticity([10, 12], [100, 80]) is None
    assert rules.fit_elasticity([10, 10, 10, 10], [100, 80, 90, 95]) is None


# --- §3.4 steps 2 and 3: optimum and guardrails ------------------------------------------------

def test_optimum_for_c_20_and_elasticity_minus_2_5_is_33_33_net():
    # p* = c·ε/(1+ε) = 20 × −2.5 / −1.5 = 33.33 net = 39.67 gross
    net = rules.optimal_net_price(unit_cost=D("20.00"), elasticity=-2.5)
    assert rules.cents(net) == D("33.33")
    assert rules.cents(net * D("1.19")) == D("39.67")


@pytest.mark.parametrize("elasticity", [-1.0, -0.5, 0.0])
def test_no_optimum_where_elasticity_is_not_below_minus_1(elasticity):
    assert rules.optimal_net_price(unit_cost=D("20"), elasticity=elasticity) is None


def test_worked_example_c_20_elasticity_minus_2_5_gives_31_99():
    # given the DOMAIN §3.4 example: current 29.99 gross, c = 20.00 net, 10 % step, .99 endings
    rails = Guardrails(margin_floor=D("0.15"), max_step=D("0.10"), competitor_band_below=None,
                       competitor_band_above=None, price_ending=99, ceiling_factor=None)
    # when the price is suggested
    s = rules.suggest_price(current=D("29.99"), unit_cost=D("20.00"), vat_rate=D("0.19"), elasticity=-2.5,
                            std_error=0.1, max_std_error=0.5, rails=rails)
    # then the +10 % cap (32.989) is rounded down to 31.99
    assert s.price == D("31.99")
    assert s.outcome == "suggested"
    assert s.bound_by == "max_step"
    assert s.optimum_gross == D("39.67")
    steps = {step.code: step.values for step in s.steps}
    assert steps["step_up"]["bound"] == D("32.989")
    # margin floor 15 %: 26.88 net ≥ 23.53, OK
    assert steps["margin_check"] == {"net": D("26.88"), "floor_net": D("23.53"), "margin": D("0.15"), "ok": True}


def test_worked_example_forecast_85_1_units_and_contribution_520_17_to_585_66():
    f = rules.forecast(weekly_units=D("100"), current=D("29.99"), new=D("31.99"), elasticity=-2.5,
                       unit_cost=D("20.00"), vat_rate=D("0.19"))
    # q = 100 × (31.99/29.99)^−2.5 = 85.1
    assert f.units_after == D("85.1")
    assert f.contribution_before == D("520.17")
    assert f.contribution_after == D("585.66")


BASE = {"current": D("29.99"), "unit_cost": D("20.00"), "vat_rate": D("0.19"), "std_error": 0.1, "max_std_error": 0.5}


@pytest.mark.parametrize(("case", "kwargs", "rails", "price", "outcome", "bound_by"), [
    ("inelastic: no suggestion", {"elasticity": -0.8}, Guardrails(), None, "inelastic", ""),
    ("exactly −1: no suggestion", {"elasticity": -1.0}, Guardrails(), None, "inelastic", ""),
    ("too uncertain", {"elasticity": -2.5, "std_error": 0.9}, Guardrails(), None, "too_uncertain", ""),
    ("no elasticity", {"elasticity": None, "std_error": None}, Guardrails(), None, "no_elasticity", ""),
    # competitor median 30.00, +5 % band → at most 31.50 → 30.99
    ("competitor band", {"elasticity": -2.5, "competitor_median": D("30.00")},
     Guardrails(competitor_band_above=D("0.05"), ceiling_factor=None), D("30.99"), "suggested", "competitor_band"),
    # ceiling 1.3 × 20 × 1.19 = 30.94 → 30.99 would be above it → rounded down: 29.99 = current
    ("ceiling", {"elasticity": -2.5}, Guardrails(ceiling_factor=D("1.3"), competitor_band_above=None),
     None, "no_change", "ceiling"),
    # a very elastic product: optimum 20 × −6/−5 = 24.00 net = 28.56 gross, inside the step → 27.99
    # is below the floor 28.00 gross (15 % on 20.00 net), so the next ending up: 28.99
    ("margin floor lifts the ending", {"elasticity": -6.0}, Guardrails(competitor_band_below=None),
     D("28.99"), "suggested", "margin_floor"),
])
def test_guardrails(case, kwargs, rails, price, outcome, bound_by):
    s = rules.suggest_price(**{**BASE, **kwargs}, rails=rails)
    assert (s.price, s.outcome, s.bound_by) == (price, outcome, bound_by), case


def test_a_cut_is_stopped_by_the_maximum_step_and_rounded_up_inside_it():
    # optimum far below: 10 % down from 49.99 is 44.991; rounding down (43.99) would leave the step,
    # so the next .99 up: 44.99
    s = rules.suggest_price(current=D("49.99"), unit_cost=D("10.00"), vat_rate=D("0.19"), elasticity=-3.0,
                            std_error=0.1, max_std_error=0.5,
                            rails=Guardrails(competitor_band_below=None, competitor_band_above=None))
    assert (s.price, s.bound_by) == (D("44.99"), "max_step")


@pytest.mark.parametrize(("value", "ending", "expected"), [
    (D("32.989"), 99, D("31.99")),
    (D("32.99"), 99, D("32.99")),
    (D("33.00"), 99, D("32.99")),
    (D("33.00"), 95, D("32.95")),
    (D("33.00"), 0, D("33.00")),
    (D("0.50"), 99, D("-0.01")),
])
def test_price_endings_round_down(value, ending, expected):
    assert rules.price_with_ending(value, ending) == expected


# --- §3.4 markdown -------------------------------------------------------------------------------

def test_markdown_worked_example_needs_26_3_percent_and_takes_the_30_percent_step():
    # 200 units, 8 weeks, r0 = 10/week, ε = −3 → d_min = 1 − (25/10)^(−1/3) = 26.3 %
    d_min = rules.markdown_minimum(stock=200, weeks_left=D(8), weekly_units=D(10), elasticity=-3)
    assert d_min.quantize(D("0.001")) == D("0.263")
    assert rules.markdown_step(d_min) == D("0.30")


@pytest.mark.parametrize(("discount", "revenue", "left"), [
    (D("0.30"), D("7000.00"), D("0.00")),
    (D("0.20"), D("6250.00"), D("43.75")),  # 44 units left over
    (D("0.40"), D("6000.00"), D("0.00")),
])
def test_markdown_worked_example_revenues(discount, revenue, left):
    got = rules.markdown_revenue(stock=200, weeks_left=D(8), weekly_units=D(10), elasticity=-3,
                                 price=D("50"), discount=discount)
    assert got == (revenue, left)


def test_no_markdown_needed_when_the_current_rate_clears_the_stock():
    assert rules.markdown_minimum(stock=50, weeks_left=D(8), weekly_units=D(10), elasticity=-3) == 0
