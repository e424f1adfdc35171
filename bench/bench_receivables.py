"""Benchmark: the open items (/receivables/) at the scale of `seed_demo --orders N` (DESIGN §9: list
pages — products, returns, invoices — p95 under 100 ms, fixed query count).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shopmgr .venv/bin/python bench/bench_receivables.py [--orders 1000000]
    DATABASE_URL=… .venv/bin/python bench/bench_receivables.py --reuse shopmgr_big   # an already seeded database

Creates the database `shopmgr_bench_receivables` beside the one DATABASE_URL names, seeds it
(`seed_demo --orders N --today 2026-11-26` and the demo users), and prints for the accounting user
the server time (p50, p95, wall and CPU of the process and its database backend) and the queries
of the open-items page without and with each filter, a customer's page and the dunning runs page,
beside the home page measured in the same run (the reference: a minimal page of the portal). The
ageing overview is cached until an invoice or payment changes; its first computation is printed
on its own. Dropped at the end unless --keep. With --reuse an already seeded database (with the demo
users) is measured as it is: migrated, not seeded, kept.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from io import StringIO

from _common import cpu_seconds, machine_load, scratch_database

BENCH_DB = "shopmgr_bench_receivables"
LIST_BUDGET_MS = 100.0


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def measure(client, url: str, requests: int) -> tuple[list[float], list[float], int]:
    from django.db import connection

    response = client.get(url)  # warm-up (and the ageing cache)
    assert response.status_code == 200, (url, response.status_code)
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    walls, cpus = [], []
    for _ in range(requests):
        cpu_started = cpu_seconds()
        started = time.perf_counter()
        response = client.get(url)
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((cpu_seconds() - cpu_started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return walls, cpus, len(queries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--keep", action="store_true", help=f"keep the database {BENCH_DB} afterwards")
    parser.add_argument("--reuse", metavar="DATABASE", help="measure this already seeded database (not seeded, kept)")
    parser.add_argument("--only", metavar="TEXT", help="measure only the pages whose label contains TEXT")
    args = parser.parse_args()

    import datetime as dt

    with scratch_database(args.reuse or BENCH_DB, keep=args.keep, reuse=bool(args.reuse)):
        from django.contrib.auth import get_user_model
        from django.core.cache import cache
        from django.core.management import call_command
        from django.test import Client

        from sales.models import Customer, Invoice
        from shopmgr.core.demo import seed_demo

        if args.reuse:
            print(f"receivables benchmark: the existing database {args.reuse}")
        else:
            started = time.perf_counter()
            counts = seed_demo(orders=args.orders, seed=42, today=dt.date(2026, 11, 26))
            call_command("create_demo_users", force=True, stdout=StringIO())
            print(f"receivables benchmark: seed_demo --orders {args.orders:,} ({counts['invoices']:,} invoices; "
                  f"seeded in {time.perf_counter() - started:.0f} s)")
        client = Client()
        client.force_login(get_user_model().objects.get(username="accounting"))
        cache.clear()
        started = time.perf_counter()
        client.get("/receivables/")
        print(f"first open-items page with the ageing computed: {1000 * (time.perf_counter() - started):.0f} ms "
              f"(then cached until an invoice or payment changes)")
        customer = Customer.objects.filter(orders__invoices__isnull=False).order_by("pk").first()
        name_part = customer.name.split()[-1][:5] if customer.name else customer.external_id
        pages = [
            ("home page (reference)", "/"),
            ("open items", "/receivables/"),
            ("open items, B2B", "/receivables/?kind=b2b"),
            ("open items, over 90 days", "/receivables/?age=over_90"),
            ("open items, level 1", "/receivables/?level=1"),
            ("open items, blocked", "/receivables/?blocked=yes"),
            ("open items, customer number", f"/receivables/?customer={customer.external_id}"),
            (f"open items, customer name '{name_part}'", f"/receivables/?customer={name_part}"),
            # a common surname of the demo data (~5,000 customers): the filter matches many invoices
            ("open items, customer name 'Hartmann'", "/receivables/?customer=Hartmann"),
            ("open items, page 3 sorted by amount", "/receivables/?sort=-amount&page=3"),
            ("customer page", f"/receivables/customers/{customer.external_id}/"),
            ("dunning runs", "/receivables/runs/"),
        ]
        print(f"{Invoice.objects.count():,} invoices; {args.requests} requests per page; {machine_load()}")
        worst = 0.0
        for label, url in pages:
            if args.only and args.only.lower() not in label.lower() and label != "home page (reference)":
                continue
            walls, cpus, queries = measure(client, url, args.requests)
            if label != "home page (reference)":
                worst = max(worst, p95(walls))
            print(f"  {label:<45} p50 {statistics.median(walls):6.1f} ms  p95 {p95(walls):6.1f} ms  "
                  f"(CPU p95 {p95(cpus):6.1f} ms)  {queries} queries")
        ok = worst < LIST_BUDGET_MS
        print(f"worst p95 {worst:.1f} ms: budget p95 < {LIST_BUDGET_MS:.0f} ms: {'within budget' if ok else 'OVER BUDGET'}"
              f" ({machine_load()})")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
