"""Tables of the returns list and the return analytics (all on PortalTable: template, CSS, export)."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import NoReverseMatch, reverse
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django_tables2.data import TableListData
from django_tables2.utils import OrderBy

from shopmgr.core.dates import berlin_day, berlin_today
from shopmgr.core.formatting import format_percent
from shopmgr.core.money import to_cents
from shopmgr.core.tables import MoneyColumn, NumberColumn, PercentColumn, PortalTable

from .models import Return
from .selectors import reason_label

SKUS_SHOWN = 3


def return_detail_url(pk: int) -> str:
    """The return's page on the desk (`returns:detail`)."""
    try:
        return reverse("returns:detail", args=[pk])
    except NoReverseMatch:  # the desk's URLs not (yet) installed
        return f"/returns/{pk}/"


def _day(value) -> str:
    return formats.date_format(berlin_day(value), "SHORT_DATE_FORMAT") if value else "–"


def _days_since(moment, today) -> int | None:
    return (today - berlin_day(moment)).days if moment else None


class DayColumn(tables.Column):
    """A timestamp shown as its Berlin day (exports: ISO date)."""

    def render(self, value):
        return _day(value)

    def value(self, value):
        return berlin_day(value).isoformat() if value else ""


class ReturnTable(PortalTable):
    """Returns with the lines the user may see (`visible_lines`, prefetched by the selector)."""

    external_id = tables.Column(verbose_name=_("Return no."), linkify=lambda record: return_detail_url(record.pk))
    order = tables.Column(accessor="order__external_id", verbose_name=_("Order"), order_by="order__external_id")
    customer = tables.Column(accessor="order__customer__name", verbose_name=_("Customer"), orderable=False)
    status = tables.Column(verbose_name=_("Status"))
    legal_basis = tables.Column(verbose_name=_("Legal basis"))
    requested_at = DayColumn(verbose_name=_("Opened"))
    received_at = DayColumn(verbose_name=_("Received"))
    age = tables.Column(
        verbose_name=_("Age (days)"), empty_values=(), order_by=("-requested_at", "-pk"),
        attrs={"td": {"class": "num"}, "th": {"class": "num"}},
    )
    waiting = tables.Column(
        verbose_name=_("Waiting (days)"), empty_values=(), order_by=("-received_at", "-pk"),
        attrs={"td": {"class": "num"}, "th": {"class": "num"}},
    )
    units = tables.Column(verbose_name=_("Units"), empty_values=(), orderable=False,
                          attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    reasons = tables.Column(verbose_name=_("Reasons"), empty_values=(), orderable=False)
    products = tables.Column(verbose_name=_("Products"), empty_values=(), orderable=False)

    class Meta(PortalTable.Meta):
        model = Return
        fields = ["external_id", "order", "customer", "status", "legal_basis", "requested_at", "received_at", "age",
                  "waiting", "units", "reasons", "products"]
        empty_text = _("No returns match.")
        attrs = {"class": "table", "data-testid": "return-table"}

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or berlin_today()

    def render_status(self, record, value):
        return format_html('<span class="status status-{}">{}</span>', record.status, value)

    def _age(self, record):
        return _days_since(record.requested_at or record.received_at, self.today)

    def render_age(self, record):
        return self._age(record)

    def value_age(self, record):
        return self._age(record)

    def render_waiting(self, record):
        return _days_since(record.received_at, self.today) if record.status == Return.Status.RECEIVED else "–"

    def value_waiting(self, record):
        return _days_since(record.received_at, self.today) if record.status == Return.Status.RECEIVED else ""

    def render_units(self, record):
        return sum(line.quantity for line in record.visible_lines)

    def value_units(self, record):
        return self.render_units(record)

    def _reasons(self, record) -> list[str]:
        seen: dict[str, str] = {}
        for line in record.visible_lines:
            seen.setdefault(line.reason.code, reason_label(line.reason))
        return list(seen.values())

    def render_reasons(self, record):
        return ", ".join(self._reasons(record)) or "–"

    def value_reasons(self, record):
        return ", ".join(self._reasons(record))

    def _skus(self, record) -> list[str]:
        return list(dict.fromkeys(line.order_line.product.sku for line in record.visible_lines))

    def render_products(self, record):
        skus = self._skus(record)
        shown = format_html_join(", ", "<span class=\"nowrap\">{}</span>", ((sku,) for sku in skus[:SKUS_SHOWN]))
        if len(skus) > SKUS_SHOWN:
            return format_html("{} {}", shown, _("and %(n)d more") % {"n": len(skus) - SKUS_SHOWN})
        return shown or "–"

    def value_products(self, record):
        return ", ".join(self._skus(record))


# --- return analytics ---------------------------------------------------------------------------

class RowData(TableListData):
    """Dict rows sorted with a plain key per column (django-tables2's generic comparator resolves
    every accessor at every comparison: too slow for a few thousand products). Empty values last."""

    def order_by(self, aliases):
        accessors = []
        for alias in aliases:
            bound_column = self.table.columns[OrderBy(alias).bare]
            if alias[0] != bound_column.order_by_alias[0]:
                accessors += bound_column.order_by.opposite
            else:
                accessors += bound_column.order_by
        rows = self.data
        for accessor in reversed(accessors):
            name = accessor.bare
            present = [row for row in rows if row.get(name) is not None]
            missing = [row for row in rows if row.get(name) is None]
            present.sort(key=lambda row: _sort_key(row[name]), reverse=accessor.is_descending)
            rows = present + missing
        self.data[:] = rows


def _sort_key(value):
    return value.lower() if isinstance(value, str) else value

class RateColumn(PercentColumn):
    pass


class CountColumn(NumberColumn):
    """Whole numbers, grouped the locale's way (1.234 / 1,234)."""

    def render(self, value):
        return formats.number_format(value, 0, use_l10n=True, force_grouping=True) if value is not None else "–"


class ReturnsCountColumn(NumberColumn):
    """Returns shared out over their products: a fraction, shown to one place."""

    def render(self, value):
        return formats.number_format(value, 1, use_l10n=True, force_grouping=True) if value is not None else "–"

    def value(self, value):
        return None if value is None else round(value, 2)


class ReturnFiguresTable(PortalTable):
    """The columns every analytics table shares (rows are dicts made by `figures_row`)."""

    units_sold = CountColumn(verbose_name=_("Units sold"))
    returned_units = CountColumn(verbose_name=_("Returned units"))
    return_rate = RateColumn(verbose_name=_("Return rate (units)"))
    return_rate_value = RateColumn(verbose_name=_("Return rate (value)"))
    return_rate_orders = RateColumn(verbose_name=_("Return rate (orders)"))
    top_reason = tables.Column(verbose_name=_("Top reason"), default="–")
    returned_value = MoneyColumn(verbose_name=_("Returned value"))
    return_cost = MoneyColumn(verbose_name=_("Cost of returns"))
    margin_after_returns = RateColumn(verbose_name=_("Margin after returns"))

    class Meta(PortalTable.Meta):
        per_page = 50
        attrs = {"class": "table figures"}
        empty_text = _("No sales in this period.")


class ProductReturnTable(ReturnFiguresTable):
    sku = tables.Column(verbose_name=_("SKU"), linkify=lambda record: record["url"])
    name = tables.Column(verbose_name=_("Product"))
    category = tables.Column(verbose_name=_("Category"))
    supplier = tables.Column(verbose_name=_("Supplier"), default="–")
    margin_before_returns = RateColumn(verbose_name=_("Margin before returns"))

    class Meta(ReturnFiguresTable.Meta):
        sequence = ("sku", "name", "category", "supplier", "units_sold", "returned_units", "return_rate",
                    "return_rate_value", "return_rate_orders", "top_reason", "returned_value", "return_cost",
                    "margin_before_returns", "margin_after_returns")
        order_by = ("-return_cost",)
        attrs = {"class": "table figures", "data-testid": "product-table"}


class CategoryReturnTable(ReturnFiguresTable):
    name = tables.Column(verbose_name=_("Category"), order_by=("path",))
    code = tables.Column(verbose_name=_("Code"), visible=False)  # in the exports

    class Meta(ReturnFiguresTable.Meta):
        sequence = ("name", "code", "...")
        order_by = ("path",)
        attrs = {"class": "table figures", "data-testid": "category-table"}

    def render_name(self, record):
        return format_html('<a class="indent-{}" href="{}">{}</a>', min(record["depth"], 2), record["url"],
                           record["name"])

    def value_name(self, record):
        return record["name"]


class SupplierReturnTable(ReturnFiguresTable):
    supplier = tables.Column(verbose_name=_("Supplier"))
    products = CountColumn(verbose_name=_("Products"))

    class Meta(ReturnFiguresTable.Meta):
        sequence = ("supplier", "products", "...")
        order_by = ("-return_cost",)
        attrs = {"class": "table figures", "data-testid": "supplier-table"}


class ReasonReturnTable(PortalTable):
    reason = tables.Column(verbose_name=_("Reason"))
    code = tables.Column(verbose_name=_("Code"))
    merchant_fault = tables.BooleanColumn(verbose_name=_("Shop's fault"))
    returned_units = CountColumn(verbose_name=_("Returned units"))
    share = RateColumn(verbose_name=_("Share of returned units"))
    return_rate = RateColumn(verbose_name=_("Return rate (units)"))
    return_rate_value = RateColumn(verbose_name=_("Return rate (value)"))
    return_rate_orders = RateColumn(verbose_name=_("Return rate (orders)"))
    returned_value = MoneyColumn(verbose_name=_("Returned value"))
    returns = ReturnsCountColumn(verbose_name=_("Returns"))
    return_cost = MoneyColumn(verbose_name=_("Cost of returns"))
    action = tables.Column(verbose_name=_("What to change"))

    class Meta(PortalTable.Meta):
        order_by = ("-returned_units",)
        attrs = {"class": "table figures", "data-testid": "reason-table"}
        empty_text = _("No returns in this period.")


class NeedsLookTable(PortalTable):
    sku = tables.Column(verbose_name=_("SKU"), linkify=lambda record: record["url"])
    name = tables.Column(verbose_name=_("Product"))
    category = tables.Column(verbose_name=_("Category"))
    units_sold = CountColumn(verbose_name=_("Units sold"))
    returned_units = CountColumn(verbose_name=_("Returned units"))
    return_rate = RateColumn(verbose_name=_("Return rate (units)"))
    category_rate = RateColumn(verbose_name=_("Category's rate"))
    factor = tables.Column(verbose_name=_("× category"), attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    excess_units = CountColumn(verbose_name=_("Returns above the category's rate"))
    top_reason = tables.Column(verbose_name=_("Dominant reason"), default="–")
    margin_after_returns = RateColumn(verbose_name=_("Margin after returns"))
    action = tables.Column(verbose_name=_("Suggested action"))

    class Meta(PortalTable.Meta):
        order_by = ("-excess_units",)
        per_page = 50
        attrs = {"class": "table figures", "data-testid": "needs-look-table"}
        empty_text = _("No product stands out in this period.")

    def render_factor(self, value):
        return "×" + formats.number_format(value, 1, use_l10n=True)

    def value_factor(self, value):
        return round(value, 2)

    def render_top_reason(self, record, value):
        if record["top_reason_share"] is None:
            return value
        return format_html('{} <span class="muted">({})</span>', value, format_percent(record["top_reason_share"], 0))

    def render_action(self, record, value):
        return format_html('<span class="action action-{}" title="{}">{}</span>', record["action_code"],
                           record["action_hint"], value)


# --- rows of the analytics tables ---------------------------------------------------------------

def figures_row(figures, *, reasons: dict) -> dict:
    """The shared columns of a row (see ReturnFiguresTable) from an `analytics.Figures`."""
    top = figures.top_reason_id()
    return {
        "units_sold": figures.units_sold,
        "orders": figures.orders,
        "revenue": figures.revenue,
        "returned_units": figures.returned_units,
        "returned_value": _cents(figures.returned_value),
        "return_rate": figures.return_rate,
        "return_rate_value": figures.return_rate_value,
        "return_rate_orders": figures.return_rate_orders,
        "returns": figures.returns,
        "top_reason": reason_label(reasons[top]) if top in reasons else None,
        "top_reason_share": (figures.reason_units[top] / figures.returned_units) if top in reasons else None,
        "handling_cost": _cents(figures.handling_cost),
        "written_off_cost": _cents(figures.written_off_cost),
        "return_cost": _cents(figures.return_cost),
        "margin_before_returns": figures.margin_before_returns,
        "margin_after_returns": figures.margin_after_returns,
    }


def _cents(value):
    return to_cents(value)


def product_url(pk: int) -> str:
    return reverse("catalog:product-detail", args=[pk])


def product_rows(analysis, *, reasons: dict, category_names: dict[int, str]) -> list[dict]:
    return [
        {
            **figures_row(figures, reasons=reasons), "pk": info.pk, "sku": info.sku, "name": info.name,
            "category": category_names.get(info.category_id, ""), "supplier": info.supplier_name or None,
            "url": product_url(info.pk),
        }
        for info, figures in analysis.products.values()
    ]


def category_rows(analysis, *, reasons: dict, categories: list, url_for) -> list[dict]:
    return [
        {**figures_row(analysis.categories[c.pk], reasons=reasons), "name": c.name, "code": c.code, "path": c.path,
         "depth": c.depth, "url": url_for(c)}
        for c in categories if c.pk in analysis.categories
    ]


def supplier_rows(analysis, *, reasons: dict, products_per_supplier: dict) -> list[dict]:
    return [
        {**figures_row(figures, reasons=reasons), "supplier": name or str(_("(no supplier)")),
         "products": products_per_supplier.get(pk, 0)}
        for pk, (name, figures) in analysis.suppliers.items()
    ]


def reason_rows(analysis, *, reasons: dict) -> list[dict]:
    from .analytics import ACTIONS, action_for_reason, ratio

    rows = []
    total_returned = analysis.total.returned_units
    for pk, figures in analysis.reasons.items():
        reason = reasons.get(pk)
        if reason is None:
            continue
        action = action_for_reason(reason.code)
        rows.append({
            "reason": reason_label(reason), "code": reason.code, "merchant_fault": reason.merchant_fault,
            "returned_units": figures.returned_units, "share": ratio(figures.returned_units, total_returned),
            "return_rate": figures.return_rate, "return_rate_value": figures.return_rate_value,
            "return_rate_orders": figures.return_rate_orders, "returned_value": _cents(figures.returned_value),
            "returns": figures.returns, "return_cost": _cents(figures.return_cost),
            "action": ACTIONS[action][0], "action_code": action,
        })
    return rows


def needs_look_rows(findings, *, reasons: dict, category_names: dict[int, str]) -> list[dict]:
    from .analytics import ACTIONS

    rows = []
    for finding in findings:
        figures = finding.figures
        reason = reasons.get(finding.reason_id)
        label, hint = ACTIONS[finding.action]
        rows.append({
            "pk": finding.info.pk, "sku": finding.info.sku, "name": finding.info.name,
            "category": category_names.get(finding.info.category_id, ""), "url": product_url(finding.info.pk),
            "units_sold": figures.units_sold, "returned_units": figures.returned_units,
            "return_rate": figures.return_rate, "category_rate": finding.category_rate, "factor": finding.factor,
            "excess_units": round(finding.excess_units), "top_reason": reason_label(reason) if reason else None,
            "top_reason_code": reason.code if reason else None, "top_reason_share": finding.reason_share,
            "margin_after_returns": figures.margin_after_returns,
            "action": label, "action_hint": hint, "action_code": finding.action,
        })
    return rows
