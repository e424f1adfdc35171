"""The workbench pages: scope on every page and export, fixed query counts, rules and managers."""

import csv
import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.compute import assortment_compute
from catalog.models import AssortmentRules, ListingProposal
from kpis.models import DailyProductFact
from shopmgr.core import roles
from shopmgr.core.dates import berlin_today
from tests.catalog.factories import ProductFactory, SupplierFactory
from tests.conftest import user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _sold(product, units, revenue):
    # the 10th of last month: in the last complete month and in the last 90 days, whatever today is
    day = (berlin_today().replace(day=1) - dt.timedelta(days=1)).replace(day=10)
    DailyProductFact.objects.create(
        day=day, product=product, channel="webshop", orders=1,
        units_sold=units, revenue=D(revenue), cogs_sold=D(revenue) / 2, returned_units=0, returned_value=0,
        cogs_restocked=0,
    )


@pytest.fixture
def world(category_tree):
    supplier = SupplierFactory(name="Textil GmbH")
    dress = ProductFactory(sku="DRESS-1", name="Sommerkleid", category=category_tree["women"], supplier=supplier)
    shirt = ProductFactory(sku="SHIRT-1", name="Herrenhemd", category=category_tree["men"], stock=0)
    phone = ProductFactory(sku="PHONE-1", name="Smartphone", category=category_tree["phones"],
                           supplier=SupplierFactory(name="Phone AG"))
    _sold(dress, 10, "500")
    _sold(shirt, 1, "20")
    _sold(phone, 5, "1000")
    assortment_compute()
    return {"dress": dress, "shirt": shirt, "phone": phone}


WORKBENCH_PAGES = ["catalog:matrix", "catalog:content", "catalog:delist-candidates", "catalog:decisions"]


@pytest.mark.parametrize("url_name", [*WORKBENCH_PAGES, "catalog:product-list"])
def test_pages_show_a_category_manager_nothing_outside_their_categories(client, fashion_manager, world, url_name):
    client.force_login(fashion_manager)
    for params in ({}, {"category": "ELECTRONICS"}, {"status": ""}):
        body = client.get(reverse(url_name), params).content.decode()
        assert "PHONE-1" not in body and "Smartphone" not in body and "Phone AG" not in body


@pytest.mark.parametrize("url_name", [*WORKBENCH_PAGES, "catalog:product-list"])
def test_exports_stay_inside_scope(client, fashion_manager, world, url_name):
    client.force_login(fashion_manager)
    response = client.get(reverse(url_name), {"_export": "csv", "status": ""})
    assert response.status_code == 200
    body = response.content.decode()
    assert "PHONE-1" not in body and "Smartphone" not in body


def test_matrix_counts_and_revenue_are_scoped(client, fashion_manager, shop_manager, world):
    client.force_login(fashion_manager)
    matrix = client.get(reverse("catalog:matrix")).context["matrix"]
    assert matrix["total_count"] == 2 and matrix["total_revenue"] == D("520.00")
    client.force_login(shop_manager)
    matrix = client.get(reverse("catalog:matrix")).context["matrix"]
    assert matrix["total_count"] == 3 and matrix["total_revenue"] == D("1520.00")
    # the shop manager narrows to a category
    matrix = client.get(reverse("catalog:matrix"), {"category": "FASHION-WOMEN"}).context["matrix"]
    assert matrix["total_count"] == 1


def test_matrix_cell_links_to_its_products(client, fashion_manager, world):
    client.force_login(fashion_manager)
    response = client.get(reverse("catalog:matrix"))
    cells = {c["abc"] + c["xyz"]: c for row in response.context["matrix"]["rows"] for c in row["cells"]}
    # dress 500 of 520 = 96 % → C by the rule; shirt 100 % → C; both sold in one month only → Z
    assert cells["CZ"]["count"] == 2 and str(cells["CZ"]["action"]) == "Delist, dropship or make to order"
    assert "?abc=C&amp;xyz=Z&amp;status=in_assortment" in response.content.decode()
    listed = client.get(reverse("catalog:product-list"), {"abc": "C", "xyz": "Z", "status": "in_assortment"})
    assert {row.record.sku for row in listed.context["table"].rows} == {"DRESS-1", "SHIRT-1"}


