"""The nightly pricing run over hand-made weekly facts: elasticity, suggestion, outcomes, positions."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import translation

from kpis.models import DailyProductFact
from pricing import explain, tasks
from pricing.models import CompetitorPosition, PriceSuggestion, PricingRun, ProductElasticity
from pricing.nightly import RunRefused, run_pricing, week_noons, week_price
from pricing.rules import PricePoint
from shopmgr.core.dates import BERLIN
from tests.catalog.factories import ProductFactory
from tests.pricing.factories import CompetitorPriceFactory, PriceChangeFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=BERLIN)  # a Monday
FIRST_MONDAY = dt.date(2026, 1, 26)  # 20 complete weeks before NOW
CYCLE = [D("20.00"), D("22.00"), D("25.00"), D("28.00")]


@pytest.fixture
def short_history(settings):
    settings.PRICING_HISTORY_WEEKS = 20
    settings.PRICING_MIN_WEEKS = 12
    settings.PRICING_MIN_DISTINCT_PRICES = 3


def _weeks(n=20):
    return [FIRST_MONDAY + dt.timedelta(weeks=i) for i in range(n)]


@pytest.fixture
def elastic_dress(category_tree, short_history):
    """Weekly units follow q = 1000 × (p/20)^−2.5 over 20 weeks of prices 20/22/25/28."""
    product = ProductFactory(sku="DRESS-E", category=category_tree["women"], cost=D("10.00"), price=D("28.00"),
                             stock=5)
    for i, monday in enumerate(_weeks()):
        price = CYCLE[i % 4]
        PriceChangeFactory(product=product, price=price, valid_from=dt.datetime.combine(monday, dt.time(), tzinfo=BERLIN))
        units = round(1000 * float(price / 20) ** -2.5)
        DailyProductFact.objects.create(day=monday + dt.timedelta(days=2), product=product, channel="webshop",
                                        units_sold=units, revenue=D(units) * price / D("1.19"))
    return product


@pytest.fixture
def flat_shirt(category_tree, short_history):
    """One price all along: no elasticity of its own, none pooled over MEN either."""
    product = ProductFactory(sku="SHIRT-F", category=category_tree["men"], price=D("30.00"))
    PriceChangeFactory(product=product, price=D("30.00"), valid_from=dt.datetime(2025, 1, 1, tzinfo=BERLIN))
    for monday in _weeks():
        DailyProductFact.objects.create(day=monday, product=product, channel="webshop", units_sold=100)
    return product


def test_week_price_is_the_mean_of_the_seven_noons():
    # 20.00 until Thursday 00:00, then 27.00: 3 noons at 20, 4 at 27 → 24.00
    monday = dt.date(2026, 3, 2)
    history = [PricePoint(dt.datetime(2026, 1, 1, tzinfo=BERLIN), D("20.00")),
               PricePoint(dt.datetime(2026, 3, 5, tzinfo=BERLIN), D("27.00"))]
    assert week_price(history, week_noons(monday)) == pytest.approx(24.0)


def test_the_run_estimates_the_elasticity_and_suggests_a_price(elastic_dress, flat_shirt):
    # when the nightly run computes
    run = run_pricing(now=NOW)
    # then the dress has its own elasticity of −2.5 (from 20 weeks, 4 prices)
    e = ProductElasticity.objects.get(product=elastic_dress)
    assert e.source == "product" and e.weeks == 20 and e.distinct_prices == 4
    assert e.elasticity == pytest.approx(-2.5, abs=0.01)
    # and a suggestion: c = 10.00 + 3.00 shipping + 1.5 % × 23.53 = 13.35 net; p* = 13.35 × 2.5/1.5
    # = 22.25 net = 26.48 gross (26.46 with the ε estimated from whole units), inside the 10 % step
    # down from 28.00 → .99 rounded down: 25.99
    s = PriceSuggestion.objects.get(product=elastic_dress, kind="optimum")
    assert (s.outcome, s.current_price, s.unit_cost) == ("suggested", D("28.00"), D("13.3500"))
    assert abs(s.optimum_price - D("26.48")) <= D("0.03")
    assert (s.suggested_price, s.bound_by) == (D("25.99"), "")
    codes = [step["code"] for step in s.steps]
    assert codes == ["elasticity", "unit_cost", "optimum", "ending", "margin_check", "forecast",
                     "reference_no_reduction"]
    # the 30 days before NOW (from 2026-05-16 10:00) saw 20.00, 22.00, 25.00 and 28.00: 25.99 is
    # lower than 28.00 but no reduction from the 30-day low 20.00, which stays the reference
    assert s.reference_30d == D("20.00")
    # the flat shirt gets no suggestion, and the run counts why
    assert PriceSuggestion.objects.get(product=flat_shirt).outcome == "no_elasticity"
    assert run.status == "done"
    assert run.outcomes == {"suggested": 1, "no_elasticity": 1}
    assert run.cost_basis["source"] == "settings"


def test_the_explanation_reads_as_a_chain_in_english_and_german(elastic_dress):
    run_pricing(now=NOW)
    steps = PriceSuggestion.objects.get(product=elastic_dress).steps
    with translation.override("en"):
        text = explain.explain(steps)
    assert text[0].startswith("Elasticity ε = -2.50")
    assert "€13.35" in text[1]
    assert text[3].startswith("Price ending .99, rounded down: 26.4") and text[3].endswith(" → €25.99.")
    assert text[-1].startswith("30-day lowest price: €20.00 now; €25.99 is below the current price but no reduction")
    with translation.override("de"):
        assert "25,99 €" in explain.explain(steps)[3]


def test_a_product_without_enough_history_borrows_its_categorys_elasticity(elastic_dress, category_tree):
    # a second dress with only 5 weeks of sales in the same category
    young = ProductFactory(sku="DRESS-Y", category=category_tree["women"], price=D("25.00"))
    for i, monday in enumerate(_weeks()[-5:]):
        price = CYCLE[i % 4] + 5
        PriceChangeFactory(product=young, price=price, valid_from=dt.datetime.combine(monday, dt.time(), tzinfo=BERLIN))
        DailyProductFact.objects.create(day=monday, product=young, channel="webshop",
                                        units_sold=round(500 * float(price / 25) ** -2.5))
    run_pricing(now=NOW)
    e = ProductElasticity.objects.get(product=young)
    assert e.source == "category"
    assert e.elasticity == pytest.approx(-2.5, abs=0.05)


def test_competitor_positions_use_each_competitors_latest_observation(elastic_dress):
    for competitor, price, days_ago in [("A", "30.00", 10), ("A", "26.00", 2), ("B", "29.00", 3), ("C", "35.00", 5),
                                        ("D", "10.00", 45)]:  # D is older than 30 days
        CompetitorPriceFactory(product=elastic_dress, competitor=competitor, price=D(price),
                               observed_at=NOW - dt.timedelta(days=days_ago))
    run_pricing(now=NOW)
    pos = CompetitorPosition.objects.get(product=elastic_dress)
    assert (pos.competitors, pos.cheapest, pos.median, pos.highest) == (3, D("26.00"), D("29.00"), D("35.00"))
    # our 28.00 is second cheapest of four sellers; at 25.00 we would be first, at 36.00 last
    assert pos.prices == ["26.00", "29.00", "35.00"]
    assert (pos.rank_of(D("28.00")), pos.rank_of(D("25.00")), pos.rank_of(D("36.00"))) == (2, 1, 4)


def test_a_phase_out_product_with_stock_gets_a_markdown(elastic_dress):
    # stock for far more than the 8-week window at the recent rate (mean of the last 8 weeks)
    elastic_dress.status = "phase_out"
    elastic_dress.stock = 20000
    elastic_dress.save()
    run_pricing(now=NOW)
    markdown = PriceSuggestion.objects.get(product=elastic_dress, kind="markdown")
    assert markdown.suggested_price < markdown.current_price
    assert str(markdown.suggested_price).endswith(".99")
    assert [s["code"] for s in markdown.steps][:2] == ["elasticity", "markdown"]


def test_a_second_run_replaces_the_first_and_overlapping_runs_are_refused(elastic_dress):
    first = run_pricing(now=NOW)
    second = run_pricing(now=NOW + dt.timedelta(days=1))
    assert PriceSuggestion.objects.filter(run=first).count() == 0
    assert PriceSuggestion.objects.filter(run=second).count() == 1
    PricingRun.objects.create(started_at=NOW + dt.timedelta(days=2), status="running")
    with pytest.raises(RunRefused):
        run_pricing(now=NOW + dt.timedelta(days=2, minutes=5))


def test_the_celery_task_runs_the_nightly_job(elastic_dress):
    result = tasks.nightly_suggestions.delay().get()
    assert result["status"] == "done"


@pytest.mark.parametrize(("new", "code", "after"), [
    # 49.99 → 54.99: an increase sets no new low; a cut within 30 days still starts from 39.99
    (D("54.99"), "reference_up", D("39.99")),
    # 49.99 → 44.99 after a 39.99 promotion: lower, but no reduction from the 30-day low (§3.1)
    (D("44.99"), "reference_no_reduction", D("39.99")),
    # 49.99 → 35.99: a real reduction of (39.99 − 35.99)/39.99 = 10.0 %, and the new low
    (D("35.99"), "reference_down", D("35.99")),
])
def test_a_suggestions_effect_on_the_30_day_low(new, code, after):
    from pricing.nightly import reference_effect

    history = [PricePoint(dt.datetime(2026, 1, 1, tzinfo=BERLIN), D("49.99")),
               PricePoint(dt.datetime(2026, 3, 1, tzinfo=BERLIN), D("39.99"), "sale"),
               PricePoint(dt.datetime(2026, 3, 8, tzinfo=BERLIN), D("49.99"))]
    reference, step = reference_effect(history, dt.datetime(2026, 3, 20, tzinfo=BERLIN), new)
    assert (step.code, reference) == (code, after)
    if code == "reference_down":
        assert step.values["percent"] == D("0.1000")


def test_a_product_without_any_earlier_price_makes_the_new_price_the_reference():
    from pricing.nightly import reference_effect

    reference, step = reference_effect([], dt.datetime(2026, 3, 20, tzinfo=BERLIN), D("9.99"))
    assert (step.code, reference) == ("reference_none", D("9.99"))
