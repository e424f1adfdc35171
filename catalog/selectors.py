"""Reads of the assortment. Scope lives here, in one function per entity (DESIGN §5)."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.shortcuts import get_object_or_404

from kpis.models import DailyReturnFact
from sales.models import Review
from shopmgr.core import roles

from . import analysis
from .models import (
    AssortmentRules,
    AssortmentRun,
    Category,
    ListingProposal,
    Product,
    ProductAnalysis,
    ProductStatusChange,
    Supplier,
)

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


# --- Assortment workbench (issue 6) -----------------------------------------------------------

# The analysis figures the product list shows and filters on, read from catalog.ProductAnalysis
# with one LEFT JOIN (a product added since the last run has none yet: empty cells).
ANALYSIS_COLUMNS = {
    "abc_class": "analysis__abc_class",
    "xyz_class": "analysis__xyz_class",
    "units_90d": "analysis__units_90d",
    "revenue_90d": "analysis__revenue_90d",
    "margin_90d": "analysis__margin_90d",
    "gross_margin": "analysis__gross_margin_90d",
    "return_rate": "analysis__return_rate_90d",
    "days_of_inventory": "analysis__days_of_inventory",
    "days_since_last_sale": "analysis__days_since_last_sale",
    "sell_through": "analysis__sell_through",
    "movement": "analysis__movement",
    "content_score": "analysis__content_score",
    "revenue_12m": "analysis__revenue_12m",
    "delist_score": "analysis__delist_score",
    "rank_sales": "analysis__rank_sales",
    "rank_returns": "analysis__rank_returns",
    "rank_margin": "analysis__rank_margin",
    "rank_content": "analysis__rank_content",
}

IN_ASSORTMENT = [Product.Status.ACTIVE, Product.Status.PHASE_OUT]


def product_list_with_analysis(*, user) -> QuerySet[Product]:

    # description and attributes can be long and no list shows them
    return (
        product_list(user=user)
        .defer("description", "attributes")
        .annotate(**{name: F(path) for name, path in ANALYSIS_COLUMNS.items()})
    )


def supplier_choices(*, user):


    suppliers = Supplier.objects.order_by("name")
    if roles.sees_everything(user):
        return suppliers
    return suppliers.filter(Exists(Product.objects.filter(product_visible_q(user), supplier=OuterRef("pk"))))


def analysis_visible(*, user, category: Category | None = None):

    qs = ProductAnalysis.objects.filter(product_visible_q(user, prefix="product__"))
    if category is not None:
        qs = qs.filter(product__category__path__startswith=category.path)
    return qs


def assortment_matrix(*, user, category: Category | None = None) -> dict:
    """Counts and net revenue (12 months) per ABC × XYZ cell of the products in the assortment
    (active or phase-out) a user may see, with each cell's share of the revenue and its action."""



    rows = (
        analysis_visible(user=user, category=category)
        .filter(product__status__in=IN_ASSORTMENT)
        .values("abc_class", "xyz_class")
        .annotate(n=Count("pk"), revenue=Sum("revenue_12m"))
        .order_by()
    )
    cells = {(r["abc_class"], r["xyz_class"]): r for r in rows}
    total_n = sum(r["n"] for r in cells.values())
    total_revenue = sum((Decimal(str(r["revenue"] or 0)) for r in cells.values()), Decimal(0))
    grid = []
    for abc in analysis.ABC_CLASSES:
        line = []
        for xyz in analysis.XYZ_CLASSES:
            r = cells.get((abc, xyz), {})
            revenue = Decimal(str(r.get("revenue") or 0)).quantize(Decimal("0.01"))
            line.append({
                "abc": abc, "xyz": xyz, "count": r.get("n", 0), "revenue": revenue,
                "count_share": analysis.rate(r.get("n", 0), total_n),
                "revenue_share": analysis.rate(revenue, total_revenue),
                "action": analysis.RECOMMENDED_ACTIONS[(abc, xyz)],
            })
        grid.append({"abc": abc, "cells": line})
    return {"rows": grid, "total_count": total_n, "total_revenue": total_revenue.quantize(Decimal("0.01"))}


def category_analyses(*, user, category: Category | None = None) -> QuerySet[Category]:
    """Visible categories with their GMROI and movement counts (from catalog.CategoryAnalysis)."""

    qs = Category.objects.filter(category_visible_q(user))
    if category is not None:
        qs = qs.filter(path__startswith=category.path)
    return qs.annotate(
        a_products=F("analysis__products"), a_revenue=F("analysis__revenue_12m"), a_cogs=F("analysis__cogs_12m"),
        a_inventory=F("analysis__inventory_at_cost"), a_gmroi=F("analysis__gmroi"),
        a_slow=F("analysis__slow_movers"), a_dead=F("analysis__dead_stock"),
        a_dead_cost=F("analysis__dead_stock_at_cost"), a_content=F("analysis__content_score_avg"),
    ).order_by("path")


