"""Return analytics for managers (/returns/analytics/): read from the facts, never from order lines.

Shop managers see the whole shop, category managers their categories (totals included); others
get 403. A fixed number of queries however long the period: the categories, the channels, the
reasons, three grouped reads of the facts (selectors.analytics_facts) and, on the reasons tab, the
return facts per reason.
"""

from __future__ import annotations

from collections import Counter

from django.conf import settings
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django_tables2 import RequestConfig
from django_tables2.export import TableExport

from catalog.selectors import category_chosen
from kpis import reports
from kpis.forms import DashboardForm, channel_label
from kpis.scopes import top_most
from kpis.selectors import provisional_until
from shopmgr.core import roles

from .. import analytics, selectors, tables

VIEWS = [
    ("needs", _("Needs a look")),
    ("products", _("Products")),
    ("categories", _("Categories")),
    ("suppliers", _("Suppliers")),
    ("reasons", _("Reasons")),
]
TOP_REASONS = 5


def forbidden(request):
    return render(request, "returns/analytics_forbidden.html", {"for_list": False}, status=403)


def _table(view: str, analysis, findings, *, reasons, categories, category_names, url_for):
    if view == "needs":
        rows = tables.needs_look_rows(findings, reasons=reasons, category_names=category_names)
        return tables.NeedsLookTable(tables.RowData(rows))
    if view == "products":
        rows = tables.product_rows(analysis, reasons=reasons, category_names=category_names)
        return tables.ProductReturnTable(tables.RowData(rows))
    if view == "categories":
        rows = tables.category_rows(analysis, reasons=reasons, categories=categories, url_for=url_for)
        return tables.CategoryReturnTable(tables.RowData(rows))
    if view == "suppliers":
        counts = Counter(info.supplier_id for info, _figures in analysis.products.values())
        rows = tables.supplier_rows(analysis, reasons=reasons, products_per_supplier=counts)
        return tables.SupplierReturnTable(tables.RowData(rows))
    return tables.ReasonReturnTable(tables.RowData(tables.reason_rows(analysis, reasons=reasons)))


def return_analytics(request):
    user = request.user
    if not selectors.may_see_return_analytics(user):
        return forbidden(request)
    categories = selectors.analytics_categories(user=user)
    category = category_chosen(categories=categories, code=request.GET.get("category", ""))
    shown = [c for c in categories if category is None or c.path.startswith(category.path)]

    form = DashboardForm(request.GET or None, channels=reports.channels())
    period, channel = form.chosen_period(), form.chosen_channel()
    view = request.GET.get("view", "needs")
    if view not in dict(VIEWS):
        view = "needs"
    # the reasons first: each product's returned units per reason are read with its figures
    reasons = {reason.pk: reason for reason in selectors.reason_choices()}
    analysis = selectors.return_analysis(user=user, first=period.first, last=period.last, channel=channel,
                                         categories=shown, category=category, reason_ids=list(reasons),
                                         with_reasons=view == "reasons")
    findings = analytics.needs_a_look(
        analysis, reason_codes={pk: r.code for pk, r in reasons.items()},
        factor=settings.RETURNS_NEEDS_LOOK_FACTOR, min_units=settings.RETURNS_NEEDS_LOOK_MIN_UNITS,
    )
    base_query = {k: v for k, v in request.GET.items() if k in ("period", "from", "to", "channel")}

    def url_for(target) -> str:
        return f"{reverse('returns:analytics')}?{urlencode({**base_query, 'view': 'categories', 'category': target.code})}"

    table = _table(view, analysis, findings, reasons=reasons, categories=shown,
                   category_names={c.pk: c.name for c in categories}, url_for=url_for)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    export_format = request.GET.get("_export")
    if TableExport.is_valid_format(export_format):
        name = f"return-analytics-{view}-{category.code + '-' if category else ''}{period.first}-{period.last}"
        return TableExport(export_format, table).response(f"{name}.{export_format}")

    total = analysis.total
    top_reasons = sorted(
        ((units, pk) for pk, units in total.reason_units.items() if units and pk in reasons), reverse=True,
    )[:TOP_REASONS]
    typed = bool(form.errors)
    view_query = {**base_query, **({"category": category.code} if category else {})}
    return render(request, "returns/analytics.html", {
        "form": form,
        "from_value": request.GET.get("from", "") if typed else period.first.isoformat(),
        "to_value": request.GET.get("to", "") if typed else period.last.isoformat(),
        "period": period,
        "channel": channel,
        "channel_label": channel_label(channel) if channel else "",
        "category": category,
        "ancestors": [c for c in categories if category and category.path.startswith(c.path) and c.pk != category.pk],
        "scoped": not roles.sees_everything(user),
        "scope_names": [c.name for c in top_most(categories)],
        "provisional_until": provisional_until(period.last),
        "total": total,
        "total_row": tables.figures_row(total, reasons=reasons),
        "top_reasons": [
            {"label": selectors.reason_label(reasons[pk]), "code": reasons[pk].code,
             "share": analytics.ratio(units, total.returned_units), "units": units}
            for units, pk in top_reasons
        ],
        "needs_count": len(findings),
        "views": VIEWS,
        "view": view,
        "view_query": urlencode(view_query),
        "base_query": urlencode(base_query),
        "table": table,
        "handling_cost": settings.KPI_RETURN_HANDLING_COST,
        "needs_factor": settings.RETURNS_NEEDS_LOOK_FACTOR,
        "needs_min_units": settings.RETURNS_NEEDS_LOOK_MIN_UNITS,
        "needs_min_returned": analytics.MIN_RETURNED_UNITS,
        "delist_factor": analytics.DELIST_FACTOR,
        "delist_margin": analytics.DELIST_MARGIN,
        "list_url": reverse("returns:list"),
    })


urlpatterns = [
    path("analytics/", return_analytics, name="analytics"),
]
