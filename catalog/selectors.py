"""Reads of the assortment. Scope lives here, in one function per entity (DESIGN §5)."""

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from shopmgr.core import roles

from .models import Category, Product

NOTHING = Q(pk__in=[])


def managed_category_paths(user) -> list[str]:
    """Materialised paths of the categories a user manages (cached on the user object)."""
    cached = getattr(user, "_managed_paths", None)
    if cached is None:
        cached = list(managed_categories(user=user).values_list("path", flat=True))
        user._managed_paths = cached
    return cached


def _paths_q(user, path_field: str) -> Q:
    if not user.is_authenticated:
        return NOTHING
    if roles.sees_everything(user):
        return Q()
    if roles.is_category_scoped(user):
        paths = managed_category_paths(user)
        if not paths:
            return NOTHING
        q = Q()
        for path in paths:
            q |= Q(**{f"{path_field}__startswith": path})
        return q
    if roles.role_names(user):
        return Q()  # customer service, accounting, marketing read the whole catalogue
    return NOTHING


def category_visible_q(user) -> Q:
    """Categories a user may see: a category manager their own and everything below them."""
    return _paths_q(user, "path")


def product_visible_q(user, prefix: str = "") -> Q:
    """Products a user may see; `prefix` lets other apps scope rows that point at a product."""
    return _paths_q(user, f"{prefix}category__path")


def _subtree_count(**filters) -> Coalesce:
    """Products in a category and everything below it (one correlated subquery per column)."""
    products = (
        Product.objects.filter(category__path__startswith=OuterRef("path"), **filters)
        .order_by()
        .values(one=Value(1))
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(products, output_field=IntegerField()), 0)


def category_list(*, user) -> QuerySet[Category]:
    """Visible categories with product counts of their whole subtree (a root counts its children)."""
    return (
        Category.objects.filter(category_visible_q(user))
        .select_related("parent")
        .annotate(
            product_count=_subtree_count(),
            active_count=_subtree_count(status=Product.Status.ACTIVE),
        )
        .order_by("path")
    )


def managed_categories(*, user) -> QuerySet[Category]:
    """The categories a user was given to manage (each stands for its whole subtree)."""
    return Category.objects.filter(managers=user).order_by("path")


def category_get(*, user, code: str) -> Category:
    return get_object_or_404(Category.objects.filter(category_visible_q(user)), code=code)


def product_list(*, user) -> QuerySet[Product]:
    return Product.objects.filter(product_visible_q(user)).select_related("category", "supplier")


def product_get(*, user, pk: int) -> Product:
    return get_object_or_404(product_list(user=user), pk=pk)
