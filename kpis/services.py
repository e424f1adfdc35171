"""Writes of the metrics engine: runs (the checkpoint and the lock), recomputing days, dirty days.

DESIGN §7: a run recomputes exactly the days whose source rows changed since the last successful
run, each day in one transaction, so that a run can be repeated or resumed with the same result;
a lock keeps two runs from overlapping; every run is recorded.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from django.db import IntegrityError, connection, connections, transaction
from django.db.models import F, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from catalog.models import Category
from returns.models import Return, ReturnLine
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
from shopmgr.core.dates import BERLIN, berlin_day

from .facts import compute_range, compute_return_figures
from .models import FactScope, KpiTarget, MetricsRun, MetricsRunDay, StaleDay
from .scopes import scopes_sync

logger = logging.getLogger(__name__)

LEASE = dt.timedelta(hours=2)
# Writes commit after they were stamped; look a little before the last successful run's start.
CHANGE_MARGIN = dt.timedelta(minutes=30)


class RunLocked(Exception):
    """Another run is active."""


def metrics_run_start(*, trigger: str) -> MetricsRun:
    """Start a run, or raise RunLocked while another one holds the lock (its lease not expired)."""
    now = timezone.now()
    with transaction.atomic():
        MetricsRun.objects.filter(status=MetricsRun.Status.RUNNING, lease_until__lt=now).update(
            status=MetricsRun.Status.FAILED, finished_at=now, error="abandoned: lease expired"
        )
    last_ok = (
        MetricsRun.objects.filter(status=MetricsRun.Status.SUCCEEDED).order_by("-started_at").first()
    )
    try:
        with transaction.atomic():
            return MetricsRun.objects.create(
                trigger=trigger, status=MetricsRun.Status.RUNNING, started_at=now, lease_until=now + LEASE,
                changes_since=(last_ok.started_at - CHANGE_MARGIN) if last_ok else None,
            )
    except IntegrityError:
        raise RunLocked("another metrics run is active") from None


FACT_TABLES = ["kpis_dailyfact", "kpis_dailychannelfact", "kpis_dailyproductfact", "kpis_dailyreturnfact"]


def vacuum_facts(*, analyze: bool = True) -> None:
    """After a run rewrote facts: clear the old row versions and mark the pages all-visible, so
    that the dashboards read the covering index alone (PostgreSQL; VACUUM needs autocommit, so
    inside a transaction — tests — it is skipped)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {'(ANALYZE) ' if analyze else ''}{', '.join(FACT_TABLES)}")


def metrics_run_finish(*, run: MetricsRun, error: str = "") -> MetricsRun:
    run.refresh_from_db()
    run.finished_at = timezone.now()
    run.status = MetricsRun.Status.FAILED if (error or run.days_failed) else MetricsRun.Status.SUCCEEDED
    run.error = error or run.error
    run.lease_until = None
    run.save(update_fields=["finished_at", "status", "error", "lease_until"])
    if run.status == MetricsRun.Status.SUCCEEDED and run.changes_since is not None:
        # what the previous successful run already looked at (this one looked from here on)
        StaleDay.objects.filter(recorded_at__lte=run.changes_since).delete()
    if run.days_done:
        # The rewritten rows leave dead versions and pages the dashboards' index-only reads must
        # visit; autovacuum may be off (`autovacuum = off` on the project's machines) or come late. A
        # nightly run's vacuum visits only the pages it wrote (at 1M orders ≈ 0.1 s); a manual run
        # analyses the tables too (whole ranges change their statistics).
        vacuum_facts(analyze=run.trigger == MetricsRun.Trigger.MANUAL)
    return run


