"""The nightly metrics job (DESIGN §7): schedule, dirty days, idempotence, failures, the lock,
the `compute_metrics` command, and real Celery workers sharing one run."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from kpis import services, tasks
from kpis.facts import FACT_COLUMNS
from kpis.models import DailyChannelFact, DailyFact, MetricsRun, MetricsRunDay
from returns.models import Return, ReturnLine, ReturnReason
from sales.models import (
    Invoice,
    MarketingSpend,
    Order,
    OrderLine,
    Payment,
    Review,
    Shipment,
    TrafficDay,
)
from tests.catalog.factories import ProductFactory
from tests.conftest import skip_or_fail
from tests.sales.factories import CustomerFactory, OrderFactory, OrderLineFactory

BASE_DIR = Path(__file__).resolve().parents[2]
BERLIN = ZoneInfo("Europe/Berlin")
SOURCE_MODELS = [Order, OrderLine, Shipment, Invoice, Payment, Review, TrafficDay, MarketingSpend, Return, ReturnLine]


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=BERLIN)


def backdate_source_rows() -> None:
    """Make every source row look written long before any run (as yesterday's import would)."""
    long_ago = timezone.now() - dt.timedelta(hours=6)
    for model in SOURCE_MODELS:
        model.objects.update(changed_at=long_ago)


def facts_snapshot() -> tuple[list, list]:
    """Every fact row, without ids: what two equivalent computations must agree on."""
    daily = DailyFact.objects.values_list("day", "scope__key", "channel", *FACT_COLUMNS, "marketing_spend")
    channel = DailyChannelFact.objects.values_list("day", "channel", "sessions", "marketing_spend")
    return sorted(daily), sorted(channel)


def run_nightly() -> MetricsRun:
    """The nightly job as beat starts it; tasks run eagerly in the test process."""
    tasks.nightly_metrics()
    return MetricsRun.objects.order_by("-started_at", "-pk").first()


def recomputed_days(run: MetricsRun) -> set[dt.date]:
    return set(MetricsRunDay.objects.filter(run=run).values_list("day", flat=True))


def all_scope_fact(day: dt.date) -> DailyFact | None:
    return DailyFact.objects.filter(day=day, scope__key="all").order_by("channel").first()


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def shop(db, category_tree, today):
    """Three orders of the last three weeks, a delivery, an invoice, a review and traffic.

    o20 (Anna, 20 days ago): dress + phone, delivered 17 days ago, invoiced (due 6 days ago);
    o10 (Ben, 10 days ago): two shirts, reviewed 8 days ago; o5 (Anna, 5 days ago): a phone.
    """
    dress = ProductFactory(sku="DRESS", category=category_tree["women"])
    shirt = ProductFactory(sku="SHIRT", category=category_tree["men"])
    phone = ProductFactory(sku="PHONE", category=category_tree["phones"], price=Decimal("238.00"))
    anna, ben = CustomerFactory(name="Anna"), CustomerFactory(name="Ben")

    def order(customer, days_ago, lines, **fields):
        placed = at(today - dt.timedelta(days=days_ago))
        created = OrderFactory(customer=customer, placed_at=placed, **fields)
        for line_no, (product, quantity, unit_price) in enumerate(lines, start=1):
            OrderLineFactory(order=created, line_no=line_no, product=product, quantity=quantity,
                             unit_price=Decimal(unit_price), unit_cost=Decimal("10.00"))
        return created

    o20 = order(anna, 20, [(dress, 1, "59.50"), (phone, 1, "238.00")], payment_method="invoice")
    o10 = order(ben, 10, [(shirt, 2, "23.80")], payment_method="paypal", channel="marketplace")
    o5 = order(anna, 5, [(phone, 1, "238.00")], payment_method="card")
    Shipment.objects.create(order=o20, carrier="DHL", shipped_at=at(today - dt.timedelta(days=19)),
                            promised_by=today - dt.timedelta(days=17),
                            delivered_at=at(today - dt.timedelta(days=17), 15), shipping_cost=Decimal("4.50"))
    invoice = Invoice.objects.create(number="INV-20", order=o20, issued_on=today - dt.timedelta(days=20),
                                     due_on=today - dt.timedelta(days=6), amount=Decimal("302.45"))
    Review.objects.create(order=o10, product=shirt, rating=5, created_at=at(today - dt.timedelta(days=8)))
    for days_ago, sessions in [(20, 120), (10, 80)]:
        TrafficDay.objects.create(date=today - dt.timedelta(days=days_ago), channel="webshop", sessions=sessions)
    backdate_source_rows()
    return {"o20": o20, "o10": o10, "o5": o5, "invoice": invoice, "dress": dress, "phone": phone,
            "shirt": shirt, "anna": anna}


@pytest.fixture
def after_a_successful_run(shop):
    """The shop with its first nightly run done (it computes every day: nothing was computed yet)."""
    first = run_nightly()
    assert first.status == MetricsRun.Status.SUCCEEDED, first.error
    return shop


def assert_same_as_full_recompute() -> None:
    """The facts the nightly run left equal those of recomputing every day from scratch."""
    nightly = facts_snapshot()
    call_command("compute_metrics", "--all", verbosity=0)
    assert facts_snapshot() == nightly


# --- Schedule ---------------------------------------------------------------------------------


def test_beat_runs_the_nightly_metrics_at_half_past_two_berlin_time():
    # given the project's settings and the Celery app configured from them
    from shopmgr.celery import app

    # when we look up the nightly entry of the beat schedule
    entry = settings.CELERY_BEAT_SCHEDULE["nightly-metrics"]

    # then it starts kpis.nightly_metrics every day at 02:30, read in Europe/Berlin
    assert entry["task"] == "kpis.nightly_metrics"
    assert isinstance(entry["schedule"], crontab)
    assert entry["schedule"].hour == {2} and entry["schedule"].minute == {30}
    assert entry["schedule"].day_of_week == set(range(7))
    assert settings.CELERY_TIMEZONE == "Europe/Berlin"
    assert str(app.conf.timezone) == "Europe/Berlin"
    assert app.conf.beat_schedule["nightly-metrics"]["task"] == "kpis.nightly_metrics"
    assert "kpis.nightly_metrics" in app.tasks and "kpis.compute_metrics_day" in app.tasks


# --- Dirty days -------------------------------------------------------------------------------


def test_first_run_computes_every_day_with_data(shop, today):
    # given no run yet
    # when the nightly job runs
    run = run_nightly()

    # then it computed every day from the first order to the day after the last one with data (an
    # invoice falls overdue the day after it is due), one task each
    assert run.status == MetricsRun.Status.SUCCEEDED
    first, last = today - dt.timedelta(days=20), today - dt.timedelta(days=4)
    assert recomputed_days(run) == {first + dt.timedelta(days=i) for i in range((last - first).days + 1)}
    assert run.days_total == run.days_done == 17 and run.days_failed == 0
    assert all_scope_fact(today - dt.timedelta(days=20)).orders == 1


def test_nothing_changed_recomputes_no_day(after_a_successful_run):
    # given a successful run and no write since
    before = facts_snapshot()

    # when the nightly job runs again
    run = run_nightly()

    # then it looked, found nothing to do, and left the facts alone
    assert run.status == MetricsRun.Status.SUCCEEDED
    assert recomputed_days(run) == set() and run.days_total == 0
    assert facts_snapshot() == before


def test_late_return_recomputes_only_its_orders_day(after_a_successful_run, today):
    # given the dress of the order of 20 days ago comes back today
    shop = after_a_successful_run
    o20 = shop["o20"]
    ret = Return.objects.create(external_id="R-1", order=o20, status=Return.Status.RECEIVED,
                                requested_at=timezone.now(), received_at=timezone.now())
    ReturnLine.objects.create(ret=ret, order_line=o20.lines.get(line_no=1), quantity=1,
                              reason=ReturnReason.objects.get(code="CHANGED_MIND"), disposition="restock")

    # when the nightly job runs
    run = run_nightly()

    # then exactly the order's day was recomputed (returns count against their order's day), not
    # its delivery day, its invoice's days or any other order's day
    assert recomputed_days(run) == {today - dt.timedelta(days=20)}
    assert all_scope_fact(today - dt.timedelta(days=20)).returned_units == 1
    assert_same_as_full_recompute()


def every_fact() -> tuple[list, list, list, list]:
    """facts_snapshot() and the day × product and day × product × reason facts."""
    from kpis.models import DailyProductFact
    from kpis.return_models import DailyReturnFact

    products = DailyProductFact.objects.values_list(
        "day", "product__sku", "channel", "orders", "units_sold", "revenue", "cogs_sold", "returned_units",
        "returned_value", "cogs_restocked",
    )
    returns = [row[1:] for row in DailyReturnFact.objects.values_list()]  # (without the id)
    return (*facts_snapshot(), sorted(products), sorted(returns))


def parts_of(run: MetricsRun) -> dict[dt.date, str]:
    return dict(MetricsRunDay.objects.filter(run=run).values_list("day", "part"))


def receive_return(order, lines: list[tuple[int, int, str]], external_id: str) -> Return:
    """A return of (line_no, quantity, disposition) of `order`, received now."""
    ret = Return.objects.create(external_id=external_id, order=order, status=Return.Status.RECEIVED,
                                requested_at=timezone.now(), received_at=timezone.now())
    for line_no, quantity, disposition in lines:
        ReturnLine.objects.create(ret=ret, order_line=order.lines.get(line_no=line_no), quantity=quantity,
                                  reason=ReturnReason.objects.get(code="CHANGED_MIND"), disposition=disposition)
    return ret


def test_late_return_rerolls_only_the_return_figures_of_its_day(after_a_successful_run, require_postgres, today):
    # given the facts of 20 days ago (o20: dress 59.50 gross = 50.00 net, phone 238.00 = 200.00 net)
    shop = after_a_successful_run
    day = today - dt.timedelta(days=20)
    rows_before = {f.pk: f for f in DailyFact.objects.filter(day=day).select_related("scope")}

    # when the dress comes back today (restocked) and the nightly job runs
    receive_return(shop["o20"], [(1, 1, "restock")], "R-LATE")
    run = run_nightly()

    # then only that day's return figures were re-rolled, in place (the same rows, the sales
    # figures untouched), and they hold the worked numbers
    assert parts_of(run) == {day: MetricsRunDay.Part.RETURNS}
    after = {f.pk: f for f in DailyFact.objects.filter(day=day).select_related("scope")}
    assert after.keys() == rows_before.keys()
    by_scope = {f.scope.key: f for f in after.values()}
    # the returns_count share is the dress's line-net share of the order: 50 / 250
    expected = {  # scope: (returned units, value, restocked cost, returns count, orders returned)
        "all": (1, Decimal("50"), Decimal("10"), Decimal("1"), 1),
        "cat:FASHION": (1, Decimal("50"), Decimal("10"), Decimal("0.2"), 1),
        "cat:FASHION-WOMEN": (1, Decimal("50"), Decimal("10"), Decimal("0.2"), 1),
        "cat:ELECTRONICS": (0, 0, 0, Decimal("0.8"), 0),
        "cat:ELECTRONICS-PHONES": (0, 0, 0, Decimal("0.8"), 0),
    }
    for key, (units, value, restocked, count, orders_returned) in expected.items():
        fact = by_scope[key]
        assert (fact.returned_units, fact.returned_value, fact.cogs_restocked, fact.returns_count,
                fact.orders_returned) == (units, value, restocked, count, orders_returned), key
        before = rows_before[fact.pk]
        assert (fact.orders, fact.revenue, fact.units_sold) == (before.orders, before.revenue, before.units_sold)
    # and everything equals a recompute from scratch, the product and the return facts included
    nightly = every_fact()
    call_command("compute_metrics", "--all", verbosity=0)
    assert every_fact() == nightly


def test_return_changes_rerolled_in_place_equal_a_whole_recompute(after_a_successful_run, require_postgres, today):
    # given a successful run, then: o20 sends both lines back (dress written off, phone restocked);
    # o10's shirts come back, then one of those returns is rejected and another one's quantity
    # changes; o5 (5 days ago) gets a return and a new line the same night
    shop = after_a_successful_run
    receive_return(shop["o20"], [(1, 1, "write_off"), (2, 1, "restock")], "R-20")
    first = receive_return(shop["o10"], [(1, 1, "restock")], "R-10a")
    receive_return(shop["o10"], [(1, 1, "refurbish")], "R-10b")
    receive_return(shop["o5"], [(1, 1, "restock")], "R-5")
    OrderLineFactory(order=shop["o5"], line_no=2, product=shop["dress"], quantity=1,
                     unit_price=Decimal("59.50"), unit_cost=Decimal("10.00"))
    run = run_nightly()
    assert parts_of(run) == {
        today - dt.timedelta(days=20): MetricsRunDay.Part.RETURNS,
        today - dt.timedelta(days=10): MetricsRunDay.Part.RETURNS,
        today - dt.timedelta(days=5): MetricsRunDay.Part.WHOLE,  # a line changed too
    }
    assert all_scope_fact(today - dt.timedelta(days=10)).returned_units == 2
    backdate_source_rows()

    # when one of o10's returns is rejected, the other one's line changes, and the next run goes
    first.rejected = True
    first.save()
    other = ReturnLine.objects.get(ret__external_id="R-10b")
    other.disposition = "write_off"
    other.save()
    run = run_nightly()

    # then o10's day was re-rolled in place, and every fact equals a recompute from scratch
    assert parts_of(run) == {today - dt.timedelta(days=10): MetricsRunDay.Part.RETURNS}
    fact = DailyFact.objects.get(day=today - dt.timedelta(days=10), scope__key="all")
    assert (fact.returned_units, fact.cogs_restocked, fact.orders_returned, fact.returns_count) == (1, 0, 1, 1)
    nightly = every_fact()
    call_command("compute_metrics", "--all", verbosity=0)
    assert every_fact() == nightly


def market_order_with_a_return(shop, day):
    """A marketplace order of a dress (59.50 gross = 50.00 net) placed on `day`, whose dress came
    back (written off) before the last run."""
    market = OrderFactory(customer=CustomerFactory(name="Cleo"), placed_at=at(day, 12), channel="marketplace",
                          payment_method="paypal")
    OrderLineFactory(order=market, line_no=1, product=shop["dress"], quantity=1, unit_price=Decimal("59.50"),
                     unit_cost=Decimal("10.00"))
    receive_return(market, [(1, 1, "write_off")], "R-MARKET")
    run_nightly()
    backdate_source_rows()
    return market


def test_a_late_return_rerolls_only_its_orders_channel(after_a_successful_run, require_postgres, today):
    # given 20 days ago, beside o20 (webshop), a marketplace order whose dress came back before the
    # last run, so that both channels have return figures; and a marker in the marketplace's
    # shop-wide row (99 returned units instead of 1) that only a rewrite of that row would undo
    shop = after_a_successful_run
    day = today - dt.timedelta(days=20)
    market_order_with_a_return(shop, day)
    market_rows = sorted(DailyFact.objects.filter(day=day, channel="marketplace").exclude(scope__key="all")
                         .values_list("pk", *FACT_COLUMNS))
    DailyFact.objects.filter(day=day, channel="marketplace", scope__key="all").update(returned_units=99)

    # when o20's dress (webshop) comes back today and the nightly job runs
    receive_return(shop["o20"], [(1, 1, "restock")], "R-WEB")
    since = MetricsRun.objects.order_by("-started_at").first().started_at - services.CHANGE_MARGIN
    assert services.dirty_day_parts(since=since) == (set(), {day: {"webshop"}})
    run = run_nightly()

    # then the day was re-rolled in place for the webshop alone: its shop-wide row holds the dress
    # (1 unit, 50.00, cost 10.00 back in stock); the marketplace's rows were neither read nor
    # written (the marker is still there, the other rows still hold the written-off dress: 1 unit,
    # 50.00); and with the marker undone every fact equals a recompute from scratch
    assert parts_of(run) == {day: MetricsRunDay.Part.RETURNS}
    web = DailyFact.objects.get(day=day, scope__key="all", channel="webshop")
    assert (web.returned_units, web.returned_value, web.cogs_restocked, web.orders_returned) == (1, 50, 10, 1)
    market_all = DailyFact.objects.get(day=day, scope__key="all", channel="marketplace")
    assert (market_all.returned_units, market_all.returned_value, market_all.cogs_restocked,
            market_all.orders_returned) == (99, 50, 0, 1)
    assert sorted(DailyFact.objects.filter(day=day, channel="marketplace").exclude(scope__key="all")
                  .values_list("pk", *FACT_COLUMNS)) == market_rows
    DailyFact.objects.filter(pk=market_all.pk).update(returned_units=1)
    nightly = every_fact()
    call_command("compute_metrics", "--all", verbosity=0)
    assert every_fact() == nightly


def test_a_return_line_of_another_orders_line_rerolls_both_channels(after_a_successful_run, require_postgres,
                                                                     today):
    # given the marketplace order of 20 days ago with its returned dress, and then a return of o20
    # (webshop) whose line points at the marketplace order's line (the admin does not stop that)
    shop = after_a_successful_run
    day = today - dt.timedelta(days=20)
    market = market_order_with_a_return(shop, day)
    ret = Return.objects.create(external_id="R-ODD", order=shop["o20"], status=Return.Status.RECEIVED,
                                requested_at=timezone.now(), received_at=timezone.now())
    ReturnLine.objects.create(ret=ret, order_line=market.lines.get(line_no=1), quantity=1,
                              reason=ReturnReason.objects.get(code="CHANGED_MIND"), disposition="restock")

    # when the nightly job runs
    since = MetricsRun.objects.order_by("-started_at").first().started_at - services.CHANGE_MARGIN
    assert services.dirty_day_parts(since=since) == (set(), {day: {"webshop", "marketplace"}})
    run = run_nightly()

    # then the line counts where a recompute counts it, with the marketplace order's line (2 units
    # of 50.00 now, one of them restocked), and every fact equals a recompute from scratch
    assert parts_of(run) == {day: MetricsRunDay.Part.RETURNS}
    market_all = DailyFact.objects.get(day=day, scope__key="all", channel="marketplace")
    assert (market_all.returned_units, market_all.returned_value, market_all.cogs_restocked) == (2, 100, 10)
    nightly = every_fact()
    call_command("compute_metrics", "--all", verbosity=0)
    assert every_fact() == nightly


def test_returns_only_days_name_the_channels_of_their_changed_returns(after_a_successful_run, today):
    # given after a run: a return of o20 (webshop, 20 days ago) and one of o10 (marketplace, 10
    # days ago)
    shop = after_a_successful_run
    since = MetricsRun.objects.order_by("-started_at").first().started_at - services.CHANGE_MARGIN
    receive_return(shop["o20"], [(1, 1, "restock")], "R-20")
    receive_return(shop["o10"], [(1, 1, "restock")], "R-10")

    # when the changed days are looked up
    whole, returns_only = services.dirty_day_parts(since=since)

    # then both days are returns-only days, each with its order's channel only
    assert whole == set()
    assert returns_only == {today - dt.timedelta(days=20): {"webshop"}, today - dt.timedelta(days=10): {"marketplace"}}
    assert services.dirty_days(since=since) == set(returns_only)


def test_a_return_on_a_day_without_facts_recomputes_the_day_whole(after_a_successful_run, require_postgres,
                                                                  today):
    # given the facts of 20 days ago are missing (as if that day had never been computed)
    shop = after_a_successful_run
    day = today - dt.timedelta(days=20)
    DailyFact.objects.filter(day=day).delete()

    # when a return for that day's order arrives and the nightly job runs
    receive_return(shop["o20"], [(1, 1, "restock")], "R-LATE")
    run = run_nightly()

    # then the return figures had no rows to go to: the day was computed whole instead
    assert parts_of(run) == {day: MetricsRunDay.Part.WHOLE}
    assert all_scope_fact(day).orders == 1 and all_scope_fact(day).returned_units == 1


def test_new_review_recomputes_its_day(after_a_successful_run, today):
    # given a review of the phone of 5 days ago, written 3 days ago and imported now
    shop = after_a_successful_run
    Review.objects.create(order=shop["o5"], product=shop["phone"], rating=2, created_at=at(today - dt.timedelta(days=3)))

    # when the nightly job runs
    run = run_nightly()

    # then the day the review was written is recomputed, and only that one
    assert recomputed_days(run) == {today - dt.timedelta(days=3)}
    assert all_scope_fact(today - dt.timedelta(days=3)).reviews == 1
    assert_same_as_full_recompute()


def test_payment_recomputes_its_day_and_the_day_after_due(after_a_successful_run, today):
    # given a part payment of the invoice (due 6 days ago), paid 8 days ago, imported now
    shop = after_a_successful_run
    Payment.objects.create(invoice=shop["invoice"], paid_on=today - dt.timedelta(days=8), amount=Decimal("100.00"))

    # when the nightly job runs
    days = recomputed_days(run_nightly())

    # then the payment's day and the day after due (when overdue starts) are recomputed; besides
    # them at most the invoice's own issue day, never another order's day
    paid, after_due, issued = (today - dt.timedelta(days=n) for n in (8, 5, 20))
    assert {paid, after_due} <= days <= {paid, after_due, issued}
    assert_same_as_full_recompute()


def test_traffic_row_recomputes_its_day(after_a_successful_run, today):
    # given traffic of a day without orders, imported now
    TrafficDay.objects.create(date=today - dt.timedelta(days=15), channel="webshop", sessions=55)

    # when the nightly job runs
    run = run_nightly()

    # then that day (and only that one) is recomputed and its sessions are there
    assert recomputed_days(run) == {today - dt.timedelta(days=15)}
    assert DailyChannelFact.objects.get(day=today - dt.timedelta(days=15), channel="webshop").sessions == 55
    assert_same_as_full_recompute()


def test_order_line_change_recomputes_its_orders_day(after_a_successful_run, today):
    # given one more shirt on the order of 10 days ago (a corrected import)
    line = after_a_successful_run["o10"].lines.get(line_no=1)
    line.quantity = 3
    line.save()

    # when the nightly job runs
    days = recomputed_days(run_nightly())

    # then the order's day is recomputed; the other orders' days are not
    assert today - dt.timedelta(days=10) in days
    assert not days & {today - dt.timedelta(days=20), today - dt.timedelta(days=5)}
    fact = DailyFact.objects.get(day=today - dt.timedelta(days=10), scope__key="all", channel="marketplace")
    assert fact.units_sold == 3
    assert_same_as_full_recompute()


def test_cancelling_an_order_recomputes_its_delivery_invoice_and_the_customers_new_first_order(
    after_a_successful_run, today
):
    # given Anna's first order (20 days ago, delivered 17 days ago, invoiced) is cancelled now
    shop = after_a_successful_run
    o20 = shop["o20"]
    o20.status = Order.Status.CANCELLED
    o20.save()

    # when the nightly job runs
    days = recomputed_days(run_nightly())

    # then its own day, its delivery day, its invoice's days and the day of Anna's order that is
    # now her first (5 days ago: she becomes a new customer there) are recomputed
    assert {today - dt.timedelta(days=n) for n in (20, 17, 5)} <= days
    assert all_scope_fact(today - dt.timedelta(days=5)).new_customers == 1
    assert not DailyFact.objects.filter(day=today - dt.timedelta(days=17), shipments_delivered__gt=0).exists()
    assert_same_as_full_recompute()


def test_new_order_of_a_known_customer_does_not_reopen_her_history(after_a_successful_run, today):
    # given Anna orders again today
    shop = after_a_successful_run
    order = OrderFactory(customer=shop["anna"], placed_at=timezone.now())
    OrderLineFactory(order=order, line_no=1, product=shop["dress"])

    # when the nightly job runs
    days = recomputed_days(run_nightly())

    # then today is recomputed, not the days of her earlier orders (she is no new customer today)
    assert days == {today}
    assert all_scope_fact(today).new_customers == 0
    assert_same_as_full_recompute()


def test_an_order_imported_late_that_predates_the_first_one_moves_the_new_customer(after_a_successful_run, today):
    # given an order of Anna's from 25 days ago, imported only today (before it, her order of 20
    # days ago was her first: she counted as a new customer on that day)
    shop = after_a_successful_run
    assert all_scope_fact(today - dt.timedelta(days=20)).new_customers == 1
    order = OrderFactory(customer=shop["anna"], placed_at=at(today - dt.timedelta(days=25)))
    OrderLineFactory(order=order, line_no=1, product=shop["dress"])

    # when the nightly job runs
    days = recomputed_days(run_nightly())

    # then the new order's day and the day of her former first order are recomputed: she is a new
    # customer 25 days ago and no longer 20 days ago
    assert {today - dt.timedelta(days=25), today - dt.timedelta(days=20)} <= days
    assert all_scope_fact(today - dt.timedelta(days=25)).new_customers == 1
    assert all_scope_fact(today - dt.timedelta(days=20)).new_customers == 0
    assert_same_as_full_recompute()


# --- Idempotence ------------------------------------------------------------------------------


def test_two_runs_in_a_row_give_identical_facts(shop):
    # given the facts of a first nightly run (every day, one task each)
    run = run_nightly()
    assert run.status == MetricsRun.Status.SUCCEEDED and run.days_done == 17
    nightly = facts_snapshot()

    # when everything is computed again by hand, twice (in ranges, not per day)
    call_command("compute_metrics", "--all", verbosity=0)
    first = facts_snapshot()
    call_command("compute_metrics", "--all", verbosity=0)
    second = facts_snapshot()

    # then every daily and channel fact is the same each time
    assert nightly[0] and nightly[1]
    assert first == nightly
    assert second == nightly


# --- Failures ---------------------------------------------------------------------------------


def test_a_failed_day_is_recorded_and_the_next_run_completes_it(shop, monkeypatch, today):
    # given computing the day of 10 days ago fails once (the database hiccups)
    broken_day = today - dt.timedelta(days=10)
    real_compute_range = services.compute_range

    def flaky_compute_range(first, last, **kwargs):
        if first == last == broken_day:
            raise RuntimeError("connection reset while computing")
        return real_compute_range(first, last, **kwargs)

    monkeypatch.setattr(services, "compute_range", flaky_compute_range)

    # when the nightly job runs
    failed_run = run_nightly()

    # then the run is recorded as failed, with that day failed and its error, the others done
    assert failed_run.status == MetricsRun.Status.FAILED
    assert (failed_run.days_total, failed_run.days_done, failed_run.days_failed) == (17, 16, 1)
    day = MetricsRunDay.objects.get(run=failed_run, day=broken_day)
    assert day.status == MetricsRun.Status.FAILED and "connection reset while computing" in day.error
    assert services.failed_days() == {broken_day}
    assert failed_run.finished_at is not None and failed_run.lease_until is None

    # when the database is back and the next run starts
    monkeypatch.setattr(services, "compute_range", real_compute_range)
    next_run = run_nightly()

    # then it completes the failed day, nothing is left failed, and the facts are whole
    assert next_run.status == MetricsRun.Status.SUCCEEDED
    assert MetricsRunDay.objects.get(run=next_run, day=broken_day).status == MetricsRun.Status.SUCCEEDED
    assert services.failed_days() == set()
    assert all_scope_fact(broken_day) is not None
    assert_same_as_full_recompute()


def test_a_day_that_failed_after_a_successful_run_is_redone_by_the_next_one(after_a_successful_run, monkeypatch,
                                                                            today):
    # given a successful run, then a traffic import whose day fails to compute once
    day = today - dt.timedelta(days=15)
    TrafficDay.objects.create(date=day, channel="webshop", sessions=55)
    real_compute_range = services.compute_range

    def failing(first, last, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "compute_range", failing)
    assert run_nightly().status == MetricsRun.Status.FAILED
    monkeypatch.setattr(services, "compute_range", real_compute_range)

    # when the next run starts
    run = run_nightly()

    # then it redoes that day (still changed since the last successful run, and failed last time)
    assert day in recomputed_days(run) and run.status == MetricsRun.Status.SUCCEEDED
    assert DailyChannelFact.objects.get(day=day, channel="webshop").sessions == 55


# --- The lock ---------------------------------------------------------------------------------


def test_a_second_run_does_not_start_while_one_is_running(shop):
    # given a run in progress (its lease still valid)
    running = services.metrics_run_start(trigger=MetricsRun.Trigger.MANUAL)

    # when the nightly job, another run and the command try to start
    outcome = tasks.nightly_metrics()
    with pytest.raises(services.RunLocked):
        services.metrics_run_start(trigger=MetricsRun.Trigger.NIGHTLY)
    with pytest.raises(CommandError, match="another metrics run is active"):
        call_command("compute_metrics", "--all", verbosity=0)

    # then none of them ran: the first run is still the only one, and nothing was computed
    assert outcome == {"status": "skipped", "reason": "another run is active"}
    assert list(MetricsRun.objects.values_list("pk", "status")) == [(running.pk, MetricsRun.Status.RUNNING)]
    assert not DailyFact.objects.exists()


def test_a_run_whose_lease_expired_is_taken_over(shop):
    # given a run that started three hours ago and died (its lease ran out an hour ago)
    now = timezone.now()
    dead = MetricsRun.objects.create(trigger=MetricsRun.Trigger.NIGHTLY, status=MetricsRun.Status.RUNNING,
                                     started_at=now - dt.timedelta(hours=3), lease_until=now - dt.timedelta(hours=1))

    # when the nightly job starts
    run = run_nightly()

    # then the dead run is closed as abandoned and the new one does the work
    dead.refresh_from_db()
    assert dead.status == MetricsRun.Status.FAILED and "lease expired" in dead.error
    assert run.pk != dead.pk and run.status == MetricsRun.Status.SUCCEEDED
    assert all_scope_fact(shop["o20"].placed_at.astimezone(BERLIN).date()).orders == 1


# --- compute_metrics --------------------------------------------------------------------------


def test_compute_metrics_date_recomputes_that_day_only(after_a_successful_run, today, capsys):
    # given a correction of the traffic of 10 days ago and of 20 days ago, not yet computed
    TrafficDay.objects.filter(date__in=[today - dt.timedelta(days=10), today - dt.timedelta(days=20)]).update(
        sessions=999
    )
    day = today - dt.timedelta(days=10)

    # when that one day is recomputed by hand
    call_command("compute_metrics", "--date", day.isoformat())

    # then its facts have the correction, the other day's do not, and a manual run of one day is recorded
    sessions = dict(DailyChannelFact.objects.values_list("day", "sessions"))
    assert sessions[day] == 999 and sessions[today - dt.timedelta(days=20)] == 120
    assert f"Computed {day}..{day} (1 days" in capsys.readouterr().out
    run = MetricsRun.objects.filter(trigger=MetricsRun.Trigger.MANUAL).get()
    assert (run.status, run.days_total, run.days_done) == ("succeeded", 1, 1)


def test_compute_metrics_from_to_recomputes_the_range(after_a_successful_run, today):
    # given a correction of the traffic of 20 and of 10 days ago
    TrafficDay.objects.update(sessions=999)

    # when the three days around 20 days ago are recomputed by hand
    first, last = today - dt.timedelta(days=21), today - dt.timedelta(days=19)
    call_command("compute_metrics", "--from", first.isoformat(), "--to", last.isoformat(), verbosity=0)

    # then the day in the range has the correction, the day outside it does not
    sessions = dict(DailyChannelFact.objects.values_list("day", "sessions"))
    assert sessions[today - dt.timedelta(days=20)] == 999 and sessions[today - dt.timedelta(days=10)] == 80
    assert MetricsRun.objects.filter(trigger=MetricsRun.Trigger.MANUAL).get().days_done == 3


def test_compute_metrics_all_computes_every_day(shop, today, capsys):
    # when everything is computed by hand
    call_command("compute_metrics", "--all")

    # then every day with data has its facts
    days = set(DailyFact.objects.values_list("day", flat=True))
    assert {today - dt.timedelta(days=n) for n in (20, 17, 10, 8, 5)} <= days
    assert "Computed" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give exactly one of --date D, --from D --to D, or --all"),
        (["--date", "2026-03-01", "--all"], "give exactly one of --date D, --from D --to D, or --all"),
        (["--date", "2026-03-01", "--from", "2026-03-01", "--to", "2026-03-02"], "give exactly one of"),
        (["--from", "2026-03-05", "--to", "2026-03-01"], "--from 2026-03-05 is after --to 2026-03-01"),
        (["--from", "2026-03-01"], "--from and --to go together"),
        (["--to", "2026-03-01"], "--from and --to go together"),
        (["--date", "2026-13-01"], "not a date as YYYY-MM-DD: '2026-13-01'"),
        (["--date", "1.3.2026"], "not a date as YYYY-MM-DD: '1.3.2026'"),
        (["--all", "--workers", "0"], "--workers must be at least 1, got 0"),
    ],
    ids=["no-option", "date-and-all", "date-and-range", "from-after-to", "from-alone", "to-alone",
         "month-13", "german-date", "no-workers"],
)
def test_compute_metrics_refuses_bad_input_with_a_clear_message(db, args, message):
    # when the command gets bad input
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("compute_metrics", *args, verbosity=0)

    # then it computed nothing and started no run
    assert not MetricsRun.objects.exists() and not DailyFact.objects.exists()


