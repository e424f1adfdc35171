"""The catalogue's product page leads managers to the product's price page (pricing)."""

import pytest
from django.urls import reverse

from shopmgr.core import roles
from tests.catalog.factories import ProductFactory
from tests.conftest import user_with_role

pytestmark = pytest.mark.django_db


def test_managers_find_the_price_page_on_the_product_page(client, category_tree, shop_manager):
    product = ProductFactory(sku="DRESS-1", category=category_tree["women"])
    client.force_login(shop_manager)
    page = client.get(reverse("catalog:product-detail", args=[product.pk])).content.decode()
    assert f'href="{reverse("pricing:product", args=["DRESS-1"])}"' in page


def test_customer_service_sees_no_price_page_link(client, category_tree):
    product = ProductFactory(sku="DRESS-1", category=category_tree["women"])
    client.force_login(user_with_role(roles.CUSTOMER_SERVICE))
    page = client.get(reverse("catalog:product-detail", args=[product.pk])).content.decode()
    assert reverse("pricing:product", args=["DRESS-1"]) not in page