def last_assortment_run():

    return AssortmentRun.objects.filter(status=AssortmentRun.Status.SUCCEEDED).order_by("-started_at").first()


def delist_candidates(*, user, category: Category | None = None) -> QuerySet[Product]:
    """Products in the assortment, worst first by the delist score (low sales, high returns, low
    margin, poor content, each as the share of the category that does better)."""
    qs = product_list_with_analysis(user=user).filter(status__in=IN_ASSORTMENT, analysis__isnull=False)
    if category is not None:
        qs = qs.filter(category__path__startswith=category.path)
    return qs.order_by("-delist_score", "sku")


def content_worst(*, user, category: Category | None = None, per_category: int = 5) -> list[tuple[Category, list]]:
    """The `per_category` products with the lowest content score in each (leaf) category, one query."""

    qs = product_list_with_analysis(user=user).filter(status__in=IN_ASSORTMENT, analysis__isnull=False)
    if category is not None:
        qs = qs.filter(category__path__startswith=category.path)
    qs = qs.annotate(
        content_gaps=F("analysis__content_gaps"),
        rn=Window(RowNumber(), partition_by=[F("category_id")],
                  order_by=[F("analysis__content_score").asc(), F("sku").asc()])
    ).filter(rn__lte=per_category).order_by("category__path", "rn")
    groups: list[tuple[Category, list]] = []
    for product in qs:
        if not groups or groups[-1][0].pk != product.category_id:
            groups.append((product.category, []))
        groups[-1][1].append(product)
    return groups


CONTENT_BANDS = [(0, 49, "0–49"), (50, 79, "50–79"), (80, 100, "80–100")]


def content_outcomes(*, user, category: Category | None = None) -> list[dict]:
    """Per content-score band: products, units, 'not as described' returns per unit sold, and the
    average rating (over all reviews of the band) — shown side by side (12 months)."""


    band = Case(
        *[When(content_score__gte=lo, content_score__lte=hi, then=Value(label)) for lo, hi, label in CONTENT_BANDS],
        default=Value("?"),
    )
    rows = (
        analysis_visible(user=user, category=category)
        .filter(product__status__in=IN_ASSORTMENT)
        .annotate(band=band)
        .values("band")
        .annotate(
            products=Count("pk"), units=Sum("units_12m"), nad=Sum("not_as_described_units_12m"),
            reviews=Sum("review_count"),
            rating_sum=Sum(ExpressionWrapper(F("rating_avg") * F("review_count"),
                                             output_field=DecimalField(max_digits=14, decimal_places=2))),
        )
        .order_by()
    )
    by_band = {r["band"]: r for r in rows}
    result = []
    for lo, hi, label in CONTENT_BANDS:
        r = by_band.get(label, {})
        result.append({
            "band": label, "low": lo, "high": hi, "products": r.get("products", 0), "units": r.get("units") or 0,
            "not_as_described": r.get("nad") or 0,
            "not_as_described_rate": analysis.rate(r.get("nad") or 0, r.get("units") or 0),
            "reviews": r.get("reviews") or 0,
            "rating": analysis.rate(r.get("rating_sum"), r.get("reviews") or 0),
        })
    return result


def proposals_visible(*, user):

    return ListingProposal.objects.filter(product_visible_q(user, prefix="product__")).select_related(
        "product", "product__category", "proposed_by", "decided_by"
    )


def product_assortment_history(*, product):
    """Status changes and proposals of one product, newest first (scope already checked)."""

    changes = list(ProductStatusChange.objects.filter(product=product).select_related("changed_by", "proposal__proposed_by"))
    proposals = list(ListingProposal.objects.filter(product=product).select_related("proposed_by", "decided_by"))
    return changes, proposals


def product_return_reasons(*, product, since):


    return list(
        DailyReturnFact.objects.filter(product=product, day__gte=since)
        .values("reason__code", "reason__label_en", "reason__label_de")
        .annotate(units=Sum("returned_units"))
        .order_by("-units", "reason__code")
    )


def product_reviews(*, product, limit: int = 10):

    return list(Review.objects.filter(product=product).order_by("-created_at")[:limit])


def category_managers_choices():

    return get_user_model().objects.filter(groups__name=roles.CATEGORY_MANAGERS).order_by("username").distinct()


def visible_categories(*, user) -> QuerySet[Category]:
    """Visible categories without counts (for the category pickers of the workbench)."""
    return Category.objects.filter(category_visible_q(user)).order_by("path")


def product_analysis_for(*, product):

    return ProductAnalysis.objects.filter(product=product).first()


def category_has_rules(*, category) -> bool:

    return AssortmentRules.objects.filter(category=category).exists()


def category_chosen(*, categories, code: str):
    """The category of `?category=CODE` among those the user may see; None without a code, 404
    for a code outside them (a category manager asking for another's category)."""
    from django.http import Http404

    code = (code or "").strip()
    if not code:
        return None
    category = next((c for c in categories if c.code == code), None)
    if category is None:
        raise Http404("no such category in your scope")
    return category
