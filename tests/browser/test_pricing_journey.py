"""Prices in a real browser: a category manager reads a suggestion's explanation and proposes two
prices; a shop manager approves one and rejects the other; the price page shows the new price and
its 30-day reference."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone

from pricing import explain, rules
from pricing.models import PriceChange, PriceProposal, PriceSuggestion, PricingRun
from shopmgr.core import roles
from tests.browser.conftest import login
from tests.catalog.factories import CategoryFactory, ProductFactory
from tests.conftest import user_with_role
from tests.pricing.factories import PriceChangeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-123"


def _suggest(run, product, *, unit_cost, elasticity):
    """A suggestion as the nightly run writes it (the pure rules, DOMAIN §3.4 numbers)."""
    s = rules.suggest_price(current=product.price, unit_cost=unit_cost, vat_rate=product.vat_rate,
                            elasticity=elasticity, std_error=0.1, max_std_error=0.5,
                            rails=rules.Guardrails(competitor_band_below=None, competitor_band_above=None))
    return PriceSuggestion.objects.create(
        run=run, product=product, outcome=s.outcome, current_price=product.price, suggested_price=s.price,
        change=(s.price - product.price) / product.price, unit_cost=unit_cost, elasticity=elasticity,
        optimum_price=s.optimum_gross, bound_by=s.bound_by, steps=explain.to_json(s.steps), created_at=timezone.now(),
    )


def _user(role, username):
    user = user_with_role(role, username=username)
    user.set_password(PASSWORD)
    user.save()
    return user


def test_a_category_manager_proposes_two_prices_and_a_shop_manager_approves_one_and_rejects_one(browser_page):
    page = browser_page
    # given FASHION with its manager, a shop manager, and two dresses with 60 days of price history
    fashion = CategoryFactory(code="FASHION", name="Fashion")
    manager = _user(roles.CATEGORY_MANAGERS, "cm_fashion")
    fashion.managers.add(manager)
    _user(roles.SHOP_MANAGERS, "shop")
    since = timezone.now() - dt.timedelta(days=60)
    dress_a = ProductFactory(sku="DRESS-A", name="Kleid A", category=fashion, cost=D("15.00"), price=D("29.99"))
    dress_b = ProductFactory(sku="DRESS-B", name="Kleid B", category=fashion, cost=D("15.00"), price=D("49.99"))
    PriceChangeFactory(product=dress_a, price=D("29.99"), valid_from=since)
    PriceChangeFactory(product=dress_b, price=D("49.99"), valid_from=since)
    # and last night's suggestions: DOMAIN §3.4 (c = 20.00, ε = −2.5, 29.99 → 31.99) and a cut for B
    run = PricingRun.objects.create(started_at=timezone.now(), finished_at=timezone.now(), status="done",
                                    products=2, suggestions=2)
    _suggest(run, dress_a, unit_cost=D("20.00"), elasticity=-2.5)
    _suggest(run, dress_b, unit_cost=D("15.00"), elasticity=-3.0)

    # when the category manager opens the suggestions and reads A's explanation
    login(page, "cm_fashion", PASSWORD)
    page.click('nav.mainnav a[href="/pricing/"]')
    page.wait_for_load_state("networkidle")
    page.get_by_test_id("explain-DRESS-A").click()
    page.wait_for_load_state("networkidle")
    explanation = page.get_by_test_id("explanation").inner_text()
    assert "33,33 €" in explanation or "€33.33" in explanation  # p* net
    assert "32,989" in explanation or "32.989" in explanation  # the +10 % cap
    assert page.get_by_test_id("suggested-price").inner_text().strip() == "31,99 €"
    # and proposes both from the list
    page.click("nav.breadcrumb a[href='/pricing/']")
    page.wait_for_load_state("networkidle")
    page.get_by_test_id("select-DRESS-A").check()
    page.get_by_test_id("select-DRESS-B").check()
    page.get_by_test_id("propose-selected").click()
    page.wait_for_load_state("networkidle")
    assert PriceProposal.objects.filter(status="pending").count() == 2

    # then a shop manager approves A and rejects B
    page.context.clear_cookies()
    login(page, "shop", PASSWORD)
    page.goto(f"{page.base_url}/pricing/proposals/")
    page.get_by_test_id("approve-DRESS-A").click()
    page.wait_for_load_state("networkidle")
    page.get_by_test_id("reject-DRESS-B").click()
    page.wait_for_load_state("networkidle")
    assert PriceChange.objects.filter(product=dress_a, price=D("31.99"), created_by=manager).exists()
    assert not PriceChange.objects.filter(product=dress_b).exclude(price=D("49.99")).exists()

    # and the price page shows the new price and the 30-day reference (the 29.99 before it)
    page.goto(f"{page.base_url}/pricing/products/DRESS-A/")
    assert page.get_by_test_id("current-price").inner_text().strip() == "31,99 €"
    assert page.get_by_test_id("reference-30d").inner_text().strip() == "29,99 €"
    history = page.get_by_test_id("history").inner_text()
    assert "31,99 €" in history and "cm_fashion" in history
    assert not page.console_errors
