"""Price rules are kept in the admin by shop managers; who changed one is recorded."""

from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from pricing.models import PriceRule
from shopmgr.core import roles

pytestmark = pytest.mark.django_db


def test_shop_managers_may_keep_price_rules():
    group = Group.objects.get(name=roles.SHOP_MANAGERS)
    assert set(group.permissions.filter(content_type__model="pricerule").values_list("codename", flat=True)) == {
        "add_pricerule", "change_pricerule", "delete_pricerule", "view_pricerule"}


def test_a_rule_saved_in_the_admin_records_who(client, shop_manager, category_tree):
    shop_manager.is_staff = True
    shop_manager.save()
    client.force_login(shop_manager)
    response = client.post(reverse("admin:pricing_pricerule_add"), {
        "category": category_tree["fashion"].pk, "margin_floor": "0.20", "max_step": "0.05",
        "competitor_band_below": "0.10", "competitor_band_above": "", "price_ending": "95", "ceiling_factor": "3",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = PriceRule.objects.get()
    assert (rule.margin_floor, rule.competitor_band_above, rule.updated_by) == (D("0.2000"), None, shop_manager)
