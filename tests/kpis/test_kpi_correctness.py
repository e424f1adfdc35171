"""The KPI numbers, worked out by hand for a small shop (DESIGN §4, docs/kpis.md).

Every expected figure below is a literal with its arithmetic beside it. The same figures are
asserted three ways: the hand-made lines carry the nets written here, the reference
implementation (tests/kpis/reference.py) computes them from the rows, and `GET /api/kpis/`
answers them after `compute_metrics --all`.

The shop (payment fees paypal 2.49 %, card 1.4 %, invoice 0 %; return handling 6.95 per return):

    categories  FASHION > FASHION-WOMEN, FASHION-MEN;  ELECTRONICS > ELECTRONICS-PHONES;  BOOKS
    products    DRESS (women, 19 %), SHIRT and SOCKS (men, 19 %), PHONE (phones, 19 %),
                BOOK-A and BOOK-B (books, 7 %)
    users       shop manager; fashion manager (FASHION); mixed manager (FASHION-MEN and BOOKS)

    order  customer  placed (Berlin day)           channel      pays     lines: net (cost)
    O0     A         2026-02-20 10:00+01 (20 Feb)  webshop      invoice  SHIRT 25.00 (10)
    O1     B         2026-03-02T23:30Z   (3 Mar)   webshop      paypal   DRESS×2 90.00 (40), BOOK-B×3 30.00 (15)
    O2     C         2026-03-10 12:00+01 (10 Mar)  marketplace  card     PHONE 400.00 (300)
    O3     D         2026-03-15 18:00+01 (15 Mar)  webshop      invoice  BOOK-A×4 76.00 (48), SHIRT 24.00 (10)
    O4     E         2026-03-20 09:00+01 (20 Mar)  webshop      paypal   DRESS 50.00 (20)       CANCELLED
    O5     A         2026-03-29 00:30+01 (29 Mar)  marketplace  card     SHIRT×2 45.00 (20), SOCKS×3 25.18 (7.50)
    O6     B         2026-03-29T22:30Z   (30 Mar)  webshop      invoice  DRESS 50.00 (20), BOOK-B×3 30.00 (15)
    O7     D         2026-03-28T22:30Z   (28 Mar)  webshop      invoice  PHONE 360.00 (300)
    O8     E         2026-04-12 10:00+02 (12 Apr)  webshop      card     BOOK-A 20.00 (12)
    O9     C         2026-10-25 23:30+01 (25 Oct)  webshop      paypal   DRESS 50.00 (20)
    O10    D         2026-10-24T22:30Z   (25 Oct)  webshop      card     SHIRT 25.00 (10)
    O11    F         2026-10-25T23:00Z   (26 Oct)  webshop      paypal   BOOK-B 10.00 (5)
    O12    G         2026-05-05 10:00+02 (5 May)   webshop      invoice  SHIRT, SOCKS, DRESS ×3 10.00 each, SHIRT×2 5.01 (1 each)
    O13    G         2026-07-07 12:00+02 (7 Jul)   webshop      card     SHIRT 20.11 (10)
    O14    H         2026-08-10 10:00+02 (10 Aug)  webshop      invoice  DRESS 50.00 (20)       CANCELLED
    O15    G         2026-09-01T08:00Z   (1 Sep)   webshop      invoice  BOOK-B 10.00 (5)

    returns  R1 O1: DRESS×1 restock, received 10 Mar      R2 O2: PHONE×1, received 20 Mar, REJECTED
             R3 O3: BOOK-A×1 write_off, received 10 Apr   R5 O5: SOCKS×1 restock + SHIRT×1 write_off, 2 Apr
             R12 O12: one unit of each of its four lines, write_off, received 10 May
    shipments (cost, promised, delivered)  O0 4.00 24 Feb 23 Feb | O1 5.50 6 Mar 5 Mar 14:00+01 |
             O2 7.00 12 Mar 13 Mar (late) | O3 4.00 18 Mar 18 Mar | O5 4.50 31 Mar 31 Mar 13:30+02 |
             O7 6.00 31 Mar 1 Apr (late) | O15 3.00 5 Sep 5 Sep 08:36Z
    invoices INV0 O0 34.70 due 6 Mar, unpaid | INV3 O3 114.83 due 14 Apr, 40.00 paid 20 Mar |
             INV6 O6 96.55 due 13 Apr, 100.00 paid 5 Apr (overpaid) | INV7 O7 428.40, paid 31 Mar |
             INV14 O14 (cancelled) 64.45 due 24 Aug, paid 15 Sep
    reviews  O1 DRESS 5 (6 Mar), O1 BOOK-B 2 (31 Mar 23:30+02), O2 PHONE 2 (1 Apr 00:30+02),
             O3 BOOK-A 4 (20 Mar), O4 DRESS 1 (22 Mar, cancelled order), O5 SHIRT 4 (31 Mar)
    sessions 20 Feb webshop 100 | 1 Mar webshop 120, marketplace 30 | 3 Mar webshop 200 |
             10 Mar marketplace 80 | 15 Mar webshop 110, newsletter 10 | 29 Mar webshop 150,
             marketplace 50 | 31 Mar webshop 90 | 25 Oct webshop 300
    spend    1 Mar webshop 50.00 | 3 Mar webshop 40.00 | 10 Mar marketplace 25.00 |
             29 Mar marketplace 12.00, webshop 8.00 | 30 Mar webshop 16.00
"""

import json
import types
from decimal import Decimal

import pytest

from catalog.models import Category
from kpis.registry import KEYS
from sales.models import MarketingSpend, Order, OrderLine, TrafficDay
from shopmgr.core import roles
from tests.catalog.factories import CategoryFactory, ProductFactory
from tests.conftest import user_with_role
from tests.kpis import reference
from tests.kpis.conftest import (
    API,
    day,
    get_kpis,
    make_invoice,
    make_order,
    make_return,
    make_review,
    make_shipment,
    module_data,
)
from tests.sales.factories import CustomerFactory

pytestmark = pytest.mark.django_db

CANCELLED = Order.Status.CANCELLED


