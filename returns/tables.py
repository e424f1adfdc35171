"""Tables of the returns list and the return analytics (all on PortalTable: template, CSS, export)."""

from __future__ import annotations

from decimal import Decimal

import django_tables2 as tables
from django.urls import NoReverseMatch, reverse
from django.utils import formats
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.safestring import mark_safe
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
DETAIL_PK = 987654321  # stands for a return's key in the detail link's pattern


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


class FastRowsTable(PortalTable):
    """Rows drawn by row_html (returns/analytics_table.html) instead of django-tables2's per-cell
    rendering, which costs ten times as much; header, sorting, paging and exports stay its own.
    A `cell_<name>(record)` method draws a column's cell; other columns render the record's value."""

    class Meta(PortalTable.Meta):
        template_name = "returns/analytics_table.html"
        per_page = 50

    def row_html(self, record) -> str:
        if getattr(self, "_cells", None) is None:
            self._cells = [
                (bound.name, bound.column, getattr(self, f"cell_{bound.name}", None),
                 ' class="num"' if "num" in (bound.column.attrs.get("td") or {}).get("class", "") else "")
                for bound in self.columns
            ]
        cells = []
        for name, column, custom, css in self._cells:
            if custom is not None:
                html = custom(record)
            else:
                value = _get(record, name)
                html = "–" if value is None else column.render(value)
            cells.append(f"<td{css}>{conditional_escape(html)}</td>")  # css: a constant
        return mark_safe("".join(cells))  # every cell was escaped


def _get(row, name):
    try:
        return row[name]
    except (KeyError, TypeError):
        return None


class ReturnTable(FastRowsTable):
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

    class Meta(FastRowsTable.Meta):
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

    # cells of row_html; what is the same for every row (the detail link's pattern, the labels of
    # the choices in the current language, a day's text) is worked out once per table
    @cached_property
    def _detail_url(self) -> tuple[str, str]:
        head, _sep, tail = return_detail_url(DETAIL_PK).partition(str(DETAIL_PK))
        return escape(head), escape(tail)

    @cached_property
    def _labels(self) -> dict[str, dict[str, str]]:
        return {
            "status": {value: escape(label) for value, label in Return.Status.choices},
            "legal_basis": {value: escape(label) for value, label in Return.LegalBasis.choices},
        }

    @cached_property
    def _days(self) -> dict:
        return {}

    def _day_of(self, moment) -> str:
        if not moment:
            return "–"
        day = berlin_day(moment)
        text = self._days.get(day)
        if text is None:
            text = self._days[day] = formats.date_format(day, "SHORT_DATE_FORMAT")
        return text

    def cell_external_id(self, record):
        head, tail = self._detail_url
        return mark_safe(f'<a href="{head}{record.pk}{tail}">{escape(record.external_id)}</a>')

    def cell_order(self, record):
        return record.order.external_id

    def cell_customer(self, record):
        return record.order.customer.name or "–"

    def cell_status(self, record):
        label = self._labels["status"].get(record.status)
        if label is None:  # not one of the choices: as get_status_display shows it
            return self.render_status(record, record.get_status_display())
        return mark_safe(f'<span class="status status-{escape(record.status)}">{label}</span>')

    def cell_legal_basis(self, record):
        label = self._labels["legal_basis"].get(record.legal_basis)
        return record.get_legal_basis_display() if label is None else mark_safe(label)

    def cell_requested_at(self, record):
        return self._day_of(record.requested_at)

    def cell_received_at(self, record):
        return self._day_of(record.received_at)

    def cell_age(self, record):
        age = self._age(record)
        return "–" if age is None else age

    def cell_waiting(self, record):
        return self.render_waiting(record)

    def cell_units(self, record):
        return self.render_units(record)

    def cell_reasons(self, record):
        return self.render_reasons(record)

    def cell_products(self, record):
        return self.render_products(record)

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
        return list(dict.fromkeys(line.product.sku for line in record.visible_lines))

    def render_products(self, record):
        skus = self._skus(record)
        shown = format_html_join(", ", "<span class=\"nowrap\">{}</span>", ((sku,) for sku in skus[:SKUS_SHOWN]))
        if len(skus) > SKUS_SHOWN:
            return format_html("{} {}", shown, _("and %(n)d more") % {"n": len(skus) - SKUS_SHOWN})
        return shown or "–"

    def value_products(self, record):
        return ", ".join(self._skus(record))


