"""ReturnLine.product: the database copies the order line's product onto the return line on every
write path (the returns list filters by it), and follows an order line whose product changes."""

import datetime as dt

import pytest
from django.db import connection

from returns.models import Return, ReturnLine
from tests.catalog.factories import ProductFactory
from tests.returns.factories import delivered_order, reason

pytestmark = pytest.mark.django_db


@pytest.fixture
def order():
    return delivered_order(delivered_on=dt.date(2026, 3, 4), lines=((1, "20.00", "0"), (1, "30.00", "0")))


def _return(order, number="RMA-P1"):
    return Return.objects.create(external_id=number, order=order, status=Return.Status.REQUESTED)


def _product_of(line: ReturnLine) -> int | None:
    return ReturnLine.objects.values_list("product_id", flat=True).get(pk=line.pk)


def test_a_line_created_through_the_orm_gets_its_order_lines_product(order):
    first = order.lines.get(line_no=1)
    # when
    line = ReturnLine.objects.create(ret=_return(order), order_line=first, quantity=1, reason=reason())
    # then
    assert _product_of(line) == first.product_id


def test_bulk_created_lines_get_their_products(order):
    ret = _return(order)
    # when
    ReturnLine.objects.bulk_create([
        ReturnLine(ret=ret, order_line=line, quantity=1, reason=reason()) for line in order.lines.all()
    ])
    # then
    assert dict(ret.lines.values_list("order_line__product_id", "product_id")) == {
        line.product_id: line.product_id for line in order.lines.all()
    }


def test_a_line_written_in_sql_without_the_product_gets_it(order):
    # given a line inserted the way seed_demo's COPY and the imports do: without the product
    first, ret = order.lines.get(line_no=1), _return(order)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO returns_returnline (ret_id, order_line_id, quantity, reason_id, condition, disposition) "
            "VALUES (%s, %s, 1, %s, '', '')", [ret.pk, first.pk, reason().pk],
        )
    # then
    assert ret.lines.get().product_id == first.product_id


def test_a_wrong_product_is_never_stored(order):
    first, other = order.lines.get(line_no=1), ProductFactory()
    # when code hands in another product
    line = ReturnLine.objects.create(ret=_return(order), order_line=first, product=other, quantity=1, reason=reason())
    # then the order line's product is stored
    assert _product_of(line) == first.product_id


def test_the_line_follows_its_order_line(order):
    first, second = order.lines.get(line_no=1), order.lines.get(line_no=2)
    line = ReturnLine.objects.create(ret=_return(order), order_line=first, quantity=1, reason=reason())
    # when the return line is moved to the other order line
    ReturnLine.objects.filter(pk=line.pk).update(order_line=second)
    assert _product_of(line) == second.product_id
    # and when that order line's product is corrected
    replacement = ProductFactory()
    type(second).objects.filter(pk=second.pk).update(product=replacement)
    assert _product_of(line) == replacement.pk
    # and a save through the ORM keeps it
    line.refresh_from_db()
    line.quantity = 1
    line.save()
    assert _product_of(line) == replacement.pk
