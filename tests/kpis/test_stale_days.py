"""Deleted rows and moved dates reach the nightly run through the triggers of kpis/stale.py.

`changed_at` shows the day a row counts on now; the day it counted on before it was deleted or
moved comes from `kpis_staleday`, written by database triggers (PostgreSQL). Every test ends with
the nightly facts equal to a full recompute: nothing stale is left behind.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from kpis.models import DailyFact, MetricsRun, StaleDay
from returns.models import Return, ReturnLine, ReturnReason
from sales.models import Order, Payment, TrafficDay
from tests.kpis import test_nightly as nightly
from tests.kpis.test_nightly import (
    all_scope_fact,
    assert_same_as_full_recompute,
    at,
    backdate_source_rows,
    recomputed_days,
    run_nightly,
)

# the nightly tests' fixtures: the small shop and its first successful run
shop, after_a_successful_run, today = nightly.shop, nightly.after_a_successful_run, nightly.today

pytestmark = pytest.mark.usefixtures("require_postgres")  # (the triggers: PostgreSQL only)


def ago(today: dt.date, days: int) -> dt.date:
    return today - dt.timedelta(days=days)


def test_a_deleted_order_recomputes_its_day_and_its_reviews_day(after_a_successful_run, today):
    # given Ben's order of 10 days ago (two shirts, reviewed 8 days ago) is deleted with its lines
    # and review
    after_a_successful_run["o10"].delete()

    # when the nightly job runs
    days = recomputed_days(run_nightly())

    # then its day and its review's day are recomputed: the shirts are gone from both
    assert {ago(today, 10), ago(today, 8)} <= days
    assert not DailyFact.objects.filter(day=ago(today, 10), orders__gt=0).exists()
    assert not DailyFact.objects.filter(day=ago(today, 8), reviews__gt=0).exists()
    assert_same_as_full_recompute()


def test_an_order_moved_to_another_day_leaves_its_old_day(after_a_successful_run, today):
    # given the import corrects the time of Anna's phone order from 5 to 3 days ago
    o5 = after_a_successful_run["o5"]
    o5.placed_at = at(ago(today, 3))
    o5.save()

    # when the nightly job runs
    days = recomputed_days(run_nightly())

    # then both the old and the new day are recomputed: the order counts on the new day only
    assert {ago(today, 5), ago(today, 3)} <= days
    assert not DailyFact.objects.filter(day=ago(today, 5), orders__gt=0).exists()
    assert all_scope_fact(ago(today, 3)).orders == 1
    assert_same_as_full_recompute()


def test_deleting_a_customers_first_order_makes_the_next_one_her_first(after_a_successful_run, today):
    # given Anna's first order (20 days ago) was entered by mistake and is deleted (its delivery
    # and invoice go with it; she ordered again 5 days ago)
    shop = after_a_successful_run
    shop["invoice"].delete()
    shop["o20"].shipment.delete()
    shop["o20"].delete()

    # when the nightly job runs
    days = recomputed_days(run_nightly())

    # then the old day, the delivery day, the invoice's days and the day of the order that is now
    # her first are recomputed; she is a new customer 5 days ago
    assert {ago(today, 20), ago(today, 17), ago(today, 5)} <= days
    assert all_scope_fact(ago(today, 5)).new_customers == 1
    assert_same_as_full_recompute()


def test_a_deleted_return_gives_its_units_back_to_the_orders_day(after_a_successful_run, today):
    # given a return of the dress of the order of 20 days ago, counted by a nightly run …
    o20 = after_a_successful_run["o20"]
    ret = Return.objects.create(external_id="R-1", order=o20, status=Return.Status.RECEIVED,
                                requested_at=timezone.now(), received_at=timezone.now())
    ReturnLine.objects.create(ret=ret, order_line=o20.lines.get(line_no=1), quantity=1,
                              reason=ReturnReason.objects.get(code="CHANGED_MIND"), disposition="restock")
    run_nightly()
    assert all_scope_fact(ago(today, 20)).returned_units == 1
    backdate_source_rows()

    # … is deleted (entered for the wrong order)
    ret.delete()
    days = recomputed_days(run_nightly())

    # then the order's day is recomputed without it
    assert ago(today, 20) in days
    assert all_scope_fact(ago(today, 20)).returned_units == 0
    assert_same_as_full_recompute()


def test_a_payment_moved_to_another_day_and_deleted_traffic(after_a_successful_run, today):
    # given a part payment booked 8 days ago and counted …
    shop = after_a_successful_run
    payment = Payment.objects.create(invoice=shop["invoice"], paid_on=ago(today, 8), amount=Decimal("100.00"))
    run_nightly()
    backdate_source_rows()

    # … is corrected to 4 days ago, and the traffic of 10 days ago is deleted
    payment.paid_on = ago(today, 4)
    payment.save()
    TrafficDay.objects.filter(date=ago(today, 10)).delete()
    days = recomputed_days(run_nightly())

    # then the old payment day and the traffic's day are recomputed, as is the new payment day
    assert {ago(today, 8), ago(today, 4), ago(today, 10)} <= days
    assert_same_as_full_recompute()


def test_what_a_run_has_looked_at_is_forgotten_by_the_next_successful_run(after_a_successful_run, today):
    # given an order deleted, and two successful nightly runs after it
    after_a_successful_run["o10"].delete()
    assert StaleDay.objects.count() > 0
    first = run_nightly()
    assert first.status == MetricsRun.Status.SUCCEEDED
    # (the next run looks from shortly before the first one started)
    StaleDay.objects.update(recorded_at=first.changes_since or timezone.now() - dt.timedelta(days=1))
    second = run_nightly()

    # then the noted days the first run already looked at are gone
    assert second.status == MetricsRun.Status.SUCCEEDED
    assert not StaleDay.objects.filter(recorded_at__lte=second.changes_since).exists()


def test_unchanged_rows_written_again_note_nothing(after_a_successful_run):
    # given an import writes an order again with the same time and customer (a status change)
    order = Order.objects.get(pk=after_a_successful_run["o5"].pk)
    order.status = Order.Status.DELIVERED
    order.save()

    # then no day is noted as stale (its day comes from changed_at)
    assert StaleDay.objects.count() == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM pg_trigger WHERE tgname LIKE 'kpis_stale_%%'")
        assert cursor.fetchone()[0] == 20


def test_the_channel_picker_lists_channels_with_orders_traffic_or_spend(after_a_successful_run):
    # given the small shop: marketplace has orders but no traffic, webshop both (computed nightly)
    from kpis.reports import channels

    # then both are offered, read from the day × channel table alone
    assert channels() == ["marketplace", "webshop"]