# --- return analytics ---------------------------------------------------------------------------
#
# The rows are dicts (`FigureRow`) over an `analytics.Figures`: a figure is computed when first
# read, so that sorting a few thousand products computes one column and only the page's rows are
# computed in full. Rows are drawn by `row_html` (returns/analytics_table.html): django-tables2's
# per-cell rendering costs ten times as much; header, sorting, paging and exports stay its own.

def _top_reason(figures, reasons):
    top = figures.top_reason_id()
    return reason_label(reasons[top]) if top in reasons else None


def _top_reason_share(figures, reasons):
    top = figures.top_reason_id()
    return figures.reason_units[top] / Decimal(figures.returned_units) if top in reasons else None


FIGURE_FIELDS = {
    "units_sold": lambda f, r: f.units_sold,
    "orders": lambda f, r: f.orders,
    "revenue": lambda f, r: f.revenue,
    "returned_units": lambda f, r: f.returned_units,
    "returned_value": lambda f, r: to_cents(f.returned_value),
    "return_rate": lambda f, r: f.return_rate,
    "return_rate_value": lambda f, r: f.return_rate_value,
    "return_rate_orders": lambda f, r: f.return_rate_orders,
    "returns": lambda f, r: f.returns,
    "top_reason": _top_reason,
    "top_reason_share": _top_reason_share,
    "handling_cost": lambda f, r: to_cents(f.handling_cost),
    "written_off_cost": lambda f, r: to_cents(f.written_off_cost),
    "return_cost": lambda f, r: to_cents(f.return_cost),
    "refunded": lambda f, r: to_cents(f.refunded),
    "net_revenue": lambda f, r: f.net_revenue,
    "margin_before_returns": lambda f, r: f.margin_before_returns,
    "margin_after_returns": lambda f, r: f.margin_after_returns,
}


class FigureRow(dict):
    """A row of plain fields whose figures (FIGURE_FIELDS) are computed from `figures` when read."""

    def __init__(self, figures, reasons: dict, **fields):
        super().__init__(**fields)
        self.figures, self.reasons = figures, reasons

    def __missing__(self, key):
        compute = FIGURE_FIELDS.get(key)
        if compute is None:
            raise KeyError(key)
        value = self[key] = compute(self.figures, self.reasons)
        return value


def figures_row(figures, *, reasons: dict, **fields) -> FigureRow:
    return FigureRow(figures, reasons, **fields)


def _sort_key(value):
    return value.lower() if isinstance(value, str) else value


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
            values = [(_get(row, name), row) for row in rows]
            present = [pair for pair in values if pair[0] is not None]
            missing = [row for value, row in values if value is None]
            present.sort(key=lambda pair: _sort_key(pair[0]), reverse=accessor.is_descending)
            rows = [row for _value, row in present] + missing
        self.data[:] = rows


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


class FigureRowsTable(FastRowsTable):
    """The analytics tables: dict rows (FigureRow)."""


class ReturnFiguresTable(FigureRowsTable):
    """The columns every figures table shares."""

    units_sold = CountColumn(verbose_name=_("Units sold"))
    returned_units = CountColumn(verbose_name=_("Returned units"))
    return_rate = PercentColumn(verbose_name=_("Return rate (units)"))
    return_rate_value = PercentColumn(verbose_name=_("Return rate (value)"))
    return_rate_orders = PercentColumn(verbose_name=_("Return rate (orders)"))
    top_reason = tables.Column(verbose_name=_("Top reason"), default="–")
    returned_value = MoneyColumn(verbose_name=_("Returned value"))
    return_cost = MoneyColumn(verbose_name=_("Cost of returns"))
    margin_after_returns = PercentColumn(verbose_name=_("Margin after returns"))

    class Meta(FigureRowsTable.Meta):
        attrs = {"class": "table figures"}
        empty_text = _("No sales in this period.")


