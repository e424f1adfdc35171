"""Writes to the assortment."""

from django.db import transaction

from .models import PATH_SEPARATOR, Category


def category_rebuild_paths() -> int:
    """Recompute every category's materialised path and depth from its parent chain.

    Run after bulk writes or re-parenting; returns how many categories changed.
    """
    with transaction.atomic():
        categories = {c.pk: c for c in Category.objects.select_for_update().only("pk", "code", "parent_id", "path", "depth")}
        paths: dict[int, str] = {}

        def path_of(pk: int, seen: tuple[int, ...] = ()) -> str:
            if pk in paths:
                return paths[pk]
            if pk in seen:
                raise ValueError(f"category tree has a cycle at {categories[pk].code}")
            category = categories[pk]
            parent = path_of(category.parent_id, (*seen, pk)) if category.parent_id else PATH_SEPARATOR
            paths[pk] = f"{parent}{category.code}{PATH_SEPARATOR}"
            return paths[pk]

        changed = []
        for pk, category in categories.items():
            path = path_of(pk)
            depth = path.count(PATH_SEPARATOR) - 2
            if (category.path, category.depth) != (path, depth):
                category.path, category.depth = path, depth
                changed.append(category)
        Category.objects.bulk_update(changed, ["path", "depth"], batch_size=500)
    return len(changed)