def build_shop():
    fashion = CategoryFactory(code="FASHION", name="Fashion")
    women = CategoryFactory(code="FASHION-WOMEN", name="Women", parent=fashion)
    men = CategoryFactory(code="FASHION-MEN", name="Men", parent=fashion)
    electronics = CategoryFactory(code="ELECTRONICS", name="Electronics")
    phones = CategoryFactory(code="ELECTRONICS-PHONES", name="Phones", parent=electronics)
    books = CategoryFactory(code="BOOKS", name="Books")

    vat19, vat7 = Decimal("0.19"), Decimal("0.07")
    p = types.SimpleNamespace(
        dress=ProductFactory(sku="DRESS", category=women, vat_rate=vat19, price=Decimal("59.50")),
        shirt=ProductFactory(sku="SHIRT", category=men, vat_rate=vat19, price=Decimal("29.75")),
        socks=ProductFactory(sku="SOCKS", category=men, vat_rate=vat19, price=Decimal("9.99")),
        phone=ProductFactory(sku="PHONE", category=phones, vat_rate=vat19, price=Decimal("476.00")),
        book_a=ProductFactory(sku="BOOK-A", category=books, vat_rate=vat7, price=Decimal("21.40")),
        book_b=ProductFactory(sku="BOOK-B", category=books, vat_rate=vat7, price=Decimal("10.70")),
    )
    c = {name: CustomerFactory(external_id=f"KPI-{name}") for name in "ABCDEFGH"}

    o = {}
    o[0] = make_order("O0", customer=c["A"], placed_at="2026-02-20T10:00:00+01:00", channel="webshop",
                      payment_method="invoice", lines=[(p.shirt, 1, "29.75", "0", "10")])
    o[1] = make_order("O1", customer=c["B"], placed_at="2026-03-02T23:30:00+00:00", channel="webshop",
                      payment_method="paypal",
                      lines=[(p.dress, 2, "59.50", "11.90", "20"), (p.book_b, 3, "10.70", "0", "5")])
    o[2] = make_order("O2", customer=c["C"], placed_at="2026-03-10T12:00:00+01:00", channel="marketplace",
                      payment_method="card", shipping_fee="0", lines=[(p.phone, 1, "476.00", "0", "300")])
    o[3] = make_order("O3", customer=c["D"], placed_at="2026-03-15T18:00:00+01:00", channel="webshop",
                      payment_method="invoice",
                      lines=[(p.book_a, 4, "21.40", "4.28", "12"), (p.shirt, 1, "29.75", "1.19", "10")])
    o[4] = make_order("O4", customer=c["E"], placed_at="2026-03-20T09:00:00+01:00", channel="webshop",
                      payment_method="paypal", status=CANCELLED, lines=[(p.dress, 1, "59.50", "0", "20")])
    o[5] = make_order("O5", customer=c["A"], placed_at="2026-03-29T00:30:00+01:00", channel="marketplace",
                      payment_method="card", shipping_fee="0",
                      lines=[(p.shirt, 2, "29.75", "5.95", "10"), (p.socks, 3, "9.99", "0", "2.50")])
    o[6] = make_order("O6", customer=c["B"], placed_at="2026-03-29T22:30:00+00:00", channel="webshop",
                      payment_method="invoice", status=Order.Status.PAID,
                      lines=[(p.dress, 1, "59.50", "0", "20"), (p.book_b, 3, "10.70", "0", "5")])
    o[7] = make_order("O7", customer=c["D"], placed_at="2026-03-28T22:30:00+00:00", channel="webshop",
                      payment_method="invoice", shipping_fee="0", lines=[(p.phone, 1, "476.00", "47.60", "300")])
    o[8] = make_order("O8", customer=c["E"], placed_at="2026-04-12T10:00:00+02:00", channel="webshop",
                      payment_method="card", lines=[(p.book_a, 1, "21.40", "0", "12")])
    o[9] = make_order("O9", customer=c["C"], placed_at="2026-10-25T23:30:00+01:00", channel="webshop",
                      payment_method="paypal", lines=[(p.dress, 1, "59.50", "0", "20")])
    o[10] = make_order("O10", customer=c["D"], placed_at="2026-10-24T22:30:00+00:00", channel="webshop",
                       payment_method="card", lines=[(p.shirt, 1, "29.75", "0", "10")])
    o[11] = make_order("O11", customer=c["F"], placed_at="2026-10-25T23:00:00+00:00", channel="webshop",
                       payment_method="paypal", lines=[(p.book_b, 1, "10.70", "0", "5")])
    # O12: three lines of net 10.00 and one of 5.01, one unit of each returned (see the May test)
    o[12] = make_order("O12", customer=c["G"], placed_at="2026-05-05T10:00:00+02:00", channel="webshop",
                       payment_method="invoice", shipping_fee="0",
                       lines=[(p.shirt, 3, "3.97", "0.01", "1"), (p.socks, 3, "3.97", "0.01", "1"),
                              (p.dress, 3, "3.97", "0.01", "1"), (p.shirt, 2, "2.98", "0", "1")])
    o[13] = make_order("O13", customer=c["G"], placed_at="2026-07-07T12:00:00+02:00", channel="webshop",
                       payment_method="card", shipping_fee="0", lines=[(p.shirt, 1, "23.93", "0", "10")])
    o[14] = make_order("O14", customer=c["H"], placed_at="2026-08-10T10:00:00+02:00", channel="webshop",
                       payment_method="invoice", status=CANCELLED, lines=[(p.dress, 1, "59.50", "0", "20")])
    o[15] = make_order("O15", customer=c["G"], placed_at="2026-09-01T08:00:00+00:00", channel="webshop",
                       payment_method="invoice", shipping_fee="0", lines=[(p.book_b, 1, "10.70", "0", "5")])

    make_shipment(o[0], cost="4.00", promised_by="2026-02-24", delivered_at="2026-02-23T12:00:00+01:00")
    make_shipment(o[1], cost="5.50", promised_by="2026-03-06", delivered_at="2026-03-05T14:00:00+01:00",
                  shipped_at="2026-03-03T15:00:00+01:00")
    make_shipment(o[2], cost="7.00", promised_by="2026-03-12", delivered_at="2026-03-13T09:00:00+01:00")
    make_shipment(o[3], cost="4.00", promised_by="2026-03-18", delivered_at="2026-03-18T12:00:00+01:00")
    make_shipment(o[5], cost="4.50", promised_by="2026-03-31", delivered_at="2026-03-31T13:30:00+02:00")
    make_shipment(o[7], cost="6.00", promised_by="2026-03-31", delivered_at="2026-04-01T09:30:00+02:00")
    make_shipment(o[15], cost="3.00", promised_by="2026-09-05", delivered_at="2026-09-05T08:36:00+00:00")

    make_return("R1", o[1], received_at="2026-03-10T10:00:00+01:00", lines=[(1, 1, "restock")])
    make_return("R2", o[2], received_at="2026-03-20T10:00:00+01:00", lines=[(1, 1, "")], rejected=True)
    make_return("R3", o[3], received_at="2026-04-10T10:00:00+02:00", lines=[(1, 1, "write_off")])
    make_return("R5", o[5], received_at="2026-04-02T10:00:00+02:00",
                lines=[(2, 1, "restock"), (1, 1, "write_off")])
    make_return("R12", o[12], received_at="2026-05-10T10:00:00+02:00",
                lines=[(1, 1, "write_off"), (2, 1, "write_off"), (3, 1, "write_off"), (4, 1, "write_off")])

    make_invoice("INV0", o[0], issued_on="2026-02-20", due_on="2026-03-06", amount="34.70")
    make_invoice("INV3", o[3], issued_on="2026-03-15", due_on="2026-04-14", amount="114.83",
                 payments=[("2026-03-20", "40.00")])
    make_invoice("INV6", o[6], issued_on="2026-03-30", due_on="2026-04-13", amount="96.55",
                 payments=[("2026-04-05", "100.00")])
    make_invoice("INV7", o[7], issued_on="2026-03-28", due_on="2026-04-11", amount="428.40",
                 payments=[("2026-03-31", "428.40")])
    make_invoice("INV14", o[14], issued_on="2026-08-10", due_on="2026-08-24", amount="64.45",
                 payments=[("2026-09-15", "64.45")])

    make_review(o[1], p.dress, rating=5, created_at="2026-03-06T10:00:00+01:00")
    make_review(o[1], p.book_b, rating=2, created_at="2026-03-31T23:30:00+02:00")
    make_review(o[2], p.phone, rating=2, created_at="2026-04-01T00:30:00+02:00")
    make_review(o[3], p.book_a, rating=4, created_at="2026-03-20T12:00:00+01:00")
    make_review(o[4], p.dress, rating=1, created_at="2026-03-22T10:00:00+01:00")
    make_review(o[5], p.shirt, rating=4, created_at="2026-03-31T10:00:00+02:00")

    for date, channel, sessions in [
        ("2026-02-20", "webshop", 100), ("2026-03-01", "webshop", 120), ("2026-03-01", "marketplace", 30),
        ("2026-03-03", "webshop", 200), ("2026-03-10", "marketplace", 80), ("2026-03-15", "webshop", 110),
        ("2026-03-15", "newsletter", 10), ("2026-03-29", "webshop", 150), ("2026-03-29", "marketplace", 50),
        ("2026-03-31", "webshop", 90), ("2026-10-25", "webshop", 300),
    ]:
        TrafficDay.objects.create(date=day(date), channel=channel, sessions=sessions)
    for date, channel, campaign, amount in [
        ("2026-03-01", "webshop", "SPRING", "50.00"), ("2026-03-03", "webshop", "SPRING", "40.00"),
        ("2026-03-10", "marketplace", "", "25.00"), ("2026-03-29", "marketplace", "", "12.00"),
        ("2026-03-29", "webshop", "SPRING", "8.00"), ("2026-03-30", "webshop", "SPRING", "16.00"),
    ]:
        MarketingSpend.objects.create(date=day(date), channel=channel, campaign_code=campaign,
                                      amount=Decimal(amount))

    shop_manager = user_with_role(roles.SHOP_MANAGERS, username="kpi_shop")
    fashion_manager = user_with_role(roles.CATEGORY_MANAGERS, username="kpi_cm_fashion")
    fashion.managers.add(fashion_manager)
    mixed_manager = user_with_role(roles.CATEGORY_MANAGERS, username="kpi_cm_mixed")
    men.managers.add(mixed_manager)
    books.managers.add(mixed_manager)
    return types.SimpleNamespace(
        products=p, orders=o, shop_manager=shop_manager, fashion_manager=fashion_manager,
        mixed_manager=mixed_manager,
    )


