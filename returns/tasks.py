"""Celery entry points of collections: thin, they call services."""

from celery import shared_task
from django.core.exceptions import ValidationError

from returns.models import DunningRun
from shopmgr.core.dates import berlin_today


@shared_task(name="returns.nightly_dunning_proposal")
def nightly_dunning_proposal() -> dict:
    """Propose a dunning run as of today (Berlin); accounting reviews and approves it."""
    from returns.receivables import selectors, services

    today = berlin_today()
    try:
        run = services.dunning_run_propose(as_of=today, trigger=DunningRun.Trigger.NIGHTLY)
    except ValidationError as exc:
        return {"status": "refused", "reason": "; ".join(exc.messages)}
    # The open-items page's ageing looks at every invoice: have it ready for the morning.
    selectors.ageing_warm(today=today)
    return {"status": "proposed", "run": run.pk, "lines": run.lines.count()}
