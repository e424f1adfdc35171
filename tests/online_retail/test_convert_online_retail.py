"""scripts/convert_online_retail.py: the conversion rules on a hand-made file, then on the first
20,000 lines of the real UCI data, and the import of the result with `import_csv`."""

import csv
import datetime as dt
import gzip
import io
import re
import subprocess
import sys
from decimal import Decimal

import pytest
from django.core.management import call_command

from catalog.models import Category, Product
from returns.models import Return, ReturnLine
from sales.models import Customer, Order, OrderLine
from tests.conftest import read_csv
from tests.online_retail.conftest import SCRIPT, SLICE_LINES

HEADER = "Invoice,StockCode,Description,Quantity,InvoiceDate,Price,CustomerID,Country,source"
# Customer 12345 buys a T-light holder three times (the same code twice on the first invoice),
# a guest buys a cake stand; credit notes then return units across orders, too many units,
# a guest's units, units bought before the data starts, and a postage refund.
HAND_MADE = """\
100001,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-03-01 09:00:00,2.55,12345.0,United Kingdom,hand
100001,85123a,WHITE HANGING HEART T-LIGHT HOLDER,4,2010-03-01 09:00:00,2.5,12345.0,United Kingdom,hand
100001,POST,POSTAGE,1,2010-03-01 09:00:00,18,12345.0,United Kingdom,hand
100001,22423,damaged,-2,2010-03-01 09:00:00,0,12345.0,United Kingdom,hand
C100009,85123A,WHITE HANGING HEART T-LIGHT HOLDER,-1,2010-02-01 10:00:00,2.55,12345.0,United Kingdom,hand
100002,85123A,WHITE HANGING HEART T-LIGHT HOLDER,5,2010-06-15 14:30:00,2.55,12345,United Kingdom,hand
100003,22423,REGENCY CAKESTAND 3 TIER,1,2010-06-16 10:00:00,12.75,,EIRE,hand
100003,M,Manual,1,2010-06-16 10:00:00,3.00,,EIRE,hand
A100004,B,Adjust bad debt,1,2010-06-17 11:00:00,-100.00,,United Kingdom,hand
C100005,85123A,WHITE HANGING HEART T-LIGHT HOLDER,-12,2010-07-01 11:00:00,2.55,12345,United Kingdom,hand
100011,85123A,WHITE HANGING HEART T-LIGHT HOLDER,2,2010-08-01 09:00:00,2.4,12345,Channel Islands,hand
C100006,85123A,WHITE HANGING HEART T-LIGHT HOLDER,-5,2010-07-02 11:00:00,2.55,12345,United Kingdom,hand
C100007,22423,REGENCY CAKESTAND 3 TIER,-1,2010-07-03 11:00:00,12.75,,EIRE,hand
C100008,21212,PACK OF 72 RETROSPOT CAKE CASES,-2,2010-07-03 12:00:00,0.55,12345,United Kingdom,hand
C100010,POST,POSTAGE,-1,2010-07-04 12:00:00,18,12345,United Kingdom,hand
"""


def import_all(outdir) -> None:
    for kind in ("categories", "products", "customers", "orders", "order_lines", "returns"):
        call_command("import_csv", kind, str(outdir / f"{kind}.csv"), stdout=io.StringIO())


@pytest.fixture
def hand_made(converter, tmp_path):
    source = tmp_path / "hand_made.csv"
    source.write_text(f"{HEADER}\n{HAND_MADE}", encoding="utf-8")
    outdir = tmp_path / "out"
    summary = converter.convert(source, outdir)
    return source, outdir, summary


# ---------------------------------------------------------------------------------------------
# The rules, on a hand-made file (no data folder needed)


def test_credit_note_takes_the_most_recent_units_first_and_splits_per_order(hand_made):
    # given the hand-made file converted
    _, outdir, _ = hand_made

    # when the returns are read
    returns = {
        (r["return_id"], r["order_id"], r["line_no"]): r for r in read_csv(outdir / "returns.csv")
    }

    # then C100005 (12 units) took 5 from 100002, then 4 + 3 from the two lines of 100001,
    # one return per order because the credit note spans two orders
    assert {key: returns[key]["quantity"] for key in returns if key[0].startswith("C100005")} == {
        ("C100005-100002", "100002", "1"): "5",
        ("C100005-100001", "100001", "2"): "4",
        ("C100005-100001", "100001", "1"): "3",
    }
    assert returns[("C100005-100002", "100002", "1")]["refund_amount"] == "12.75"
    assert returns[("C100005-100001", "100001", "1")]["refund_amount"] == "7.65"
    row = returns[("C100005-100002", "100002", "1")]
    assert (row["reason"], row["disposition"], row["condition"]) == ("OTHER", "restock", "")
    assert row["received_at"] == "2010-07-01T11:00:00+01:00"