@pytest.fixture(scope="module")
def shop(django_db_setup, django_db_blocker):
    with module_data(django_db_blocker, build_shop) as data:
        yield data


# --- The hand-written figures --------------------------------------------------------------

# Whole shop, 1–31 March. Orders placed on Berlin days of March: O1, O2, O3, O4 (cancelled),
# O5, O6, O7.
MARCH_SHOP = {
    "orders": 6,  # O1 O2 O3 O5 O6 O7
    "units_sold": 21,  # O1 2+3, O2 1, O3 4+1, O5 2+3, O6 1+3, O7 1
    "revenue": "1130.18",  # 120.00 + 400.00 + 100.00 + 70.18 + 80.00 + 360.00
    "aov": "188.36",  # 1130.18 / 6 = 188.3633
    "returned_units": 4,  # R1 DRESS 1, R3 BOOK-A 1 (received in April: cohort), R5 SOCKS 1 + SHIRT 1; R2 rejected
    "returned_value": "94.89",  # 90.00×1/2 = 45.0000 + 76.00×1/4 = 19.0000 + 25.18×1/3 = 8.3933 + 45.00×1/2 = 22.5000 → 94.8933
    "net_revenue": "1035.29",  # 1130.18 − 94.8933 = 1035.2867
    "return_rate": "0.1905",  # 4 / 21 = 0.190476
    "return_rate_value": "0.0840",  # 94.8933 / 1130.18 = 0.083963
    "return_rate_orders": "0.5000",  # O1, O3, O5 / 6
    "cogs": "753.00",  # sold 55 + 300 + 58 + 27.50 + 35 + 300 = 775.50; restocked DRESS 20 + SOCKS 2.50 → − 22.50
    "gross_profit": "282.29",  # 1035.2867 − 753.00 = 282.2867
    "gross_margin": "0.2727",  # 282.2867 / 1035.2867 = 0.272665
    # shipping 5.50 + 7.00 + 4.00 + 4.50 + 6.00 = 27.00; handling 3 × 6.95 = 20.85 (R1 R3 R5);
    # fees paypal 0.0249 × (107.10 + 32.10 + 4.95 = 144.15) = 3.589335, card 0.014 × 476.00 = 6.664,
    # card 0.014 × (53.55 + 29.97 = 83.52) = 1.16928 → 11.422615
    "contribution": "223.01",  # 282.2867 − 27.00 − 20.85 − 11.422615 = 223.014085
    "contribution_after_marketing": "72.01",  # 223.014085 − (50 + 40 + 25 + 12 + 8 + 16 = 151.00) = 72.014085
    "cancellation_rate": "0.1429",  # 1 (O4) / 7
    "sessions": 840,  # 120 + 30 + 200 + 80 + 110 + 10 + 150 + 50 + 90
    "conversion_rate": "0.0071",  # 6 / 840 = 0.007143
    "on_time_rate": "0.7500",  # delivered in March: O1 on time, O2 late, O3 on time, O5 on time (O7: 1 April)
    # elapsed days: O1 23:30Z→13:00Z 2d13.5h = 2.5625, O2 2d21h = 2.875, O3 2d18h = 2.75,
    # O5 28 Mar 23:30Z → 31 Mar 11:30Z = 2d12h = 2.5 (the wall clock says 2d13h: DST)
    "avg_delivery_days": "2.67",  # 10.6875 / 4 = 2.671875
    "avg_rating": "3.75",  # (5 + 2 + 4 + 4) / 4; O2's review is 1 April Berlin, O4's order is cancelled
    "csat": "0.7500",  # 3 / 4
    "new_customers": 3,  # B (O1), C (O2), D (O3); A ordered in February, E's only March order is cancelled
    "repeat_rate": "0.2500",  # customers A B C D; only A ordered before 1 March → 1 / 4
    "open_receivables": "206.08",  # INV0 34.70 + INV3 114.83 − 40.00 = 74.83 + INV6 96.55 + INV7 0
    "overdue_receivables": "34.70",  # INV0 (due 6 Mar); INV3 and INV6 fall due in April
}

