"""The assortment workbench in a real browser: a category manager goes from the ABC/XYZ matrix to a
product and files a delisting proposal, which a shop manager then approves."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from catalog.compute import assortment_compute
from catalog.models import ListingProposal, Product, ProductAnalysis
from kpis.models import DailyProductFact
from shopmgr.core import roles
from shopmgr.core.dates import berlin_today
from tests.browser.conftest import login
from tests.catalog.factories import ProductFactory
from tests.conftest import user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-123"


def _user(role, username):
    user = user_with_role(role, username=username)
    user.set_password(PASSWORD)
    user.save()
    return user


def test_category_manager_proposes_a_delisting_from_the_matrix_and_a_shop_manager_approves(
    browser_page, category_tree
):
    page = browser_page
    # given two fashion products sold last month, one of them weak, and a phone outside the scope
    manager = _user(roles.CATEGORY_MANAGERS, "cm_fashion")
    category_tree["fashion"].managers.add(manager)
    _user(roles.SHOP_MANAGERS, "shop")
    strong = ProductFactory(sku="DRESS-1", name="Sommerkleid", category=category_tree["women"])
    weak = ProductFactory(sku="SCARF-9", name="Schal", category=category_tree["women"], stock=80)
    phone = ProductFactory(sku="PHONE-1", name="Smartphone", category=category_tree["phones"])
    day = (berlin_today().replace(day=1) - dt.timedelta(days=1)).replace(day=10)
    for product, units, revenue in ((strong, 40, "2000"), (weak, 1, "15"), (phone, 3, "900")):
        DailyProductFact.objects.create(day=day, product=product, channel="webshop", orders=units,
                                        units_sold=units, revenue=Decimal(revenue), cogs_sold=Decimal(revenue) / 2,
                                        returned_units=0, returned_value=0, cogs_restocked=0)
    assortment_compute()
    cell = ProductAnalysis.objects.get(product=weak).matrix_cell
    login(page, "cm_fashion", PASSWORD)

    # when the category manager opens the matrix from the navigation
    page.click('nav.mainnav a[href="/catalog/matrix/"]')
    page.wait_for_load_state("networkidle")
    # then it counts their two products only (the phone is outside their categories)
    counts = [int(c) for c in page.locator("[data-testid=matrix] .count").all_inner_texts()]
    assert sum(counts) == 2
    # when they open the weak product's cell and the product from the list
    page.click(f"[data-testid=cell-{cell}] a")
    page.wait_for_load_state("networkidle")
    assert "PHONE-1" not in page.content()
    page.click("text=SCARF-9")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(weak.get_absolute_url())
    assert page.get_by_test_id("abcxyz").inner_text().startswith(cell)

    # and propose to delist it, first without a reason
    form = page.locator("[data-testid=proposal-form]")
    form.locator("select[name=action]").select_option("delist")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    # then nothing is filed
    assert not ListingProposal.objects.exists()
    assert page.locator(".messages .msg-error").count() == 1
    # when they give the reason
    form = page.locator("[data-testid=proposal-form]")
    form.locator("select[name=action]").select_option("delist")
    form.locator("textarea[name=reason]").fill("Verkauft sich kaum, Lager für 2 Jahre")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    # then the product page shows the pending proposal; the status is unchanged
    try:
        page.wait_for_selector("[data-testid=pending]", timeout=15_000)
    except Exception:  # say what the page shows instead
        pytest.fail(f"no pending proposal on {page.url}: {page.locator('main').inner_text()[:800]}")
    proposal = ListingProposal.objects.get()
    assert (proposal.product, proposal.proposed_by, proposal.status) == (weak, manager, "pending")
    weak.refresh_from_db()
    assert weak.status == Product.Status.ACTIVE

    # when the shop manager logs in, opens the listing decisions and approves the proposal
    page.context.clear_cookies()
    login(page, "shop", PASSWORD)
    page.click('nav.mainnav a[href="/catalog/decisions/"]')
    page.wait_for_load_state("networkidle")
    page.locator(f"[data-testid=proposals] input[name=proposal][value='{proposal.pk}']").check()
    with page.expect_navigation():
        page.click("[data-testid=decide-form] button[value=approve]")
    page.wait_for_load_state("networkidle")

    # then the product is delisted, and its page shows who proposed, who approved and why
    weak.refresh_from_db()
    assert weak.status == Product.Status.DELISTED
    page.goto(f"{page.base_url}{weak.get_absolute_url()}")
    with translation.override("de"):
        assert page.get_by_test_id("status").inner_text().strip() == weak.get_status_display()
    history = page.get_by_test_id("assortment-history").inner_text()
    assert "cm_fashion" in history and "shop" in history and "Verkauft sich kaum" in history
    assert page.console_errors == []
