"""A return line returns a line of the return's own order: the admin says so and stores nothing
(the KPI facts count a returned line with the order the line belongs to)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from returns.models import Return, ReturnLine
from tests.core.factories import UserFactory
from tests.returns.factories import delivered_order, reason

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_orders():
    ours = delivered_order(delivered_on=dt.date(2026, 3, 4), lines=((1, "20.00", "0"),))
    other = delivered_order(delivered_on=dt.date(2026, 3, 5), lines=((1, "30.00", "0"),))
    return ours, other


def test_a_line_of_another_order_is_refused_by_validation(two_orders):
    # given a return of one order and a line of another one
    ours, other = two_orders
    ret = Return.objects.create(external_id="RMA-X1", order=ours, status=Return.Status.REQUESTED)
    line = ReturnLine(ret=ret, order_line=other.lines.get(line_no=1), quantity=1, reason=reason())

    # when it is validated, then the order line field says whose line it is
    with pytest.raises(ValidationError) as refused:
        line.full_clean()
    assert list(refused.value.message_dict) == ["order_line"]
    assert str(other) in refused.value.message_dict["order_line"][0]
    assert str(ours) in refused.value.message_dict["order_line"][0]
    # and a line of its own order passes
    ReturnLine(ret=ret, order_line=ours.lines.get(line_no=1), quantity=1, reason=reason()).full_clean()


def test_the_admin_refuses_a_line_of_another_order_and_stores_nothing(client, two_orders):
    # given a superuser in the German admin and a return of one order
    ours, other = two_orders
    ret = Return.objects.create(external_id="RMA-X2", order=ours, status=Return.Status.REQUESTED)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    # when they add a return line pointing at the other order's line
    response = client.post(
        reverse("admin:returns_returnline_add"),
        {"ret": ret.pk, "order_line": other.lines.get(line_no=1).pk, "quantity": 1, "reason": reason().pk,
         "condition": "", "disposition": "", "refund_amount": ""},
        HTTP_ACCEPT_LANGUAGE="de",
    )

    # then the form comes back with the German message at the field, and no line was stored
    assert response.status_code == 200
    assert "gehört zu einer anderen Bestellung" in response.content.decode()
    assert not ReturnLine.objects.exists()
