"""Returns processed at the desk move the key figures of their order's day, through the nightly
job's dirty days (changed_at of returns and return lines), on /api/kpis/ and on /kpis/."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from kpis import registry, tasks
from kpis.models import MetricsRun, MetricsRunDay
from returns import services
from returns.models import Return, ReturnLine
from returns.services import LineRequest
from sales.models import Invoice, Order, OrderLine, Payment, Shipment
from shopmgr.core import roles
from tests.catalog.factories import ProductFactory
from tests.conftest import user_with_role

from .factories import berlin, delivered_order, reason

pytestmark = pytest.mark.django_db

ORDER_DAY = dt.date(2026, 3, 18)   # delivered_order places two days before the delivery
DELIVERED = dt.date(2026, 3, 20)
PERIOD = {"from": "2026-03-18", "to": "2026-03-18"}
SOURCES = [Order, OrderLine, Shipment, Invoice, Payment, Return, ReturnLine]


def api(client) -> dict:
    response = client.get("/api/kpis/", PERIOD)
    assert response.status_code == 200, response.content[:300]
    return response.json()["kpis"]


def tiles(client) -> dict:
    response = client.get("/kpis/", PERIOD)
    assert response.status_code == 200
    return {tile.kpi.key: tile.value for _title, group in response.context["groups"] for tile in group}


def nightly() -> set[dt.date]:
    tasks.nightly_metrics()
    run = MetricsRun.objects.order_by("-started_at", "-pk").first()
    assert run.status == MetricsRun.Status.SUCCEEDED, run.error
    return set(MetricsRunDay.objects.filter(run=run).values_list("day", flat=True))


def test_a_return_processed_at_the_desk_moves_the_kpis_of_its_orders_day(client, shop_manager):
    # given one card order on 18.03.2026: 2 × 29.75 gross (net 50.00, cost 10.00 each) and
    # 1 × 11.90 gross (net 10.00, cost 10.00), and facts computed as of last night
    clerk = user_with_role(roles.CUSTOMER_SERVICE, username="clerk")
    order = delivered_order(delivered_on=DELIVERED, lines=[(2, "29.75", "0"), (1, "11.90", "0")],
                            products=[ProductFactory(stock=5), ProductFactory(stock=5)])
    call_command("compute_metrics", "--all", verbosity=0)
    long_ago = timezone.now() - dt.timedelta(hours=6)
    for model in SOURCES:
        model.objects.update(changed_at=long_ago)
    client.force_login(shop_manager)
    before = api(client)
    assert (before["units_sold"], before["revenue"], before["returned_units"], before["returned_value"]) == (
        3, "60.00", 0, "0.00")
    assert before["cogs"] == "30.00"
    assert nightly() == set()  # nothing changed since

    # when the desk opens a return of one unit of each line (not yet received)
    first, second = order.lines.order_by("line_no")
    ret = services.return_open(order=order, by=clerk, legal_basis="withdrawal", declared_on=dt.date(2026, 3, 25),
                               lines=[LineRequest(first.pk, 1, reason()), LineRequest(second.pk, 1, reason())])
    # then the order's day is recomputed, and nothing moves: a requested return does not count yet
    assert nightly() == {ORDER_DAY}
    assert api(client)["returned_units"] == 0

    # when the parcel arrives
    services.return_receive(ret=ret, received_at=berlin(dt.date(2026, 3, 30)), by=clerk)
    assert nightly() == {ORDER_DAY}
    # then 2 units and 25.00 + 10.00 = 35.00 net are returned: net revenue 60.00 − 35.00 = 25.00
    after = api(client)
    assert (after["returned_units"], after["returned_value"], after["net_revenue"]) == (2, "35.00", "25.00")
    assert after["return_rate"] == "0.6667" and after["return_rate_orders"] == "1.0000"

    # when the first line is restocked and the second written off
    services.return_inspect(ret=ret, grading={ln.pk: ("A", "restock") if ln.order_line_id == first.pk
                                              else ("D", "write_off") for ln in ret.lines.all()}, by=clerk)
    assert nightly() == {ORDER_DAY}
    # then the restocked unit's cost leaves the cost of goods: 30.00 − 10.00 = 20.00
    assert api(client)["cogs"] == "20.00"

    # and /kpis/ shows the same figures for that day: net revenue 25.00, return rate 2 / 3
    shown = tiles(client)
    assert registry.BY_KEY["net_revenue"].as_json(shown["net_revenue"]) == "25.00"
    assert registry.BY_KEY["return_rate"].as_json(shown["return_rate"]) == "0.6667"
    assert "25,00 €" in client.get("/kpis/", PERIOD, HTTP_ACCEPT_LANGUAGE="de").content.decode()

    # when the return is rejected instead, the units stop counting again
    services.return_reject(ret=ret, reason="used, not returnable", by=clerk)
    assert nightly() == {ORDER_DAY}
    final = api(client)
    assert (final["returned_units"], final["returned_value"], final["cogs"]) == (0, "0.00", "30.00")
