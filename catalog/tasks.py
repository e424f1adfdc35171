"""Celery entry points of the assortment: thin, they call a service."""

from celery import shared_task

from . import services
from .compute import assortment_compute


@shared_task(name="catalog.rebuild_category_paths")
def rebuild_category_paths() -> int:
    """Recompute the category tree's materialised paths (after imports or re-parenting)."""
    return services.category_rebuild_paths()


@shared_task(name="catalog.compute_assortment")
def compute_assortment() -> int:
    """Nightly at 04:00, after the KPI facts of 02:30: the assortment analyses as of yesterday."""
    return assortment_compute(trigger="nightly").products
