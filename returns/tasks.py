"""Celery entry points of collections: thin, they call services."""

from celery import shared_task
from django.core.exceptions import ValidationError

from returns.models import DunningRun
from shopmgr.core.dates import berlin_today


@shared_task(name="returns.nightly_dunning_proposal")
def nightly_dunning_proposal() -> dict:
    """Propose a dunning run as of today (Berlin); accounting reviews and approves it."""
    from returns.receivables import services

    try:
        run = services.dunning_run_propose(as_of=berlin_today(), trigger=DunningRun.Trigger.NIGHTLY)
    except ValidationError as exc:
        return {"status": "refused", "reason": "; ".join(exc.messages)}
    return {"status": "proposed", "run": run.pk, "lines": run.lines.count()}