def _link(url, text):
    return format_html('<a href="{}">{}</a>', url, text)


class ProductReturnTable(ReturnFiguresTable):
    sku = tables.Column(verbose_name=_("Product"), linkify=lambda record: product_url(record["pk"]))
    name = tables.Column(verbose_name=_("Name"), visible=False)  # in the exports; on screen under the SKU
    category = tables.Column(verbose_name=_("Category"))
    supplier = tables.Column(verbose_name=_("Supplier"), default="–")
    margin_before_returns = PercentColumn(verbose_name=_("Margin before returns"))

    class Meta(ReturnFiguresTable.Meta):
        sequence = ("sku", "name", "category", "supplier", "units_sold", "returned_units", "return_rate",
                    "return_rate_value", "return_rate_orders", "top_reason", "returned_value", "return_cost",
                    "margin_before_returns", "margin_after_returns")
        order_by = ("-return_cost",)
        attrs = {"class": "table figures", "data-testid": "product-table"}

    def cell_sku(self, record):
        return format_html('<span class="nowrap">{}</span><br><span class="muted small">{}</span>',
                           _link(product_url(record["pk"]), record["sku"]), record["name"])


class CategoryReturnTable(ReturnFiguresTable):
    name = tables.Column(verbose_name=_("Category"), order_by=("path",))
    code = tables.Column(verbose_name=_("Code"), visible=False)  # in the exports

    class Meta(ReturnFiguresTable.Meta):
        sequence = ("name", "code", "...")
        order_by = ("path",)
        attrs = {"class": "table figures", "data-testid": "category-table"}

    def cell_name(self, record):
        return format_html('<span class="indent-{}">{}</span>', min(record["depth"], 2),
                           _link(record["url"], record["name"]))


class SupplierReturnTable(ReturnFiguresTable):
    supplier = tables.Column(verbose_name=_("Supplier"))
    products = CountColumn(verbose_name=_("Products"))

    class Meta(ReturnFiguresTable.Meta):
        sequence = ("supplier", "products", "...")
        order_by = ("-return_cost",)
        attrs = {"class": "table figures", "data-testid": "supplier-table"}


def _action_badge(record):
    return format_html('<span class="action action-{}" title="{}">{}</span>', record["action_code"],
                       record["action_hint"], record["action"])


class ReasonReturnTable(FigureRowsTable):
    reason = tables.Column(verbose_name=_("Reason"))
    code = tables.Column(verbose_name=_("Code"), visible=False)  # in the exports; on screen as the tooltip
    merchant_fault = tables.BooleanColumn(verbose_name=_("Shop's fault"))
    returned_units = CountColumn(verbose_name=_("Returned units"))
    share = PercentColumn(verbose_name=_("Share of returned units"))
    return_rate = PercentColumn(verbose_name=_("Return rate (units)"))
    return_rate_value = PercentColumn(verbose_name=_("Return rate (value)"))
    return_rate_orders = PercentColumn(verbose_name=_("Return rate (orders)"))
    returned_value = MoneyColumn(verbose_name=_("Returned value"))
    returns = ReturnsCountColumn(verbose_name=_("Returns"))
    return_cost = MoneyColumn(verbose_name=_("Cost of returns"))
    action = tables.Column(verbose_name=_("What to change"))

    class Meta(FigureRowsTable.Meta):
        order_by = ("-returned_units",)
        attrs = {"class": "table figures", "data-testid": "reason-table"}
        empty_text = _("No returns in this period.")

    def cell_reason(self, record):
        return format_html('<span title="{}">{}</span>', record["code"], record["reason"])

    def cell_merchant_fault(self, record):
        return _("yes") if record["merchant_fault"] else _("no")

    def cell_action(self, record):
        return _action_badge(record)


