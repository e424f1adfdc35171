"""python manage.py export_prices [--as-of YYYY-MM-DD]: the price feed as CSV on stdout.

Columns (a contract with the shop system, DESIGN §8): sku, price, reference_price_30d, valid_from.
`--as-of D` exports the prices in effect at the end of Berlin day D; without it, those in effect now.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from pricing.export import as_of_moment, write_feed


class Command(BaseCommand):
    help = "Print the price feed (sku, price, reference_price_30d, valid_from) as CSV."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD: prices in effect at the end of that Berlin day")

    def handle(self, *args, as_of=None, **options):
        try:
            day = dt.date.fromisoformat(as_of) if as_of else None
        except ValueError as exc:
            raise CommandError(f"--as-of must be a date YYYY-MM-DD, not {as_of!r}") from exc
        moment = as_of_moment(day) or timezone.now()
        n = write_feed(self.stdout, moment=moment)
        self.stderr.write(f"{n} products")