def test_credit_note_never_returns_more_than_was_ordered_nor_units_bought_later(hand_made):
    # given C100006 (5 units) after C100005 has used all but 3 units, and order 100011 placed later
    _, outdir, summary = hand_made

    # when the returns are read
    rows = read_csv(outdir / "returns.csv")

    # then it takes the 3 units left, under its own number, and never touches the later order
    assert [r for r in rows if r["return_id"].startswith("C100006")] == [
        {
            "return_id": "C100006",
            "order_id": "100001",
            "line_no": "1",
            "quantity": "3",
            "reason": "OTHER",
            "received_at": "2010-07-02T11:00:00+01:00",
            "condition": "",
            "disposition": "restock",
            "refund_amount": "7.65",
        }
    ]
    assert not [r for r in rows if r["order_id"] == "100011"]
    ordered = {
        (r["order_id"], r["line_no"]): int(r["quantity"])
        for r in read_csv(outdir / "order_lines.csv")
    }
    returned = {}
    for r in rows:
        key = (r["order_id"], r["line_no"])
        returned[key] = returned.get(key, 0) + int(r["quantity"])
    assert all(units <= ordered[key] for key, units in returned.items())
    # the 2 units over, the guest's unit, the 2 never bought and the unit credited before the
    # first purchase are counted, not written
    assert summary.buckets["unmatched: credit units without an earlier purchase"] == [
        2 + 2 + 1,
        -(2 * Decimal("2.55") + 2 * Decimal("0.55") + Decimal("2.55")),
    ]
    assert summary.buckets["unmatched: credit line without CustomerID (guest)"] == [
        1,
        Decimal("-12.75"),
    ]
    assert summary.buckets["skipped: credit line of a non-product code"] == [1, Decimal("-18")]


def test_orders_lines_customers_and_products_follow_the_mapping(hand_made):
    # given the hand-made file converted
    _, outdir, _ = hand_made

    # when the files are read
    orders = {r["order_id"]: r for r in read_csv(outdir / "orders.csv")}
    lines = read_csv(outdir / "order_lines.csv")
    customers = {r["customer_id"]: r for r in read_csv(outdir / "customers.csv")}
    products = {r["sku"]: r for r in read_csv(outdir / "products.csv")}

    # then one order per sale invoice, postage as the shipping fee, summer time as +01:00
    assert list(orders) == ["100001", "100002", "100003", "100011"]
    assert orders["100001"]["shipping_fee"] == "18.00"
    assert orders["100002"]["placed_at"] == "2010-06-15T14:30:00+01:00"
    assert orders["100001"]["placed_at"] == "2010-03-01T09:00:00+00:00"
    assert (
        orders["100001"]["channel"],
        orders["100001"]["payment_method"],
        orders["100001"]["status"],
    ) == (
        "webshop",
        "unknown",
        "delivered",
    )
    # the same code twice stays two lines; the stock correction and the manual line are gone
    assert [
        (r["order_id"], r["line_no"], r["sku"], r["quantity"], r["unit_price"]) for r in lines
    ] == [
        ("100001", "1", "85123A", "6", "2.55"),
        ("100001", "2", "85123A", "4", "2.50"),
        ("100002", "1", "85123A", "5", "2.55"),
        ("100003", "1", "22423", "1", "12.75"),
        ("100011", "1", "85123A", "2", "2.40"),
    ]
    assert {r["vat_rate"] for r in lines} == {"0"}
    # a guest is one customer per invoice; a registered customer keeps its latest country
    assert orders["100003"]["customer_id"] == "GUEST-100003"
    assert customers["GUEST-100003"]["kind"] == "b2c"
    assert customers["GUEST-100003"]["country"] == "EIRE"
    assert customers["12345"] == {
        "customer_id": "12345",
        "name": "",
        "email": "",
        "kind": "b2b",
        "country": "Channel Islands",
        "created_at": "2010-03-01T09:00:00+00:00",
    }
    # price = last price, cost = 60 % of the median of 2.40, 2.50, 2.55, 2.55
    holder = products["85123A"]
    assert (holder["price"], holder["cost"], holder["launched_on"]) == (
        "2.40",
        "1.5150",
        "2010-03-01",
    )
    assert holder["name"] == "WHITE HANGING HEART T-LIGHT HOLDER"
    assert holder["category_code"] == "OR-LIGHTING"
    assert {r["unit_cost"] for r in lines if r["sku"] == "85123A"} == {"1.5150"}
    assert set(products) == {"85123A", "22423"}