class NeedsLookTable(FigureRowsTable):
    sku = tables.Column(verbose_name=_("Product"), linkify=lambda record: product_url(record["pk"]))
    name = tables.Column(verbose_name=_("Name"), visible=False)  # in the exports; on screen under the SKU
    category = tables.Column(verbose_name=_("Category"))
    units_sold = CountColumn(verbose_name=_("Units sold"))
    returned_units = CountColumn(verbose_name=_("Returned units"))
    return_rate = PercentColumn(verbose_name=_("Return rate (units)"))
    category_rate = PercentColumn(verbose_name=_("Category's rate"))
    factor = tables.Column(verbose_name=_("× category"), attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    excess_units = CountColumn(verbose_name=_("Excess returns"),
                               attrs={"td": {"class": "num"}, "th": {"class": "num", "title": _(
                                   "Returned units beyond what the category's rate would give")}})
    top_reason = tables.Column(verbose_name=_("Dominant reason"), default="–")
    margin_after_returns = PercentColumn(verbose_name=_("Margin after returns"))
    action = tables.Column(verbose_name=_("Suggested action"))

    class Meta(FigureRowsTable.Meta):
        order_by = ("-excess_units",)
        attrs = {"class": "table figures", "data-testid": "needs-look-table"}
        empty_text = _("No product stands out in this period.")

    def cell_sku(self, record):
        return format_html('<span class="nowrap">{}</span><br><span class="muted small">{}</span>',
                           _link(product_url(record["pk"]), record["sku"]), record["name"])

    def cell_factor(self, record):
        return "×" + formats.number_format(record["factor"], 1, use_l10n=True)

    def value_factor(self, value):
        return round(value, 2)

    def cell_top_reason(self, record):
        if record["top_reason"] is None:
            return "–"
        if record["top_reason_share"] is None:
            return record["top_reason"]
        return format_html('{} <span class="muted">({})</span>', record["top_reason"],
                           format_percent(record["top_reason_share"], 0))

    def cell_action(self, record):
        return _action_badge(record)


# --- rows of the analytics tables ---------------------------------------------------------------

def product_url(pk: int) -> str:
    return reverse("catalog:product-detail", args=[pk])


def product_rows(analysis, *, reasons: dict, category_names: dict[int, str]) -> list[dict]:
    return [
        FigureRow(figures, reasons, pk=info.pk, sku=info.sku, name=info.name,
                  category=category_names.get(info.category_id, ""), supplier=info.supplier_name or None)
        for info, figures in analysis.products.values()
    ]


def category_rows(analysis, *, reasons: dict, categories: list, url_for) -> list[dict]:
    return [
        FigureRow(analysis.categories[c.pk], reasons, name=c.name, code=c.code, path=c.path, depth=c.depth,
                  url=url_for(c))
        for c in categories if c.pk in analysis.categories
    ]


def supplier_rows(analysis, *, reasons: dict, products_per_supplier: dict) -> list[dict]:
    return [
        FigureRow(figures, reasons, supplier=name or str(_("(no supplier)")), products=products_per_supplier.get(pk, 0))
        for pk, (name, figures) in analysis.suppliers.items()
    ]


def reason_rows(analysis, *, reasons: dict) -> list[dict]:
    from .analytics import ACTIONS, action_for_reason, ratio

    rows = []
    for pk, figures in analysis.reasons.items():
        reason = reasons.get(pk)
        if reason is None:
            continue
        action = action_for_reason(reason.code)
        label, hint = ACTIONS[action]
        rows.append(FigureRow(
            figures, reasons, reason=reason_label(reason), code=reason.code, merchant_fault=reason.merchant_fault,
            share=ratio(figures.returned_units, analysis.total.returned_units),
            action=label, action_hint=hint, action_code=action,
        ))
    return rows


def needs_look_rows(findings, *, reasons: dict, category_names: dict[int, str]) -> list[dict]:
    from .analytics import ACTIONS

    rows = []
    for finding in findings:
        reason = reasons.get(finding.reason_id)
        label, hint = ACTIONS[finding.action]
        rows.append(FigureRow(
            finding.figures, reasons, pk=finding.info.pk, sku=finding.info.sku, name=finding.info.name,
            category=category_names.get(finding.info.category_id, ""), category_rate=finding.category_rate,
            factor=finding.factor, excess_units=round(finding.excess_units),
            top_reason=reason_label(reason) if reason else None, top_reason_code=reason.code if reason else None,
            top_reason_share=finding.reason_share, action=label, action_hint=hint, action_code=finding.action,
        ))
    return rows
