"""Deterministic demo data: `python manage.py seed_demo [--orders N] [--seed S] [--flush] [--today D]`."""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from shopmgr.core.demo import DemoDataError, berlin_today, seed_demo
from shopmgr.core.demo.load import shop_data_counts


def _whole_number(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise CommandError(f"--orders must be a whole number, got {value!r}") from None


class Command(BaseCommand):
    help = (
        "Load two years of deterministic demo data (up to yesterday, Berlin time) for a German online "
        "shop: categories, products, price history, competitor prices, customers, orders, shipments, "
        "invoices and payments, returns, reviews, traffic and marketing spend. The same --seed and "
        "--today always give the same data. The database must hold no shop data yet; with --flush "
        "the existing shop data (and everything depending on it, e.g. KPI facts) is deleted first. "
        "Users, groups and return reasons are kept, and so are category managers (by category code)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=str, default="20000",
                            help="number of orders in total (default 20000; 1000000 for the benchmark)")
        parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
        parser.add_argument("--today", type=str, default=None,
                            help="YYYY-MM-DD; history ends the day before (default: today in Europe/Berlin)")
        parser.add_argument("--flush", action="store_true",
                            help="delete existing shop data first instead of refusing to run")
        parser.add_argument("--if-empty", action="store_true",
                            help="do nothing (and succeed) when the database already holds shop data; "
                                 "make run uses this so that a second start keeps the data")

    def handle(self, *args, orders: str, seed: int, today: str | None, flush: bool, if_empty: bool = False,
               **options):
        count = _whole_number(orders)
        if count < 1:
            raise CommandError(f"--orders must be at least 1, got {count}")
        if if_empty and not flush and any(shop_data_counts().values()):
            self.stdout.write("Shop data is already loaded; kept as it is (make demo reloads it).")
            return
        if today is None:
            day = berlin_today()
        else:
            try:
                day = dt.date.fromisoformat(today)
            except ValueError:
                raise CommandError(f"--today must be a date as YYYY-MM-DD, got {today!r}") from None
        verbose = options.get("verbosity", 1) >= 2
        phases: list[tuple[str, float]] = []

        def on_phase(name: str, seconds: float) -> None:
            phases.append((name, seconds))
            if verbose:
                self.stdout.write(f"  {name}: {seconds:.1f} s")

        started = time.perf_counter()
        try:
            counts = seed_demo(orders=count, seed=seed, today=day, flush=flush, on_phase=on_phase)
        except DemoDataError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        yesterday = day - dt.timedelta(days=1)
        self.stdout.write(f"Demo data (seed {seed}, history up to {yesterday.isoformat()}):")
        for table, n in counts.items():
            self.stdout.write(f"  {table:<18} {n:>10,}")
        self.stdout.write(self.style.SUCCESS(f"Done in {elapsed:.1f} s."))
