import django_tables2 as tables
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from shopmgr.core.formatting import format_money, format_percent
from shopmgr.core.tables import MoneyColumn, NumberColumn, PercentColumn, PortalTable

from . import registry
from .models import KpiTarget, MetricsRun
from .templatetags.kpi_format import format_change, format_kpi, html_text, kpi_value, month_label


class ChangeColumn(tables.Column):
    """A change in percent, coloured by whether it is good (revenue: up is good)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"td": {"class": "num"}, "th": {"class": "num"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        if value is None:
            return "–"
        tone = "good" if value > 0 else "bad" if value < 0 else "neutral"
        return format_html('<span class="delta {}">{}</span>', tone, format_change("percent", value))

    def value(self, value):
        return None if value is None else round(value, 1)


class CategoryFiguresTable(PortalTable):
    """A category's figures with everything below it, each row drilling into the category."""

    name = tables.Column(verbose_name=_("Category"), linkify=lambda record: record["url"])
    code = tables.Column(verbose_name=_("Code"), visible=False)  # in the exports, for lookups
    revenue = MoneyColumn(verbose_name=_("Revenue"))
    revenue_change = ChangeColumn(verbose_name=_("Revenue change vs. previous period"))
    share = PercentColumn(verbose_name=_("Share of revenue"))
    orders = NumberColumn(verbose_name=_("Orders"))
    aov = MoneyColumn(verbose_name=_("Avg. order value"))
    units_sold = NumberColumn(verbose_name=_("Units"))
    net_revenue = MoneyColumn(verbose_name=_("Net revenue"))
    return_rate = PercentColumn(verbose_name=_("Return rate"))
    gross_margin = PercentColumn(verbose_name=_("Gross margin"))
    contribution = MoneyColumn(verbose_name=_("DB II"))

    class Meta(PortalTable.Meta):
        order_by = "-revenue"
        per_page = 100
        empty_text = _("No categories in your scope.")
        attrs = {"class": "table figures", "data-testid": "category-table"}
        # Header and rows are drawn by header_html and row_html (a tenth of django-tables2's
        # per-cell template cost, which was most of the dashboard's time over short periods);
        # sorting and exports stay django-tables2's.
        template_name = "kpis/_figures_table.html"

    def header_html(self) -> str:
        """The header cells with their sort links, as django-tables2's own template draws them
        (`th` attributes, `querystring_replace` of the sort parameter), without a template per cell."""
        params = dict(self.request.GET) if getattr(self, "request", None) else {}
        sort_field = self.prefixed_order_by_field
        # The query string is the same for every column but the sort parameter (which keeps its
        # place, or comes last): the other parameters are encoded once.
        params.setdefault(sort_field, None)
        encoded = [None if key == sort_field else urlencode({key: value}, doseq=True) for key, value in params.items()]
        at = list(params).index(sort_field)
        cells = []
        for column in self.columns:
            th = column.attrs["th"].as_html()
            if column.orderable:
                encoded[at] = urlencode({sort_field: column.order_by_alias.next}, doseq=True)
                href = html_text("?" + "&".join(part for part in encoded if part))
                cells.append(f'<th {html_text(th)}><a href="{href}">{html_text(column.header)}</a></th>')
            else:
                cells.append(f"<th {html_text(th)}>{html_text(column.header)}</th>")
        return mark_safe("".join(cells))  # every value was escaped (html_text)

    def body_html(self) -> str:
        """The rows of the body, as the loop of kpis/_figures_table.html drew them (one row a line)."""
        lang = get_language()
        rows = [f"\n  <tr>{self.row_html(record, lang)}</tr>\n" for record in self.data]
        if not rows:
            return mark_safe(f'\n  <tr><td colspan="{len(self.columns)}">{html_text(self.empty_text)}</td></tr>\n')
        return mark_safe("".join(rows))  # the rows are escaped by row_html

    def row_html(self, record: dict, lang: str | None = None) -> str:
        """One row's cells, formatted like the columns (money, percent, change, number)."""
        if lang is None:
            lang = get_language()
        if getattr(self, "_cell_formats", None) is None:
            self._cell_formats = [(bound.name, _cell_format(bound.column)) for bound in self.columns]
        cells = []
        for name, shown in self._cell_formats:
            if name == "name":
                cells.append(f'<td><a href="{html_text(record["url"])}">{html_text(record["name"])}</a></td>')
            else:
                cells.append(f'<td class="num">{shown(record.get(name), lang)}</td>')
        return mark_safe("".join(cells))  # every value was escaped (html_text)


def _cell_format(column):
    """A cell's content as escaped HTML, from its value and the language: what the column's render
    gives (the column types of the figures table in the language passed, any other by its render)."""
    kind = type(column)
    if kind is MoneyColumn:
        return lambda value, lang: html_text(format_money(value, lang=lang))
    if kind is PercentColumn:
        return lambda value, lang: html_text(format_percent(value, lang=lang))
    if kind is NumberColumn:
        return lambda value, lang: html_text(format_kpi(value, registry.COUNT, lang))
    if kind is ChangeColumn:
        return _change_cell
    return lambda value, lang: html_text(column.render(value))


