"""Order lines store their net: round((quantity × unit_price − discount) / (1 + vat_rate), 2) half-up."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sales.models import OrderLine
from tests.imports.conftest import messages

pytestmark = pytest.mark.django_db

HEADER = "order_id,line_no,sku,quantity,unit_price,vat_rate,discount,unit_cost\n"


def half_up_net(quantity: int, unit_price: str, vat_rate: str, discount: str) -> Decimal:
    """The rule computed independently, with exact fractions."""
    exact = (quantity * Fraction(unit_price) - Fraction(discount or "0")) / (1 + Fraction(vat_rate))
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@pytest.mark.parametrize(
    ("quantity", "unit_price", "vat_rate", "discount", "expected"),
    [
        (1, "19.99", "0.19", "", "16.80"),  # 16.798… rounds up
        (2, "59.95", "0.19", "10.00", "92.35"),  # 92.3529…
        (10, "29.99", "0.19", "15.00", "239.41"),  # 239.4117…
        (1, "24.00", "0.07", "", "22.43"),  # 22.4299…, the reduced rate for books
        (3, "9.99", "0.07", "", "28.01"),  # 28.00934… rounds up
        (1, "10.70", "0.07", "0.54", "9.50"),  # 9.4953… rounds up to the half
        (1, "0.05", "0.19", "", "0.04"),
    ],
)
def test_the_line_net_is_rounded_half_up_to_cents(shop, run_import, quantity, unit_price, vat_rate, discount, expected):
    # when
    result = run_import("order_lines", HEADER + f"A-1,3,FW-1001,{quantity},{unit_price},{vat_rate},{discount},5.00\n")

    # then
    assert result.ok, messages(result.errors)
    net = OrderLine.objects.get(order__external_id="A-1", line_no=3).net_amount
    assert net == Decimal(expected) == half_up_net(quantity, unit_price, vat_rate, discount)


def test_the_line_net_matches_exact_arithmetic_for_many_prices(shop, run_import):
    # given 200 lines with awkward prices at 7 % and 19 %
    cases = [(1 + n % 4, f"{n * 7 + 0.05 + (n % 10) / 100:.2f}", ("0.07", "0.19")[n % 2], f"{n % 3:.2f}")
             for n in range(1, 201)]
    content = HEADER + "".join(
        f"A-1,{100 + n},FW-1001,{q},{price},{vat},{discount},1.00\n" for n, (q, price, vat, discount) in enumerate(cases)
    )

    # when
    result = run_import("order_lines", content)

    # then
    assert result.ok, messages(result.errors)
    stored = dict(OrderLine.objects.filter(line_no__gte=100).values_list("line_no", "net_amount"))
    for n, case in enumerate(cases):
        assert stored[100 + n] == half_up_net(*case), case


def test_the_number_of_queries_does_not_grow_with_the_rows(shop, run_import):
    # given
    def lines(start: int, count: int) -> str:
        return HEADER + "".join(f"A-1,{n},FW-1001,1,59.95,0.19,,18.50\n" for n in range(start, start + count))

    # when
    with CaptureQueriesContext(connection) as few:
        assert run_import("order_lines", lines(10, 5)).ok
    with CaptureQueriesContext(connection) as many:
        assert run_import("order_lines", lines(100, 300)).ok

    # then
    assert len(many.captured_queries) == len(few.captured_queries)
    assert OrderLine.objects.count() == 2 + 5 + 300
