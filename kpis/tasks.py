"""Celery entry points of the metrics engine: thin, they call services (DESIGN §7)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from . import services
from .models import MetricsRun, MetricsRunDay


@shared_task(name="kpis.nightly_metrics")
def nightly_metrics() -> dict:
    """Find the days whose source rows changed since the last successful run; one task per day."""
    try:
        run = services.metrics_run_start(trigger=MetricsRun.Trigger.NIGHTLY)
    except services.RunLocked:
        return {"status": "skipped", "reason": "another run is active"}
    try:
        services.metrics_backfill_scopes(run=run)
        whole, returns_only = services.dirty_day_parts(since=run.changes_since)
        whole |= services.failed_days()
        parts = {day: MetricsRunDay.Part.WHOLE for day in whole}
        parts.update({day: MetricsRunDay.Part.RETURNS for day in returns_only.keys() - whole})
        days = sorted(parts)
    except Exception as exc:
        services.metrics_run_finish(run=run, error=repr(exc)[:2000])
        raise
    MetricsRun.objects.filter(pk=run.pk).update(days_total=len(days))
    if not days:
        services.metrics_run_finish(run=run)
        return {"status": "succeeded", "days": 0}
    for day in days:
        channels = sorted(returns_only[day]) if parts[day] == MetricsRunDay.Part.RETURNS else None
        compute_metrics_day.delay(run.pk, day.isoformat(), parts[day], channels)
    return {"status": "dispatched", "run": run.pk, "days": len(days)}


@shared_task(name="kpis.compute_metrics_day", acks_late=True)
def compute_metrics_day(run_id: int, day: str, part: str = MetricsRunDay.Part.WHOLE,
                        channels: list[str] | None = None) -> dict:
    """Recompute one day (or only its return figures: `part`, of `channels`, None: all); the task
    that completes the run's last day closes the run."""
    run = MetricsRun.objects.get(pk=run_id)
    try:
        rows = services.metrics_compute_day(run=run, day=dt.date.fromisoformat(day), part=part, channels=channels)
        outcome = {"day": day, "rows": rows}
    except Exception as exc:  # recorded on the run by the service; the next run redoes the day
        outcome = {"day": day, "error": repr(exc)[:500]}
    run.refresh_from_db()
    if run.status == MetricsRun.Status.RUNNING and run.days_done + run.days_failed >= run.days_total:
        services.metrics_run_finish(run=run)
    return outcome


@shared_task(name="kpis.backfill_scopes")
def backfill_scopes() -> int:
    """Compute every day for scopes that are new or whose categories changed."""
    return services.metrics_backfill_scopes()
