"""Reads of returns for the returns list and the inspection queue; scope in one place (DESIGN §5).

Customer service, shop managers and superusers see every return. A category manager sees the
returns with at least one line of a product of their categories (and everything below them), and
of such a return only those lines: a return of a dress and a phone shows the fashion manager the
dress. Everyone else sees none (the views answer 403).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import get_language

from catalog.models import Category
from catalog.selectors import category_visible_q, product_visible_q
from shopmgr.core import roles
from shopmgr.core.dates import berlin_midnight_utc, berlin_today

from .models import Return, ReturnLine, ReturnReason

NOTHING = Q(pk__in=[])


# --- who sees what ------------------------------------------------------------------------------

def sees_all_returns(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or roles.has_role(user, roles.CUSTOMER_SERVICE, roles.SHOP_MANAGERS)
    )


def may_see_returns(user) -> bool:
    """The returns list is for customer service, shop managers and category managers."""
    return sees_all_returns(user) or roles.is_category_scoped(user)


def return_line_visible_q(user, prefix: str = "") -> Q:
    """Return lines a user may see: a category manager those of their categories' products (the
    line's own copy of its order line's product: no detour through the order lines)."""
    if sees_all_returns(user):
        return Q()
    if roles.is_category_scoped(user):
        return product_visible_q(user, prefix=f"{prefix}product__")
    return NOTHING


def return_visible_q(user) -> Q:
    """Returns a user may see: a category manager those with a line of their categories' products."""
    if sees_all_returns(user):
        return Q()
    if roles.is_category_scoped(user):
        lines = ReturnLine.objects.filter(return_line_visible_q(user), ret=OuterRef("pk"))
        return Q(Exists(lines))
    return NOTHING


# --- the list and the queue ---------------------------------------------------------------------

def reason_label(reason: ReturnReason) -> str:
    """A reason's label in the current language (the reasons keep both, editable in the admin)."""
    return reason.label_de if (get_language() or "de").startswith("de") else reason.label_en


def reason_choices() -> QuerySet[ReturnReason]:
    return ReturnReason.objects.order_by("code")


def category_choices(*, user) -> QuerySet[Category]:
    """The categories a user may filter by, in tree order (plain: the list shows no counts)."""
    return Category.objects.filter(category_visible_q(user)).only("id", "code", "name", "path", "depth").order_by("path")


def return_rows(*, user, scoped: bool = True) -> QuerySet[Return]:
    """Visible returns with what a row shows: order, customer and the user's lines (prefetched).

    `scoped=False` leaves the scope to the caller (the list's filter puts it into its own
    condition on the lines: one semi-join instead of two).
    """
    lines = (
        ReturnLine.objects.filter(return_line_visible_q(user))
        .select_related("reason", "product")
        .only("id", "ret_id", "quantity", "disposition", "reason__code", "reason__label_en", "reason__label_de",
              "product__id", "product__sku")
        .order_by("pk")
    )
    returns = Return.objects.filter(return_visible_q(user)) if scoped else Return.objects.all()
    return (
        returns
        .select_related("order__customer")
        .only("id", "external_id", "status", "legal_basis", "requested_at", "received_at", "rejected",
              "order__id", "order__external_id", "order__customer__id", "order__customer__name")
        .prefetch_related(Prefetch("lines", queryset=lines, to_attr="visible_lines"))
    )


def inspection_queue_days() -> int:
    return int(settings.RETURNS_INSPECTION_QUEUE_DAYS)


def inspection_queue_cutoff(*, today: dt.date | None = None, days: int | None = None) -> dt.datetime:
    """Returns received before this moment have waited longer than the queue's days.

    With 3 days and today Thursday the 10th: a parcel received on Sunday the 6th (4 days ago) is
    in the queue, one received on Monday the 7th (3 days ago) is not yet. Berlin days.
    """
    today = today or berlin_today()
    days = inspection_queue_days() if days is None else days
    return berlin_midnight_utc(today - dt.timedelta(days=days))


def waiting_for_inspection_q(*, today: dt.date | None = None, days: int | None = None) -> Q:
    """Received (not yet inspected) longer than the configured number of days."""
    return Q(status=Return.Status.RECEIVED, received_at__lt=inspection_queue_cutoff(today=today, days=days))


def return_list(*, user, params=None, queue: bool = False, today: dt.date | None = None):
    """The returns list (or the inspection queue) filtered by `params` (a query string), as a FilterSet.

    `.qs` holds the rows; the FilterSet's form renders the filters.
    """
    from .filters import ReturnFilter

    rows = return_rows(user=user, scoped=False)  # ReturnFilter applies the scope
    if queue:
        rows = rows.filter(waiting_for_inspection_q(today=today)).order_by("received_at", "pk")
    else:
        rows = rows.order_by("-pk")  # the newest first (the primary key's index keeps this fast)
    return ReturnFilter(params, queryset=rows, user=user, queue=queue, today=today)


