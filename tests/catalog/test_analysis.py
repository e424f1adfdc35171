"""The pure assortment rules with the worked numbers of DOMAIN §4 (table-driven)."""

import datetime as dt
from decimal import Decimal as D

import pytest

from catalog import analysis

pytestmark = pytest.mark.usefixtures("english")

A, B = D("0.80"), D("0.95")
X, Y = D("0.25"), D("0.50")


# --- ABC ------------------------------------------------------------------------------------

def test_abc_worked_example_of_domain_4():
    # given shares 52/23/9/6/4/3.5/2.5 (of 100)
    values = [("p1", D(52)), ("p2", D(23)), ("p3", D(9)), ("p4", D(6)), ("p5", D(4)), ("p6", D("3.5")),
              ("p7", D("2.5"))]
    # when classified with A ≤ 80 %, B ≤ 95 %
    result = analysis.abc_classes(values, a=A, b=B)
    # then 52/23 → A (cumulative 52, 75); 9/6/4 → B (84, 90, 94); 3.5/2.5 → C (97.5, 100)
    assert {k: (r.abc_class, r.cumulative_share) for k, r in result.items()} == {
        "p1": ("A", D("0.5200")), "p2": ("A", D("0.7500")),
        "p3": ("B", D("0.8400")), "p4": ("B", D("0.9000")), "p5": ("B", D("0.9400")),
        "p6": ("C", D("0.9750")), "p7": ("C", D("1.0000")),
    }


@pytest.mark.parametrize(("values", "expected"), [
    # the item's own share is included: exactly 80 % is still A, exactly 95 % still B
    ([("a", D(80)), ("b", D(15)), ("c", D(5))], {"a": "A", "b": "B", "c": "C"}),
    # a cent above the threshold is the next class
    ([("a", D("80.01")), ("b", D("14.99")), ("c", D(5))], {"a": "B", "b": "B", "c": "C"}),
    ([("a", D("79.99")), ("b", D("15.02")), ("c", D("4.99"))], {"a": "A", "b": "C", "c": "C"}),
    # one product with all the revenue: cumulative 100 % → C by the rule (the first threshold ≥ 100 %)
    ([("a", D(100)), ("b", D(0))], {"a": "C", "b": "C"}),
    # nothing sold at all: every item C
    ([("a", D(0)), ("b", D(0))], {"a": "C", "b": "C"}),
    # negative values (more returned than sold) are C and do not count towards the total
    # (70 of a total of 80 is 87.5 %: B)
    ([("a", D(70)), ("b", D(10)), ("c", D(-5))], {"a": "B", "b": "C", "c": "C"}),
])
def test_abc_boundaries(values, expected):
    result = analysis.abc_classes(values, a=A, b=B)
    assert {k: r.abc_class for k, r in result.items()} == expected


def test_abc_ties_are_broken_by_key_so_reruns_agree():
    values = [("b", D(40)), ("a", D(40)), ("c", D(20))]
    result = analysis.abc_classes(values, a=A, b=B)
    assert (result["a"].abc_class, result["b"].abc_class) == ("A", "A")
    assert result["a"].cumulative_share == D("0.4000") and result["b"].cumulative_share == D("0.8000")


# --- XYZ ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("series", "exact", "domain", "cls"), [
    ([100, 110, 90, 105, 95, 100], D("0.0645"), D("0.065"), "X"),  # DOMAIN §4: 0.065 → X
    ([60, 120, 80, 150, 40, 100], D("0.4004"), D("0.40"), "Y"),  # 0.40 → Y
    ([0, 40, 5, 0, 80, 10], D("1.2942"), D("1.29"), "Z"),  # 1.29 → Z (zero months count)
])
def test_xyz_worked_examples_of_domain_4(series, exact, domain, cls):
    got = analysis.coefficient_of_variation(series)
    assert got == exact  # stored to four places
    assert abs(got - domain) < D("0.005")  # the figure DOMAIN §4 prints
    assert analysis.xyz_class(got, x=X, y=Y) == cls


def test_cv_uses_population_sigma_and_counts_zero_months():
    # [0, 0, 0, 12]: μ = 3, population σ = √27 = 5.196 → CV 1.7321 (sample σ would give 2.0)
    assert analysis.coefficient_of_variation([0, 0, 0, 12]) == D("1.7321")
    # without sales there is no CV, and such a product is Z
    assert analysis.coefficient_of_variation([0] * 12) is None
    assert analysis.xyz_class(None, x=X, y=Y) == "Z"


@pytest.mark.parametrize(("cv", "cls"), [
    (D("0.2499"), "X"), (D("0.25"), "Y"), (D("0.4999"), "Y"), (D("0.50"), "Z"), (D(0), "X"),
])
def test_xyz_boundaries_below_x_below_y_else_z(cv, cls):
    assert analysis.xyz_class(cv, x=X, y=Y) == cls


