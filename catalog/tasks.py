"""Celery entry points of the assortment: thin, they call a service."""

from celery import shared_task

from . import services


@shared_task(name="catalog.rebuild_category_paths")
def rebuild_category_paths() -> int:
    """Recompute the category tree's materialised paths (after imports or re-parenting)."""
    return services.category_rebuild_paths()