# category=FASHION (with FASHION-WOMEN and FASHION-MEN), 1–31 March; the fashion manager's scope.
# Fashion lines: O1 DRESS (share 90/120 = 0.75), O3 SHIRT (24/100 = 0.24), O4 cancelled,
# O5 SHIRT + SOCKS (1), O6 DRESS (50/80 = 0.625).
MARCH_FASHION = {
    "orders": 4,  # O1 O3 O5 O6
    "units_sold": 9,  # 2 + 1 + 5 + 1
    "revenue": "234.18",  # 90.00 + 24.00 + 70.18 + 50.00
    "aov": "58.55",  # 234.18 / 4 = 58.545 exactly, half-up
    "returned_units": 3,  # R1 DRESS, R5 SOCKS + SHIRT (R3 is a book)
    "returned_value": "75.89",  # 45.0000 + 8.3933 + 22.5000 = 75.8933
    "net_revenue": "158.29",  # 234.18 − 75.8933 = 158.2867
    "return_rate": "0.3333",  # 3 / 9
    "return_rate_value": "0.3241",  # 75.8933 / 234.18 = 0.324081
    "return_rate_orders": "0.5000",  # O1, O5 / 4 (O3's returned unit is a book, out of scope)
    "cogs": "75.00",  # sold 40 + 10 + 27.50 + 20 = 97.50, restocked 20 + 2.50 → 75.00
    "gross_profit": "83.29",  # 158.2867 − 75.00 = 83.2867
    "gross_margin": "0.5262",  # 83.2867 / 158.2867 = 0.526176
    # shipping 5.50×0.75 + 4.00×0.24 + 4.50 = 4.125 + 0.96 + 4.50 = 9.585;
    # handling 6.95×0.75 (R1) + 6.95×0.24 (R3: the order's share) + 6.95 (R5) = 5.2125 + 1.668 + 6.95 = 13.8305;
    # fees 3.589335×0.75 + 1.16928 = 2.69200125 + 1.16928 = 3.86128125
    "contribution": "56.01",  # 83.2867 − 9.585 − 13.8305 − 3.86128125 = 56.00991875
    # spend shares: 3 Mar webshop 40×90/120 = 30.00; 29 Mar marketplace 12×70.18/70.18 = 12.00;
    # 30 Mar webshop 16×50/80 = 10.00; 1 Mar, 10 Mar, 29 Mar webshop: no fashion revenue → 0
    "contribution_after_marketing": "4.01",  # 56.00991875 − 52.00 = 4.00991875
    "cancellation_rate": "0.2000",  # O4 / (O1 O3 O4 O5 O6)
    "sessions": 840,  # sessions are not per category
    "conversion_rate": "0.0048",  # 4 / 840 = 0.004762
    "on_time_rate": "1.0000",  # O1, O3, O5 on time (O2 is phones only)
    "avg_delivery_days": "2.60",  # (2.5625 + 2.75 + 2.5) / 3 = 2.604167
    "avg_rating": "4.50",  # DRESS 5, SHIRT 4 (O4's 1 belongs to a cancelled order)
    "csat": "1.0000",  # 2 / 2
    "new_customers": 2,  # B (O1), D (O3); C's first order has no fashion line
    "repeat_rate": "0.3333",  # B, D, A; A ordered in February → 1 / 3
    "open_receivables": "113.00",  # INV0 34.70×1 + INV3 74.83×0.24 = 17.9592 + INV6 96.55×0.625 = 60.34375 → 113.00295
    "overdue_receivables": "34.70",  # INV0
}