def test_compute_metrics_all_shared_by_two_connections_gives_the_same_facts(transactional_db, require_postgres,
                                                                           category_tree, today):
    # given a year of orders (three chunks of --all), committed so that other connections see them
    products = [ProductFactory(category=category_tree[key]) for key in ("women", "men", "phones")]
    customer = CustomerFactory()
    for n in range(0, 360, 15):
        order = OrderFactory(customer=customer, placed_at=at(today - dt.timedelta(days=n)),
                             payment_method=("invoice", "paypal")[n % 2])
        for line_no, product in enumerate(products[: 1 + n % 3], start=1):
            OrderLineFactory(order=order, line_no=line_no, product=product)

    # when everything is computed by one connection, then by two sharing the chunks
    call_command("compute_metrics", "--all", "--workers", "1", verbosity=0)
    alone = facts_snapshot()
    call_command("compute_metrics", "--all", "--workers", "2", verbosity=0)

    # then the facts are the same, and the run counted every day once
    assert facts_snapshot() == alone and len(alone[0]) > 24
    run = MetricsRun.objects.order_by("-started_at").first()
    assert run.status == MetricsRun.Status.SUCCEEDED and run.days_done == run.days_total


# --- Real workers -----------------------------------------------------------------------------


def start_worker(name: str) -> subprocess.Popen:
    """A separate `celery worker` process on the broker, writing to the test database."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shopmgr.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_WORKER": "1",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "shopmgr", "worker", "--pool=solo", "--concurrency=1",
         "--loglevel=INFO", "--without-heartbeat", "--without-gossip", "--without-mingle",
         "-n", f"{name}-{os.getpid()}@%h"],
        cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


@pytest.fixture
def two_workers(transactional_db, require_postgres):
    if not settings.REDIS_URL:
        skip_or_fail("needs Redis (set REDIS_URL)")
    from shopmgr.celery import app

    app.control.purge()  # nothing left over from earlier runs reaches these workers
    workers = [start_worker("nightly-a"), start_worker("nightly-b")]
    app.conf.task_always_eager = False
    try:
        yield workers
    finally:
        app.conf.task_always_eager = True
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()


def wait_for_workers(app, workers, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert all(worker.poll() is None for worker in workers), "a worker died while starting"
        answers = app.control.ping(timeout=1.0) or []
        names = {name for answer in answers for name in answer}
        if sum(name.startswith(("nightly-a", "nightly-b")) and str(os.getpid()) in name for name in names) == 2:
            return
    pytest.fail("the two workers did not answer within a minute")


def wait_for_run(run_id: int | None, timeout: float = 180) -> MetricsRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = MetricsRun.objects.filter(trigger=MetricsRun.Trigger.NIGHTLY).exclude(pk=run_id).first()
        if run is not None and run.status != MetricsRun.Status.RUNNING:
            return run
        time.sleep(0.2)
    pytest.fail("the nightly run did not finish within three minutes")


@pytest.mark.celery_worker
def test_two_workers_sharing_a_nightly_run_give_the_facts_of_an_eager_run(two_workers, category_tree, today):
    # given six weeks of orders in three categories and two channels, computed eagerly first
    from shopmgr.celery import app

    products = [ProductFactory(category=category_tree[key]) for key in ("women", "men", "phones")]
    customers = [CustomerFactory() for _ in range(5)]
    for n in range(42):
        order = OrderFactory(customer=customers[n % 5], placed_at=at(today - dt.timedelta(days=n), 9 + n % 12),
                             channel=("webshop", "app")[n % 2], payment_method=("invoice", "paypal", "card")[n % 3],
                             status=Order.Status.CANCELLED if n % 11 == 3 else Order.Status.DELIVERED)
        for line_no, product in enumerate(products[: 1 + n % 3], start=1):
            OrderLineFactory(order=order, line_no=line_no, product=product, quantity=1 + n % 2)
        Shipment.objects.create(order=order, carrier="DHL", shipped_at=order.placed_at,
                                promised_by=today - dt.timedelta(days=n - 2),
                                delivered_at=order.placed_at + dt.timedelta(days=1 + n % 4), shipping_cost=Decimal("4.20"))
        TrafficDay.objects.create(date=today - dt.timedelta(days=n), channel="webshop", sessions=100 + n)
    app.conf.task_always_eager = True
    eager_run = run_nightly()
    app.conf.task_always_eager = False
    assert eager_run.status == MetricsRun.Status.SUCCEEDED and eager_run.days_done >= 42
    eager = facts_snapshot()

    # when the facts are wiped and a nightly run is sent through the broker to two worker processes
    DailyFact.objects.all().delete()
    DailyChannelFact.objects.all().delete()
    MetricsRun.objects.filter(pk=eager_run.pk).delete()  # no successful run: every day is dirty again
    wait_for_workers(app, two_workers)
    tasks.nightly_metrics.delay()
    run = wait_for_run(None)

    # then the run succeeded, both workers took days of it, and the facts equal the eager ones
    assert run.status == MetricsRun.Status.SUCCEEDED, run.error
    assert run.days_done == eager_run.days_done and run.days_failed == 0
    assert facts_snapshot() == eager
    logs = []
    for worker in two_workers:
        worker.terminate()
        logs.append(worker.communicate(timeout=20)[0])
    days_per_worker = [len(re.findall(r"Task kpis\.compute_metrics_day\[[^\]]+\] succeeded", log)) for log in logs]
    assert sum(days_per_worker) == run.days_done, logs
    assert all(n > 0 for n in days_per_worker), days_per_worker
