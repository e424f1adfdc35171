"""Benchmark: the returns list, the inspection queue, the return analytics and the return facts at
the scale of `seed_demo --orders N` (DESIGN §9: list pages p95 under 100 ms, fixed query count).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shopmgr .venv/bin/python bench/bench_returns.py [--orders 1000000]
    DATABASE_URL=… .venv/bin/python bench/bench_returns.py --reuse shopmgr_big   # an already seeded database

Without --reuse it creates the database `shopmgr_bench_returns` beside the one DATABASE_URL names,
seeds it (`seed_demo --orders N --today 2026-11-26`, the demo users, `compute_metrics --all`) and
drops it at the end unless --keep. It prints:

(a) `compute_return_range` for single days (the nightly per-day work) beside
    `compute_product_range` of the same day (the reference measured in the same run), and both over
    the whole range;
(b) server time (p50, p95) and queries of /returns/list/ and its queue for customer service and a
    category manager, with and without filters — budget p95 < 100 ms;
(c) the same for /returns/analytics/ over 30 and 365 days, the first view (computed from the facts)
    and the cached one (another tab of the same period, until the metrics job runs again); no
    budget of its own (/kpis/ has 100 ms over 365 days).

`--parts list` measures only (b). With --reuse, (a) rewrites the return and product facts of the
days it times (the same figures again), and the first views of (c) empty the cache before each
request: with a local-memory cache only — a Redis cache is skipped (its database is shared, and is
the Celery broker's too).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import statistics
import sys
import time
from io import StringIO

from _common import BASE_DIR, scratch_database

BENCH_DB = "shopmgr_bench_returns"
LIST_BUDGET_MS = 100.0


@contextlib.contextmanager
def existing_database(name: str):
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(os.environ["DATABASE_URL"])
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "shopmgr.settings.local"
    os.environ["DJANGO_DEBUG"] = "false"
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    yield


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def timed_range(function, first: dt.date, last: dt.date) -> float:
    from django.db import transaction

    with transaction.atomic():
        started = time.perf_counter()
        function(first, last)
        return (time.perf_counter() - started) * 1000


def page(client, url: str, requests: int, *, cold: bool = False) -> tuple[float, float, int]:
    """p50 and p95 server time (ms) and the queries of one request; `cold`: the cache emptied first."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(requests):
        if cold:
            cache.clear()
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(times), p95(times), len(queries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2026, 11, 26))
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--reuse", metavar="DATABASE", help="measure an already seeded database (kept as it is)")
    parser.add_argument("--keep", action="store_true", help=f"keep the database {BENCH_DB} afterwards")
    parser.add_argument("--skip-full", action="store_true", help="skip the two-year recompute of (a)")
    parser.add_argument("--parts", default="facts,list,analytics",
                        help="which parts to run, comma-separated: facts (a), list (b), analytics (c)")
    args = parser.parse_args()
    parts = {part.strip() for part in args.parts.split(",")}

    context = existing_database(args.reuse) if args.reuse else scratch_database(BENCH_DB, keep=args.keep)
    with context:
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        from kpis.product_facts import compute_product_range
        from kpis.return_facts import compute_return_range
        from returns.models import Return, ReturnLine

        settings.ALLOWED_HOSTS = ["*"]
        if not args.reuse:
            from shopmgr.core.demo import seed_demo

            started = time.perf_counter()
            seed_demo(orders=args.orders, today=args.today)
            call_command("create_demo_users", force=True, stdout=StringIO())
            call_command("compute_metrics", "--all", verbosity=0)
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
            print(f"seeded {args.orders:,} orders and computed the facts in {time.perf_counter() - started:.0f} s")
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            server = cursor.fetchone()[0].split()[0]
        print(f"Returns benchmark: {Return.objects.count():,} returns, {ReturnLine.objects.count():,} return lines; "
              f"PostgreSQL {server}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
        print()

        # (a) the return facts
        last = args.today - dt.timedelta(days=1)
        if "facts" in parts:
            print("(a) compute_return_range (ms, median of 5) beside compute_product_range of the same day")
        for days_back in (40, 120, 360) if "facts" in parts else ():
            day = last - dt.timedelta(days=days_back)
            ours = statistics.median(timed_range(compute_return_range, day, day) for _ in range(5))
            reference = statistics.median(timed_range(compute_product_range, day, day) for _ in range(5))
            print(f"    {day}: return facts {ours:6.1f} ms   product facts {reference:6.1f} ms")
        if "facts" in parts and not args.skip_full:
            first = last - dt.timedelta(days=729)
            ours = timed_range(compute_return_range, first, last)
            reference = timed_range(compute_product_range, first, last)
            print(f"    {first} … {last} in one statement: return facts {ours / 1000:5.1f} s   "
                  f"product facts {reference / 1000:5.1f} s")
        print()

        # (b) the list
        ok = True
        if "list" not in parts:
            return _analytics(args, parts, last)
        print(f"(b) returns list, {args.requests} requests each (p95 budget {LIST_BUDGET_MS:.0f} ms)")
        client = Client()
        client.force_login(get_user_model().objects.get(username="service"))
        median, high, queries = page(client, "/", args.requests)
        print(f"    reference: the home page (/)                          p50 {median:6.1f} ms  p95 {high:6.1f} ms"
              f"  {queries:2d} queries")
        for username, urls in (
            ("service", ["/returns/list/", "/returns/list/queue/", "/returns/list/?status=open",
                         "/returns/list/?reason=SIZE_SMALL", "/returns/list/?category=FASHION",
                         "/returns/list/?q=RMA00012", "/returns/list/?page=20",
                         # a rare category, a rare reason in it, the sorts by Opened and Age
                         "/returns/list/?category=FOOD", "/returns/list/?reason=BETTER_PRICE&category=FOOD",
                         "/returns/list/?sort=requested_at", "/returns/list/?sort=age"]),
            ("cm_fashion", ["/returns/list/", "/returns/list/queue/", "/returns/list/?status=received",
                            # a rare reason in one of their categories, a reason, sorted by Age
                            "/returns/list/?reason=BETTER_PRICE&category=SHOES-MEN", "/returns/list/?reason=OTHER",
                            "/returns/list/?sort=age"]),
        ):
            client = Client()
            client.force_login(get_user_model().objects.get(username=username))
            for url in urls:
                median, high, queries = page(client, url, args.requests)
                within = high < LIST_BUDGET_MS
                ok &= within
                print(f"    {username:<11} {url:<55} p50 {median:6.1f} ms  p95 {high:6.1f} ms  {queries:2d} queries"
                      f"  {'within budget' if within else 'OVER BUDGET'}")
        print()
        return _analytics(args, parts, last, ok=ok)


def _analytics(args, parts: set[str], last: dt.date, *, ok: bool = True) -> int:
    """(c) the return analytics."""
    if "analytics" in parts:
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.test import Client

        local_cache = settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")
        print(f"(c) return analytics, {args.requests} requests each"
              + ("" if local_cache else " (first views skipped: emptying a Redis cache is not the bench's to do)"))
        for username in ("shop", "cm_fashion"):
            client = Client()
            client.force_login(get_user_model().objects.get(username=username))
            for days in (30, 365):
                start = last - dt.timedelta(days=days - 1)
                for view, cold in (("needs", True), ("needs", False), ("products", False), ("reasons", False)):
                    if cold and not local_cache:
                        continue
                    url = f"/returns/analytics/?from={start}&to={last}&view={view}"
                    median, high, queries = page(client, url, args.requests, cold=cold)
                    label = "first view" if cold else "cached"
                    print(f"    {username:<11} {days:3d} days {view:<10} {label:<10} p50 {median:6.1f} ms  "
                          f"p95 {high:6.1f} ms  {queries:2d} queries")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
