"""The roles come from a data migration with their permissions (DESIGN §5)."""

import pytest
from django.contrib.auth.models import Group

from shopmgr.core import roles

pytestmark = pytest.mark.django_db


def test_every_role_exists_as_a_group():
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ALL_ROLES)


@pytest.mark.parametrize(("role", "allowed", "refused"), [
    (roles.SHOP_MANAGERS, ["catalog.delete_product", "pricing.add_pricechange", "sales.change_invoice"], []),
    (roles.CATEGORY_MANAGERS, ["catalog.change_product", "pricing.add_pricechange"],
     ["catalog.delete_product", "sales.change_invoice", "returns.change_return"]),
    (roles.CUSTOMER_SERVICE, ["returns.add_return", "returns.change_returnline", "sales.view_order"],
     ["pricing.add_pricechange", "sales.change_invoice"]),
    (roles.ACCOUNTING, ["sales.change_invoice", "sales.add_payment"], ["returns.change_return", "catalog.change_product"]),
    (roles.MARKETING, ["sales.add_marketingspend"], ["sales.change_invoice", "catalog.change_product"]),
])
def test_role_permissions(role, allowed, refused):
    perms = {f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(name=role).permissions.all()}
    assert set(allowed) <= perms
    assert not (set(refused) & perms)