# The mixed manager (FASHION-MEN and BOOKS), no category asked, 1–31 March. In scope: SHIRT,
# SOCKS, BOOK-A, BOOK-B. O1 BOOK-B (30/120 = 0.25), O3 BOOK-A + SHIRT (both in scope: one order,
# share 1), O5 (1), O6 BOOK-B (30/80 = 0.375); O4 (a dress) is out of scope.
MARCH_MIXED = {
    "orders": 4,  # O1 O3 O5 O6 — O3 spans two of the manager's categories and counts once
    "units_sold": 16,  # 3 + 5 + 5 + 3
    "revenue": "230.18",  # 30.00 + 100.00 + 70.18 + 30.00
    "aov": "57.55",  # 230.18 / 4 = 57.545 exactly, half-up
    "returned_units": 3,  # R3 BOOK-A, R5 SOCKS + SHIRT (R1's dress is out of scope)
    "returned_value": "49.89",  # 19.0000 + 8.3933 + 22.5000 = 49.8933
    "net_revenue": "180.29",  # 230.18 − 49.8933 = 180.2867
    "return_rate": "0.1875",  # 3 / 16
    "return_rate_value": "0.2168",  # 49.8933 / 230.18 = 0.216758
    "return_rate_orders": "0.5000",  # O3, O5 / 4
    "cogs": "113.00",  # sold 15 + 58 + 27.50 + 15 = 115.50, restocked SOCKS 2.50
    "gross_profit": "67.29",  # 180.2867 − 113.00 = 67.2867
    "gross_margin": "0.3732",  # 67.2867 / 180.2867 = 0.373221
    # shipping 5.50×0.25 + 4.00 + 4.50 = 9.875; handling 6.95×0.25 (R1) + 6.95 (R3) + 6.95 (R5) = 15.6375;
    # fees 3.589335×0.25 + 1.16928 = 0.89733375 + 1.16928 = 2.06661375
    "contribution": "39.71",  # 67.2867 − 9.875 − 15.6375 − 2.06661375 = 39.70758625
    # spend: 3 Mar 40×30/120 = 10.00, 29 Mar marketplace 12×70.18/70.18 = 12.00, 30 Mar 16×30/80 = 6.00
    "contribution_after_marketing": "11.71",  # 39.70758625 − 28.00 = 11.70758625
    "cancellation_rate": "0.0000",  # 0 / 4
    "sessions": 840,
    "conversion_rate": "0.0048",  # 4 / 840
    "on_time_rate": "1.0000",  # O1, O3, O5
    "avg_delivery_days": "2.60",  # (2.5625 + 2.75 + 2.5) / 3
    "avg_rating": "3.33",  # BOOK-B 2, BOOK-A 4, SHIRT 4 → 10 / 3
    "csat": "0.6667",  # 2 / 3
    "new_customers": 2,  # B, D
    "repeat_rate": "0.3333",  # B, D, A → A
    "open_receivables": "145.74",  # INV0 34.70 + INV3 74.83 + INV6 96.55×0.375 = 36.20625 → 145.73625
    "overdue_receivables": "34.70",  # INV0
}

# channel=marketplace, whole shop, 1–31 March: O2 and O5.
MARCH_MARKETPLACE = {
    "orders": 2,
    "units_sold": 6,  # 1 + 5
    "revenue": "470.18",  # 400.00 + 70.18
    "aov": "235.09",  # 470.18 / 2
    "returned_units": 2,  # R5; R2 is rejected
    "returned_value": "30.89",  # 8.3933 + 22.5000 = 30.8933
    "net_revenue": "439.29",  # 470.18 − 30.8933 = 439.2867
    "return_rate": "0.3333",  # 2 / 6
    "return_rate_value": "0.0657",  # 30.8933 / 470.18 = 0.065705
    "return_rate_orders": "0.5000",  # O5 / 2
    "cogs": "325.00",  # 300 + 27.50 − 2.50
    "gross_profit": "114.29",  # 439.2867 − 325.00 = 114.2867
    "gross_margin": "0.2602",  # 114.2867 / 439.2867 = 0.260164
    # shipping 7.00 + 4.50 = 11.50; handling 6.95 (R5); fees 6.664 + 1.16928 = 7.83328
    "contribution": "88.00",  # 114.2867 − 11.50 − 6.95 − 7.83328 = 88.00342
    "contribution_after_marketing": "51.00",  # 88.00342 − (25.00 + 12.00) = 51.00342
    "cancellation_rate": "0.0000",
    "sessions": 160,  # 30 + 80 + 50
    "conversion_rate": "0.0125",  # 2 / 160
    "on_time_rate": "0.5000",  # O2 late, O5 on time
    "avg_delivery_days": "2.69",  # (2.875 + 2.5) / 2 = 2.6875, half-up
    "avg_rating": "4.00",  # O5 SHIRT 4 (O2's review is written on 1 April)
    "csat": "1.0000",
    "new_customers": 1,  # C
    "repeat_rate": "0.5000",  # C, A → A
    "open_receivables": "0.00",  # no invoice on a marketplace order
    "overdue_receivables": "0.00",
}

# 1 March: sessions and spend, no order.
FIRST_OF_MARCH = {
    "orders": 0, "units_sold": 0, "revenue": "0.00", "aov": None,
    "returned_units": 0, "returned_value": "0.00", "net_revenue": "0.00",
    "return_rate": None, "return_rate_value": None, "return_rate_orders": None,
    "cogs": "0.00", "gross_profit": "0.00", "gross_margin": None, "contribution": "0.00",
    "contribution_after_marketing": "-50.00",  # 0 − 50.00 webshop spend
    "cancellation_rate": None,  # no order at all
    "sessions": 150,  # 120 + 30
    "conversion_rate": "0.0000",  # 0 / 150: a zero, not a zero denominator
    "on_time_rate": None, "avg_delivery_days": None, "avg_rating": None, "csat": None,
    "new_customers": 0, "repeat_rate": None,
    "open_receivables": "34.70",  # INV0, due 6 March
    "overdue_receivables": "0.00",
}

# June: no order, no session, no review, no shipment.
JUNE = {
    **{key: None for key in KEYS},
    "orders": 0, "units_sold": 0, "revenue": "0.00", "returned_units": 0, "returned_value": "0.00",
    "net_revenue": "0.00", "cogs": "0.00", "gross_profit": "0.00", "contribution": "0.00",
    "contribution_after_marketing": "0.00", "sessions": 0, "new_customers": 0,
    "conversion_rate": None,  # 0 orders / 0 sessions
    "open_receivables": "109.53",  # INV0 34.70 + INV3 74.83; INV6 overpaid counts 0, never −3.45
    "overdue_receivables": "109.53",  # both due before 30 June
}

