import pytest

from shopmgr.core import roles
from tests.conftest import user_with_role
from tests.pricing.factories import priced_product


@pytest.fixture
def second_shop_manager(db):
    return user_with_role(roles.SHOP_MANAGERS, username="shop2")


@pytest.fixture
def dress(category_tree):
    """In FASHION-WOMEN: cost 10.00 net, 23.80 gross (VAT 19 %)."""
    return priced_product(sku="DRESS-1", category=category_tree["women"])


@pytest.fixture
def phone(category_tree):
    return priced_product(sku="PHONE-1", category=category_tree["phones"], price="119.00")
