"""Catalogue pages: query counts are pinned and do not grow with the number of rows."""

import pytest
from django.urls import reverse

from tests.catalog.factories import ProductFactory, SupplierFactory

pytestmark = pytest.mark.django_db

# The exact budget of each page; a new query per row would break these at n=30.
LIST_QUERIES = {
    "catalog:product-list": 7,  # session, user, roles, count, page, category and supplier choices
    "catalog:index": 5,  # session, user, roles, count, page
}


def _make_products(category_tree, n):
    supplier = SupplierFactory()
    for i in range(n):
        ProductFactory(category=category_tree["women" if i % 2 else "phones"], supplier=supplier)


@pytest.mark.parametrize("url_name", sorted(LIST_QUERIES))
@pytest.mark.parametrize("n_products", [3, 30])
def test_list_pages_have_a_fixed_query_count(client, shop_manager, category_tree, django_assert_num_queries, url_name, n_products):
    # given more or fewer products
    _make_products(category_tree, n_products)
    client.force_login(shop_manager)
    # when the list is rendered / then the number of queries is the same
    with django_assert_num_queries(LIST_QUERIES[url_name]):
        response = client.get(reverse(url_name))
    assert response.status_code == 200


@pytest.mark.parametrize("n_products", [3, 30])
def test_category_manager_product_list_query_count(client, fashion_manager, category_tree, django_assert_num_queries, n_products):
    _make_products(category_tree, n_products)
    client.force_login(fashion_manager)
    with django_assert_num_queries(8):  # + the managed-category paths of the scope
        response = client.get(reverse("catalog:product-list"))
    assert response.status_code == 200


def test_category_detail_and_product_detail_query_counts(client, shop_manager, category_tree, django_assert_num_queries):
    _make_products(category_tree, 10)
    client.force_login(shop_manager)
    with django_assert_num_queries(7):
        assert client.get(reverse("catalog:category-detail", args=["FASHION"])).status_code == 200
    product = category_tree["women"].products.first()
    # + analysis, rules (2), status changes, proposals, return reasons, reviews (issue 6)
    with django_assert_num_queries(13):
        assert client.get(reverse("catalog:product-detail", args=[product.pk])).status_code == 200


def test_home_query_count(client, fashion_manager, django_assert_num_queries):
    client.force_login(fashion_manager)
    with django_assert_num_queries(4):  # session, user, roles, managed categories
        assert client.get(reverse("home")).status_code == 200


def test_product_list_search_and_status_filter(client, shop_manager, category_tree):
    ProductFactory(sku="TSHIRT-RED", name="T-Shirt rot", category=category_tree["women"], status="active")
    ProductFactory(sku="TSHIRT-OLD", name="T-Shirt alt", category=category_tree["women"], status="delisted")
    client.force_login(shop_manager)
    body = client.get(reverse("catalog:product-list"), {"q": "t-shirt", "status": "delisted"}).content.decode()
    assert "TSHIRT-OLD" in body and "TSHIRT-RED" not in body


def test_product_list_exports_excel(client, shop_manager, category_tree):
    ProductFactory(sku="X-1", category=category_tree["women"])
    client.force_login(shop_manager)
    response = client.get(reverse("catalog:product-list"), {"_export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
