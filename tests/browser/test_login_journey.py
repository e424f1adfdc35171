"""A category manager logs in with a real browser and sees their scope."""

import pytest

from tests.browser.conftest import login
from tests.catalog.factories import ProductFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_category_manager_logs_in_and_sees_their_scope(browser_page, fashion_manager, category_tree, tmp_path):
    page = browser_page
    fashion_manager.set_password("secret-pass-123")
    fashion_manager.save()
    ProductFactory(sku="DRESS-1", name="Sommerkleid", category=category_tree["women"], price="1234.56")
    ProductFactory(sku="PHONE-1", name="Smartphone", category=category_tree["phones"])

    # when an anonymous visitor opens the portal, they land on the login page
    page.goto(f"{page.base_url}/catalog/")
    assert "/accounts/login/" in page.url

    # and after logging in as the fashion manager they reach the home page
    login(page, "cm_fashion", "secret-pass-123")
    assert page.url.rstrip("/") == page.base_url.rstrip("/")
    scope = page.get_by_test_id("role-and-scope")
    assert "Kategoriemanager" in scope.inner_text()  # German by default
    assert "Fashion" in page.get_by_test_id("scope-categories").inner_text()
    page.screenshot(path=str(tmp_path / "home.png"), full_page=True)

    # the product list holds their products only, with money in German format
    page.click("text=Produkte")
    page.wait_for_load_state("networkidle")
    table_text = page.locator("table.table").inner_text()
    assert "DRESS-1" in table_text and "PHONE-1" not in table_text
    assert "1.234,56 €" in table_text

    # switching the language to English works
    page.click("button[value=en]")
    page.wait_for_load_state("networkidle")
    assert "Products" in page.locator("h1").inner_text()

    assert page.console_errors == []
