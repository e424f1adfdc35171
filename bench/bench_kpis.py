"""Benchmark: the KPI facts and pages at the scale of `seed_demo --orders N` (DESIGN §9).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shopmgr .venv/bin/python bench/bench_kpis.py [--orders 1000000]

Creates the database `shopmgr_bench_kpis` on the server DATABASE_URL names (the database it names
stays untouched), migrates it, seeds it (`seed_demo --orders N --today 2026-11-26`, plus the demo
users, whose category managers give the facts their manager scopes) and measures, each beside its
budget and a reference measured in the same run:

(a) `compute_metrics --all` against one hand-written `INSERT … SELECT … GROUP BY` rolling all
    order lines up per Berlin day × category (units, net revenue, distinct orders) into a scratch
    table — budget: at most 2× that rollup;
(b) the nightly run after one new day: a copy of a typical day's orders and lines placed on the
    seed's today, and a typical day's returns received today (as many as the same weekday a week
    earlier received, about 800 at 1M orders, for orders as old as theirs: they reopen some 25
    earlier days, each in every channel), then `kpis.nightly_metrics` end to end, eagerly in this
    process — budget: under 3 s of work;
(c) `/kpis/` and `/api/kpis/` server time over 365 and 30 days through django.test.Client, logged
    in as a shop manager, and the queries of one `/kpis/` request — budgets: p95 under 100 ms
    (365 days) and 30 ms (30 days), at most 15 queries.

Everything it created is dropped at the end unless --keep is given. With --reuse it measures (b) and
(c) again on a database an earlier run kept (no seed, no (a)), adding the day given by --new-day.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from io import StringIO

from _common import cpu_seconds, machine_load, peak_memory_mb, scratch_database

BENCH_DB = "shopmgr_bench_kpis"
BUDGET_ORDERS = 1_000_000
FULL_RECOMPUTE_FACTOR = 2.0
NIGHTLY_BUDGET_SECONDS = 3.0
PAGE_BUDGETS_MS = {365: 100.0, 30: 30.0}
PAGE_QUERY_BUDGET = 15
RETURN_WINDOW_DAYS = 60  # (how far back the orders of a day's returns are looked for)

REFERENCE_SQL = """
INSERT INTO bench_kpis_reference (day, category_id, units, revenue, orders)
SELECT (o.placed_at AT TIME ZONE 'Europe/Berlin')::date, p.category_id,
       SUM(l.quantity), SUM(l.net_amount), COUNT(DISTINCT l.order_id)
FROM sales_orderline l
JOIN sales_order o ON o.id = l.order_id
JOIN catalog_product p ON p.id = l.product_id
GROUP BY 1, 2
"""


# Not a budget: a floor under (a). The pages need day × product × channel facts (the product rows
# of the category table under the channel picker; DESIGN §3 names day × product as the finest
# grain). This writes only those rows, in the cheapest form found: a parallel CREATE UNLOGGED
# TABLE … AS (an INSERT … SELECT never runs in parallel), one row per line counted instead of
# distinct orders, the unique index built afterwards. `compute_metrics --all` must write at least
# these rows, so no full recompute of these facts can take less.
PRODUCT_FLOOR_SQL = [
    """CREATE UNLOGGED TABLE bench_kpis_floor AS
SELECT (o.placed_at AT TIME ZONE 'Europe/Berlin')::date AS day, l.product_id, o.channel,
       SUM(l.quantity) AS units, SUM(l.net_amount) AS revenue, COUNT(*) AS lines