MARCH = {"date_from": "2026-03-01", "date_to": "2026-03-31"}

# (user, API parameters, expected figures)
SCENARIOS = {
    "whole_shop_march": ("shop_manager", {**MARCH}, MARCH_SHOP),
    "category_fashion_includes_its_sub_categories": ("shop_manager", {**MARCH, "category": "FASHION"}, MARCH_FASHION),
    "fashion_manager_sees_only_fashion_lines": ("fashion_manager", {**MARCH}, MARCH_FASHION),
    "manager_of_two_categories_counts_a_spanning_order_once": ("mixed_manager", {**MARCH}, MARCH_MIXED),
    "channel_selects_orders_sessions_and_spend": ("shop_manager", {**MARCH, "channel": "marketplace"}, MARCH_MARKETPLACE),
    "day_without_orders_has_sessions_and_spend": (
        "shop_manager", {"date_from": "2026-03-01", "date_to": "2026-03-01"}, FIRST_OF_MARCH),
    "month_without_orders_or_sessions_gives_null_ratios": (
        "shop_manager", {"date_from": "2026-06-01", "date_to": "2026-06-30"}, JUNE),
}


def _reference(data, user_name, params):
    return reference.api_answer(
        getattr(data, user_name), date_from=day(params["date_from"]), date_to=day(params["date_to"]),
        category=params.get("category"), channel=params.get("channel"),
    )["kpis"]


def _api(client, data, user_name, params):
    client.force_login(getattr(data, user_name))
    return get_kpis(client, **params)


# --- The data set is what the tables say ---------------------------------------------------


def test_line_nets_apply_vat_7_and_19_percent_after_the_discount(shop):
    # given the hand-made lines
    nets = {
        (line.order.external_id, line.line_no): line.net_amount
        for line in OrderLine.objects.select_related("order").filter(order__external_id__in=["O1", "O3", "O5", "O7"])
    }
    # then their nets are the ones the figures are worked out from
    assert nets == {
        ("O1", 1): Decimal("90.00"),  # (2 × 59.50 − 11.90) / 1.19 = 107.10 / 1.19
        ("O1", 2): Decimal("30.00"),  # 3 × 10.70 / 1.07 = 32.10 / 1.07
        ("O3", 1): Decimal("76.00"),  # (4 × 21.40 − 4.28) / 1.07 = 81.32 / 1.07
        ("O3", 2): Decimal("24.00"),  # (29.75 − 1.19) / 1.19 = 28.56 / 1.19
        ("O5", 1): Decimal("45.00"),  # (2 × 29.75 − 5.95) / 1.19 = 53.55 / 1.19
        ("O5", 2): Decimal("25.18"),  # 3 × 9.99 / 1.19 = 25.1849 → 25.18
        ("O7", 1): Decimal("360.00"),  # (476.00 − 47.60) / 1.19 = 428.40 / 1.19
    }


def test_reference_knows_the_26_keys_of_the_registry():
    assert reference.KEYS == KEYS


# --- The reference implementation agrees with the hand ---------------------------------------


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_reference_computes_the_hand_written_figures(shop, scenario):
    # given the shop and a question
    user_name, params, expected = SCENARIOS[scenario]
    # when the reference answers it from the raw rows
    got = _reference(shop, user_name, params)
    # then it says what the hand says
    assert got == expected


# --- The API answers the hand-written figures ------------------------------------------------


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_api_answers_the_hand_written_figures(client, shop, scenario):
    # given the facts computed by compute_metrics --all and a user
    user_name, params, expected = SCENARIOS[scenario]
    # when the user asks the API
    body = _api(client, shop, user_name, params)
    # then every key is there and every figure is the hand's, with its JSON type
    assert body["from"] == params["date_from"] and body["to"] == params["date_to"]
    assert set(body["kpis"]) == set(KEYS)
    assert body["kpis"] == expected


def _assert_api_and_reference(client, data, user_name, params, expected_subset):
    body = _api(client, data, user_name, params)["kpis"]
    ref = _reference(data, user_name, params)
    assert {key: ref[key] for key in expected_subset} == expected_subset, "reference"
    assert {key: body[key] for key in expected_subset} == expected_subset, "API"
    assert body == ref


# --- Berlin days ------------------------------------------------------------------------------


def test_order_at_2330_utc_belongs_to_the_next_berlin_day(client, shop):
    # given O1 placed at 2026-03-02T23:30:00+00:00, i.e. 3 March 00:30 in Berlin
    # then 2 March has no order and 3 March has it
    _assert_api_and_reference(client, shop, "shop_manager", {"date_from": "2026-03-02", "date_to": "2026-03-02"},
                              {"orders": 0, "revenue": "0.00", "aov": None, "sessions": 0, "conversion_rate": None})
    _assert_api_and_reference(client, shop, "shop_manager", {"date_from": "2026-03-03", "date_to": "2026-03-03"},
                              {"orders": 1, "revenue": "120.00", "sessions": 200,
                               "conversion_rate": "0.0050"})  # 1 / 200


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        # O7 2026-03-28T22:30Z is 23:30 CET on the 28th
        ("2026-03-28", {"orders": 1, "revenue": "360.00", "new_customers": 0}),
        # O5 2026-03-29T00:30+01:00 is the 29th although it is 28 March in UTC
        ("2026-03-29", {"orders": 1, "revenue": "70.18", "sessions": 200,  # 150 + 50
                        "contribution": "1.67",  # see below
                        "contribution_after_marketing": "-18.33"}),  # 1.66742 − (12.00 + 8.00)
        # O6 2026-03-29T22:30Z is 00:30 CEST on the 30th (a fixed +01:00 would say the 29th)
        ("2026-03-30", {"orders": 1, "revenue": "80.00", "units_sold": 4}),
    ],
)
def test_spring_daylight_saving_switch_never_moves_an_order_to_another_day(client, shop, date, expected):
    # 29 March, O5 alone: revenue 70.18 − returned 30.8933 = 39.2867; cogs 27.50 − 2.50 = 25.00
    # → 14.2867; − shipping 4.50 − handling 6.95 − fee 1.16928 = 1.66742; the shop carries the
    # spend of both channels that day: 1.66742 − 20.00 = −18.33258
    _assert_api_and_reference(client, shop, "shop_manager", {"date_from": date, "date_to": date}, expected)


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        # O10 2026-10-24T22:30Z is 00:30 CEST on the 25th
        ("2026-10-24", {"orders": 0, "revenue": "0.00"}),
        # O9 2026-10-25T23:30+01:00 and O10: both the 25th (the day has 25 hours)
        ("2026-10-25", {"orders": 2, "revenue": "75.00", "sessions": 300, "conversion_rate": "0.0067",  # 2/300
                        "new_customers": 0, "repeat_rate": "1.0000"}),  # C and D ordered in March
        # O11 2026-10-25T23:00Z is midnight CET on the 26th
        ("2026-10-26", {"orders": 1, "revenue": "10.00", "new_customers": 1}),
    ],
)
def test_autumn_daylight_saving_switch_never_moves_an_order_to_another_day(client, shop, date, expected):
    _assert_api_and_reference(client, shop, "shop_manager", {"date_from": date, "date_to": date}, expected)


