"""Benchmark: `import_csv order_lines` of N lines (budget: 1,000,000 lines in under 60 s, DESIGN §9).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shopmgr .venv/bin/python bench/bench_import.py [--lines 1000000]

Creates the database `shopmgr_bench_import` next to the one DATABASE_URL names (which stays
untouched), migrates it, generates categories, products, customers, orders and a CSV of N order
lines in a temporary directory, imports the prerequisites, then times the import of the order
lines. The reference, measured in the same run on the same file: a raw PostgreSQL COPY into an
unconstrained temporary table. Everything it created is dropped at the end.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from _common import peak_memory_mb, scratch_database

BENCH_DB = "shopmgr_bench_import"
BUDGET_SECONDS = 60.0
BUDGET_LINES = 1_000_000


def write_csv(path: Path, header: list[str], rows) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def generate(directory: Path, lines: int, seed: int) -> dict[str, Path]:
    """A German-shop-like data set whose order lines number exactly `lines`."""
    rng = random.Random(seed)
    files = {kind: directory / f"{kind}.csv" for kind in ("categories", "products", "customers", "orders", "order_lines")}
    categories = [("FASHION", "Mode", ""), ("FASHION-WOMEN", "Damenmode", "FASHION"),
                  ("FASHION-MEN", "Herrenmode", "FASHION"), ("ELECTRONICS", "Elektronik", ""),
                  ("ELECTRONICS-PHONES", "Smartphones", "ELECTRONICS"), ("BOOKS", "Bücher", "")]
    write_csv(files["categories"], ["code", "name", "parent_code"], categories)

    leaf_codes = ["FASHION-WOMEN", "FASHION-MEN", "ELECTRONICS-PHONES", "BOOKS"]
    products = []
    for n in range(5000):
        category = leaf_codes[n % len(leaf_codes)]
        vat = "0.07" if category == "BOOKS" else "0.19"
        price = Decimal(rng.randrange(499, 49999)) / 100
        cost = (price / Decimal("1.19") * Decimal("0.55")).quantize(Decimal("0.0001"))
        products.append((f"P-{n:05d}", f"Artikel {n}", category, f"Lieferant {n % 40}", cost, price, vat))
    write_csv(files["products"], ["sku", "name", "category_code", "supplier", "cost", "price", "vat_rate"], products)

    customers = max(1, lines // 10)
    write_csv(files["customers"], ["customer_id", "kind"],
              ((f"K-{n:07d}", "b2b" if n % 20 == 0 else "b2c") for n in range(customers)))

    # 1-5 lines per order, 3 on average.
    sizes = []
    remaining = lines
    while remaining > 0:
        size = min(remaining, rng.randint(1, 5))
        sizes.append(size)
        remaining -= size
    start = 1_767_222_000  # 2026-01-01 00:00 Berlin
    orders = [
        (f"B-{n:08d}", f"K-{rng.randrange(customers):07d}", time.strftime(
            "%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(start + n * 60)), "webshop", "card", "delivered")
        for n in range(len(sizes))
    ]
    write_csv(files["orders"], ["order_id", "customer_id", "placed_at", "channel", "payment_method", "status"], orders)

    def order_lines():
        for n, size in enumerate(sizes):
            order_id = f"B-{n:08d}"
            for line_no in range(1, size + 1):
                sku, _, _, _, cost, price, vat = products[rng.randrange(len(products))]
                quantity = rng.choice((1, 1, 1, 2, 3))
                discount = "5.00" if rng.random() < 0.1 and price * quantity > 5 else ""
                yield (order_id, line_no, sku, quantity, price, vat, discount, cost)

    write_csv(files["order_lines"],
              ["order_id", "line_no", "sku", "quantity", "unit_price", "vat_rate", "discount", "unit_cost"],
              order_lines())
    return files


def reference_copy(path: Path) -> float:
    """Seconds for a raw COPY of the file into an unconstrained temporary table."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_lines_reference (order_id text, line_no integer, sku text, "
            "quantity integer, unit_price numeric, vat_rate numeric, discount numeric, unit_cost numeric) "
            "ON COMMIT DROP"
        )
        started = time.perf_counter()
        with open(path, "rb") as handle, cursor.cursor.copy(
            "COPY bench_lines_reference FROM STDIN WITH (FORMAT csv, HEADER true)"
        ) as copy:
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=BUDGET_LINES, help="order lines to import (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    with scratch_database(BENCH_DB):
        from django.core.management import call_command

        from sales.models import OrderLine
        from shopmgr.core.csvimport import import_csv_file

        with tempfile.TemporaryDirectory(prefix="bench_import_") as tmp:
            started = time.perf_counter()
            files = generate(Path(tmp), args.lines, args.seed)
            size_mb = files["order_lines"].stat().st_size / 1e6
            print(f"generated {args.lines:,} order lines ({size_mb:.0f} MB) in {time.perf_counter() - started:.1f} s")
            for kind in ("categories", "products", "customers", "orders"):
                started = time.perf_counter()
                result = import_csv_file(kind=kind, path=files[kind])
                if not result.ok:
                    print("\n".join(map(str, result.errors[:20])), file=sys.stderr)
                    return 1
                print(f"  prerequisite {kind:<10} {result.rows:>9,} rows  {time.perf_counter() - started:6.1f} s")

            started = time.perf_counter()
            call_command("import_csv", "order_lines", str(files["order_lines"]))
            elapsed = time.perf_counter() - started
            stored = OrderLine.objects.count()
            assert stored == args.lines, f"{stored} order lines stored, {args.lines} expected"

            reference = reference_copy(files["order_lines"])
            budget = BUDGET_SECONDS * args.lines / BUDGET_LINES
            verdict = "within budget" if elapsed <= budget else "OVER BUDGET"
            print()
            print(f"import_csv order_lines, {args.lines:,} lines:  {elapsed:6.1f} s   "
                  f"({args.lines / elapsed:,.0f} lines/s)")
            print(f"budget:                                   {budget:6.1f} s   {verdict}")
            print(f"reference, raw COPY of the same file:     {reference:6.1f} s   "
                  f"(unconstrained temp table; import = {elapsed / reference:.1f}× COPY)")
            print(f"peak memory of this process:              {peak_memory_mb():6.0f} MB")
        return 0 if elapsed <= budget else 1


if __name__ == "__main__":
    sys.exit(main())