@pytest.mark.parametrize(("a", "b", "x", "y", "ok"), [
    (D("0.80"), D("0.95"), D("0.25"), D("0.50"), True),
    (D("0.95"), D("0.80"), D("0.25"), D("0.50"), False),  # A above B
    (D("0.80"), D("0.80"), D("0.25"), D("0.50"), False),  # equal: not increasing
    (D("0.80"), D("1.10"), D("0.25"), D("0.50"), False),  # B above 100 %
    (D("0.80"), D("0.95"), D("0.50"), D("0.25"), False),  # X above Y
    (D("0"), D("0.95"), D("0.25"), D("0.50"), False),
])
def test_thresholds_must_increase(a, b, x, y, ok):
    assert (analysis.thresholds_increase(a=a, b=b, x=x, y=y) == []) is ok


def test_complete_months_are_the_calendar_months_before_the_current_one():
    months = analysis.complete_months(dt.date(2026, 1, 15), 12)
    assert months[0] == dt.date(2025, 1, 1) and months[-1] == dt.date(2025, 12, 1) and len(months) == 12
    assert analysis.month_end(dt.date(2024, 2, 1)) == dt.date(2024, 2, 29)
    assert analysis.month_end(dt.date(2025, 12, 1)) == dt.date(2025, 12, 31)


def test_every_cell_of_the_matrix_has_an_action():
    assert len(analysis.RECOMMENDED_ACTIONS) == 9
    assert str(analysis.RECOMMENDED_ACTIONS[("C", "Z")]) == "Delist, dropship or make to order"
    assert str(analysis.RECOMMENDED_ACTIONS[("A", "X")]) == "Automated replenishment, low safety stock"


# --- Slow movers, dead stock, GMROI ---------------------------------------------------------

@pytest.mark.parametrize(("stock", "units_90d", "doi"), [
    (100, 45, D("200.0")),  # 45 units in 90 days = 0.5 a day; 100 on hand last 200 days
    (30, 90, D("30.0")),
    (0, 10, D(0)),
    (12, 0, None),  # stock without a sale in 90 days: endless
])
def test_days_of_inventory(stock, units_90d, doi):
    assert analysis.days_of_inventory(stock=stock, units_90d=units_90d) == doi


@pytest.mark.parametrize(("stock", "doi", "since", "expected"), [
    (10, D(200), 5, "slow"),  # DOI above 180
    (10, D(180), 5, ""),  # exactly 180 is not above
    (10, D(30), 90, "slow"),  # no sale in 90 days
    (10, D(30), 89, ""),
    (10, None, 180, "dead"),  # no sale in 180 days
    (10, None, None, "dead"),  # never sold
    (0, None, None, ""),  # no stock: nothing lies around
])
def test_slow_movers_and_dead_stock(stock, doi, since, expected):
    assert analysis.movement(stock=stock, doi=doi, days_since_last_sale=since, slow_doi_days=180,
                             slow_no_sale_days=90, dead_no_sale_days=180) == expected


def test_gmroi_worked_example_of_domain_4():
    # (120k − 72k) / 24k = 2.0
    assert analysis.gmroi(net_revenue=D(120_000), cogs=D(72_000), average_inventory_at_cost=D(24_000)) == D("2.0000")
    assert analysis.gmroi(net_revenue=D(100), cogs=D(50), average_inventory_at_cost=D(0)) is None


def test_sell_through_is_sold_over_sold_plus_on_hand():
    assert analysis.sell_through(units_sold=30, stock=70) == D("0.3000")
    assert analysis.sell_through(units_sold=0, stock=0) is None


# --- Content --------------------------------------------------------------------------------

RULES = analysis.ContentRules(min_description_length=200, min_images=4, required_attributes=("brand", "size"))


@pytest.mark.parametrize(("length", "images", "attributes", "score", "gaps"), [
    (250, 5, {"brand": "Kiesel", "size": "42"}, 100, []),
    # 100 of 200 characters = 20 of 40; 2 of 4 images = 15 of 30; 1 of 2 attributes = 15 of 30
    (100, 2, {"brand": "Kiesel", "size": ""}, 50, ["description", "images", "attr:size"]),
    (0, 0, {}, 0, ["description", "images", "attr:brand", "attr:size"]),
    (200, 4, {"brand": "Kiesel"}, 85, ["attr:size"]),
])
def test_content_score(length, images, attributes, score, gaps):
    result = analysis.content_score(description_length=length, image_count=images, attributes=attributes, rules=RULES)
    assert (result.score, result.gaps) == (score, gaps)


def test_content_rules_without_requirements_give_full_points():
    rules = analysis.ContentRules(min_description_length=0, min_images=0, required_attributes=())
    assert analysis.content_score(description_length=0, image_count=0, attributes={}, rules=rules).score == 100


# --- Delist ranking -------------------------------------------------------------------------

def test_badness_percentiles_and_delist_score():
    revenue = {"a": D(1000), "b": D(100), "c": D(10), "d": D(1)}
    # low revenue is bad: d is beaten by 3 of 4 (75), a by none (0)
    assert analysis.badness_percentiles(revenue, higher_is_worse=False) == {"a": 0, "b": 25, "c": 50, "d": 75}
    rates = {"a": D("0.01"), "b": D("0.50"), "c": None}
    # a high return rate is bad; an unknown rate is neutral (50)
    assert analysis.badness_percentiles(rates, higher_is_worse=True) == {"a": 0, "b": 50, "c": 50}
    assert analysis.delist_score(sales=75, returns=50, margin=100, content=25) == 63
