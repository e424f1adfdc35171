"""The returns desk in a real browser: a customer-service user goes from the order search to the
refund and the close, and sees the stock and the refund on screen."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from catalog.models import Product
from returns.models import Return
from shopmgr.core import roles
from shopmgr.core.dates import berlin_today
from tests.browser.conftest import login
from tests.catalog.factories import ProductFactory
from tests.conftest import user_with_role
from tests.returns.factories import delivered_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_service_takes_a_return_from_the_order_search_to_refund_and_close(browser_page):
    page = browser_page
    # given a card order of 2 × 30.00 and 1 × 20.00 (+ 4.95 shipping), delivered three days ago,
    # whose products have 10 and 4 in stock
    clerk = user_with_role(roles.CUSTOMER_SERVICE, username="service")
    clerk.set_password("secret-pass-123")
    clerk.save()
    shirt = ProductFactory(sku="SHIRT-1", name="Hemd", stock=10)
    belt = ProductFactory(sku="BELT-1", name="Gürtel", stock=4)
    order = delivered_order(delivered_on=berlin_today() - dt.timedelta(days=3),
                            lines=[(2, "30.00", "0"), (1, "20.00", "0")], products=[shirt, belt])
    first, second = order.lines.order_by("line_no")
    login(page, "service", "secret-pass-123")

    # when the clerk opens the desk from the navigation and searches the customer's e-mail
    page.click('nav.mainnav a[href="/returns/"]')
    page.wait_for_load_state("networkidle")
    page.fill("#id_q", order.customer.email)
    page.click("[data-testid=order-search] button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.click(f"[data-testid=order-results] >> text={order.external_id}")
    page.wait_for_load_state("networkidle")
    # then the order shows its delivery and the end of the withdrawal period
    assert page.get_by_test_id("deadline").inner_text() != "–"

    # when they return both shirts (too small) and the belt (changed mind) as a withdrawal
    page.fill(f"#id_qty_{first.pk}", "2")
    page.select_option(f"#id_reason_{first.pk}", label="Zu klein")
    page.fill(f"#id_qty_{second.pk}", "1")
    page.select_option(f"#id_reason_{second.pk}", label="Gefällt nicht")
    page.click("[data-testid=open-return] button[type=submit]")
    page.wait_for_load_state("networkidle")
    ret = Return.objects.get(order=order)
    assert page.url.endswith(f"/returns/{ret.pk}/")
    with translation.override("de"):
        assert page.get_by_test_id("status").inner_text().strip() == ret.get_status_display()

    # an inspection before the parcel arrived is not offered
    assert page.locator("[data-testid=inspect-form]").count() == 0

    # when the parcel arrives
    page.click("[data-testid=receive-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    # and the shirts are restocked as new while the belt is written off
    lines = {ln.order_line_id: ln for ln in ret.lines.all()}
    page.select_option(f"#id_condition_{lines[first.pk].pk}", "A")
    page.select_option(f"#id_disposition_{lines[first.pk].pk}", "restock")
    page.select_option(f"#id_condition_{lines[second.pk].pk}", "D")
    page.select_option(f"#id_disposition_{lines[second.pk].pk}", "write_off")
    page.click("[data-testid=inspect-form] button[type=submit]")
    page.wait_for_load_state("networkidle")

    # then the page shows the new stock: 10 + 2 shirts = 12, the belt stays at 4
    stock = page.locator("[data-testid=return-lines] [data-testid=stock]").all_inner_texts()
    assert [s.strip() for s in stock] == ["12", "4"]
    # and proposes 2 × 30.00 + 20.00 + 4.95 shipping (everything came back) = 84,95 €
    assert page.get_by_test_id("proposed-amount").inner_text() == "84,95 €"

    # when a deduction is entered without its reason, it is refused on that field
    page.fill("#id_deduction", "5,00")
    page.click("[data-testid=refund-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "(§357a BGB)" in page.locator("[data-testid=refund-form] .error").inner_text()
    assert not ret.refunds.exists()
    # (the refused form comes back with status 400, which chromium logs; nothing else may)
    assert page.console_errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]
    page.console_errors.clear()

    # when they refund without a deduction and close the return
    page.fill("#id_deduction", "0")
    page.click("[data-testid=refund-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("refund-amount").inner_text() == "84,95 €"
    page.fill("#id_note", "Erstattet per Karte")
    page.click("[data-testid=close-form] button[type=submit]")
    page.wait_for_load_state("networkidle")

    # then the return is closed, every step shows who did it, and nothing went wrong on the page
    ret.refresh_from_db()
    assert ret.status == Return.Status.CLOSED and ret.refunds.get().amount == Decimal("84.95")
    assert (Product.objects.get(pk=shirt.pk).stock, Product.objects.get(pk=belt.pk).stock) == (12, 4)
    events = page.locator("[data-testid=events] li").all_inner_texts()
    assert len(events) == 5 and all("service" in e for e in events)
    assert page.get_by_test_id("refund-amount").inner_text() == "84,95 €"

    # and the return slip prints without the buttons
    page.goto(f"{page.base_url}/returns/{ret.pk}/slip/")
    page.emulate_media(media="print")
    assert page.get_by_test_id("slip-no").inner_text() == ret.external_id
    assert not page.locator(".noprint").is_visible()
    assert page.console_errors == []