def test_delivery_time_is_elapsed_time_across_the_daylight_saving_switch(client, shop):
    # given O5 placed 29 March 00:30 CET, delivered 31 March 13:30 CEST: 60 hours, not 61
    # then 31 March (the delivery day) has one on-time shipment of 2.5 days
    _assert_api_and_reference(client, shop, "shop_manager", {"date_from": "2026-03-31", "date_to": "2026-03-31"},
                              {"on_time_rate": "1.0000", "avg_delivery_days": "2.50",
                               # reviews of the 31st: BOOK-B 2 at 23:30 CEST, SHIRT 4
                               "avg_rating": "3.00", "csat": "0.5000"})


def test_shipments_count_on_their_delivery_day_and_reviews_on_their_berlin_day(client, shop):
    # given O7 (placed 28 March) delivered 1 April 09:30 CEST, promised 31 March: late, 3d9h;
    # and O2's review written 1 April 00:30 CEST (31 March in UTC)
    _assert_api_and_reference(client, shop, "shop_manager", {"date_from": "2026-04-01", "date_to": "2026-04-01"},
                              {"orders": 0, "on_time_rate": "0.0000",
                               "avg_delivery_days": "3.38",  # 3 + 9/24 = 3.375, half-up
                               "avg_rating": "2.00", "csat": "0.0000"})


# --- Customers, receivables, cancelled orders ---------------------------------------------


def test_april_new_customer_after_a_cancelled_order_and_capped_overpayment(client, shop):
    # given E's only March order was cancelled and her April order O8 is her first real one,
    # and INV6 (96.55) was overpaid with 100.00 on 5 April
    expected = {
        "orders": 1, "revenue": "20.00",  # O8: 21.40 / 1.07
        "new_customers": 1,  # E
        "repeat_rate": "0.0000",  # E had no non-cancelled order before April
        "cancellation_rate": "0.0000",
        "open_receivables": "109.53",  # INV0 34.70 + INV3 74.83 + INV6 0 (not −3.45) + INV7 0
        "overdue_receivables": "109.53",  # INV0 due 6 Mar, INV3 due 14 Apr < 30 Apr
    }
    _assert_api_and_reference(client, shop, "shop_manager", {"date_from": "2026-04-01", "date_to": "2026-04-30"},
                              expected)


def test_the_whole_year_counts_each_customer_once_and_each_cancellation_once(client, shop):
    _assert_api_and_reference(client, shop, "shop_manager", {"date_from": "2026-01-01", "date_to": "2026-12-31"},
                              {"orders": 14,  # 16 orders − O4 − O14
                               "new_customers": 7,  # A B C D E F G; H's only order is cancelled
                               "cancellation_rate": "0.1250",  # 2 / 16
                               "repeat_rate": "0.0000"})  # nobody ordered before 2026


def test_receivables_before_the_due_date_are_open_not_overdue(client, shop):
    # 20 March: INV0 34.70 (due 6 Mar) + INV3 114.83 − 40.00 paid that day = 74.83 (due 14 Apr)
    _assert_api_and_reference(client, shop, "shop_manager", {"date_from": "2026-03-20", "date_to": "2026-03-20"},
                              {"open_receivables": "109.53", "overdue_receivables": "34.70",
                               "orders": 0, "cancellation_rate": "1.0000"})  # O4 alone, cancelled



def test_review_on_a_cancelled_order_counts_nowhere(client, shop):
    # given O4 (cancelled) and its review of 22 March, the only review that day
    # then 22 March has no rating at all: cancelled orders count only in cancellation_rate
    _assert_api_and_reference(client, shop, "shop_manager", {"date_from": "2026-03-22", "date_to": "2026-03-22"},
                              {"avg_rating": None, "csat": None})


def test_invoice_of_a_cancelled_order_is_no_receivable(client, shop):
    # given O14, cancelled on 10 August, whose invoice INV14 (64.45, due 24 Aug) stays unpaid
    # until 15 September: cancelled orders count only in cancellation_rate
    _assert_api_and_reference(client, shop, "shop_manager", {"date_from": "2026-08-01", "date_to": "2026-08-31"},
                              {"orders": 0, "cancellation_rate": "1.0000",  # 1 / 1
                               "open_receivables": "109.53",  # INV0 34.70 + INV3 74.83, as in June
                               "overdue_receivables": "109.53"})


# --- Rounding ---------------------------------------------------------------------------------


def test_returned_value_keeps_four_decimals_per_line_then_rounds_once(client, shop):
    # given O12 (5 May): lines of net 10.00, 10.00, 10.00 (3 units each) and 5.01 (2 units),
    # one unit of each returned. docs/kpis.md: Σ line net × returned / quantity, kept to four
    # decimals per line, rounded once at the end, half-up:
    # 10.00/3 = 3.3333 (three times) + 5.01/2 = 2.5050 → 12.5049 → 12.50
    # (the exact sum 12.505 would round to 12.51)
    _assert_api_and_reference(client, shop, "shop_manager", {"date_from": "2026-05-01", "date_to": "2026-05-31"},
                              {"orders": 1, "units_sold": 11, "revenue": "35.01",  # 3 × 10.00 + 5.01
                               "returned_units": 4,
                               "returned_value": "12.50",
                               "net_revenue": "22.51",  # 35.01 − 12.5049 = 22.5051
                               "return_rate_value": "0.3572",  # 12.5049 / 35.01 = 0.357181
                               "new_customers": 1})  # G


