"""The nightly assortment computation on a hand-made month of facts (runs on SQLite and PostgreSQL)."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.core.management import call_command

from catalog.compute import assortment_compute
from catalog.models import AssortmentRules, AssortmentRun, CategoryAnalysis, ProductAnalysis
from kpis.models import DailyProductFact, DailyReturnFact
from returns.models import ReturnReason
from sales.models import Review
from tests.catalog.factories import ProductFactory
from tests.sales.factories import OrderFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TODAY = dt.date(2026, 1, 15)  # analysed as of 2026-01-14: months Jan–Dec 2025; 90 days from 2025-10-17
MONTHS = [dt.date(2025, m, 15) for m in range(1, 13)]
STEADY = [10] * 12
SEASONAL = [60, 120, 80, 150, 40, 100] * 2  # CV 0.4004 → Y
ERRATIC = [0, 40, 5, 0, 80, 10] * 2  # CV 1.2942 → Z


def fact(product, day, *, units=0, revenue="0", returned_units=0, returned_value="0", cogs="0", restocked="0",
         channel="webshop"):
    return DailyProductFact.objects.create(
        day=day, product=product, channel=channel, orders=1 if units else 0, units_sold=units, revenue=D(revenue),
        cogs_sold=D(cogs), returned_units=returned_units, returned_value=D(returned_value), cogs_restocked=D(restocked),
    )


def monthly(product, units, revenue_first_month):
    for i, (day, u) in enumerate(zip(MONTHS, units, strict=True)):
        fact(product, day, units=u, revenue=revenue_first_month if i == 0 else "0")


@pytest.fixture
def fashion_world(category_tree):
    """Seven fashion products with the revenue shares of DOMAIN §4 (52/23/9/6/4/3.5/2.5 of 10,000 €)
    and two phones (90/10) that form their own population."""
    women, men, phones = category_tree["women"], category_tree["men"], category_tree["phones"]
    p = {}
    # P1: 450 € in each month (5,400 €) minus 200 € returned = 5,200 € net; steady units → X
    p["p1"] = ProductFactory(sku="F-1", category=women, stock=48, cost=D("10"), description="x" * 200,
                             image_count=3, attributes={"brand": "Kiesel"})
    for i, day in enumerate(MONTHS):
        fact(p["p1"], day, units=10, revenue="450", cogs="200",
             returned_units=2 if i == 11 else 0, returned_value="200" if i == 11 else "0")
    fact(p["p1"], dt.date(2026, 1, 10), units=4, revenue="180", cogs="80")  # in the 90 days, not in the months
    p["p2"] = ProductFactory(sku="F-2", category=women, stock=0)
    monthly(p["p2"], SEASONAL, "2300")
    p["p3"] = ProductFactory(sku="F-3", category=men, stock=0)
    monthly(p["p3"], ERRATIC, "900")
    for sku, revenue in (("F-4", "600"), ("F-5", "400"), ("F-6", "350")):
        p[sku] = ProductFactory(sku=sku, category=men, stock=0)
        fact(p[sku], MONTHS[3], units=3, revenue=revenue)
    p["p7"] = ProductFactory(sku="F-7", category=men, stock=10, cost=D("5"))  # last sale 2025-01-15: dead stock
    fact(p["p7"], MONTHS[0], units=1, revenue="250", cogs="100")
    p["e1"] = ProductFactory(sku="E-1", category=phones, stock=10, cost=D("45"))
    fact(p["e1"], MONTHS[5], units=9, revenue="900", cogs="450")
    p["e2"] = ProductFactory(sku="E-2", category=phones, stock=0, cost=D("5"))
    fact(p["e2"], MONTHS[5], units=10, revenue="100", cogs="50")
    return p


def analysed(product) -> ProductAnalysis:
    return ProductAnalysis.objects.get(product=product)


def test_abc_by_net_revenue_after_returns_reproduces_the_worked_example(fashion_world):
    # when the analyses run as of 2026-01-14
    run = assortment_compute(today=TODAY)
    # then the classes and cumulative shares are those of DOMAIN §4
    got = {pa.product.sku: (pa.abc_class, pa.abc_cumulative_share, pa.revenue_12m)
           for pa in ProductAnalysis.objects.select_related("product").filter(product__sku__startswith="F-")}
    assert got == {
        "F-1": ("A", D("0.5200"), D("5200.00")),
        "F-2": ("A", D("0.7500"), D("2300.00")),
        "F-3": ("B", D("0.8400"), D("900.00")),
        "F-4": ("B", D("0.9000"), D("600.00")),
        "F-5": ("B", D("0.9400"), D("400.00")),
        "F-6": ("C", D("0.9750"), D("350.00")),
        "F-7": ("C", D("1.0000"), D("250.00")),
    }
    assert run.status == AssortmentRun.Status.SUCCEEDED and run.products == 9
    assert run.as_of == dt.date(2026, 1, 14)


def test_each_root_category_is_its_own_abc_population(fashion_world):
    assortment_compute(today=TODAY)
    # the phones are not ranked against fashion: 90 % → B, 100 % → C within electronics
    assert (analysed(fashion_world["e1"]).abc_class, analysed(fashion_world["e2"]).abc_class) == ("B", "C")
    assert analysed(fashion_world["e1"]).group.code == "ELECTRONICS"


def test_xyz_from_monthly_units_over_twelve_complete_months(fashion_world):
    assortment_compute(today=TODAY)
    p1, p2, p3 = (analysed(fashion_world[k]) for k in ("p1", "p2", "p3"))
    assert (p1.cv, p1.xyz_class) == (D("0.0000"), "X")
    assert (p2.cv, p2.xyz_class) == (D("0.4004"), "Y")
    assert (p3.cv, p3.xyz_class) == (D("1.2942"), "Z")
    # one sale in twelve months: [3, 0, …, 0] → CV √11 = 3.3166 → Z
    assert analysed(fashion_world["F-4"]).cv == D("3.3166")
    assert p1.monthly["months"][0] == "2025-01" and p1.monthly["units"] == STEADY


def test_ninety_day_figures_days_of_inventory_and_movement(fashion_world):
    assortment_compute(today=TODAY)
    p1 = analysed(fashion_world["p1"])
    # 90 days = 2025-10-17..2026-01-14: the facts of 15 Nov, 15 Dec and 10 Jan
    assert p1.units_90d == 24 and p1.returned_units_90d == 2
    assert p1.revenue_90d == D("880.00")  # 450 + 450 + 180 − 200 returned
    assert p1.margin_90d == D("400.00")  # 880 − (200 + 200 + 80)
    assert p1.gross_margin_90d == D("0.4545")
    assert p1.return_rate_90d == D("0.0833")  # 2 / 24
    assert p1.days_of_inventory == D("180.0")  # 48 on hand / (24 / 90 a day)
    assert p1.last_sale_on == dt.date(2026, 1, 10) and p1.days_since_last_sale == 4
    assert p1.sell_through == D("0.3333")  # 24 / (24 + 48)
    assert p1.movement == ""  # 180 days is not above 180
    p7 = analysed(fashion_world["p7"])
    assert (p7.days_since_last_sale, p7.days_of_inventory, p7.movement) == (364, None, "dead")


def test_gmroi_per_category_sums_its_subtree(fashion_world):
    assortment_compute(today=TODAY)
    phones = CategoryAnalysis.objects.get(category__code="ELECTRONICS-PHONES")
    # (1,000 − 500) / (10 × 45 € on hand) = 1.1111
    assert (phones.revenue_12m, phones.cogs_12m, phones.inventory_at_cost) == (D("1000.00"), D("500.00"), D("450.00"))
    assert phones.gmroi == D("1.1111")
    assert CategoryAnalysis.objects.get(category__code="ELECTRONICS").gmroi == D("1.1111")
    fashion = CategoryAnalysis.objects.get(category__code="FASHION")
    assert fashion.products == 7 and fashion.dead_stock == 1 and fashion.dead_stock_at_cost == D("50.00")


def test_content_score_returns_not_as_described_and_rating(fashion_world):
    p1 = fashion_world["p1"]
    DailyReturnFact.objects.create(
        day=MONTHS[11], product=p1, reason=ReturnReason.objects.get(code="NOT_AS_DESCRIBED"), channel="webshop",
        returned_units=2, returned_value=D("90"), return_lines=2, returns=2, returns_share=D("2"),
        orders_returned=2, refunded=D("107.10"), written_off_cost=D("0"),
    )
    for rating in (5, 4):
        Review.objects.create(order=OrderFactory(), product=p1, rating=rating, created_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC))
    # a review written before the months analysed does not count
    Review.objects.create(order=OrderFactory(), product=p1, rating=1, created_at=dt.datetime(2024, 12, 31, 22, tzinfo=dt.UTC))
    assortment_compute(today=TODAY)
    pa = analysed(p1)
    assert (pa.content_score, pa.content_gaps) == (100, [])
    assert pa.not_as_described_units_12m == 2 and pa.not_as_described_rate == D("0.0167")  # 2 / 120
    assert (pa.rating_avg, pa.review_count) == (D("4.50"), 2)
    # factory products have no description, images or brand
    assert analysed(fashion_world["p2"]).content_score == 0
    assert analysed(fashion_world["p2"]).content_gaps == ["description", "images", "attr:brand"]


def test_category_rules_make_their_own_population_by_gross_profit(fashion_world, category_tree):
    # given rules of its own for FASHION-WOMEN: ABC by gross profit
    AssortmentRules.objects.create(category=category_tree["women"], abc_basis="gross_profit")
    assortment_compute(today=TODAY)
    p1, p2 = analysed(fashion_world["p1"]), analysed(fashion_world["p2"])
    assert p1.group.code == "FASHION-WOMEN" == p2.group.code
    # gross profit: P1 5,200 − 2,400 = 2,800; P2 2,300 (no COGS) → 2,800 / 5,100 = 54.9 % A, 100 % C
    assert (p1.abc_value, p1.abc_class, p1.abc_cumulative_share) == (D("2800.00"), "A", D("0.5490"))
    assert (p2.abc_class, p2.abc_cumulative_share) == ("C", D("1.0000"))
    # the men's products are still ranked within FASHION
    assert analysed(fashion_world["p3"]).group.code == "FASHION"


def test_shorter_window_from_category_rules(fashion_world, category_tree):
    AssortmentRules.objects.create(category=category_tree["men"], months=6)
    assortment_compute(today=TODAY)
    # F-3's last six months are [0, 40, 5, 0, 80, 10]: the same CV; F-4 sold in April only: no units → Z
    p3 = analysed(fashion_world["p3"])
    assert p3.cv == D("1.2942") and len(p3.monthly["units"]) == 6
    f4 = analysed(fashion_world["F-4"])
    assert (f4.units_12m, f4.cv, f4.xyz_class) == (0, None, "Z")


def test_delist_ranking_compares_products_in_the_assortment_only(fashion_world):
    fashion_world["F-6"].status = "delisted"
    fashion_world["F-6"].save()
    assortment_compute(today=TODAY)
    assert analysed(fashion_world["F-6"]).delist_score == 0  # not a candidate any more
    f7, p1 = analysed(fashion_world["p7"]), analysed(fashion_world["p1"])
    assert f7.rank_sales > p1.rank_sales and f7.delist_score > p1.delist_score


def test_rerun_replaces_the_analyses(fashion_world):
    assortment_compute(today=TODAY)
    assortment_compute(today=TODAY)
    assert ProductAnalysis.objects.count() == 9
    assert AssortmentRun.objects.filter(status="succeeded").count() == 2


def test_command_and_nightly_task(fashion_world, capsys):
    call_command("compute_assortment", "--today", "2026-01-15")
    assert "9 products" in capsys.readouterr().out
    from catalog.tasks import compute_assortment

    assert compute_assortment.delay().get() == 9
    entry = settings.CELERY_BEAT_SCHEDULE["nightly-assortment"]
    assert entry["task"] == "catalog.compute_assortment"
    # after the KPI facts of 02:30
    assert entry["schedule"].hour == {4} and settings.CELERY_BEAT_SCHEDULE["nightly-metrics"]["schedule"].hour == {2}


def test_a_second_run_while_one_is_running_is_refused(fashion_world):
    from django.core.cache import cache
    from django.core.management.base import CommandError

    from catalog.compute import LOCK_KEY, AssortmentRunning

    cache.add(LOCK_KEY, "nightly", 60)
    try:
        with pytest.raises(AssortmentRunning):
            assortment_compute(today=TODAY)
        with pytest.raises(CommandError, match="being computed already"):
            call_command("compute_assortment", "--today", "2026-01-15")
        assert not AssortmentRun.objects.exists()
    finally:
        cache.delete(LOCK_KEY)
    assert assortment_compute(today=TODAY).products == 9
