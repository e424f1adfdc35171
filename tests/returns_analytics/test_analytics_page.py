"""/returns/analytics/: figures of the hand-made day, scope, the needs-a-look list, exports, query counts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import override_settings

from kpis.models import DailyProductFact, DailyReturnFact
from shopmgr.core import roles
from tests.catalog.factories import ProductFactory, SupplierFactory
from tests.conftest import user_with_role
from tests.returns_analytics.factories import DAY, MORNING, reason
from tests.sales.factories import OrderFactory, OrderLineFactory

pytestmark = pytest.mark.django_db
URL = "/returns/analytics/"
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}
SETTINGS = {"KPI_RETURN_HANDLING_COST": Decimal("6.95"), "RETURNS_NEEDS_LOOK_FACTOR": Decimal("1.5"),
            "RETURNS_NEEDS_LOOK_MIN_UNITS": 20}


@pytest.fixture(autouse=True)
def pinned_settings():
    with override_settings(**SETTINGS):
        yield


@pytest.fixture
def computed(day_of_returns):
    call_command("compute_metrics", "--all", verbosity=0)
    return day_of_returns


def _rows(response):
    return [row.record for row in response.context["table"].paginated_rows]


def test_shop_manager_sees_the_whole_shop(client, shop_manager, computed):
    client.force_login(shop_manager)
    response = client.get(URL, MARCH)
    assert response.status_code == 200
    total = response.context["total"]
    # sales of 3 March (the cancelled order left out): dresses 3 + 2 + 1, one phone → 7 units;
    # revenue 60.00 + 100.00 + 40.00 + 30.00 = 230.00; COGS 30 + 60 + 20 + 10 = 120.00
    assert (total.units_sold, total.revenue, total.cogs_sold) == (7, Decimal("230.00"), Decimal("120.00"))
    # back (received, not rejected): 3 dresses too small, 1 not as described, the phone → 5 units
    # worth 60 + 20 + 100 = 180.00 → 5 / 7 = 71.4 % by units, 180 / 230 = 78.3 % by value
    assert (total.returned_units, total.returned_value) == (5, Decimal("180"))
    assert round(total.return_rate, 3) == Decimal("0.714") and round(total.return_rate_value, 3) == Decimal("0.783")
    # orders A and B of the three live orders had a return (exact, from the KPI facts): 66.7 %
    assert (total.orders_returned, total.orders) == (2, 3)
    # three returns × 6.95 = 20.85 handling + 10.00 written off (R2's dress) = 30.85
    row = response.context["total_row"]
    assert (row["handling_cost"], row["written_off_cost"], row["return_cost"]) == (
        Decimal("20.85"), Decimal("10.00"), Decimal("30.85"))
    # margin after returns: net 230 − 180 = 50; COGS 120 − 10 restocked = 110; − 20.85 handling
    # → (50 − 110 − 20.85) / 50 = −161.7 %; before returns (230 − 120) / 230 = 47.8 %
    assert round(total.margin_after_returns, 4) == Decimal("-1.6170")
    assert round(total.margin_before_returns, 4) == Decimal("0.4783")
    # the top reasons: too small 3 of 5 units
    assert response.context["top_reasons"][0]["code"] == "SIZE_SMALL"
    assert response.context["top_reasons"][0]["share"] == Decimal("0.6")


def test_products_view(client, shop_manager, computed):
    client.force_login(shop_manager)
    rows = {r["sku"]: r for r in _rows(client.get(URL, {**MARCH, "view": "products"}))}
    dress, phone = rows["DRESS"], rows["PHONE"]
    # the dress: 6 sold, 4 back; orders A, B, C with 2 returned; top reason too small (3 of 4)
    assert (dress["units_sold"], dress["returned_units"], dress["top_reason"]) == (6, 4, "Zu klein")
    assert dress["return_rate_orders"] == Decimal(2) / Decimal(3)
    # handling: R1 and R3 whole, 1/6 of R2 → 2.1666666667 × 6.95 = 15.06; + 10.00 written off
    assert dress["return_cost"] == Decimal("25.06")
    # the phone: 1 of 1 back; 5/6 of R2's handling = 5.79; nothing written off
    assert (phone["return_rate"], phone["return_cost"], phone["supplier"]) == (Decimal(1), Decimal("5.79"), "Phonetech")


def test_categories_view_counts_orders_once(client, shop_manager, computed):
    client.force_login(shop_manager)
    rows = {r["code"]: r for r in _rows(client.get(URL, {**MARCH, "view": "categories"}))}
    assert set(rows) == {"FASHION", "FASHION-WOMEN", "FASHION-MEN", "ELECTRONICS", "ELECTRONICS-PHONES"}
    assert (rows["FASHION"]["returned_units"], rows["FASHION"]["units_sold"]) == (4, 6)
    assert rows["FASHION"]["return_rate_orders"] == Decimal(2) / Decimal(3)
    assert rows["FASHION-MEN"]["return_rate"] is None  # nothing sold: no rate, not 0
    assert rows["ELECTRONICS"]["return_cost"] == Decimal("5.79")


def test_suppliers_and_reasons_views(client, shop_manager, computed):
    client.force_login(shop_manager)
    suppliers = {r["supplier"]: r for r in _rows(client.get(URL, {**MARCH, "view": "suppliers"}))}
    assert (suppliers["Modehaus"]["returned_units"], suppliers["Phonetech"]["returned_units"]) == (4, 1)
    client.cookies["django_language"] = "en"
    reasons = {r["code"]: r for r in _rows(client.get(URL, {**MARCH, "view": "reasons"}))}
    assert set(reasons) == {"SIZE_SMALL", "NOT_AS_DESCRIBED", "DEFECTIVE"}
    small = reasons["SIZE_SMALL"]
    # 3 of the 5 returned units; 3 of 7 units sold; 60.00 of 230.00
    assert (small["share"], small["return_rate"], small["return_rate_value"]) == (
        Decimal("0.6"), Decimal(3) / Decimal(7), Decimal(60) / Decimal(230))
    assert (small["reason"], str(small["action"])) == ("Too small", "Content fix")
    assert str(reasons["DEFECTIVE"]["action"]) == "Supplier claim" and reasons["DEFECTIVE"]["merchant_fault"]


def test_category_manager_sees_their_categories_only_totals_included(client, fashion_manager, computed):
    client.force_login(fashion_manager)
    for view in ("needs", "products", "categories", "suppliers", "reasons"):
        response = client.get(URL, {**MARCH, "view": view})
        assert response.status_code == 200
        body = response.content.decode()
        assert "PHONE" not in body and "Phonetech" not in body and "Electronics" not in body, view
    total = response.context["total"]
    # the dresses only: 6 sold for 130.00, 4 back worth 80.00; orders A, B, C with 2 returned
    assert (total.units_sold, total.revenue, total.returned_units, total.returned_value) == (
        6, Decimal("130.00"), 4, Decimal("80"))
    assert (total.orders, total.orders_returned) == (3, 2)
    assert response.context["total_row"]["return_cost"] == Decimal("25.06")
    # the defective phone is not among their reasons
    assert {r["code"] for r in _rows(response)} == {"SIZE_SMALL", "NOT_AS_DESCRIBED"}


def test_category_manager_gets_404_for_another_category(client, fashion_manager, computed):
    client.force_login(fashion_manager)
    assert client.get(URL, {**MARCH, "category": "ELECTRONICS"}).status_code == 404
    assert client.get(URL, {**MARCH, "category": "FASHION-WOMEN"}).status_code == 200


def test_a_category_narrows_everything(client, shop_manager, computed):
    client.force_login(shop_manager)
    response = client.get(URL, {**MARCH, "category": "ELECTRONICS", "view": "products"})
    assert [r["sku"] for r in _rows(response)] == ["PHONE"]
    assert response.context["total"].returned_units == 1


@pytest.mark.parametrize("role", [roles.CUSTOMER_SERVICE, roles.ACCOUNTING, roles.MARKETING])
def test_other_roles_get_403(client, role):
    client.force_login(user_with_role(role, username=f"u-{role}"))
    response = client.get(URL)
    assert response.status_code == 403
    assert b'data-testid="forbidden"' in response.content


def test_needs_a_look_on_the_page(client, shop_manager, computed, category_tree, settings):
    # given a skirt in women's wear sold 10 times that day, none back: women 4 of 16 units = 25 %,
    # the dress 4 of 6 = 66.7 % = 2.67 × (with 1 unit as the minimum for this small shop)
    settings.RETURNS_NEEDS_LOOK_MIN_UNITS = 1
    skirt = ProductFactory(sku="SKIRT", category=category_tree["women"])
    OrderLineFactory(order=OrderFactory(placed_at=MORNING), line_no=1, product=skirt, quantity=10)
    call_command("compute_metrics", "--all", verbosity=0)
    client.force_login(shop_manager)
    client.cookies["django_language"] = "en"
    response = client.get(URL, MARCH)
    rows = _rows(response)
    assert [r["sku"] for r in rows] == ["DRESS"]
    dress = rows[0]
    assert dress["category_rate"] == Decimal("0.25") and round(dress["factor"], 2) == Decimal("2.67")
    # 4 back where 25 % of 6 = 1.5 were to be expected: 2.5 above the category's rate → shown as 2
    assert dress["excess_units"] == 2
    # margin after returns: (130 − 80 − (60 − 10) − 15.06) / 50 = −30.1 %, and 2.67 ≥ 2.5 × → delisting review
    assert (dress["top_reason_code"], dress["action_code"]) == ("SIZE_SMALL", "delisting_review")
    assert response.context["needs_count"] == 1
    assert "Delisting review" in response.content.decode()


def test_exports_the_chosen_table(client, shop_manager, computed):
    client.force_login(shop_manager)
    response = client.get(URL, {**MARCH, "view": "products", "_export": "csv"})
    assert response.status_code == 200
    assert "return-analytics-products-2026-03-01-2026-03-31.csv" in response["Content-Disposition"]
    lines = response.content.decode().splitlines()
    assert len(lines) == 3 and "DRESS" in response.content.decode()
    response = client.get(URL, {**MARCH, "view": "reasons", "_export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_page_speaks_german_and_english(client, shop_manager, computed):
    client.force_login(shop_manager)
    client.cookies["django_language"] = "de"
    german = client.get(URL, MARCH).content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(URL, MARCH).content.decode()
    assert "Return analytics" in english and "Needs a look" in english
    # German money and percent formats
    assert "30,85 €" in german and "71,4 %" in german
    assert "€30.85" in english and "71.4%" in english


# --- query counts ------------------------------------------------------------------------------

def _facts(category_tree, n):
    """n products with a day of sales and returns each, straight into the fact tables."""
    supplier = SupplierFactory(name="Bulk")
    too_small = reason("SIZE_SMALL")
    for i in range(n):
        product = ProductFactory(category=category_tree["women" if i % 2 else "phones"], supplier=supplier)
        day = DAY + dt.timedelta(days=i % 5)
        DailyProductFact.objects.create(day=day, product=product, channel="webshop", orders=10, units_sold=30,
                                        revenue=Decimal("600"), cogs_sold=Decimal("300"), returned_units=5 + i % 7)
        DailyReturnFact.objects.create(day=day, product=product, reason=too_small, channel="webshop",
                                       returned_units=5 + i % 7, returned_value=Decimal("100"), return_lines=5,
                                       returns=5, returns_share=Decimal("5"), orders_returned=5)


# session, user, roles, categories, channels, reasons, metrics run (the cache's version), product facts,
# return facts per product, products, KPI facts; the reasons tab also reads the return facts per reason
PAGE_QUERIES = 11


@pytest.mark.parametrize("view", ["needs", "products", "categories", "suppliers", "reasons"])
@pytest.mark.parametrize("n", [3, 30])
def test_query_count_is_fixed(client, shop_manager, category_tree, django_assert_num_queries, view, n):
    _facts(category_tree, n)
    client.force_login(shop_manager)
    with django_assert_num_queries(PAGE_QUERIES + (view == "reasons")):
        response = client.get(URL, {**MARCH, "view": view})
    assert response.status_code == 200
    if view == "products":
        assert len(_rows(response)) == n


def test_the_analysis_is_kept_until_the_metrics_job_runs_again(client, shop_manager, computed, category_tree,
                                                               django_assert_num_queries):
    from django.core.cache import cache

    cache.clear()
    client.force_login(shop_manager)
    # given the page seen once (computed from the facts)
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(URL, MARCH).context["total"].returned_units == 5
    # when another tab is opened: the analysis comes from the cache (no fact reads)
    with django_assert_num_queries(PAGE_QUERIES - 4):
        assert client.get(URL, {**MARCH, "view": "products"}).context["total"].returned_units == 5
    # and when a new order with a returned skirt is computed by the metrics job, the page shows it
    from tests.returns_analytics.factories import RECEIVED, make_return

    skirt = ProductFactory(sku="SKIRT-2", category=category_tree["women"])
    line = OrderLineFactory(order=OrderFactory(placed_at=MORNING), line_no=1, product=skirt, quantity=2)
    make_return("R-SKIRT", line.order, received_at=RECEIVED, lines=[(line, 2, "SIZE_LARGE", "restock")])
    call_command("compute_metrics", "--all", verbosity=0)
    assert client.get(URL, MARCH).context["total"].returned_units == 7


@pytest.mark.parametrize("n", [3, 30])
def test_category_manager_query_count_is_fixed(client, fashion_manager, category_tree, django_assert_num_queries, n):
    _facts(category_tree, n)
    client.force_login(fashion_manager)
    with django_assert_num_queries(PAGE_QUERIES + 1):  # + the managed categories' paths
        response = client.get(URL, {**MARCH, "view": "products"})
    assert len(_rows(response)) == n // 2