def metrics_compute_day(*, run: MetricsRun, day: dt.date, part: str = MetricsRunDay.Part.WHOLE,
                        channels: Collection[str] | None = None) -> int:
    """Recompute one day in one transaction and record its outcome on the run.

    `part` RETURNS re-rolls only the day's return figures (its only changes were returns), of the
    orders and fact rows of `channels` (None: all; see `dirty_day_parts`); where that cannot be
    done in place (see `compute_return_figures`) the day is recomputed whole.
    """
    try:
        with transaction.atomic():
            rows = compute_return_figures(day, day, channels=channels) if part == MetricsRunDay.Part.RETURNS else None
            if rows is None:
                part = MetricsRunDay.Part.WHOLE
                rows = compute_range(day, day)
            MetricsRunDay.objects.update_or_create(
                run=run, day=day,
                defaults={"status": MetricsRun.Status.SUCCEEDED, "rows": rows, "error": "", "part": part},
            )
            MetricsRun.objects.filter(pk=run.pk).update(days_done=F("days_done") + 1, rows=F("rows") + rows)
        return rows
    except Exception as exc:  # recorded, and the next run tries the day again (whole)
        logger.exception("metrics for %s failed", day)
        MetricsRunDay.objects.update_or_create(
            run=run, day=day, defaults={"status": MetricsRun.Status.FAILED, "error": repr(exc)[:2000], "part": part}
        )
        MetricsRun.objects.filter(pk=run.pk).update(days_failed=F("days_failed") + 1)
        raise


def metrics_compute_range(*, run: MetricsRun, first: dt.date, last: dt.date, chunk_days: int = 92) -> int:
    """Recompute a range in chunks (each one transaction): `compute_metrics --all` and backfills."""
    rows = 0
    start = first
    while start <= last:
        end = min(last, start + dt.timedelta(days=chunk_days - 1))
        with transaction.atomic():
            n = compute_range(start, end)
        rows += n
        days = (end - start).days + 1
        MetricsRun.objects.filter(pk=run.pk).update(days_done=F("days_done") + days, rows=F("rows") + n)
        start = end + dt.timedelta(days=1)
    FactScope.objects.update(complete=True)
    return rows


def metrics_compute_range_in_parallel(*, run: MetricsRun, first: dt.date, last: dt.date, workers: int,
                                      chunk_days: int = 92) -> int:
    """Like `metrics_compute_range`, with the chunks shared by `workers` database connections.

    The chunks cover disjoint days, so their transactions never touch the same rows. Only on
    PostgreSQL and outside a transaction (each thread has its own connection and would not see the
    caller's uncommitted rows); otherwise, or with one worker, the chunks run one after another.
    """
    if workers <= 1 or connection.vendor != "postgresql" or connection.in_atomic_block:
        return metrics_compute_range(run=run, first=first, last=last, chunk_days=chunk_days)
    chunks = []
    start = first
    while start <= last:
        end = min(last, start + dt.timedelta(days=chunk_days - 1))
        chunks.append((start, end))
        start = end + dt.timedelta(days=1)

    def compute(chunk: tuple[dt.date, dt.date]) -> int:
        try:
            return metrics_compute_range(run=run, first=chunk[0], last=chunk[1], chunk_days=chunk_days)
        finally:
            connections.close_all()  # this thread's connection

    # the latest days have the most orders: start with them, so that no worker is left with a big tail
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="metrics") as pool:
        return sum(pool.map(compute, sorted(chunks, reverse=True)))


def data_day_range() -> tuple[dt.date, dt.date] | None:
    """The first and last Berlin day that any source row touches."""
    bounds = []
    for model, field in [(Order, "placed_at"), (Shipment, "delivered_at"), (Review, "created_at")]:
        agg = model.objects.aggregate(lo=Min(field), hi=Max(field))
        if agg["lo"]:
            bounds += [berlin_day(agg["lo"]), berlin_day(agg["hi"])]
    for model, lo_field, hi_field in [(TrafficDay, "date", "date"), (MarketingSpend, "date", "date"),
                                      (Invoice, "issued_on", "due_on"), (Payment, "paid_on", "paid_on")]:
        agg = model.objects.aggregate(lo=Min(lo_field), hi=Max(hi_field))
        if agg["lo"]:
            bounds += [agg["lo"], agg["hi"]]
    if not bounds:
        return None
    return min(bounds), max(bounds) + dt.timedelta(days=1)  # +1: an invoice falls overdue the day after


def dirty_days(*, since: dt.datetime | None) -> set[dt.date]:
    """Berlin days whose facts depend on rows written after `since` (None: every day with data)."""
    whole, returns_only = dirty_day_parts(since=since)
    return whole | returns_only.keys()