def inspection_queue_count(*, user, today: dt.date | None = None) -> int:
    return Return.objects.filter(return_visible_q(user)).filter(waiting_for_inspection_q(today=today)).count()


# --- return analytics (read from the facts, never from order lines) ------------------------------

def may_see_return_analytics(user) -> bool:
    """For shop managers (everything) and category managers (their categories)."""
    return user.is_authenticated and (roles.sees_everything(user) or roles.is_category_scoped(user))


def analytics_categories(*, user) -> list[Category]:
    """Every category the user may see, in tree order (one query; the tree is small)."""
    return list(
        Category.objects.filter(category_visible_q(user))
        .only("id", "code", "name", "path", "depth", "parent_id").order_by("path")
    )


def _scope_key(*, user, categories: list[Category], category: Category | None) -> str | None:
    """The KPI fact scope whose orders are exactly the user's (or the chosen category's)."""
    from kpis.scopes import ALL_KEY, category_key, group_key, top_most

    if category is not None:
        return category_key(category.code)
    if roles.sees_everything(user):
        return ALL_KEY
    roots = top_most(categories)
    if not roots:
        return None
    return category_key(roots[0].code) if len(roots) == 1 else group_key([r.code for r in roots])


SALES_SUMS = ["units_sold", "orders", "revenue", "cogs_sold", "cogs_restocked"]
RETURN_SUMS = ["returned_units", "returned_value", "returns_share", "orders_returned", "restocked_units",
               "written_off_units", "written_off_cost", "refunded"]


def _analytics_fact_filters(*, user, first: dt.date, last: dt.date, channel: str | None,
                            category: Category | None) -> Q:
    """The fact rows of a period (and channel) of the products the user may see (in `category`)."""
    products = product_visible_q(user, prefix="product__")
    if category is not None:
        products &= Q(product__category__path__startswith=category.path)
    return Q(day__gte=first, day__lte=last) & (Q(channel=channel) if channel else Q()) & products


def _return_sums(prefix: str) -> dict:
    from django.db.models import Sum

    # aliased: an aggregate may not take the name of the column it sums
    return {f"{prefix}{c}": Sum(c) for c in RETURN_SUMS}


def _fact_rows(queryset) -> list[tuple]:
    """The rows of a values_list() queryset of grouped sums. On PostgreSQL as the driver returns
    them: the integer columns' sums are ints (bigint), the numeric ones Decimals, which is what
    Django's converters would make of them at 100 ms per 8,000 rows. SQLite sums decimals as
    floats: there the converters stay."""
    from django.db import connections

    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return list(queryset)
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def analytics_facts(*, user, first: dt.date, last: dt.date, channel: str | None, categories: list[Category],
                    category: Category | None = None, reason_ids: list[int]) -> dict:
    """The fact rows behind the return analytics: four reads, however long the period.

    - `sales`: day × product facts summed per product (products the user may see, in `category`);
    - `product_returns`: day × product × reason return facts summed per product, with its
      returned units per reason (`reason_units`, one filtered sum per reason of `reason_ids`): one
      row per product cross into Python, not one per product and reason;
    - `products`: sku, name, category and supplier of the products in those rows;
    - `exact_orders`: orders and orders with a return from the KPI facts of each category's scope
      (category id) and of the user's whole scope (None), which count an order once.
    The reasons themselves (every sum per reason) are read for the reasons tab alone
    (analytics_reason_facts).
    """
    from django.db.models import Sum

    from catalog.models import Product
    from kpis.models import DailyFact, DailyProductFact, DailyReturnFact
    from kpis.scopes import category_key

    from .analytics import ProductInfo

    facts = _analytics_fact_filters(user=user, first=first, last=last, channel=channel, category=category)
    days = Q(day__gte=first, day__lte=last)
    channel_q = Q(channel=channel) if channel else Q()
    # grouped by the product id alone: the fact tables are read once, the products looked up after
    sales = [
        {"product_id": row[0], **dict(zip(SALES_SUMS, row[1:], strict=True))}
        for row in _fact_rows(
            DailyProductFact.objects.filter(facts)
            .values_list("product_id").annotate(**{f"sum_{c}": Sum(c) for c in SALES_SUMS}).order_by()
        )
    ]
    per_reason = {f"reason_{pk}": Sum("returned_units", filter=Q(reason_id=pk)) for pk in reason_ids}
    product_returns = []
    sums = len(RETURN_SUMS)
    for row in _fact_rows(
        DailyReturnFact.objects.filter(facts)
        .values_list("product_id").annotate(**_return_sums("sum_"), **per_reason).order_by()
    ):
        out = dict(zip(RETURN_SUMS, row[1:sums + 1], strict=True))
        out["product_id"] = row[0]
        # a reason without rows sums to NULL (no entry); one whose rows hold 0 units to 0
        out["reason_units"] = {pk: units for pk, units in zip(reason_ids, row[sums + 1:], strict=True)
                               if units is not None}
        product_returns.append(out)
    # the products themselves: every one the user may see (in `category`), no list of ids
    visible = product_visible_q(user)
    if category is not None:
        visible &= Q(category__path__startswith=category.path)
    infos = {
        pk: ProductInfo(pk, sku, name, category_id, supplier_id, supplier_name or "")
        for pk, sku, name, category_id, supplier_id, supplier_name in (
            Product.objects.filter(visible).order_by()
            .values_list("pk", "sku", "name", "category_id", "supplier_id", "supplier__name")
        )
    }
    keys: dict[str, int | None] = {category_key(c.code): c.pk for c in categories}
    total_key = _scope_key(user=user, categories=categories, category=category)
    exact: dict[int | None, tuple[int, int]] = {}
    scope_rows = (
        DailyFact.objects.filter(days, channel_q, scope__key__in=[*keys, *([total_key] if total_key else [])])
        .values("scope__key").annotate(orders=Sum("orders"), orders_returned=Sum("orders_returned")).order_by()
    )
    for row in scope_rows:
        pair = (row["orders"] or 0, row["orders_returned"] or 0)
        if row["scope__key"] in keys:
            exact[keys[row["scope__key"]]] = pair
        if row["scope__key"] == total_key:
            exact[None] = pair
    return {"sales": sales, "product_returns": product_returns, "products": infos, "exact_orders": exact}


