"""python manage.py compute_prices: the nightly pricing run now (competitor positions,
elasticities, suggestions), and the current prices of changes that became valid."""

from django.core.management.base import BaseCommand, CommandError

from pricing import services
from pricing.nightly import RunRefused, run_pricing


class Command(BaseCommand):
    help = "Compute elasticities, competitor positions and price suggestions now."

    def handle(self, *args, **options):
        synced = services.sync_current_prices()
        try:
            run = run_pricing(trigger="command")
        except RunRefused as exc:
            raise CommandError(str(exc)) from exc
        seconds = (run.finished_at - run.started_at).total_seconds()
        self.stdout.write(
            f"{run.products} products, {run.suggestions} suggestions in {seconds:.1f} s; "
            f"outcomes: {dict(sorted(run.outcomes.items()))}; current prices updated: {synced}"
        )
