"""Historical returns: one order per return, existing order lines, never more units than ordered."""

import datetime as dt
from decimal import Decimal

import pytest

from returns.models import Return, ReturnLine
from tests.imports.conftest import messages
from tests.imports.factories import ReturnFactory
from tests.sales.factories import OrderFactory, OrderLineFactory

pytestmark = pytest.mark.django_db

HEADER = "return_id,order_id,line_no,quantity,reason,received_at,condition,disposition,refund_amount\n"


def test_an_imported_return_is_closed_with_its_receipt_time(shop, run_import):
    # when
    result = run_import(
        "returns",
        HEADER + "R-1,A-1,1,1,size_small,2026-03-10T10:00:00+01:00,a,restock,59.95\n"
                 "R-1,A-1,2,1,Defective,2026-03-10T10:00:00+01:00,C,to_supplier,\n",
    )

    # then
    assert result.ok, messages(result.errors)
    assert result.warnings == []
    ret = Return.objects.get(external_id="R-1")
    assert (ret.status, ret.order, ret.received_at) == (
        Return.Status.CLOSED, shop["order"], dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC))
    lines = {line.order_line.line_no: line for line in ret.lines.select_related("order_line", "reason")}
    assert (lines[1].reason.code, lines[1].condition, lines[1].refund_amount) == ("SIZE_SMALL", "A", Decimal("59.95"))
    assert (lines[2].reason.code, lines[2].disposition, lines[2].refund_amount) == ("DEFECTIVE", "to_supplier", None)


def test_a_return_spanning_two_orders_is_refused(shop, run_import):
    # given a second order
    other = OrderFactory(external_id="A-2", customer=shop["customer"])
    OrderLineFactory(order=other, line_no=2, product=shop["dress"])

    # when
    result = run_import(
        "returns",
        HEADER + "R-1,A-1,1,1,SIZE_SMALL,2026-03-10T10:00:00+01:00,A,restock,\n"
                 "R-1,A-2,2,1,SIZE_SMALL,2026-03-10T10:00:00+01:00,A,restock,\n",
    )

    # then
    assert messages(result.errors) == [
        'line 3, column order_id: return R-1 is for order "A-1" (line 2); a return has one order'
    ]
    assert not ReturnLine.objects.exists()


def test_a_stored_return_cannot_move_to_another_order(shop, run_import):
    # given R-1 stored for another order
    ReturnFactory(external_id="R-1")

    # when
    result = run_import("returns", HEADER + "R-1,A-1,1,1,SIZE_SMALL,2026-03-10T10:00:00+01:00,A,restock,\n")

    # then
    [error] = result.errors
    assert (error.line, error.column) == (2, "order_id")
    assert "cannot move to another order" in error.message


def test_the_order_must_have_the_line(shop, run_import):
    # when
    result = run_import("returns", HEADER + "R-1,A-1,9,1,SIZE_SMALL,2026-03-10T10:00:00+01:00,A,restock,\n")

    # then
    assert messages(result.errors) == ['line 2, column line_no: order "A-1" has no line 9']


def test_returns_in_one_file_add_up_against_the_ordered_quantity(shop, run_import):
    # given line 1 of A-1 ordered 2 units; when two returns in one file take 2 + 1
    result = run_import(
        "returns",
        HEADER + "R-1,A-1,1,2,SIZE_SMALL,2026-03-10T10:00:00+01:00,A,restock,\n"
                 "R-2,A-1,1,1,SIZE_LARGE,2026-03-11T10:00:00+01:00,A,restock,\n",
    )

    # then both lines are named
    assert [(e.line, e.column) for e in result.errors] == [(2, "quantity"), (3, "quantity")]
    assert not Return.objects.exists()


def test_a_refund_above_the_paid_value_is_a_warning(shop, run_import):
    # when 1 of 2 dresses at 59.95 comes back with a refund of 70.00
    result = run_import("returns", HEADER + "R-1,A-1,1,1,DEFECTIVE,2026-03-10T10:00:00+01:00,C,write_off,70.00\n")

    # then
    assert result.ok
    assert messages(result.warnings) == [
        "line 2, column refund_amount: 70.00 is more than the 59.95 paid for the returned units"
    ]