FROM sales_orderline l
JOIN sales_order o ON o.id = l.order_id
GROUP BY 1, 2, 3""",
    "CREATE UNIQUE INDEX ON bench_kpis_floor (day, product_id, channel)",
    "DROP TABLE bench_kpis_floor",
]


# Not a budget either: what a hand-written rollup of the two grains the pages read costs in one
# statement — day × product × channel and day × category × channel, with units, net revenue, COGS
# and distinct orders, from the lines of the orders not cancelled — written into unindexed
# temporary tables. The facts hold more (category subtrees, managers' scopes, order-level money,
# returns, receivables, reviews, shipments), so this is a lower bound for any engine; it is
# printed so that the issue owner can weigh a budget against it.
SAME_GRAINS_SQL = [
    "CREATE TEMP TABLE bench_kpis_grain_product (day date, product_id bigint, channel text, units bigint, "
    "revenue numeric, cogs numeric, orders bigint)",
    "CREATE TEMP TABLE bench_kpis_grain_category (day date, category_id bigint, channel text, units bigint, "
    "revenue numeric, cogs numeric, orders bigint)",
    """WITH line AS MATERIALIZED (
    SELECT (o.placed_at AT TIME ZONE 'Europe/Berlin')::date AS day, o.channel, l.product_id, p.category_id,
           l.order_id, l.quantity, l.net_amount, l.quantity * l.unit_cost AS cogs
    FROM sales_orderline l JOIN sales_order o ON o.id = l.order_id JOIN catalog_product p ON p.id = l.product_id
    WHERE o.status <> 'cancelled'
),
product AS (
    INSERT INTO bench_kpis_grain_product
    SELECT day, product_id, channel, SUM(quantity), SUM(net_amount), SUM(cogs), COUNT(DISTINCT order_id)
    FROM line GROUP BY 1, 2, 3
)
INSERT INTO bench_kpis_grain_category
SELECT day, category_id, channel, SUM(quantity), SUM(net_amount), SUM(cogs), COUNT(DISTINCT order_id)
FROM line GROUP BY 1, 2, 3""",
]


def same_grains_rollup() -> float:
    """Seconds for the one statement of SAME_GRAINS_SQL (rolled back afterwards)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        for sql in SAME_GRAINS_SQL[:-1]:
            cursor.execute(sql)
        started = time.perf_counter()
        cursor.execute(SAME_GRAINS_SQL[-1])
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def product_floor() -> float:
    """Seconds for the cheapest statements found that write the day × product × channel rows."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        started = time.perf_counter()
        for sql in PRODUCT_FLOOR_SQL[:-1]:
            cursor.execute(sql)
        elapsed = time.perf_counter() - started
        cursor.execute(PRODUCT_FLOOR_SQL[-1])
    return elapsed


def reference_rollup(*, jit: bool) -> float:
    """Seconds for the single-statement day × category rollup over every order line."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if not jit:
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(
            "CREATE TABLE bench_kpis_reference (day date, category_id bigint, units bigint, "
            "revenue numeric(18, 2), orders bigint)"
        )
        started = time.perf_counter()
        cursor.execute(REFERENCE_SQL)
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_kpis_reference")
    return elapsed


def full_recompute() -> tuple[float, str]:
    from django.core.management import call_command

    out = StringIO()
    started = time.perf_counter()
    call_command("compute_metrics", "--all", stdout=out)
    return time.perf_counter() - started, out.getvalue().strip()


