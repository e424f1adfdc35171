"""The KPI pages: dashboard, dictionary, targets and metrics runs. Thin: reads live in reports.py."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig
from django_tables2.export import TableExport

from catalog.selectors import category_chosen
from shopmgr.core import roles
from shopmgr.core.dates import berlin_today

from . import registry, reports
from .forms import DashboardForm, KpiTargetForm, channel_label
from .models import KpiTarget, MetricsRun
from .scopes import category_key, scope_key_for, scope_ready
from .selectors import provisional_until
from .services import target_set
from .tables import CategoryFiguresTable, KpiTargetTable, MetricsRunTable, ProductFiguresTable

GROUP_TITLES = {
    "sales": gettext_lazy("Sales"),
    "earnings": gettext_lazy("Returns and earnings"),
    "marketing": gettext_lazy("Traffic and customers"),
    "service": gettext_lazy("Service and delivery"),
}


def _forbidden(request):
    """Pages for shop managers only: others get 403 with a page that says why, in the portal."""
    return render(request, "kpis/forbidden.html", status=403)


def dashboard(request):
    user = request.user
    # The visible categories, the scope and the channel list in one round trip (visible_categories,
    # scope_for, channels). The scope's key follows from ?category= before it is checked: a code
    # outside the user's categories is a 404 all the same.
    code = request.GET.get("category", "").strip()
    key = category_key(code) if code else scope_key_for(user)
    if key is None:  # no category asked for, and no scope of the user's: nothing to show
        return render(request, "kpis/no_scope.html", status=403)
    categories, scope, channels = reports.categories_scope_and_channels(user=user, key=key)
    category = category_chosen(categories=categories, code=code)
    if scope is None or not scope.complete:
        scope = scope_ready(scope, key)  # backfilled first: the channels are read again after it
        channels = reports.channels()
    if scope is None:
        return render(request, "kpis/no_scope.html", status=403)

    form = DashboardForm(request.GET or None, channels=channels)
    period, channel = form.chosen_period(), form.chosen_channel()
    previous, year_ago = period.previous(), period.year_ago()
    rows_categories = reports.table_categories(categories, category)
    # Targets: a category's own; a category manager's landing page the sum of their categories.
    if category is not None:
        target_categories = [category]
    elif roles.is_category_scoped(user):
        target_categories = rows_categories
    else:
        target_categories = None
    reads = reports.dashboard_reads(
        scope=scope, period=period, previous=previous, year_ago=year_ago, channel=channel,
        table_categories=rows_categories, target_categories=target_categories,
    )
    daily = reads.daily
    measures = {
        name: reports.period_measures(scope=scope, daily=daily, period=p)
        for name, p in (("current", period), ("previous", previous), ("year_ago", year_ago))
    }
    until = provisional_until(period.last)
    tiles = reports.tiles(measures, provisional=until is not None)
    total_revenue = tiles["revenue"].value
    rows = reports.category_rows_read(reads, categories=rows_categories, total_revenue=total_revenue)
    base_query = {key: value for key, value in request.GET.items() if key in ("period", "from", "to", "channel")}
    dashboard_url = reverse("kpis:dashboard")
    for row in rows:
        row["url"] = f"{dashboard_url}?{urlencode({**base_query, 'category': row['code']})}"
    table = CategoryFiguresTable(rows)
    RequestConfig(request, paginate=False).configure(table)
    export_format = request.GET.get("_export")
    if TableExport.is_valid_format(export_format):
        name = f"kpis-{category.code if category else 'categories'}-{period.first}-{period.last}.{export_format}"
        return TableExport(export_format, table).response(name)

    reports.targets_read(reads, period=period, categories=target_categories, tile_values=tiles)
    if category is not None or roles.is_category_scoped(user):
        tiles["sessions"].note = _("whole shop: sessions have no category")
        tiles["conversion_rate"].note = _("the category's orders per session of the whole shop")
    chart = reports.series(daily=daily, period=period)
    chart["provisional_from"] = reports.provisional_from().isoformat() if until else None
    chart_data = {
        **chart,
        "language": get_language() or "de",
        "labels": {
            "revenue": registry.BY_KEY["revenue"].label, "orders": registry.BY_KEY["orders"].label,
            "return_rate": registry.BY_KEY["return_rate"].label,
            "conversion_rate": registry.BY_KEY["conversion_rate"].label,
            "provisional": _("provisional"),
            "mean_per_day": _("mean per day"),
        },
    }
    typed = bool(form.errors)
    return render(request, "kpis/dashboard.html", {
        "form": form,
        "from_value": request.GET.get("from", "") if typed else period.first.isoformat(),
        "to_value": request.GET.get("to", "") if typed else period.last.isoformat(),
        "chart_data": chart_data,
        "period": period,
        "previous": previous,
        "year_ago": year_ago,
        "channel": channel,
        "channel_label": channel_label(channel) if channel else "",
        "category": category,
        "ancestors": reports.ancestors(categories, category) if category else [],
        "is_leaf": category is not None and not rows_categories,
        "groups": [(GROUP_TITLES[name], [tiles[key] for key in keys]) for name, keys in reports.TILE_GROUPS],
        "provisional_until": until,
        "table": table,
        "chart": chart,
        "base_query": urlencode(base_query),
        "scoped": roles.is_category_scoped(user),
        "scope_names": [c.name for c in rows_categories] if category is None else [],
        "can_set_targets": roles.sees_everything(user),
        "product_url": f"{reverse('catalog:product-list')}?{urlencode({'category': category.code})}" if category else "",
        "product_table": _product_table(request, category, period, channel) if category else None,
    })


def _product_table(request, category, period, channel) -> ProductFiguresTable:
    table = ProductFiguresTable(reports.product_rows(category=category, period=period, channel=channel))
    RequestConfig(request, paginate=False).configure(table)
    return table


def definitions(request):
    return render(request, "kpis/definitions.html", {
        "kpis": registry.KPIS, "provisional_days": settings.KPI_PROVISIONAL_DAYS,
    })


def runs(request):
    if not roles.sees_everything(request.user):
        return _forbidden(request)
    table = MetricsRunTable(MetricsRun.objects.all())
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    return render(request, "kpis/runs.html", {"table": table})


def targets(request):
    if not roles.sees_everything(request.user):
        return _forbidden(request)
    form = KpiTargetForm(request.POST or None, initial={"month": berlin_today().replace(day=1)})
    if request.method == "POST" and form.is_valid():
        target = target_set(
            kpi=form.cleaned_data["kpi"], month=form.cleaned_data["month"],
            category=form.cleaned_data["category"], value=form.cleaned_data["stored_value"], by=request.user,
        )
        messages.success(request, _("Target saved: %(kpi)s, %(month)s.") % {
            "kpi": registry.BY_KEY[target.kpi].label, "month": f"{target.month:%m/%Y}",
        })
        return redirect("kpis:targets")
    table = KpiTargetTable(KpiTarget.objects.select_related("category", "set_by"))
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "kpis/targets.html", {"form": form, "table": table})


@require_POST
def target_delete(request, pk: int):
    if not roles.sees_everything(request.user):
        return _forbidden(request)
    target = get_object_or_404(KpiTarget, pk=pk)
    target.delete()
    messages.success(request, _("Target deleted."))
    return redirect("kpis:targets")