def test_summary_reconciles_every_source_amount(hand_made):
    # given the hand-made file converted
    source, _, summary = hand_made

    # then the buckets add up to the source total, line by line
    expected_total = Decimal(0)
    for row in csv.DictReader(io.StringIO(source.read_text(encoding="utf-8"))):
        expected_total += int(row["Quantity"]) * Decimal(row["Price"])
    assert summary.source_total == expected_total
    assert summary.reconciled_total == expected_total
    assert summary.buckets["written: order lines"][1] == Decimal("15.30") + Decimal(
        "10.00"
    ) + Decimal("12.75") + Decimal("12.75") + Decimal("4.80")
    assert summary.buckets["skipped: bad-debt adjustment invoice (A...)"] == [1, Decimal("-100.00")]
    assert summary.source_invoices == 11
    assert summary.source_customers == 1
    assert summary.rows == {
        "categories": 11,
        "products": 2,
        "customers": 2,
        "orders": 4,
        "order_lines": 5,
        "returns": 4,
    }


def test_date_range_keeps_only_invoices_of_those_days(converter, tmp_path):
    # given the hand-made file
    source = tmp_path / "hand_made.csv.gz"
    with gzip.open(source, "wt", encoding="utf-8") as handle:
        handle.write(f"{HEADER}\n{HAND_MADE}")

    # when only June 2010 is converted
    summary = converter.convert(
        source, tmp_path / "june", date_from=dt.date(2010, 6, 1), date_to=dt.date(2010, 6, 30)
    )

    # then only the two June orders are written, and no credit note of July
    assert [r["order_id"] for r in read_csv(tmp_path / "june" / "orders.csv")] == [
        "100002",
        "100003",
    ]
    assert read_csv(tmp_path / "june" / "returns.csv") == []
    assert summary.lines_out_of_range == 11


def test_command_line_prints_the_reconciliation_and_exits_0(hand_made, tmp_path):
    # given the hand-made source
    source, _, _ = hand_made

    # when the script runs as a program, on the first 4 lines only
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(source), str(tmp_path / "cli"), "--limit-lines", "4"],
        capture_output=True,
        text=True,
        check=False,
    )

    # then it exits 0 and shows what it wrote and that nothing is unaccounted for
    assert result.returncode == 0, result.stderr
    assert "source lines read: 4 " in result.stdout
    assert re.search(r"difference to the source total\s+0\.00", result.stdout)
    assert len(read_csv(tmp_path / "cli" / "order_lines.csv")) == 2


@pytest.mark.django_db
def test_hand_made_conversion_imports_cleanly(hand_made):
    # given the hand-made conversion
    _, outdir, _ = hand_made

    # when every file is imported in order
    import_all(outdir)

    # then the database holds what the files say
    assert Order.objects.count() == 4
    order = Order.objects.get(external_id="100001")
    assert order.shipping_fee == Decimal("18.00")
    assert order.placed_at == dt.datetime(2010, 3, 1, 9, 0, tzinfo=dt.UTC)
    assert [(ln.line_no, ln.quantity, ln.net_amount) for ln in order.lines.order_by("line_no")] == [
        (1, 6, Decimal("15.30")),
        (2, 4, Decimal("10.00")),
    ]
    assert Return.objects.count() == 3
    assert ReturnLine.objects.count() == 4
    assert Customer.objects.get(external_id="GUEST-100003").kind == Customer.Kind.B2C


# ---------------------------------------------------------------------------------------------
# The first 20,000 lines of the real data (skipped without the data folder, failing in CI)