def dirty_day_parts(*, since: dt.datetime | None) -> tuple[set[dt.date], dict[dt.date, set[str]]]:
    """(days to recompute whole, {day whose only changed rows are returns: the channels of the
    orders whose returns changed}) since `since`.

    A return counts against its order's day (cohort view) and changes only that day's return
    figures: a day no other change touched gets those re-rolled in place (`compute_return_figures`),
    and only for those channels (every figure of an order counts in its own channel's rows).

    What a changed row touches (docs/kpis.md says on which day each figure counts):
    - an order: its own day; the days of its shipment's delivery, its reviews and its invoices
      (status and channel decide whether and where those count); and, as a customer's first
      order makes a new customer, the customer's first order when this one is cancelled or is
      the first, and the second when this one is the first (it may have just moved ahead);
    - an order line: its order's day, its shipment's delivery day and its invoices' days (lines
      decide which scopes the order counts in and their shares);
    - a return or return line: its order's day (cohort view), and the day of the order its order
      line belongs to, should that be another one;
    - a shipment: its order's day (shipping cost) and its delivery day;
    - a review, traffic, marketing spend: its own day;
    - an invoice or payment: the invoice's issue day, the day after it falls due, and each of its
      payments' days (a payment also counts as overdue-reduction from the day after due).
    - a deleted row, or the old day of a row whose date moved: what the database triggers of
      kpis/stale.py noted (PostgreSQL; on SQLite `compute_metrics` redoes any range by hand).
    """
    if since is None:
        bounds = data_day_range()
        if bounds is None:
            return set(), {}
        first, last = bounds
        return {first + dt.timedelta(days=i) for i in range((last - first).days + 1)}, {}
    changed = {"changed_at__gt": since}
    days: set[dt.date] = set()

    def add_days(queryset, field: str) -> None:
        days.update(_berlin_days(queryset, field))

    changed_orders = Order.objects.filter(**changed)
    changed_order_ids = changed_orders.values("pk")
    line_orders = OrderLine.objects.filter(**changed).values("order_id")
    # (each source is its own subquery: OR-ing them made the database read every order)
    for orders in [changed_order_ids, line_orders]:
        add_days(Order.objects.filter(pk__in=orders), "placed_at")
    days.update(_first_order_days(changed_orders))
    for orders in [changed_order_ids, line_orders]:
        add_days(Shipment.objects.filter(order__in=orders), "delivered_at")
    add_days(Review.objects.filter(order__in=changed_order_ids), "created_at")
    shipments = Shipment.objects.filter(**changed)
    add_days(shipments, "delivered_at")
    add_days(Order.objects.filter(pk__in=shipments.values("order_id")), "placed_at")
    add_days(Review.objects.filter(**changed), "created_at")
    days.update(TrafficDay.objects.filter(**changed).values_list("date", flat=True))
    days.update(MarketingSpend.objects.filter(**changed).values_list("date", flat=True))
    invoice_ids = Invoice.objects.filter(**changed).order_by().values("pk").union(
        Invoice.objects.filter(order__in=changed_order_ids).order_by().values("pk"),
        Invoice.objects.filter(order__in=line_orders).order_by().values("pk"),
        Payment.objects.filter(**changed).order_by().values("invoice_id"),
    )
    for issued, due in Invoice.objects.filter(pk__in=invoice_ids).values_list("issued_on", "due_on"):
        days.update([issued, due + dt.timedelta(days=1)])
    for paid, due in Payment.objects.filter(invoice__in=invoice_ids).values_list("paid_on", "invoice__due_on"):
        days.update([paid, max(paid, due + dt.timedelta(days=1))])
    days.update(_stale_days(since))
    returned: dict[dt.date, set[str]] = {}
    changed_returns = Return.objects.filter(**changed)
    # (a return line counts with the order its order line belongs to, which the admin does not
    # force to be the return's order: both orders' days and channels)
    for orders in [changed_returns.values("order_id"),
                   ReturnLine.objects.filter(**changed).values("ret__order_id"),
                   ReturnLine.objects.filter(**changed).values("order_line__order_id"),
                   ReturnLine.objects.filter(ret__in=changed_returns.values("pk")).values("order_line__order_id")]:
        for day, channel in (
            Order.objects.filter(pk__in=orders).order_by().annotate(day=TruncDate("placed_at", tzinfo=BERLIN))
            .values_list("day", "channel").distinct()
        ):
            returned.setdefault(day, set()).add(channel)
    return days, {day: channels for day, channels in returned.items() if day not in days}


