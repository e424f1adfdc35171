"""Fact scopes: the whole shop, every category with its subtree, every manager's set of categories.

`scopes_sync()` keeps them in step with the category tree and the managers' assignments; a scope
that is new or whose categories changed is marked incomplete and gets its facts backfilled.
"""

from __future__ import annotations

from django.db import transaction

from catalog.models import Category
from shopmgr.core import roles

from .models import FactScope, FactScopeCategory

ALL_KEY = "all"


def category_key(code: str) -> str:
    return f"cat:{code}"


def group_key(codes: list[str]) -> str:
    return "grp:" + "+".join(sorted(codes))


def top_most(categories: list[Category]) -> list[Category]:
    """Drop categories that sit below another one of the list (their subtree is already in)."""
    ordered = sorted(categories, key=lambda c: c.path)
    kept: list[Category] = []
    for category in ordered:
        if not any(category.path.startswith(k.path) for k in kept):
            kept.append(category)
    return kept


def _wanted() -> dict[str, tuple[str, Category | None, set[int]]]:
    categories = list(Category.objects.only("id", "code", "path"))
    wanted: dict[str, tuple[str, Category | None, set[int]]] = {
        ALL_KEY: (FactScope.Kind.ALL, None, {c.pk for c in categories}),
    }
    for category in categories:
        members = {c.pk for c in categories if c.path.startswith(category.path)}
        wanted[category_key(category.code)] = (FactScope.Kind.CATEGORY, category, members)
    managed: dict[int, list[Category]] = {}
    for link in Category.managers.through.objects.select_related("category").only(
        "user_id", "category__id", "category__code", "category__path"
    ):
        managed.setdefault(link.user_id, []).append(link.category)
    for assigned in managed.values():
        roots = top_most(assigned)
        if len(roots) > 1:
            members = {c.pk for c in categories if any(c.path.startswith(r.path) for r in roots)}
            wanted[group_key([r.code for r in roots])] = (FactScope.Kind.GROUP, None, members)
    return wanted


def scopes_sync() -> list[FactScope]:
    """Create, update and delete scopes; return the scopes that need all their days computed."""
    wanted = _wanted()
    stale: list[FactScope] = []
    with transaction.atomic():
        existing = {s.key: s for s in FactScope.objects.select_for_update()}
        FactScope.objects.exclude(key__in=wanted).delete()
        members_by_scope: dict[int, set[int]] = {}
        for scope_id, category_id in FactScopeCategory.objects.values_list("scope_id", "category_id"):
            members_by_scope.setdefault(scope_id, set()).add(category_id)
        for key, (kind, category, members) in wanted.items():
            scope = existing.get(key)
            if scope is None:
                scope = FactScope.objects.create(key=key, kind=kind, category=category, complete=False)
            if members_by_scope.get(scope.pk, set()) != members:
                FactScopeCategory.objects.filter(scope=scope).delete()
                FactScopeCategory.objects.bulk_create(
                    [FactScopeCategory(scope=scope, category_id=c) for c in sorted(members)]
                )
                if scope.complete:
                    scope.complete = False
                    scope.save(update_fields=["complete"])
            if not scope.complete:
                stale.append(scope)
    return stale


def scope_for(user, category: Category | None = None) -> FactScope | None:
    """The scope whose facts answer `user` (for `category` if given; None: nothing to show).

    The caller has checked that `category` is visible to the user.
    """
    key = scope_key_for(user, category)
    if key is None:
        return None
    return scope_ready(FactScope.objects.filter(key=key).first(), key)


def scope_key_for(user, category: Category | None = None) -> str | None:
    """The key of `scope_for`'s scope (None: nothing to show); a category manager's costs a query."""
    if category is not None:
        return category_key(category.code)
    if roles.sees_everything(user) or (roles.role_names(user) and not roles.is_category_scoped(user)):
        return ALL_KEY
    if roles.is_category_scoped(user):
        roots = top_most(list(Category.objects.filter(managers=user).only("id", "code", "path")))
        if not roots:
            return None
        return category_key(roots[0].code) if len(roots) == 1 else group_key([r.code for r in roots])
    return None


def scope_ready(scope: FactScope | None, key: str) -> FactScope | None:
    """A scope with all its days computed: new or changed scopes are backfilled first.

    `scope`: the scope of `key` as read (None when there is none yet)."""
    if scope is None or not scope.complete:
        from .services import metrics_backfill_scopes

        metrics_backfill_scopes()
        scope = FactScope.objects.filter(key=key).first()
    return scope