def raw_slice(source) -> list[dict[str, str]]:
    with gzip.open(source, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return [row for _, row in zip(range(SLICE_LINES), reader, strict=False)]


def kept_revenue(rows) -> Decimal:
    """Σ quantity × price of the sale lines a product order line keeps, computed from the raw
    slice: a sale invoice (no C or A), quantity and price above zero, a product code (five
    digits or DCGS first: the slice's other codes are POST, DOT, C2, M and BANK CHARGES)."""
    total = Decimal(0)
    for row in rows:
        quantity, price = int(row["Quantity"]), Decimal(row["Price"])
        if (
            row["Invoice"][0].isdigit()
            and quantity > 0
            and price > 0
            and re.match(r"\d{5}|DCGS", row["StockCode"])
        ):
            total += quantity * price
    return total


def test_slice_revenue_equals_the_kept_source_lines(online_retail_source, converted_slice):
    # given the first 20,000 lines, converted
    outdir, summary = converted_slice

    # when Σ quantity × price of the written lines is summed
    written = sum(
        (
            int(r["quantity"]) * Decimal(r["unit_price"])
            for r in read_csv(outdir / "order_lines.csv")
        ),
        Decimal(0),
    )

    # then it equals the same sum over the kept lines of the raw slice, and nothing is lost
    assert written == kept_revenue(raw_slice(online_retail_source)) == Decimal("356873.59")
    assert summary.reconciled_total == summary.source_total


def test_slice_credit_notes_and_guests_map_as_documented(converted_slice):
    # given the first 20,000 lines, converted
    outdir, _ = converted_slice
    orders = {r["order_id"]: r for r in read_csv(outdir / "orders.csv")}
    returns = read_csv(outdir / "returns.csv")
    customers = {r["customer_id"]: r for r in read_csv(outdir / "customers.csv")}

    # then C490133 returned 21314 from customer 17949's two earlier orders (432 + 252 units;
    # the 318 credited beyond that are unmatched) plus its 20971 and 72045D orders
    spans = {
        (r["return_id"], r["order_id"], r["quantity"])
        for r in returns
        if r["return_id"].startswith("C490133")
    }
    assert spans == {
        ("C490133-490086", "490086", "432"),
        ("C490133-490089", "490089", "252"),
        ("C490133-490091", "490091", "600"),
        ("C490133-490094", "490094", "504"),
    }
    # C489554: 3 fairy lights back from order 489465 (line 17), the other item never bought here
    assert [
        (r["return_id"], r["order_id"], r["line_no"], r["quantity"], r["refund_amount"])
        for r in returns
        if r["return_id"] == "C489554"
    ] == [("C489554", "489465", "17", "3", "12.75")]
    # guest invoice 491041 has its own b2c customer
    assert orders["491041"]["customer_id"] == "GUEST-491041"
    assert customers["GUEST-491041"]["kind"] == "b2c"
    assert orders["489434"]["placed_at"] == "2009-12-01T07:45:00+00:00"


@pytest.mark.django_db
def test_slice_imports_into_the_database(converted_slice):
    # given the first 20,000 lines, converted
    outdir, summary = converted_slice

    # when every file is imported in order with import_csv
    import_all(outdir)

    # then the counts match the files
    returns = read_csv(outdir / "returns.csv")
    assert Category.objects.count() == summary.rows["categories"]
    assert Product.objects.count() == summary.rows["products"]
    assert Customer.objects.count() == summary.rows["customers"]
    assert Order.objects.count() == summary.rows["orders"] == 759
    assert OrderLine.objects.count() == summary.rows["order_lines"] == 19_382
    assert Return.objects.count() == len({r["return_id"] for r in returns})
    assert ReturnLine.objects.count() == len(returns)
    # (summed in Python: SQLite sums decimals as floats)
    assert sum(OrderLine.objects.values_list("net_amount", flat=True)) == Decimal("356873.59")
    # and the first invoice, 489434, is there with its eight lines and its net amount
    order = Order.objects.select_related("customer").get(external_id="489434")
    assert order.customer.external_id == "13085"
    assert order.placed_at == dt.datetime(2009, 12, 1, 7, 45, tzinfo=dt.UTC)
    lines = list(order.lines.select_related("product").order_by("line_no"))
    assert [(ln.product.sku, ln.quantity, ln.unit_price) for ln in lines] == [
        ("85048", 12, Decimal("6.95")),
        ("79323P", 12, Decimal("6.75")),
        ("79323W", 12, Decimal("6.75")),
        ("22041", 48, Decimal("2.10")),
        ("21232", 24, Decimal("1.25")),
        ("22064", 24, Decimal("1.65")),
        ("21871", 24, Decimal("1.25")),
        ("21523", 10, Decimal("5.95")),
    ]
    assert sum(ln.net_amount for ln in lines) == Decimal("505.30")
    ret = Return.objects.get(external_id="C490133-490086")
    assert ret.order.external_id == "490086"
    assert [(rl.quantity, rl.refund_amount) for rl in ret.lines.all()] == [(432, Decimal("799.20"))]
