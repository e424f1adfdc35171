"""python manage.py dunning_proposal --as-of YYYY-MM-DD: the dunning proposal as CSV on stdout.

Columns: invoice_no, customer_id, level, days_overdue, open_amount, fee, interest, total, blocked_reason.
Reads only (nothing is stored); `--save` also records the proposal as a run for review in the portal.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from returns.models import DunningRun
from returns.receivables import services
from shopmgr.core.dates import berlin_today


class Command(BaseCommand):
    help = "Print the dunning proposal as of a day as CSV (one line per open invoice)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default: today, Berlin)")
        parser.add_argument("--save", action="store_true", help="also store the proposal as a dunning run")

    def handle(self, *args, as_of=None, save=False, **options):
        try:
            day = dt.date.fromisoformat(as_of) if as_of else berlin_today()
        except ValueError as exc:
            raise CommandError(f"--as-of must be a date YYYY-MM-DD, not {as_of!r}") from exc
        if day > berlin_today():
            raise CommandError(f"--as-of {day.isoformat()} lies in the future: a dunning run cannot be dated ahead")
        try:
            lines, warnings = services.compute_proposal(as_of=day)
            if save:
                services.dunning_run_propose(as_of=day, trigger=DunningRun.Trigger.COMMAND)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(services.proposal_csv(lines), ending="")
        for warning in services.warning_texts(warnings):
            self.stderr.write(f"warning: {warning}")
