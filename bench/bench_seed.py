"""Benchmark: `seed_demo --orders N` on PostgreSQL (budget: 1,000,000 orders in under 3 minutes, DESIGN §9).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shopmgr_bench .venv/bin/python bench/bench_seed.py [--orders 1000000]

Creates the database `shopmgr_bench_seed` on the server DATABASE_URL names (the database it names
stays untouched), migrates it, and times seed_demo phase by phase. The reference, measured in the
same run: a raw COPY of as many synthetic order-line rows as seed_demo wrote, through the same
client path (psycopg `write_row`), into an unconstrained table of the same columns. Everything it
created is dropped at the end unless --keep is given.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from decimal import Decimal

from _common import peak_memory_mb, scratch_database

BENCH_DB = "shopmgr_bench_seed"
BUDGET_SECONDS = 180.0
BUDGET_ORDERS = 1_000_000


def reference_copy(rows: int) -> float:
    """Seconds for a raw COPY of `rows` synthetic order lines into an unconstrained (logged) table."""
    from django.db import connection, transaction

    rng = random.Random(1)
    prices = [Decimal(rng.randrange(99, 50_000)).scaleb(-2) for _ in range(997)]
    vat, zero = Decimal("0.1900"), Decimal("0.00")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_seed_reference (id bigint, order_id bigint, line_no integer, product_id bigint, "
            "quantity integer, unit_price numeric(14,2), vat_rate numeric(5,4), discount numeric(14,2), "
            "unit_cost numeric(14,4), net_amount numeric(14,2))"
        )
        started = time.perf_counter()
        with cursor.cursor.copy("COPY bench_seed_reference FROM STDIN") as copy:
            for i in range(1, rows + 1):
                copy.write_row((i, i // 3 + 1, i % 3 + 1, i % 6000 + 1, 1, prices[i % 997], vat, zero,
                                prices[(i * 7) % 997], prices[(i * 3) % 997]))
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_seed_reference")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=BUDGET_ORDERS, help="orders to seed (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2026, 11, 26),
                        help="the seed's today (default 2026-11-26, so that runs are comparable)")
    parser.add_argument("--keep", action="store_true", help=f"keep the database {BENCH_DB} afterwards")
    args = parser.parse_args()

    with scratch_database(BENCH_DB, keep=args.keep):
        from django.db import connection

        from shopmgr.core.demo import seed_demo

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            server = cursor.fetchone()[0]

        phases: list[tuple[str, float]] = []
        started = time.perf_counter()
        counts = seed_demo(orders=args.orders, seed=args.seed, today=args.today,
                           on_phase=lambda name, seconds: phases.append((name, seconds)))
        elapsed = time.perf_counter() - started
        reference = reference_copy(counts["order_lines"])

        budget = BUDGET_SECONDS * args.orders / BUDGET_ORDERS
        verdict = "within budget" if elapsed <= budget else "OVER BUDGET"
        print(f"seed_demo --orders {args.orders:,} --seed {args.seed} --today {args.today}"
              f"  (PostgreSQL {server.split()[0]}, {os.cpu_count()} cores)")
        print()
        print("rows written:")
        for table, n in counts.items():
            print(f"  {table:<20} {n:>10,}")
        print(f"  {'total':<20} {sum(counts.values()):>10,}")
        print()
        print("phases:")
        for name, seconds in phases:
            print(f"  {name:<36} {seconds:6.1f} s")
        print()
        print(f"seed_demo total:                      {elapsed:6.1f} s")
        print(f"budget:                               {budget:6.1f} s   {verdict}")
        print(f"reference, raw COPY of {counts['order_lines']:,} order lines into an unconstrained table: "
              f"{reference:.1f} s  (seed_demo = {elapsed / reference:.1f}× that COPY)")
        print(f"peak memory of this process:          {peak_memory_mb():6.0f} MB")
        return 0 if elapsed <= budget else 1


if __name__ == "__main__":
    sys.exit(main())
