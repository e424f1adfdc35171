"""Benchmark: the assortment analyses and the workbench pages at the scale of `seed_demo --orders N`.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shopmgr .venv/bin/python bench/bench_assortment.py [--orders 1000000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shopmgr_big .venv/bin/python bench/bench_assortment.py --existing

By default creates the database `shopmgr_bench_assortment` beside the one DATABASE_URL names,
migrates, seeds (`seed_demo --orders N --today 2026-11-26`, the demo users), computes the KPI facts
(`compute_metrics --all`) and drops it at the end. With --existing it uses the database DATABASE_URL
names as it is (seeded and with KPI facts; it is only migrated and its analyses recomputed).

Measures, each beside its budget (DESIGN §9):
(a) `compute_assortment` end to end, with the facts GROUP BY it builds on as the reference;
(b) server time of the product list (p95 under 100 ms, paginated, fixed query count) through
    django.test.Client, for the shop manager and a category manager, with the filters and sorts a
    category manager uses; and the workbench pages (matrix, delist candidates, content).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from io import StringIO

from _common import BASE_DIR, peak_memory_mb, scratch_database

BENCH_DB = "shopmgr_bench_assortment"
LIST_BUDGET_MS = 100.0

URLS = [
    ("reference: the home page (4 queries)", "/"),
    ("product list", "/catalog/products/"),
    ("  sorted by net revenue (90 d)", "/catalog/products/?sort=-revenue_90d"),
    ("  ABC A × XYZ Z, in the assortment", "/catalog/products/?abc=A&xyz=Z&status=in_assortment"),
    ("  category FASHION, return rate ≥ 20 %", "/catalog/products/?category=FASHION&return_rate_min=20"),
    ("  days of inventory ≥ 180, page 3", "/catalog/products/?days_of_inventory_min=180&page=3"),
    ("  content score ≤ 50, sorted by score", "/catalog/products/?content_score_max=50&sort=content_score"),
    ("ABC/XYZ matrix and GMROI", "/catalog/matrix/"),
    ("delist candidates", "/catalog/delist-candidates/"),
    ("content quality", "/catalog/content/"),
]


def page_times(client, url: str, requests: int) -> list[float]:
    response = client.get(url)  # warm-up
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def facts_reference() -> float:
    """Seconds of the one GROUP BY product × month over the facts of 12 months (what the analyses read)."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT product_id, date_trunc('month', day), SUM(units_sold), SUM(revenue) FROM kpis_dailyproductfact "
            "WHERE day >= CURRENT_DATE - 400 GROUP BY 1, 2"
        )
        cursor.fetchall()
    return time.perf_counter() - started


def measure(args) -> int:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from catalog.compute import assortment_compute
    from catalog.models import Product, ProductAnalysis
    from kpis.models import DailyProductFact

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0].split()[0]
    print(f"  PostgreSQL {server}, {os.cpu_count()} cores; {Product.objects.count():,} products, "
          f"{DailyProductFact.objects.count():,} day × product facts")
    print()
    reference = facts_reference()
    started = time.perf_counter()
    run = assortment_compute(today=args.today, trigger="bench")
    elapsed = time.perf_counter() - started
    print("(a) compute_assortment")
    print(f"    end to end:                                 {elapsed:7.2f} s for {run.products:,} products")
    print(f"    reference, GROUP BY product × month over 12 months of facts: {reference:.2f} s")
    print(f"    matrix: {dict(sorted(_matrix_counts(ProductAnalysis).items()))}")
    print()

    ok = True
    users = get_user_model().objects
    for username in ("shop", "cm_fashion"):
        client = Client()
        client.force_login(users.get(username=username))
        print(f"(b) server time over {args.requests} requests each, logged in as {username}")
        for label, url in URLS:
            times = page_times(client, url, args.requests)
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            is_list = url.startswith("/catalog/products/")
            within = p95(times) < LIST_BUDGET_MS
            if is_list:
                ok &= within
            verdict = ("within budget" if within else "OVER BUDGET") if is_list else "(no budget)"
            print(f"    {label:<40} p50 {statistics.median(times):6.1f} ms, p95 {p95(times):6.1f} ms, "
                  f"{len(queries):2d} queries   {verdict}")
        print()
    print(f"peak memory of this process: {peak_memory_mb():.0f} MB")
    return 0 if ok else 1


def _matrix_counts(model) -> dict[str, int]:
    from django.db.models import Count

    return {
        r["abc_class"] + r["xyz_class"]: r["n"]
        for r in model.objects.filter(product__status__in=["active", "phase_out"])
        .values("abc_class", "xyz_class").annotate(n=Count("pk")).order_by()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None,
                        help="analyse as of the day before (default: today in Europe/Berlin)")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--existing", action="store_true",
                        help="use the seeded database DATABASE_URL names instead of a scratch one")
    parser.add_argument("--keep", action="store_true", help=f"keep the database {BENCH_DB} afterwards")
    args = parser.parse_args()

    if args.existing:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopmgr.settings.local")
        os.environ["DJANGO_DEBUG"] = "false"
        sys.path.insert(0, str(BASE_DIR))
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        print(f"Assortment benchmark on the existing database {os.environ['DATABASE_URL'].rsplit('/', 1)[-1]}")
        return measure(args)

    with scratch_database(BENCH_DB, keep=args.keep):
        from django.core.management import call_command

        from shopmgr.core.demo import seed_demo

        today = dt.date(2026, 11, 26)
        seed_demo(orders=args.orders, seed=args.seed, today=today)
        call_command("create_demo_users", force=True, stdout=StringIO())
        call_command("compute_metrics", "--all", stdout=StringIO())
        args.today = args.today or today
        print(f"Assortment benchmark: seed_demo --orders {args.orders:,} --seed {args.seed} --today {today}")
        return measure(args)


if __name__ == "__main__":
    sys.exit(main())
