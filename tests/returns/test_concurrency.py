"""Two desks return the last unit of an order at the same moment: the order's row lock lets one
win; the other sees the first one's line and is refused (PostgreSQL, two connections)."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import translation

from returns import services
from returns.models import Return, ReturnLine, ReturnRefund
from returns.services import LineRequest
from shopmgr.core import roles
from tests.conftest import user_with_role

from .factories import berlin, delivered_order, reason


def _race(workers):
    """Run each worker in its own thread with its own database connection, released together."""
    barrier = threading.Barrier(len(workers))
    outcomes = [None] * len(workers)

    language = translation.get_language()  # (translations are per thread)

    def run(i, work):
        translation.activate(language)
        try:
            with transaction.atomic():
                barrier.wait(timeout=10)
                outcomes[i] = ("ok", work())
        except ValidationError as error:
            outcomes[i] = ("refused", error)
        except Exception as error:  # noqa: BLE001 - reported by the test
            outcomes[i] = ("crashed", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_desks_returning_the_last_unit_at_once_only_one_wins(require_postgres):
    # given an order of 2 units, one already on a return: one unit is left
    first_clerk = user_with_role(roles.CUSTOMER_SERVICE, username="clerk1")
    second_clerk = user_with_role(roles.CUSTOMER_SERVICE, username="clerk2")
    order = delivered_order(delivered_on=dt.date(2026, 3, 20), lines=[(2, "23.80", "0")])
    line = order.lines.get()
    size = reason()
    services.return_open(order=order, lines=[LineRequest(line.pk, 1, size)], legal_basis="withdrawal",
                         declared_on=dt.date(2026, 3, 25), by=first_clerk)

    def last_unit(by):
        return lambda: services.return_open(order=order, lines=[LineRequest(line.pk, 1, size)],
                                            legal_basis="withdrawal", declared_on=dt.date(2026, 3, 25), by=by).pk

    # when two desks submit the last unit at the same moment, each on its own connection
    outcomes = _race([last_unit(first_clerk), last_unit(second_clerk)])

    # then exactly one wins and the other is told how many are left
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["ok", "refused"], outcomes
    refused = next(error for kind, error in outcomes if kind == "refused")
    assert "at most 0 can still be returned" in refused.message_dict[f"qty_{line.pk}"][0]
    assert Return.objects.filter(order=order).count() == 2
    assert sum(ReturnLine.objects.filter(order_line=line).values_list("quantity", flat=True)) == 2


@pytest.mark.django_db(transaction=True)
def test_two_refunds_of_one_order_at_once_never_exceed_what_was_paid(require_postgres):
    # given an invoice order of 2 × 30.00 (+ 4.95) with 30.00 paid, and two inspected returns of one unit each
    clerk = user_with_role(roles.CUSTOMER_SERVICE, username="clerk")
    order = delivered_order(delivered_on=dt.date(2026, 3, 20), lines=[(2, "30.00", "0")],
                            payment_method="invoice", paid="30.00")
    line = order.lines.get()
    returns = []
    for _ in range(2):
        ret = services.return_open(order=order, lines=[LineRequest(line.pk, 1, reason())], legal_basis="goodwill",
                                   declared_on=dt.date(2026, 3, 25), by=clerk)
        services.return_receive(ret=ret, received_at=berlin(dt.date(2026, 3, 30)), by=clerk)
        services.return_inspect(ret=ret, grading={ret.lines.get().pk: ("A", "restock")}, by=clerk)
        returns.append(ret)

    # when both are refunded at the same moment (30.00 each, 30.00 paid)
    outcomes = _race([
        lambda r=r: services.return_refund(ret=r, deduction=Decimal(0), deduction_reason="", by=clerk).amount
        for r in returns
    ])

    # then one refund of 30.00 is paid and the other refused
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    assert list(ReturnRefund.objects.values_list("amount", flat=True)) == [Decimal("30.00")]