def add_a_new_day(today: dt.date) -> tuple[int, int, int, int]:
    """Copy the orders and lines of the same weekday a week earlier onto `today` (new ids, status
    placed, nothing shipped yet), and a day's returns received today (as many, for orders as old, as
    the same weekday of the seed received; see below). Returns (orders, lines, returns, days the returns reopen)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from returns.models import Return, ReturnLine, ReturnReason
    from shopmgr.core.dates import berlin_day

    source = today - dt.timedelta(days=7)
    prefix = f"NEW{today:%Y%m%d}-"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO sales_order (external_id, customer_id, placed_at, channel, payment_method, status,
                                     shipping_fee, campaign_code)
            SELECT %(prefix)s || o.external_id, o.customer_id, o.placed_at + interval '7 days', o.channel,
                   o.payment_method, 'placed', o.shipping_fee, o.campaign_code
            FROM sales_order o
            WHERE o.placed_at >= %(start)s AND o.placed_at < %(end)s
            """,
            {"start": _berlin_midnight(source), "end": _berlin_midnight(source + dt.timedelta(days=1)),
             "prefix": prefix},
        )
        orders = cursor.rowcount
        cursor.execute(
            """
            INSERT INTO sales_orderline (order_id, line_no, product_id, quantity, unit_price, vat_rate, discount,
                                         unit_cost, net_amount)
            SELECT n.id, l.line_no, l.product_id, l.quantity, l.unit_price, l.vat_rate, l.discount, l.unit_cost,
                   l.net_amount
            FROM sales_order n
            JOIN sales_order o ON %(prefix)s || o.external_id = n.external_id
            JOIN sales_orderline l ON l.order_id = o.id
            WHERE n.external_id LIKE %(pattern)s
            """,
            {"prefix": prefix, "pattern": prefix + "%"},
        )
        lines = cursor.rowcount
        # A day's returns, as the last such weekday of the seed received them (a week earlier, or
        # further back on a kept database whose later days are copies): for each of those, an order
        # as old as that one's order (placed as many days before today), not cancelled and without a
        # return yet, sends its first line back today. Returns arrive for weeks, so they reopen some
        # 25 earlier days, each with a few dozen returns in every channel.
        cursor.execute("SELECT MAX(received_at) FROM returns_return WHERE external_id NOT LIKE 'LATE-%%'")
        seed_last = berlin_day(cursor.fetchone()[0])
        weeks = max(1, -(-(today - seed_last).days // 7))
        returns_source = today - dt.timedelta(days=7 * weeks)
        cursor.execute(
            """
            WITH src AS (
                SELECT (o.placed_at AT TIME ZONE 'Europe/Berlin')::date + %(shift)s AS day, COUNT(*) AS n
                FROM returns_return r JOIN sales_order o ON o.id = r.order_id
                WHERE r.received_at >= %(start)s AND r.received_at < %(end)s
                GROUP BY 1
            ),
            candidate AS (
                SELECT o.id, (o.placed_at AT TIME ZONE 'Europe/Berlin')::date AS day,
                       ROW_NUMBER() OVER (PARTITION BY (o.placed_at AT TIME ZONE 'Europe/Berlin')::date
                                          ORDER BY md5(o.id::text)) AS k
                FROM sales_order o
                WHERE o.status <> 'cancelled' AND o.placed_at >= %(first)s AND o.placed_at < %(today)s
                  AND NOT EXISTS (SELECT 1 FROM returns_return r WHERE r.order_id = o.id)
            )
            SELECT c.id, l.id FROM candidate c
            JOIN src ON src.day = c.day AND c.k <= src.n
            JOIN sales_orderline l ON l.order_id = c.id AND l.line_no = 1
            ORDER BY c.id
            """,
            {"start": _berlin_midnight(returns_source),
             "end": _berlin_midnight(returns_source + dt.timedelta(days=1)),
             "shift": (today - returns_source).days, "today": _berlin_midnight(today),
             "first": _berlin_midnight(today - dt.timedelta(days=RETURN_WINDOW_DAYS))},
        )
        picked = cursor.fetchall()
        now = timezone.now()
        reason = ReturnReason.objects.get(code="CHANGED_MIND")
        returns = Return.objects.bulk_create(
            Return(external_id=f"LATE-{today}-{n}", order_id=order_id, status=Return.Status.RECEIVED,
                   requested_at=now - dt.timedelta(days=3), received_at=now)
            for n, (order_id, _) in enumerate(picked)
        )
        ReturnLine.objects.bulk_create(
            ReturnLine(ret=ret, order_line_id=line_id, quantity=1, reason=reason,
                       disposition=ReturnLine.Disposition.RESTOCK)
            for ret, (_, line_id) in zip(returns, picked, strict=True)
        )
        cursor.execute(
            "SELECT COUNT(DISTINCT (placed_at AT TIME ZONE 'Europe/Berlin')::date) FROM sales_order WHERE id = ANY(%s)",
            [[order_id for order_id, _ in picked]],
        )
        reopened = cursor.fetchone()[0]
    return orders, lines, len(picked), reopened


def _berlin_midnight(day: dt.date) -> dt.datetime:
    from shopmgr.core.dates import berlin_midnight_utc

    return berlin_midnight_utc(day)


def nightly_run() -> tuple[float, float, object, list[float]]:
    """`kpis.nightly_metrics` end to end, its per-day tasks run eagerly in this process."""
    from kpis import services, tasks
    from kpis.models import MetricsRun
    from shopmgr.celery import app

    app.conf.task_always_eager = True
    # The seed wrote every row moments before the full recompute started; the margin that covers
    # late-committing writes in production would count all of them as changed.
    services.CHANGE_MARGIN = dt.timedelta(0)
    day_seconds: list[float] = []
    compute_day = services.metrics_compute_day

    def timed_compute_day(**kwargs):
        started = time.perf_counter()
        try:
            return compute_day(**kwargs)
        finally:
            day_seconds.append(time.perf_counter() - started)

    services.metrics_compute_day = timed_compute_day
    try:
        cpu_started = cpu_seconds()
        started = time.perf_counter()
        tasks.nightly_metrics()
        elapsed = time.perf_counter() - started
        cpu = cpu_seconds() - cpu_started
    finally:
        services.metrics_compute_day = compute_day
    return elapsed, cpu, MetricsRun.objects.order_by("-started_at").first(), day_seconds


def page_times(client, url: str, requests: int) -> tuple[list[float], list[float]]:
    """Server time of each request, in wall milliseconds and in CPU milliseconds (this process and
    its database backend: what the request costs however busy the machine is)."""
    response = client.get(url)  # warm-up: templates, caches, connection
    assert response.status_code == 200, (url, response.status_code)
    times, cpu_times = [], []
    for _ in range(requests):
        cpu_started = cpu_seconds()
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        cpu_times.append((cpu_seconds() - cpu_started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times, cpu_times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def measure_full_recompute(jit_default: str) -> bool:
    """(a): `compute_metrics --all` beside the single-SQL rollup; prints the figures and says
    whether it is within budget."""
    from kpis.models import DailyFact

    reference_first = reference_rollup(jit=jit_default == "on")
    full, full_output = full_recompute()
    references = [reference_first, reference_rollup(jit=False), reference_rollup(jit=True)]
    reference = min(references)
    budget = FULL_RECOMPUTE_FACTOR * reference
    ok_full = full <= budget
    print(f"(a) full recompute ({machine_load()})")
    print(f"    compute_metrics --all:                       {full:7.2f} s   ({full_output})")
    print(f"    reference, one INSERT … SELECT … GROUP BY day × category over all lines: {reference:.2f} s "
          f"(best of {', '.join(f'{r:.2f}' for r in references)} s)")
    print(f"    budget 2 × reference:                        {budget:7.2f} s   "
          f"{'within budget' if ok_full else 'OVER BUDGET'} ({full / reference:.1f}× the rollup)")
    floors = [product_floor() for _ in range(3)]
    floor = min(floors)
    print(f"    a floor, not a budget: the day × product × channel rows alone, written the cheapest way found "
          f"(parallel CREATE TABLE … AS, no distinct counts, index afterwards): {floor:.2f} s "
          f"(best of {', '.join(f'{f:.2f}' for f in floors)} s) = {floor / reference:.1f}× the rollup")
    grains = same_grains_rollup()
    print(f"    not a budget either: one hand-written statement rolling the lines up to the two grains the pages "
          f"read (day × product × channel and day × category × channel; units, revenue, COGS, distinct orders; "
          f"no subtrees, scopes, returns or receivables; unindexed temporary tables): {grains:.2f} s = "
          f"{grains / reference:.1f}× the rollup; compute_metrics --all is {full / grains:.1f}× this")
    print(f"    fact rows: {DailyFact.objects.count():,}")
    print()
    return ok_full


def dashboard_exists() -> bool:
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("kpis:dashboard")
    except NoReverseMatch:
        return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=BUDGET_ORDERS, help="orders to seed (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2026, 11, 26),
                        help="the seed's today (default 2026-11-26, so that runs are comparable)")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page (default 50)")
    parser.add_argument("--keep", action="store_true", help=f"keep the database {BENCH_DB} afterwards")
    parser.add_argument("--reuse", action="store_true",
                        help=f"measure (b) and (c) again on the {BENCH_DB} an earlier --keep left (no seed, no (a))")
    parser.add_argument("--new-day", type=dt.date.fromisoformat, default=None,
                        help="the day (b) adds (default: the seed's today; with --reuse pick a later one)")
    args = parser.parse_args()

    new_day = args.new_day or args.today
    with scratch_database(BENCH_DB, keep=args.keep, reuse=args.reuse):
        import logging

        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from shopmgr.core.demo import seed_demo

        logging.getLogger("celery").setLevel(logging.WARNING)  # no line per eager task
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            server = cursor.fetchone()[0].split()[0]
            cursor.execute("SHOW jit")
            jit_default = cursor.fetchone()[0]
        if args.reuse:
            from sales.models import OrderLine

            print(f"KPI benchmark on the kept {BENCH_DB} ({OrderLine.objects.count():,} order lines)"
                  f"  PostgreSQL {server} (jit {jit_default}), {os.cpu_count()} cores")
            print()
            print("(a) full recompute: not measured with --reuse")
            print()
            ok_full = True
        else:
            started = time.perf_counter()
            counts = seed_demo(orders=args.orders, seed=args.seed, today=args.today)
            call_command("create_demo_users", force=True, stdout=StringIO())
            seeded = time.perf_counter() - started
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
            print(f"KPI benchmark: seed_demo --orders {args.orders:,} --seed {args.seed} --today {args.today}"
                  f" ({counts['order_lines']:,} order lines; seeded in {seeded:.0f} s)"
                  f"  PostgreSQL {server} (jit {jit_default}), {os.cpu_count()} cores")
            print()
            ok_full = measure_full_recompute(jit_default)


        # (b) the nightly run after one new day
        orders, lines, returns, reopened = add_a_new_day(new_day)
        nightly, nightly_cpu, run, day_seconds = nightly_run()
        # judged by the work (CPU of this process and its backend); wall time is printed beside it
        ok_nightly = nightly_cpu < NIGHTLY_BUDGET_SECONDS and run.status == "succeeded"
        print("(b) nightly run after one new day")
        print(f"    new: {orders:,} orders, {lines:,} lines placed {new_day}; {returns:,} returns received today for orders of {reopened} earlier days")
        print(f"    nightly_metrics end to end (eager):          {nightly:7.2f} s wall, {nightly_cpu:.2f} s CPU "
              f"(this process and its database backend; {machine_load()})   "
              f"budget {NIGHTLY_BUDGET_SECONDS:.1f} s of work: {'within budget' if ok_nightly else 'OVER BUDGET'}")
        print(f"    run {run.status}: {run.days_total} days recomputed, {run.rows:,} fact rows; "
              f"per day {1000 * statistics.mean(day_seconds or [0]):.0f} ms on average, "
              f"{1000 * max(day_seconds or [0]):.0f} ms at most; detecting the days and the run record "
              f"{nightly - sum(day_seconds):.2f} s")
        print()

        # (c) the pages
        ok_pages = True
        if not dashboard_exists():
            print("(c) /kpis/ page times: pending (no dashboard view yet)")
        else:
            from django.contrib.auth import get_user_model

            client = Client()
            client.force_login(get_user_model().objects.get(username="shop"))
            last = args.today - dt.timedelta(days=1)
            print(f"(c) server time over {args.requests} requests each (logged in as a shop manager; "
                  f"periods ending {last})")
            for days in (365, 30):
                first = last - dt.timedelta(days=days - 1)
                query = f"from={first}&to={last}"
                for label, url in (("/kpis/", f"/kpis/?period=custom&{query}"), ("/api/kpis/", f"/api/kpis/?{query}")):
                    times, cpu_times = page_times(client, url, args.requests)
                    budget_ms = PAGE_BUDGETS_MS[days]
                    ok = p95(times) < budget_ms
                    ok_pages &= ok or label != "/kpis/"
                    print(f"    {label:<11} {days:>3} days: p50 {statistics.median(times):6.1f} ms, "
                          f"p95 {p95(times):6.1f} ms   budget p95 < {budget_ms:.0f} ms: "
                          f"{'within budget' if ok else 'OVER BUDGET'}   (CPU p50 {statistics.median(cpu_times):.1f}, "
                          f"p95 {p95(cpu_times):.1f} ms; {machine_load()})")
            with CaptureQueriesContext(connection) as queries:
                client.get(f"/kpis/?period=custom&from={last - dt.timedelta(days=29)}&to={last}")
            ok_queries = len(queries) <= PAGE_QUERY_BUDGET
            ok_pages &= ok_queries
            print(f"    queries of one /kpis/ request: {len(queries)} (budget at most {PAGE_QUERY_BUDGET}: "
                  f"{'within budget' if ok_queries else 'OVER BUDGET'})")
        print()
        print(f"peak memory of this process: {peak_memory_mb():.0f} MB")
        return 0 if ok_full and ok_nightly and ok_pages else 1


if __name__ == "__main__":
    sys.exit(main())