def test_product_list_export_has_the_analysis_columns_by_key(client, shop_manager, world):
    client.force_login(shop_manager)
    response = client.get(reverse("catalog:product-list"), {"_export": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header = rows[0]
    for key in ("sku", "abc_class", "xyz_class", "content_score", "return_rate", "units_90d", "revenue_90d",
                "gross_margin", "price", "stock", "days_of_inventory", "days_since_last_sale", "sell_through",
                "movement"):
        assert key in header
    dress = dict(zip(header, next(r for r in rows if r[header.index("sku")] == "DRESS-1"), strict=True))
    assert (dress["units_90d"], dress["revenue_90d"], dress["return_rate"], dress["content_score"]) == (
        "10", "500.00", "0.0000", "0")


@pytest.mark.parametrize(("params", "expected"), [
    ({"supplier": "Textil GmbH"}, {"DRESS-1"}),
    ({"stock_max": "0"}, {"SHIRT-1"}),
    ({"gross_margin_min": "40", "gross_margin_max": "60"}, {"DRESS-1", "SHIRT-1", "PHONE-1"}),
    ({"return_rate_min": "1"}, set()),
    ({"content_score_max": "10"}, {"DRESS-1", "SHIRT-1", "PHONE-1"}),
    ({"category": "FASHION"}, {"DRESS-1", "SHIRT-1"}),
    ({"days_of_inventory_min": "10"}, {"DRESS-1", "PHONE-1"}),  # 10 on hand / (10 / 90) = 90 days; phone 180
    ({"days_of_inventory_min": "100"}, {"PHONE-1"}),
    ({"abc": "C"}, {"DRESS-1", "SHIRT-1", "PHONE-1"}),
])
def test_product_list_filters(client, shop_manager, world, params, expected):
    client.force_login(shop_manager)
    if "supplier" in params:
        params = {"supplier": world["dress"].supplier_id}
    response = client.get(reverse("catalog:product-list"), params)
    assert {row.record.sku for row in response.context["table"].rows} == expected


def test_workbench_is_for_shop_and_category_managers(client, world):
    service = user_with_role(roles.CUSTOMER_SERVICE, username="svc")
    client.force_login(service)
    for name in WORKBENCH_PAGES:
        assert client.get(reverse(name)).status_code == 403
    assert client.get(reverse("catalog:category-rules", args=["FASHION"])).status_code == 403
    assert client.get(reverse("catalog:product-list")).status_code == 200  # the catalogue stays readable


def test_product_page_shows_the_analysis_history_and_checklist(client, fashion_manager, world):
    client.force_login(fashion_manager)
    response = client.get(world["dress"].get_absolute_url())
    body = response.content.decode()
    assert response.context["analysis"].units_90d == 10
    assert 'data-testid="product-chart"' in body and "Content checklist" in body and "Assortment history" in body
    assert "Description: 0 of 200 characters" in body
    assert client.get(world["phone"].get_absolute_url()).status_code == 404


# --- rules and managers ---------------------------------------------------------------------

RULES = {
    "abc_basis": "gross_profit", "abc_a": "70", "abc_b": "90", "xyz_x": "0.3", "xyz_y": "0.6", "months": "12",
    "min_description_length": "150", "min_images": "4", "required_attributes": "brand, size",
    "slow_doi_days": "120", "slow_no_sale_days": "60", "dead_no_sale_days": "150",
}


def test_category_manager_sets_rules_for_their_category(client, fashion_manager, world):
    client.force_login(fashion_manager)
    response = client.post(reverse("catalog:category-rules", args=["FASHION"]), RULES)
    assert response.status_code == 302
    rules = AssortmentRules.objects.get(category__code="FASHION")
    assert (rules.abc_a, rules.abc_b, rules.xyz_x, rules.required_attributes, rules.updated_by) == (
        D("0.7000"), D("0.9000"), D("0.3000"), ["brand", "size"], fashion_manager)
    assert client.get(reverse("catalog:category-rules", args=["FASHION-WOMEN"])).status_code == 200


@pytest.mark.parametrize(("change", "message"), [
    ({"abc_a": "95", "abc_b": "80"}, "ABC thresholds must increase"),
    ({"abc_b": "120"}, "ABC thresholds must increase"),
    ({"xyz_x": "0.5", "xyz_y": "0.5"}, "XYZ thresholds must increase"),
    ({"slow_no_sale_days": "200"}, "slow mover before dead stock"),
])
def test_thresholds_that_do_not_increase_are_refused(client, fashion_manager, world, change, message):
    client.force_login(fashion_manager)
    response = client.post(reverse("catalog:category-rules", args=["FASHION"]), RULES | change)
    assert response.status_code == 200 and message in response.content.decode()
    assert not AssortmentRules.objects.exists()


def test_rules_outside_scope_are_404(client, fashion_manager, world):
    client.force_login(fashion_manager)
    assert client.get(reverse("catalog:category-rules", args=["ELECTRONICS"])).status_code == 404
    assert client.post(reverse("catalog:category-rules", args=["ELECTRONICS"]), RULES).status_code == 404
    assert not AssortmentRules.objects.exists()


def test_shop_manager_assigns_category_managers(client, shop_manager, fashion_manager, world, category_tree):
    newcomer = user_with_role(roles.CATEGORY_MANAGERS, username="cm_new")
    client.force_login(shop_manager)
    url = reverse("catalog:category-managers", args=["ELECTRONICS"])
    assert client.post(url, {"managers": [newcomer.pk]}).status_code == 302
    assert list(category_tree["electronics"].managers.all()) == [newcomer]
    # the newcomer now sees the phone, and only electronics
    client.force_login(newcomer)
    body = client.get(reverse("catalog:product-list")).content.decode()
    assert "PHONE-1" in body and "DRESS-1" not in body
    # a category manager cannot assign managers
    client.force_login(fashion_manager)
    assert client.get(reverse("catalog:category-managers", args=["FASHION"])).status_code == 403


# --- query counts ---------------------------------------------------------------------------

def _more_products(category_tree, n):
    supplier = SupplierFactory()
    proposer = user_with_role(roles.SHOP_MANAGERS, username="proposer")
    for i in range(n):
        product = ProductFactory(category=category_tree["women" if i % 2 else "phones"], supplier=supplier)
        _sold(product, 1 + i % 3, "10")
        if i < 2 or i % 3 == 0:
            ListingProposal.objects.create(product=product, action="delist", reason="weak", proposed_by=proposer,
                                           proposed_at=timezone.now())
    assortment_compute()


# session, user, roles (+ managed paths for a category manager), then the page's own queries
PAGE_QUERIES = {
    "catalog:product-list": 7,  # count, page, category choices, supplier choices
    "catalog:matrix": 8,  # category choices, matrix, count + page of the category table, last run
    "catalog:content": 7,  # category choices, outcomes, worst products (+ count of the window), last run
    "catalog:delist-candidates": 7,  # category choices, count, page, last run
    "catalog:decisions": 5,  # count, page
}


@pytest.mark.parametrize("url_name", sorted(PAGE_QUERIES))
@pytest.mark.parametrize("n_products", [3, 30])
def test_workbench_pages_have_a_fixed_query_count(client, shop_manager, category_tree, django_assert_num_queries,
                                                  url_name, n_products):
    # given more or fewer analysed products (and a pending proposal for each of some)
    _more_products(category_tree, n_products)
    client.force_login(shop_manager)
    # when the page is rendered / then the number of queries does not depend on the rows
    with django_assert_num_queries(PAGE_QUERIES[url_name]):
        response = client.get(reverse(url_name), {"status": ""} if url_name == "catalog:decisions" else {})
    assert response.status_code == 200


@pytest.mark.parametrize("n_products", [3, 30])
def test_category_manager_workbench_query_counts(client, fashion_manager, category_tree, django_assert_num_queries,
                                                 n_products):
    _more_products(category_tree, n_products)
    client.force_login(fashion_manager)
    for url_name, expected in PAGE_QUERIES.items():
        with django_assert_num_queries(expected + 1):  # + the managed-category paths of the scope
            assert client.get(reverse(url_name)).status_code == 200


def test_product_page_query_count(client, shop_manager, world, django_assert_num_queries):
    client.force_login(shop_manager)
    # session, user, roles, product, analysis, rules (2), changes, proposals, return reasons, reviews,
    # price history, competitor prices
    with django_assert_num_queries(13):
        assert client.get(world["dress"].get_absolute_url()).status_code == 200


def test_filter_form_shows_the_chosen_values(client, shop_manager, world):
    client.force_login(shop_manager)
    body = client.get(reverse("catalog:product-list"), {"abc": "A", "category": "FASHION", "return_rate_min": "20",
                                                        "stock_max": "5"}).content.decode()
    assert '<option value="A" selected>A</option>' in body
    assert '<option value="FASHION" selected>' in body
    assert 'name="return_rate_min" id="id_return_rate_min" value="20"' in body
    assert 'name="stock_max" id="id_stock_max" value="5"' in body


def test_product_page_offers_only_the_actions_its_status_allows(client, fashion_manager, world):
    client.force_login(fashion_manager)
    form = client.get(world["dress"].get_absolute_url()).context["proposal_form"]
    assert [value for value, _label in form.fields["action"].choices] == ["phase_out", "delist"]  # active
    world["dress"].status = "delisted"
    world["dress"].save()
    form = client.get(world["dress"].get_absolute_url()).context["proposal_form"]
    assert [value for value, _label in form.fields["action"].choices] == ["list"]


@pytest.mark.parametrize("url_name", ["catalog:product-list", "catalog:delist-candidates"])
def test_rows_built_in_python_match_the_header(client, fashion_manager, world, url_name):
    import re

    client.force_login(fashion_manager)
    body = client.get(reverse(url_name)).content.decode()
    head = body[body.index("<thead"):body.index("</thead>")]
    first_row = body[body.index("<tbody"):]
    first_row = first_row[:first_row.index("</tr>")]
    assert len(re.findall(r"<th[ >]", head)) == len(re.findall(r"<td[ >]", first_row)) > 10


def test_sorting_by_an_analysis_column_puts_unanalysed_products_last(client, shop_manager, world, category_tree):
    ProductFactory(sku="NEW-1", category=category_tree["women"])  # added after the nightly run
    client.force_login(shop_manager)
    for sort in ("revenue_90d", "-revenue_90d"):
        rows = client.get(reverse("catalog:product-list"), {"sort": sort}).context["table"].rows
        assert [row.record.sku for row in rows][-1] == "NEW-1"
    rows = client.get(reverse("catalog:product-list"), {"sort": "-revenue_90d"}).context["table"].rows
    assert [row.record.sku for row in rows][:3] == ["PHONE-1", "DRESS-1", "SHIRT-1"]
