"""Celery entry points of the assortment: thin, they call a service."""

from celery import shared_task

from . import services
from .compute import AssortmentRunning, assortment_compute


@shared_task(name="catalog.rebuild_category_paths")
def rebuild_category_paths() -> int:
    """Recompute the category tree's materialised paths (after imports or re-parenting)."""
    return services.category_rebuild_paths()


@shared_task(name="catalog.compute_assortment")
def compute_assortment() -> int:
    """Nightly at 04:00, after the KPI facts of 02:30: the assortment analyses as of yesterday."""
    try:
        return assortment_compute(trigger="nightly").products
    except AssortmentRunning:
        return 0  # a run started by hand is doing the same work
