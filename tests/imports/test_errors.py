"""A file with any bad row stores nothing and names every bad line with its column and reason."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog.models import Category, Product
from returns.models import ReturnLine
from sales.models import Customer, Invoice, Order, OrderLine, Review
from tests.imports.conftest import messages
from tests.imports.factories import ReturnLineFactory

pytestmark = pytest.mark.django_db

ORDER_LINES_HEADER = "order_id,line_no,sku,quantity,unit_price,vat_rate,discount,unit_cost\n"


def test_a_missing_required_column_is_one_error_naming_the_column(shop, run_import):
    # given a products file without the cost column
    content = """\
        sku,name,category_code,price,vat_rate
        FW-2000,Bluse,FASHION-WOMEN,39.95,0.19
    """

    # when
    result = run_import("products", content)

    # then
    assert messages(result.errors) == ["line 1, column cost: required column is missing from the header"]
    assert not Product.objects.filter(sku="FW-2000").exists()


def test_an_unknown_category_code_stores_nothing_of_the_file(shop, run_import):
    # given one good row and one with an unknown category
    content = """\
        sku,name,category_code,cost,price,vat_rate
        FW-2000,Bluse,FASHION-WOMEN,12.00,39.95,0.19
        GA-1,Gartenschlauch,GARDEN,5.00,19.95,0.19
    """

    # when
    result = run_import("products", content)

    # then
    assert messages(result.errors) == ['line 3, column category_code: unknown category "GARDEN"']
    assert not Product.objects.filter(sku__in=["FW-2000", "GA-1"]).exists()


def test_a_malformed_timestamp_is_an_error_on_its_line_and_column(shop, run_import):
    # given
    content = """\
        order_id,customer_id,placed_at,channel,payment_method,status
        A-2,K-1,2026-03-05T10:00:00+01:00,webshop,card,paid
        A-3,K-1,05.03.2026 10:00,webshop,card,paid
    """

    # when
    result = run_import("orders", content)

    # then
    assert messages(result.errors) == [
        'line 3, column placed_at: must be a timestamp like 2026-03-29T00:30:00+01:00, got "05.03.2026 10:00"'
    ]
    assert Order.objects.count() == 1


def test_a_negative_quantity_is_reported_with_line_column_and_value(shop, run_import):
    # given a bad quantity on line 7 (the header is line 1)
    rows = [f"A-1,{n},FW-1001,1,59.95,0.19,,18.50\n" for n in range(3, 8)]
    content = ORDER_LINES_HEADER + "".join(rows) + "A-1,8,FW-1001,-2,59.95,0.19,,18.50\n"

    # when
    result = run_import("order_lines", content)

    # then
    assert messages(result.errors) == ['line 7, column quantity: must be a whole number > 0, got "-2"']
    assert OrderLine.objects.count() == 2


def test_a_duplicate_key_inside_one_file_is_an_error(shop, run_import):
    # given order A-1 line 3 twice
    content = ORDER_LINES_HEADER + (
        "A-1,3,FW-1001,1,59.95,0.19,,18.50\n"
        "A-1,4,FW-1001,1,59.95,0.19,,18.50\n"
        "A-1,3,EL-3001,1,499.00,0.19,,310.00\n"
    )

    # when
    result = run_import("order_lines", content)

    # then
    assert messages(result.errors) == [
        "line 4, column order_id: duplicate key order_id=A-1, line_no=3 (already on line 2)"
    ]
    assert OrderLine.objects.count() == 2


def test_a_file_that_is_not_utf8_gets_a_clear_message_and_stores_nothing(db, write_csv):
    # given a Windows-1252 export with an umlaut on line 3
    content = "customer_id,name,kind\nK-1,Anna Schmidt,b2c\nK-2,Jürgen Müller,b2c\n".encode("cp1252")
    path = write_csv(content)

    # when
    with pytest.raises(CommandError) as raised:
        call_command("import_csv", "customers", str(path))

    # then
    assert "nothing was imported" in str(raised.value)
    from shopmgr.core.csvimport import import_csv_file

    result = import_csv_file(kind="customers", path=path)
    [error] = result.errors
    assert error.line == 3
    assert "not UTF-8" in error.message and "0xfc" in error.message
    assert Customer.objects.count() == 0


def test_returning_more_units_than_were_ordered_is_refused(shop, run_import):
    # given line 1 of A-1 ordered 2 units, of which 1 is already returned with R-OLD
    ReturnLineFactory(ret__external_id="R-OLD", ret__order=shop["order"], order_line=shop["line1"], quantity=1)
    header = "return_id,order_id,line_no,quantity,reason,received_at,condition,disposition,refund_amount\n"

    # when a new return takes 2 more units
    result = run_import("returns", header + "R-NEW,A-1,1,2,SIZE_SMALL,2026-03-12T10:00:00+01:00,A,restock,\n")

    # then
    assert messages(result.errors) == [
        "line 2, column quantity: returns of this order line would total 3 unit(s) "
        "(1 stored before, 2 in this file) but only 2 were ordered"
    ]
    assert ReturnLine.objects.count() == 1

    # and re-importing R-OLD itself with 2 units replaces its stored row, which fits
    result = run_import("returns", header + "R-OLD,A-1,1,2,size_small,2026-03-10T10:00:00+01:00,A,restock,\n")
    assert result.ok, messages(result.errors)
    assert ReturnLine.objects.get().quantity == 2


def test_every_bad_line_is_listed_not_only_the_first(shop, run_import):
    # given three bad rows among good ones
    content = """\
        order_id,sku,rating,created_at,text
        A-1,FW-1001,6,2026-03-05T10:00:00+01:00,zu gut
        A-1,EL-3001,4,2026-03-05T10:00:00+01:00,
        A-9,FW-1001,3,2026-03-05T10:00:00+01:00,
        A-1,XX-1,0,2026-03-05,
    """

    # when
    result = run_import("reviews", content)

    # then
    assert messages(result.errors) == [
        'line 2, column rating: must be a whole number from 1 to 5, got "6"',
        'line 5, column rating: must be a whole number from 1 to 5, got "0"',
        'line 5, column created_at: must be a timestamp like 2026-03-29T00:30:00+01:00, got "2026-03-05"',
        'line 4, column order_id: unknown order "A-9"',
        'line 5, column sku: unknown product "XX-1"',
    ]
    assert [str(p) for p in result.sorted_errors()][0].startswith("line 2")
    assert Review.objects.count() == 0


@pytest.mark.parametrize(
    ("kind", "content", "expected"),
    [
        pytest.param(
            "orders",
            "order_id,customer_id,placed_at,channel,payment_method,status\nA-2,K-1,2026-03-05T10:00,webshop,card,sent\n",
            'line 2, column status: must be one of placed, paid, shipped, delivered, cancelled, got "sent"',
            id="unknown-order-status",
        ),
        pytest.param(
            "orders",
            "order_id,customer_id,placed_at,channel,payment_method,status\nA-2,K-404,2026-03-05T10:00,webshop,card,paid\n",
            'line 2, column customer_id: unknown customer "K-404"',
            id="unknown-customer",
        ),
        pytest.param(
            "customers",
            "customer_id,kind\nK-2,business\n",
            'line 2, column kind: must be one of b2c, b2b, got "business"',
            id="unknown-customer-kind",
        ),
        pytest.param(
            "order_lines",
            ORDER_LINES_HEADER + "A-1,3,FW-1001,1,59.95,1.19,,18.50\n",
            'line 2, column vat_rate: must be a VAT rate >= 0 and < 1, got "1.19"',
            id="vat-rate-not-a-fraction",
        ),
        pytest.param(
            "order_lines",
            ORDER_LINES_HEADER + "A-1,3,FW-1001,1,\"59,95\",0.19,,18.50\n",
            "line 2, column unit_price: must be an amount with '.' as decimal separator, like 12.50, got \"59,95\"",
            id="decimal-comma",
        ),
        pytest.param(
            "order_lines",
            ORDER_LINES_HEADER + "A-1,3,FW-1001,1,59.955,0.19,,18.50\n",
            'line 2, column unit_price: must have at most 2 decimal places, got "59.955"',
            id="too-many-decimals",
        ),
        pytest.param(
            "order_lines",
            ORDER_LINES_HEADER + "A-1,3,FW-1001,1,59.95,0.19,60.00,18.50\n",
            'line 2, column discount: is larger than the line\'s gross amount 59.95 (quantity × unit_price), got "60.00"',
            id="discount-above-gross",
        ),
        pytest.param(
            "order_lines",
            ORDER_LINES_HEADER + ",3,FW-1001,1,59.95,0.19,,18.50\n",
            "line 2, column order_id: is required",
            id="missing-key",
        ),
        pytest.param(
            "invoices",
            "invoice_no,order_id,issued_on,due_on,amount\nRE-1,A-1,2026-03-10,2026-03-01,119.90\n",
            'line 2, column due_on: is before issued_on 2026-03-10, got "2026-03-01"',
            id="due-before-issued",
        ),
        pytest.param(
            "payments",
            "invoice_no,paid_on,amount\nRE-404,2026-03-10,-5.00\n",
            'line 2, column amount: must be an amount > 0, got "-5.00"',
            id="negative-payment",
        ),
        pytest.param(
            "returns",
            "return_id,order_id,line_no,quantity,reason,received_at,disposition\n"
            "R-1,A-1,1,1,TOO_UGLY,2026-03-10T10:00:00+01:00,restock\n",
            'line 2, column reason: unknown return reason code "TOO_UGLY" (known: BETTER_PRICE, BRACKETING, '
            "CHANGED_MIND, DEFECTIVE, LATE, NOT_AS_DESCRIBED, OTHER, QUALITY, SIZE_LARGE, SIZE_SMALL, "
            "TRANSIT_DAMAGE, WRONG_ITEM)",
            id="unknown-return-reason",
        ),
        pytest.param(
            "returns",
            "return_id,order_id,line_no,quantity,reason,received_at,condition,disposition\n"
            "R-1,A-1,9,1,DEFECTIVE,2026-03-10T10:00:00+01:00,E,destroy\n",
            'line 2, column condition: must be one of A, B, C, D, got "E"',
            id="unknown-condition",
        ),
        pytest.param(
            "categories",
            "code,name,parent_code\nGARDEN-TOOLS,Werkzeug,GARDEN\nGARDEN,Garten,\n",
            'line 2, column parent_code: unknown category "GARDEN" (it is defined on a later line: put parents first)',
            id="parent-defined-later",
        ),
        pytest.param(
            "categories",
            "code,name,parent_code\nFASHION,Mode,FASHION-WOMEN\n",
            "line 2, column parent_code: the tree would have a cycle: FASHION → FASHION-WOMEN → FASHION",
            id="category-cycle",
        ),
        pytest.param(
            "products",
            "sku,name,category_code,cost,price,vat_rate,stock\nFW-2,Rock,FASHION-WOMEN,10.00,29.95,0.19,-1\n",
            'line 2, column stock: must be a whole number >= 0, got "-1"',
            id="negative-stock",
        ),
        pytest.param(
            "order_lines",
            ORDER_LINES_HEADER + "A-1,3,FW-1001,1,59.95,0.19\n",
            "line 2: has 6 values, the header has 8",
            id="short-row",
        ),
    ],
)
def test_malformed_rows_are_errors(shop, run_import, kind, content, expected):
    # given the shop; when
    counts = (Category.objects.count(), Product.objects.count(), Order.objects.count(), OrderLine.objects.count(),
              Invoice.objects.count(), ReturnLine.objects.count())
    result = run_import(kind, content)

    # then
    assert expected in messages(result.errors)
    assert counts == (Category.objects.count(), Product.objects.count(), Order.objects.count(),
                      OrderLine.objects.count(), Invoice.objects.count(), ReturnLine.objects.count())


def test_the_command_prints_every_bad_line_to_stderr_and_exits_non_zero(shop, write_csv, capsys):
    # given
    path = write_csv(ORDER_LINES_HEADER + "A-1,3,FW-1001,0,59.95,0.19,,18.50\nA-1,4,NOPE,1,1.00,0.19,,0.50\n")

    # when
    with pytest.raises(CommandError) as raised:
        call_command("import_csv", "order_lines", str(path))

    # then
    stderr = capsys.readouterr().err
    assert 'line 2, column quantity: must be a whole number > 0, got "0"' in stderr
    assert 'line 3, column sku: unknown product "NOPE"' in stderr
    assert "2 error(s)" in str(raised.value)
    assert OrderLine.objects.count() == 2


def test_an_order_line_cannot_shrink_below_its_returned_units(shop, run_import):
    # given 2 units of line 1 are returned
    ReturnLineFactory(ret__order=shop["order"], order_line=shop["line1"], quantity=2)

    # when the line is re-imported with 1 unit
    result = run_import("order_lines", ORDER_LINES_HEADER + "A-1,1,FW-1001,1,59.95,0.19,,18.50\n")

    # then
    assert messages(result.errors) == [
        "line 2, column quantity: 2 unit(s) of this line are already returned; "
        'the quantity cannot go below that, got "1"'
    ]
    assert OrderLine.objects.get(order=shop["order"], line_no=1).quantity == 2
