"""An order without lines (real exports have them: an Olist order "invoiced" with no items, or
order headers imported before their lines) is still an order of the whole shop (DESIGN §4:
"orders in P, not cancelled"), with its shipment, fees, invoice and customer; it is in no
category, so no category's scope counts it.

    categories  FASHION > FASHION-WOMEN;  product DRESS (women, 19 %)
    order  customer  placed (Berlin)      pays    lines                         shipment (cost, promised, delivered)
    O4     A         20 Feb 10:00+01      invoice none                          3.00, 25 Feb, 5 Mar 10:00+01 (late)
    O1     A         2 Mar 10:00+01       paypal  none, shipping fee 4.95       5.00, 5 Mar, 4 Mar 10:00+01
    O2     B         2 Mar 12:00+01       card    DRESS 119.00 gross (net 100.00, cost 40.00)
    O3     A         3 Mar 09:00+01       card    none                          CANCELLED
    invoices INV1 O1 10.00 issued 2 Mar, due 16 Mar, unpaid | INV4 O4 20.00 issued 20 Feb, due
             6 Mar, 10.00 paid 10 Mar

Whole shop, 1–31 March (worked out):
    orders 2 (O1, O2; O3 cancelled), all orders 3 → cancellation_rate 1 / 3 = 0.3333
    revenue 100.00 → aov 100.00 / 2 = 50.00; units_sold 1
    new_customers 1 (B; A's first order is O4 in February)
    shipments delivered in March: O1 (4 Mar ≤ 5 Mar, on time, 2 days), O4 (5 Mar > 25 Feb, late,
    13 days) → on_time_rate 0.5000, avg_delivery_days (2 + 13) / 2 = 7.50
    payment fees: O1 paypal 2.49 % × (0 + 4.95) = 0.123255; O2 card 1.4 % × (119.00 + 4.95) =
    1.7353 → 1.858555; shipping cost of the March orders' shipments: O1 5.00
    contribution = 100.00 − 40.00 − 5.00 − 1.858555 = 53.141445 → 53.14
    open_receivables on 31 Mar: INV1 10.00 + INV4 20.00 − 10.00 = 20.00, all overdue (due 16 and 6 Mar)
FASHION, 1–31 March: only O2 — orders 1, cancellation_rate 0.0000, no shipment (on_time_rate
null), contribution 100.00 − 40.00 − 1.7353 = 58.2647 → 58.26, no receivables.
"""

import pytest

from sales.models import Invoice, Order, Payment
from shopmgr.core import roles
from tests.catalog.factories import CategoryFactory, ProductFactory
from tests.conftest import user_with_role
from tests.kpis import reference
from tests.kpis.conftest import day, get_kpis, make_invoice, make_order, make_shipment, module_data
from tests.sales.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def build():
    fashion = CategoryFactory(code="FASHION", name="Fashion")
    women = CategoryFactory(code="FASHION-WOMEN", name="Women", parent=fashion)
    dress = ProductFactory(sku="DRESS", category=women, vat_rate="0.19")
    a, b = CustomerFactory(), CustomerFactory()
    o4 = make_order("O4", customer=a, placed_at="2026-02-20T10:00:00+01:00", channel="webshop",
                    payment_method="invoice", lines=[], shipping_fee="0")
    o1 = make_order("O1", customer=a, placed_at="2026-03-02T10:00:00+01:00", channel="webshop",
                    payment_method="paypal", lines=[], shipping_fee="4.95")
    make_order("O2", customer=b, placed_at="2026-03-02T12:00:00+01:00", channel="webshop",
               payment_method="card", lines=[(dress, 1, "119.00", "0", "40.00")], shipping_fee="4.95")
    make_order("O3", customer=a, placed_at="2026-03-03T09:00:00+01:00", channel="webshop",
               payment_method="card", lines=[], status=Order.Status.CANCELLED)
    make_shipment(o4, cost="3.00", promised_by="2026-02-25", delivered_at="2026-03-05T10:00:00+01:00")
    make_shipment(o1, cost="5.00", promised_by="2026-03-05", delivered_at="2026-03-04T10:00:00+01:00")
    make_invoice("INV1", o1, issued_on="2026-03-02", due_on="2026-03-16", amount="10.00")
    make_invoice("INV4", o4, issued_on="2026-02-20", due_on="2026-03-06", amount="20.00",
                 payments=[("2026-03-10", "10.00")])


@pytest.fixture(scope="module")
def shop(django_db_setup, django_db_blocker):
    with module_data(django_db_blocker, build):
        yield


MARCH = {"date_from": "2026-03-01", "date_to": "2026-03-31"}


def test_an_order_without_lines_counts_for_the_whole_shop(client, shop):
    # given the shop manager
    user = user_with_role(roles.SHOP_MANAGERS, username="shop")
    client.force_login(user)

    # when March is asked for
    kpis = get_kpis(client, **MARCH)["kpis"]

    # then the orders without lines count with their shipments, fees, customers and invoices
    assert {key: kpis[key] for key in (
        "orders", "cancellation_rate", "revenue", "aov", "units_sold", "new_customers", "on_time_rate",
        "avg_delivery_days", "contribution", "open_receivables", "overdue_receivables",
    )} == {
        "orders": 2, "cancellation_rate": "0.3333", "revenue": "100.00", "aov": "50.00", "units_sold": 1,
        "new_customers": 1, "on_time_rate": "0.5000", "avg_delivery_days": "7.50", "contribution": "53.14",
        "open_receivables": "20.00", "overdue_receivables": "20.00",
    }
    # and every key equals the raw-row reference
    assert kpis == reference.api_answer(user, date_from=day("2026-03-01"), date_to=day("2026-03-31"))["kpis"]


def test_an_order_without_lines_is_in_no_category(client, shop):
    # given the shop manager
    user = user_with_role(roles.SHOP_MANAGERS, username="shop")
    client.force_login(user)

    # when FASHION's March is asked for
    kpis = get_kpis(client, category="FASHION", **MARCH)["kpis"]

    # then only O2 counts
    assert {key: kpis[key] for key in (
        "orders", "cancellation_rate", "on_time_rate", "contribution", "open_receivables", "new_customers",
    )} == {
        "orders": 1, "cancellation_rate": "0.0000", "on_time_rate": None, "contribution": "58.26",
        "open_receivables": "0.00", "new_customers": 1,
    }
    expected = reference.api_answer(user, date_from=day("2026-03-01"), date_to=day("2026-03-31"), category="FASHION")
    assert kpis == expected["kpis"]


def test_each_day_equals_the_reference(client, shop):
    # given the shop manager
    user = user_with_role(roles.SHOP_MANAGERS, username="shop")
    client.force_login(user)

    # then every day from the first order to the last payment equals the reference, whole shop
    for text in ("2026-02-20", "2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-10"):
        kpis = get_kpis(client, date_from=text, date_to=text)["kpis"]
        assert kpis == reference.api_answer(user, date_from=day(text), date_to=day(text))["kpis"], text
    assert Invoice.objects.count() == 2 and Payment.objects.count() == 1
