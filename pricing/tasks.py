"""Celery entry points of pricing: thin, they call the nightly run and the services."""

from celery import shared_task


@shared_task(name="pricing.nightly_suggestions")
def nightly_suggestions() -> dict:
    """Prices that became valid take effect; then elasticities, market positions and suggestions."""
    from . import services
    from .nightly import RunRefused, run_pricing

    synced = services.sync_current_prices()
    try:
        run = run_pricing(trigger="nightly")
    except RunRefused as exc:
        return {"status": "refused", "reason": str(exc)}
    return {"status": run.status, "run": run.pk, "suggestions": run.suggestions, "synced": synced}