def test_order_level_money_is_rounded_once_at_the_end_not_per_row(client, shop):
    # given O13 (7 July, card): SHIRT 23.93 gross → net 23.93 / 1.19 = 20.1092 → 20.11, cost 10.00;
    # card fee 0.014 × 23.93 = 0.33502. Contribution = 20.11 − 10.00 − 0.33502 = 9.77498 → 9.77
    # (rounding the fee to four places first, 0.3350, would give 9.7750 → 9.78)
    _assert_api_and_reference(client, shop, "shop_manager", {"date_from": "2026-07-01", "date_to": "2026-07-31"},
                              {"orders": 1, "revenue": "20.11", "cogs": "10.00", "gross_profit": "10.11",
                               "contribution": "9.77", "contribution_after_marketing": "9.77",
                               "repeat_rate": "1.0000"})  # G ordered in May


def test_delivery_days_are_exact_before_rounding_half_up(client, shop):
    # given O15 placed 2026-09-01T08:00Z and delivered 2026-09-05T08:36Z: 4 days 36 minutes =
    # 347,760 s / 86,400 = 4.025 days exactly, which rounds half-up to 4.03
    _assert_api_and_reference(client, shop, "shop_manager", {"date_from": "2026-09-01", "date_to": "2026-09-30"},
                              {"orders": 1, "on_time_rate": "1.0000", "avg_delivery_days": "4.03",
                               "contribution": "2.00"})  # 10.00 − 5.00 − 3.00 shipping


# --- Scope ------------------------------------------------------------------------------------


def test_fashion_manager_may_ask_for_a_sub_category(client, shop):
    # FASHION-WOMEN: O1 DRESS 90.00, O6 DRESS 50.00; O4 (a dress) cancelled
    _assert_api_and_reference(client, shop, "fashion_manager", {**MARCH, "category": "FASHION-WOMEN"},
                              {"orders": 2, "revenue": "140.00", "units_sold": 3,
                               "cancellation_rate": "0.3333"})  # 1 / 3


def test_category_and_channel_together(client, shop):
    # FASHION on the marketplace, March: O5 alone. 70.18 − 30.8933 − (27.50 − 2.50) = 14.2867;
    # − 4.50 − 6.95 − 1.16928 = 1.66742; spend 10 Mar 25.00 × 0/400 + 29 Mar 12.00 × 1 = 12.00
    _assert_api_and_reference(client, shop, "shop_manager", {**MARCH, "category": "FASHION", "channel": "marketplace"},
                              {"orders": 1, "revenue": "70.18", "contribution": "1.67",
                               "contribution_after_marketing": "-10.33",  # 1.66742 − 12.00
                               "sessions": 160, "conversion_rate": "0.0063"})  # 1 / 160 = 0.00625, half-up


def test_spend_of_a_day_without_revenue_is_no_category_s_share(client, shop):
    # 1 March: 50.00 webshop spend, no order; the shop carries it, a category gets no share
    _assert_api_and_reference(client, shop, "shop_manager",
                              {"date_from": "2026-03-01", "date_to": "2026-03-01", "category": "FASHION"},
                              {"contribution_after_marketing": "0.00", "sessions": 150,
                               "open_receivables": "34.70"})  # INV0 is O0's, a shirt


@pytest.mark.parametrize(
    ("user_name", "category"),
    [
        ("fashion_manager", "ELECTRONICS"),  # out of scope
        ("fashion_manager", "ELECTRONICS-PHONES"),  # out of scope, below another root
        ("mixed_manager", "FASHION"),  # the parent of a managed category is not in scope
        ("fashion_manager", "NO-SUCH-CODE"),
        ("shop_manager", "NO-SUCH-CODE"),
    ],
)
def test_category_outside_the_callers_scope_or_unknown_is_404_with_a_json_message(client, shop, user_name, category):
    # given a user asking for a category they do not see (or that does not exist)
    client.force_login(getattr(shop, user_name))
    # when they ask the API
    response = client.get(API, {"from": "2026-03-01", "to": "2026-03-31", "category": category})
    # then 404 with a JSON message, and no figure
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body and "kpis" not in body


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"to": "2026-03-31"}, "from"),
        ({"from": "2026-03-01"}, "to"),
        ({"from": "2026-02-30", "to": "2026-03-31"}, "from"),
        ({"from": "01.03.2026", "to": "2026-03-31"}, "from"),
        ({"from": "2026-03-01", "to": "yesterday"}, "to"),
        ({"from": "2026-04-01", "to": "2026-03-31"}, "from"),
    ],
)
def test_bad_parameters_are_400_with_a_json_message_naming_the_field(client, shop, params, field):
    client.force_login(shop.shop_manager)
    response = client.get(API, params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert field in json.dumps(response.json())


def test_a_period_over_three_years_is_400_with_a_json_message(client, shop):
    # docs/kpis.md (API): 400 for a period over three years
    client.force_login(shop.shop_manager)
    response = client.get(API, {"from": "2020-01-01", "to": "2026-03-31"})
    assert response.status_code == 400
    assert response.json()


def test_anonymous_caller_gets_401_or_403_not_a_redirect(client, shop):
    response = client.get(API, {"from": "2026-03-01", "to": "2026-03-31"})
    assert response.status_code in (401, 403)


def test_every_category_of_the_tree_is_answered_for_the_shop_manager(client, shop):
    # the categories of a tree: a parent's orders are at least each child's, revenue adds up
    client.force_login(shop.shop_manager)
    revenue = {}
    for category in Category.objects.all():
        revenue[category.code] = Decimal(get_kpis(client, **MARCH, category=category.code)["kpis"]["revenue"])
    assert revenue["FASHION"] == revenue["FASHION-WOMEN"] + revenue["FASHION-MEN"]  # 140.00 + 94.18
    assert revenue["ELECTRONICS"] == revenue["ELECTRONICS-PHONES"] == Decimal("760.00")  # 400 + 360
    assert revenue["FASHION"] + revenue["ELECTRONICS"] + revenue["BOOKS"] == Decimal("1130.18")