def _berlin_days(queryset, field: str) -> set[dt.date]:
    """The distinct Berlin dates of a timestamp field, computed by the database."""
    return {
        day for day in queryset.order_by().annotate(day=TruncDate(field, tzinfo=BERLIN))
        .values_list("day", flat=True).distinct() if day is not None
    }


def _stale_days(since: dt.datetime) -> set[dt.date]:
    """The days deleted or moved rows left stale (kpis/stale.py), and for each customer whose order
    was deleted or moved, the day of their first order as it is now."""
    stale = StaleDay.objects.filter(recorded_at__gt=since)
    days = {berlin_day(at) for at in stale.exclude(at=None).values_list("at", flat=True).distinct()}
    days.update(stale.exclude(day=None).values_list("day", flat=True).distinct())
    customers = stale.exclude(customer_id=None).values("customer_id")
    firsts = (
        Order.objects.filter(customer_id__in=customers).exclude(status=Order.Status.CANCELLED)
        .order_by().values("customer_id").annotate(first=Min("placed_at")).values_list("first", flat=True)
    )
    days.update(berlin_day(first) for first in firsts)
    return days


def _first_order_days(changed_orders) -> set[dt.date]:
    """Days whose new customers a change of these orders may move (see dirty_days).

    Each changed order looks up its customer's first two orders that are not cancelled (the
    (customer, placed_at) index, a few rows each: a window over all of those customers' orders
    took 157 ms for one day's 2,400 new orders at 1M orders).
    """
    live = (
        Order.objects.filter(customer_id=OuterRef("customer_id")).exclude(status=Order.Status.CANCELLED)
        .order_by("placed_at", "pk")
    )
    rows = (
        changed_orders.order_by().annotate(first_pk=Subquery(live.values("pk")[:1]))
        # (only a cancelled order or a customer's first one can move a first order)
        .filter(Q(status=Order.Status.CANCELLED) | Q(first_pk=F("pk")))
        .annotate(first_at=Subquery(live.values("placed_at")[:1]), second_at=Subquery(live.values("placed_at")[1:2]))
        .values_list("pk", "status", "first_pk", "first_at", "second_at")
    )
    days = set()
    for pk, status, first_pk, first_at, second_at in rows:
        if status == Order.Status.CANCELLED and first_at is not None:
            days.add(berlin_day(first_at))  # it may have been the first
        elif first_pk == pk and second_at is not None:
            days.add(berlin_day(second_at))  # that one may have been the first until now
    return days


def failed_days() -> set[dt.date]:
    """Days whose last attempt failed: the next run does them again."""
    failed = set(
        MetricsRunDay.objects.filter(status=MetricsRun.Status.FAILED).values_list("day", flat=True).distinct()
    )
    latest: dict[dt.date, str] = {}
    for day, status in (
        MetricsRunDay.objects.filter(day__in=failed).order_by("run__started_at", "pk").values_list("day", "status")
    ):
        latest[day] = status
    return {day for day, status in latest.items() if status == MetricsRun.Status.FAILED}


def metrics_backfill_scopes(*, run: MetricsRun | None = None) -> int:
    """New scopes (or scopes whose categories changed) get every day computed for them."""
    stale = scopes_sync()
    if not stale:
        return 0
    bounds = data_day_range()
    if bounds is not None:
        first, last = bounds
        start = first
        while start <= last:
            end = min(last, start + dt.timedelta(days=91))
            with transaction.atomic():
                compute_range(start, end, scope_ids=[s.pk for s in stale], channel_facts=False)
            start = end + dt.timedelta(days=1)
    FactScope.objects.filter(pk__in=[s.pk for s in stale]).update(complete=True)
    return len(stale)


def target_set(*, kpi: str, month: dt.date, category: Category | None, value: Decimal, by) -> KpiTarget:
    """Set (create or replace) the target of one KPI for one month and category (None: the shop).

    Recorded with who set it; a second target for the same KPI, month and category replaces the first.
    """
    with transaction.atomic():
        existing = (
            KpiTarget.objects.select_for_update()
            .filter(kpi=kpi, month=month, category=category)
            .first()
        )
        if existing is None:
            return KpiTarget.objects.create(kpi=kpi, month=month, category=category, value=value, set_by=by)
        existing.value, existing.set_by = value, by
        existing.save(update_fields=["value", "set_by", "set_at"])
        return existing
