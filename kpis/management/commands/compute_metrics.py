"""`python manage.py compute_metrics [--date D | --from D --to D | --all]`: recompute facts now."""

import datetime as dt
import os
import time

from django.core.management.base import BaseCommand, CommandError

from kpis import services
from kpis.models import MetricsRun

# --all in chunks of about four months: big enough that the per-statement work (the customers' first
# orders, the scopes) is paid rarely, small enough that two workers share two years evenly.
ALL_CHUNK_DAYS = 128


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date as YYYY-MM-DD: {value!r}") from None


class Command(BaseCommand):
    help = ("Recompute the daily KPI facts of one day (--date), a range (--from and --to, both included) "
            "or every day with data (--all). Recorded as a run, under the same lock as the nightly job.")

    def add_arguments(self, parser):
        parser.add_argument("--date", type=_date)
        parser.add_argument("--from", dest="first", type=_date)
        parser.add_argument("--to", dest="last", type=_date)
        parser.add_argument("--all", action="store_true")
        parser.add_argument(
            "--workers", type=int, default=None,
            help="database connections sharing the work on PostgreSQL (default: the number of CPUs, at most 4)",
        )

    def handle(self, *args, date=None, first=None, last=None, all=False, workers=None, **options):
        if workers is not None and workers < 1:
            raise CommandError(f"--workers must be at least 1, got {workers}")
        workers = workers or min(4, os.cpu_count() or 1)
        chosen = sum([date is not None, first is not None or last is not None, all])
        if chosen != 1:
            raise CommandError("give exactly one of --date D, --from D --to D, or --all")
        if date is not None:
            first = last = date
        elif not all:
            if first is None or last is None:
                raise CommandError("--from and --to go together")
            if first > last:
                raise CommandError(f"--from {first} is after --to {last}")
        started = time.perf_counter()
        try:
            run = services.metrics_run_start(trigger=MetricsRun.Trigger.MANUAL)
        except services.RunLocked:
            raise CommandError("another metrics run is active; try again when it has finished") from None
        try:
            if all:
                services.scopes_sync()
                bounds = services.data_day_range()
                if bounds is None:
                    services.metrics_run_finish(run=run)
                    self.stdout.write("No data: nothing to compute.")
                    return
                first, last = bounds
                MetricsRun.objects.filter(pk=run.pk).update(days_total=(last - first).days + 1)
                rows = services.metrics_compute_range_in_parallel(
                    run=run, first=first, last=last, workers=workers, chunk_days=ALL_CHUNK_DAYS
                )
            else:
                services.metrics_backfill_scopes(run=run)
                MetricsRun.objects.filter(pk=run.pk).update(days_total=(last - first).days + 1)
                rows = services.metrics_compute_range_in_parallel(run=run, first=first, last=last, workers=workers)
        except Exception as exc:
            services.metrics_run_finish(run=run, error=repr(exc)[:2000])
            raise
        run = services.metrics_run_finish(run=run)
        self.stdout.write(
            f"Computed {first}..{last} ({(last - first).days + 1} days, {rows} rows) "
            f"in {time.perf_counter() - started:.1f} s."
        )
