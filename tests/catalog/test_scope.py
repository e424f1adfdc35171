"""A category manager sees their categories and sub-categories only (DESIGN §5)."""

import pytest
from django.urls import reverse

from shopmgr.core import roles
from tests.catalog.factories import ProductFactory
from tests.conftest import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def products(category_tree):
    return {
        "dress": ProductFactory(sku="DRESS-1", name="Sommerkleid", category=category_tree["women"]),
        "shirt": ProductFactory(sku="SHIRT-1", name="Herrenhemd", category=category_tree["men"]),
        "phone": ProductFactory(sku="PHONE-1", name="Smartphone", category=category_tree["phones"]),
    }


def test_product_list_shows_only_products_of_managed_subtree(client, fashion_manager, products):
    # given a fashion manager
    client.force_login(fashion_manager)
    # when they open the product list
    response = client.get(reverse("catalog:product-list"))
    # then fashion products (from sub-categories too) are listed, electronics not
    body = response.content.decode()
    assert "DRESS-1" in body and "SHIRT-1" in body
    assert "PHONE-1" not in body


def test_product_detail_outside_scope_is_404(client, fashion_manager, products):
    client.force_login(fashion_manager)
    assert client.get(reverse("catalog:product-detail", args=[products["dress"].pk])).status_code == 200
    assert client.get(reverse("catalog:product-detail", args=[products["phone"].pk])).status_code == 404


def test_category_pages_outside_scope_are_404(client, fashion_manager, products, category_tree):
    client.force_login(fashion_manager)
    assert client.get(reverse("catalog:category-detail", args=["FASHION-WOMEN"])).status_code == 200
    assert client.get(reverse("catalog:category-detail", args=["ELECTRONICS"])).status_code == 404
    assert client.get(reverse("catalog:category-detail", args=["ELECTRONICS-PHONES"])).status_code == 404


def test_category_list_and_its_counts_stay_inside_scope(client, fashion_manager, products):
    client.force_login(fashion_manager)
    response = client.get(reverse("catalog:index"))
    codes = [row.record.code for row in response.context["table"].rows]
    assert codes == ["FASHION", "FASHION-MEN", "FASHION-WOMEN"]
    counts = {row.record.code: row.record.product_count for row in response.context["table"].rows}
    assert counts == {"FASHION": 2, "FASHION-MEN": 1, "FASHION-WOMEN": 1}


def test_category_filter_cannot_reach_outside_scope(client, fashion_manager, products):
    # a hand-made filter value for a foreign category is not a valid choice: nothing leaks
    client.force_login(fashion_manager)
    response = client.get(reverse("catalog:product-list"), {"category": "ELECTRONICS"})
    assert "PHONE-1" not in response.content.decode()


def test_csv_export_stays_inside_scope(client, fashion_manager, products):
    client.force_login(fashion_manager)
    response = client.get(reverse("catalog:product-list"), {"_export": "csv"})
    body = response.content.decode()
    assert "DRESS-1" in body and "PHONE-1" not in body


def test_category_detail_lists_products_of_sub_categories(client, fashion_manager, products):
    client.force_login(fashion_manager)
    body = client.get(reverse("catalog:category-detail", args=["FASHION"])).content.decode()
    assert "DRESS-1" in body and "SHIRT-1" in body


def test_manager_of_a_sub_category_does_not_see_the_parent(client, category_tree, products):
    user = user_with_role(roles.CATEGORY_MANAGERS, username="cm_men")
    category_tree["men"].managers.add(user)
    client.force_login(user)
    assert client.get(reverse("catalog:category-detail", args=["FASHION"])).status_code == 404
    body = client.get(reverse("catalog:product-list")).content.decode()
    assert "SHIRT-1" in body and "DRESS-1" not in body


def test_shop_manager_sees_everything(client, shop_manager, products):
    client.force_login(shop_manager)
    body = client.get(reverse("catalog:product-list")).content.decode()
    assert all(sku in body for sku in ("DRESS-1", "SHIRT-1", "PHONE-1"))


def test_user_without_role_sees_no_products(client, products):
    client.force_login(user_with_role(None, username="nobody"))
    body = client.get(reverse("catalog:product-list")).content.decode()
    assert "DRESS-1" not in body
    assert client.get(reverse("catalog:product-detail", args=[products["dress"].pk])).status_code == 404


def test_home_shows_role_and_scope(client, fashion_manager):
    client.force_login(fashion_manager)
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert "Category manager" in body
    assert "Fashion" in body and "FASHION" in body
    assert "Electronics" not in body


def test_a_bad_filter_value_says_which_field(client, shop_manager, products):
    client.force_login(shop_manager)
    response = client.get(reverse("catalog:product-list"), {"status": "sold_out"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["filter"].errors["status"]
    assert "Select a valid choice" in response.content.decode()


def test_a_root_category_counts_the_products_of_its_sub_categories(client, shop_manager, products):
    # given a dress in FASHION-WOMEN and a shirt in FASHION-MEN, nothing directly in FASHION
    client.force_login(shop_manager)
    rows = {row.record.code: row.record.product_count for row in client.get(reverse("catalog:index")).context["table"].rows}
    # then FASHION counts both, ELECTRONICS counts the phone of its child
    assert rows == {"FASHION": 2, "FASHION-MEN": 1, "FASHION-WOMEN": 1, "ELECTRONICS": 1, "ELECTRONICS-PHONES": 1}


def test_only_the_most_specific_nav_entry_is_active(client, shop_manager):
    client.force_login(shop_manager)
    items = client.get(reverse("catalog:product-list")).context["nav_items"]
    assert [str(i["label"]) for i in items if i["active"]] == ["Produkte"]
