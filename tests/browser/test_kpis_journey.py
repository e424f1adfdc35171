"""Key figures in a real browser: the period switches, the charts draw, the categories drill down."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from sales.models import TrafficDay
from shopmgr.core.dates import berlin_today
from tests.browser.conftest import login
from tests.catalog.factories import ProductFactory
from tests.sales.factories import OrderFactory, OrderLineFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


CHART_DRAWN = """(id) => {
    const canvas = document.getElementById(id);
    const chart = canvas && window.Chart && window.Chart.getChart(canvas);
    return Boolean(chart) && canvas.width > 0 && canvas.height > 0 && chart.data.datasets[0].data.length > 0;
}"""


def _recent_orders(category_tree):
    """An order a day over the last 40 days, fashion and electronics, with traffic; facts computed."""
    dress = ProductFactory(sku="DRESS-1", name="Sommerkleid", category=category_tree["women"])
    phone = ProductFactory(sku="PHONE-1", name="Smartphone", category=category_tree["phones"])
    today = berlin_today()
    for days_ago in range(1, 41):
        day = today - dt.timedelta(days=days_ago)
        placed = dt.datetime.combine(day, dt.time(10, 0), tzinfo=dt.UTC)
        order = OrderFactory(placed_at=placed)
        OrderLineFactory(order=order, line_no=1, product=dress, quantity=1, unit_price=Decimal("59.50"))
        if days_ago % 2:
            OrderLineFactory(order=order, line_no=2, product=phone, quantity=1, unit_price=Decimal("238.00"))
        TrafficDay.objects.create(date=day, channel="webshop", sessions=40 + days_ago)
    call_command("compute_metrics", "--all", verbosity=0)


def _log_in(page, user):
    user.set_password("secret-pass-123")
    user.save()
    login(page, user.username, "secret-pass-123")


def test_shop_manager_switches_the_period_and_drills_into_a_category(
    browser_page, shop_manager, category_tree, tmp_path,
):
    page = browser_page
    _recent_orders(category_tree)
    _log_in(page, shop_manager)

    # when the shop manager opens the key figures from the navigation
    page.click("nav.mainnav >> text=Kennzahlen")
    page.wait_for_load_state("networkidle")
    assert "/kpis/" in page.url
    # then the tiles are filled (last 30 days by default) and both charts are drawn
    revenue = page.get_by_test_id("value-revenue").inner_text()
    assert revenue.endswith("€") and revenue != "–"
    assert page.get_by_test_id("value-orders").inner_text() == "30"
    assert page.evaluate(CHART_DRAWN, "chart-sales") and page.evaluate(CHART_DRAWN, "chart-rates")
    assert page.evaluate("() => window.kpiCharts.sales.data.labels.length") == 30
    page.screenshot(path=str(tmp_path / "kpis-30.png"), full_page=True)

    # when they switch to the last 7 days
    page.click("[data-testid=period-picker] >> text=Letzte 7 Tage")
    page.wait_for_load_state("networkidle")
    assert "period=last_7_days" in page.url
    assert page.get_by_test_id("value-orders").inner_text() == "7"
    assert page.evaluate("() => window.kpiCharts.sales.data.labels.length") == 7
    assert page.evaluate(CHART_DRAWN, "chart-sales")

    # and type their own range into the from/to fields
    first = berlin_today() - dt.timedelta(days=10)
    last = berlin_today() - dt.timedelta(days=6)
    page.fill("input[name=from]", first.isoformat())
    page.fill("input[name=to]", last.isoformat())
    page.click("[data-testid=period-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("value-orders").inner_text() == "5"
    assert first.strftime("%d.%m.%Y") in page.get_by_test_id("period-label").inner_text()

    # when they drill into fashion from the category table
    page.click("[data-testid=category-table] >> text=Fashion")
    page.wait_for_load_state("networkidle")
    assert "category=FASHION" in page.url
    assert "Fashion" in page.locator("h1").inner_text()
    table = page.get_by_test_id("category-table").inner_text()
    assert "Women" in table and "Electronics" not in table
    assert page.evaluate(CHART_DRAWN, "chart-sales")
    # a tile leads to its definition
    page.click("[data-testid=tile-return_rate]")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/kpis/definitions/#kpi-return_rate")
    assert page.locator("#kpi-return_rate").is_visible()
    assert page.console_errors == []


def test_category_manager_sees_only_their_categories(browser_page, fashion_manager, category_tree, tmp_path):
    page = browser_page
    _recent_orders(category_tree)
    _log_in(page, fashion_manager)

    page.goto(f"{page.base_url}/kpis/")
    page.wait_for_load_state("networkidle")
    table = page.get_by_test_id("category-table").inner_text()
    assert "Fashion" in table and "Electronics" not in table
    # 30 dresses at 50.00 net: the phones are not theirs
    assert page.get_by_test_id("value-revenue").inner_text() == "1.500,00 €"
    assert page.evaluate(CHART_DRAWN, "chart-rates")
    assert page.locator("nav.mainnav >> text=Läufe").count() == 0
    page.screenshot(path=str(tmp_path / "kpis-cm.png"), full_page=True)

    # a foreign category is simply not found (asked with the browser's session, outside the page)
    assert page.request.get(f"{page.base_url}/kpis/?category=ELECTRONICS").status == 404

    # and English works as well
    page.goto(f"{page.base_url}/kpis/")
    page.click("button[value=en]")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Key figures"
    assert page.get_by_test_id("value-revenue").inner_text() == "€1,500.00"
    assert page.evaluate(CHART_DRAWN, "chart-sales")
    assert page.console_errors == []