def analytics_reason_facts(*, user, first: dt.date, last: dt.date, channel: str | None,
                           category: Category | None = None) -> list[dict]:
    """The return facts summed per reason (the reasons tab), with the products' scope."""
    from kpis.models import DailyReturnFact

    facts = _analytics_fact_filters(user=user, first=first, last=last, channel=channel, category=category)
    return [
        {"reason_id": row["reason_id"], **{c: row[f"sum_{c}"] for c in RETURN_SUMS}}
        for row in (
            DailyReturnFact.objects.filter(facts).values("reason_id").annotate(**_return_sums("sum_"))
            .order_by("reason_id")  # equal rows in the reasons table: the lower id first
        )
    ]


def facts_version() -> str | None:
    """Changes whenever the metrics job starts, moves on or ends: the facts may have changed."""
    from kpis.models import MetricsRun

    run = (
        MetricsRun.objects.order_by("-started_at", "-pk")
        .values_list("pk", "status", "finished_at", "days_done").first()
    )
    return None if run is None else ":".join(str(part) for part in run)


def return_analysis(*, user, first: dt.date, last: dt.date, channel: str | None, categories: list[Category],
                    category: Category | None = None, reason_ids: list[int], with_reasons: bool = False):
    """The analysis of the facts (analytics.analyse), kept in the cache until the metrics job runs
    again: the facts change only then, and switching tabs, sorting and paging ask for the same.

    The reasons (`with_reasons`, the reasons tab) are read and kept on their own: the other tabs
    need only each product's returned units per reason, which come with the products.
    """
    import hashlib

    from django.core.cache import cache

    from .analytics import analyse

    version = facts_version()
    key = reasons_key = None
    analysis = reason_rows = None
    if version is not None:
        # what the user sees follows from whether they see everything and the categories shown
        scope = "all" if roles.sees_everything(user) else "scoped"
        tree = hashlib.sha1(repr([(c.pk, c.path) for c in categories]).encode()).hexdigest()
        parts = [version, scope, tree, category.code if category else "", first.isoformat(), last.isoformat(),
                 channel or "", str(settings.KPI_RETURN_HANDLING_COST), repr(sorted(reason_ids))]
        digest = hashlib.sha1("\n".join(parts).encode()).hexdigest()
        key, reasons_key = f"returns:analysis:v2:{digest}", f"returns:analysis-reasons:v2:{digest}"
        found = cache.get_many([key, reasons_key] if with_reasons else [key])
        analysis, reason_rows = found.get(key), found.get(reasons_key)
    if analysis is None:
        facts = analytics_facts(user=user, first=first, last=last, channel=channel, categories=categories,
                                category=category, reason_ids=reason_ids)
        analysis = analyse(
            sales=facts["sales"], product_returns=facts["product_returns"], products=facts["products"],
            category_paths={c.pk: c.path for c in categories}, handling_cost=settings.KPI_RETURN_HANDLING_COST,
            exact_orders=facts["exact_orders"],
        )
        if key is not None:
            cache.set(key, analysis.settle(), timeout=26 * 3600)
    if with_reasons:
        if reason_rows is None:
            reason_rows = analytics_reason_facts(user=user, first=first, last=last, channel=channel, category=category)
            if reasons_key is not None:
                cache.set(reasons_key, reason_rows, timeout=26 * 3600)
        analysis.load_reasons(reason_rows)
    return analysis
