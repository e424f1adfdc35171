import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from catalog.compute import AssortmentRunning, assortment_compute


class Command(BaseCommand):
    help = (
        "Run the assortment analyses now (ABC/XYZ, slow movers and dead stock, GMROI, content scores, "
        "delist ranking) from the KPI facts; the nightly job does the same at 04:00."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", default=None,
                            help="YYYY-MM-DD; analyse as of the day before (default: today in Europe/Berlin)")

    def handle(self, *args, today: str | None = None, **options):
        day = None
        if today:
            try:
                day = dt.date.fromisoformat(today)
            except ValueError:
                raise CommandError(f"--today must be a date as YYYY-MM-DD, got {today!r}") from None
        try:
            run = assortment_compute(today=day, trigger="command")
        except AssortmentRunning as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(
            f"Assortment analyses as of {run.as_of.isoformat()}: {run.products:,} products in {run.seconds} s."
        ))