def _change_cell(value, lang) -> str:
    """ChangeColumn.render's markup."""
    if value is None:
        return "–"
    tone = "good" if value > 0 else "bad" if value < 0 else "neutral"
    return f'<span class="delta {tone}">{html_text(format_change("percent", value, lang))}</span>'


class MetricsRunTable(PortalTable):
    started_at = tables.DateTimeColumn(verbose_name=_("Started"), format="SHORT_DATETIME_FORMAT")
    finished_at = tables.DateTimeColumn(verbose_name=_("Finished"), format="SHORT_DATETIME_FORMAT", default="–")
    duration = tables.Column(verbose_name=_("Duration"), empty_values=(), orderable=False,
                             attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    trigger = tables.Column(verbose_name=_("Trigger"))
    status = tables.Column(verbose_name=_("Status"))
    days = tables.Column(verbose_name=_("Days"), empty_values=(), order_by="days_total",
                         attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    rows = NumberColumn(verbose_name=_("Rows written"))
    error = tables.Column(verbose_name=_("Error"), default="")

    class Meta(PortalTable.Meta):
        model = MetricsRun
        fields = ["started_at", "finished_at", "duration", "trigger", "status", "days", "rows", "error"]
        order_by = "-started_at"
        per_page = 25
        empty_text = _("No run yet: the key figures are computed every night at 02:30.")
        attrs = {"class": "table", "data-testid": "runs-table"}

    def render_status(self, value, record):
        return format_html('<span class="status status-{}">{}</span>', record.status, value)

    def render_duration(self, record):
        if record.finished_at is None:
            return "–"
        seconds = (record.finished_at - record.started_at).total_seconds()
        if seconds < 60:
            return f"{seconds:.0f} s"
        return f"{number_format(seconds / 60, 1)} min"

    def render_days(self, record):
        text = f"{record.days_done} / {record.days_total}"
        if record.days_failed:
            return format_html('{} <span class="error">({} {})</span>', text, record.days_failed, _("failed"))
        return text

    def value_days(self, record):
        return record.days_done

    def render_error(self, value):
        first_line = value.splitlines()[0] if value else ""
        if len(first_line) > 120:
            first_line = first_line[:119] + "…"
        return format_html('<span class="runerror" title="{}">{}</span>', value, first_line)

    def value_error(self, value):
        return value


class KpiTargetTable(PortalTable):
    kpi = tables.Column(verbose_name=_("Key figure"))
    month = tables.Column(verbose_name=_("Month"))
    category = tables.Column(verbose_name=_("Category"), accessor="category__name", default=_("whole shop"),
                             order_by="category__path")
    value = tables.Column(verbose_name=_("Target"), attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    set_by = tables.Column(verbose_name=_("Set by"), default="–", order_by="set_by__username")
    set_at = tables.DateTimeColumn(verbose_name=_("Set at"), format="SHORT_DATETIME_FORMAT")
    delete = tables.TemplateColumn(
        template_name="kpis/_target_delete.html", verbose_name="", orderable=False, exclude_from_export=True,
    )

    class Meta(PortalTable.Meta):
        model = KpiTarget
        fields = ["kpi", "month", "category", "value", "set_by", "set_at", "delete"]
        order_by = ("-month", "kpi")
        per_page = 50
        empty_text = _("No targets set yet.")
        attrs = {"class": "table", "data-testid": "targets-table"}

    def render_kpi(self, value):
        kpi = registry.BY_KEY.get(value)
        return kpi.label if kpi else value

    def render_month(self, value):
        return month_label(value)

    def value_month(self, value):
        return value

    def render_set_by(self, value):
        return value.get_full_name() or value.username

    def render_value(self, value, record):
        kpi = registry.BY_KEY.get(record.kpi)
        return kpi_value(value, kpi.unit) if kpi else value

    def value_value(self, value):
        return value


class ProductFiguresTable(PortalTable):
    """A category's best-selling products in the period (from the day × product facts)."""

    sku = tables.Column(
        verbose_name=_("SKU"), orderable=False, attrs={"td": {"class": "nowrap"}},
        linkify=lambda record: reverse("catalog:product-detail", args=[record["product_id"]]),
    )
    name = tables.Column(verbose_name=_("Name"), orderable=False)
    revenue = MoneyColumn(verbose_name=_("Revenue"), orderable=False)
    units_sold = NumberColumn(verbose_name=_("Units"), orderable=False)
    orders = NumberColumn(verbose_name=_("Orders"), orderable=False)
    returned_units = NumberColumn(verbose_name=_("Returned units"), orderable=False)
    return_rate = PercentColumn(verbose_name=_("Return rate"), orderable=False)
    net_revenue = MoneyColumn(verbose_name=_("Net revenue"), orderable=False)
    gross_margin = PercentColumn(verbose_name=_("Gross margin"), orderable=False)

    class Meta(PortalTable.Meta):
        empty_text = _("No product of this category sold in the period.")
        attrs = {"class": "table", "data-testid": "product-table"}
