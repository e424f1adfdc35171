import django_tables2 as tables
from django.db.models import F
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from shopmgr.core.formatting import format_money, format_percent
from shopmgr.core.tables import MoneyColumn, NumberColumn, PercentColumn, PortalTable

from .models import Category, ListingProposal, Product

NUM = {"td": {"class": "num"}, "th": {"class": "num"}}


class KeyHeaderExportMixin:
    """Exports name their columns by key (sku, abc_class, …) so that files stay stable across languages."""

    def as_values(self, exclude_columns=None):
        rows = super().as_values(exclude_columns=exclude_columns)
        next(rows)
        exclude = set(exclude_columns or ())
        yield [
            c.name for c in self.columns.iterall() if not (c.column.exclude_from_export or c.name in exclude)
        ]
        yield from rows


class SelectColumn(tables.CheckBoxColumn):
    """A checkbox that belongs to the proposal form below the table (HTML form attribute)."""

    def __init__(self, form_id: str = "propose-form", **kwargs):
        kwargs.setdefault("accessor", "pk")
        kwargs.setdefault("exclude_from_export", True)
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("attrs", {
            "input": {"form": form_id, "name": "product"},
            "th__input": {"form": form_id, "data-select-all": "product", "aria-label": _("Select all")},
        })
        super().__init__(**kwargs)


class DaysColumn(tables.Column):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", NUM)
        super().__init__(*args, **kwargs)

    def render(self, value):
        return f"{value:.0f}" if value is not None else "–"


class ProductTable(KeyHeaderExportMixin, PortalTable):
    select = SelectColumn()
    sku = tables.Column(linkify=True, verbose_name=_("SKU"))
    name = tables.Column(linkify=True, verbose_name=_("Name"))
    category = tables.Column(accessor="category__name", verbose_name=_("Category"), order_by="category__path")
    status = tables.Column(verbose_name=_("Status"))
    abc_class = tables.Column(verbose_name=_("ABC"), default="–")
    xyz_class = tables.Column(verbose_name=_("XYZ"), default="–")
    units_90d = NumberColumn(verbose_name=_("Units (90 d)"), default="–")
    revenue_90d = MoneyColumn(verbose_name=_("Net revenue (90 d)"))
    gross_margin = PercentColumn(verbose_name=_("Gross margin (90 d)"))
    return_rate = PercentColumn(verbose_name=_("Return rate (90 d)"))
    price = MoneyColumn(verbose_name=_("Price (gross)"))
    stock = NumberColumn(verbose_name=_("Stock"))
    days_of_inventory = DaysColumn(verbose_name=_("Days of inventory"))
    content_score = NumberColumn(verbose_name=_("Content score"), default="–")
    # in the exports only
    days_since_last_sale = tables.Column(visible=False)
    sell_through = tables.Column(visible=False)
    movement = tables.Column(visible=False)

    class Meta(PortalTable.Meta):
        model = Product
        template_name = "catalog/_rows_table.html"  # rows built in Python (html_rows)
        fields = [
            "select", "sku", "name", "category", "status", "abc_class", "xyz_class", "units_90d", "revenue_90d",
            "gross_margin", "return_rate", "price", "stock", "days_of_inventory", "content_score",
            "days_since_last_sale", "sell_through", "movement",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.show_select = "select" not in (kwargs.get("exclude") or ())

    def html_rows(self) -> list[str]:
        """The page's rows as HTML, built in Python: the template engine took about 1 ms a row for
        15 cells, which was most of the list's server time at 50 rows (docs/assortment.md)."""
        no_sale = str(_("no sale"))
        rows = []
        for row in self.paginated_rows:
            p = row.record
            url = p.get_absolute_url()
            if p.days_of_inventory is not None:
                doi = f"{p.days_of_inventory:.0f}"
            else:
                doi = no_sale if (p.abc_class and p.stock > 0) else "–"
            select = (
                format_html('<td><input type="checkbox" name="product" value="{}" form="propose-form" '
                            'aria-label="{}"></td>', p.pk, p.sku)
                if self.show_select else ""
            )
            sku, name = escape(p.sku), escape(p.name)
            rows.append(
                f'<tr>{select}<td><a href="{url}">{sku}</a></td><td><a href="{url}">{name}</a></td>'
                f"<td>{escape(p.category.name)}</td><td>{escape(str(p.get_status_display()))}</td>"
                f"<td>{escape(p.abc_class or '–')}</td><td>{escape(p.xyz_class or '–')}</td>"
                f'<td class="num">{"–" if p.units_90d is None else number_format(p.units_90d, force_grouping=True)}</td>'
                f'<td class="num">{format_money(p.revenue_90d)}</td>'
                f'<td class="num">{format_percent(p.gross_margin)}</td>'
                f'<td class="num">{format_percent(p.return_rate)}</td>'
                f'<td class="num">{format_money(p.price)}</td>'
                f'<td class="num">{number_format(p.stock, force_grouping=True)}</td>'
                f'<td class="num">{escape(doi)}</td>'
                f'<td class="num">{"–" if p.content_score is None else p.content_score}</td></tr>'
            )
        return [mark_safe(row) for row in rows]  # every value above is escaped or a formatted number

    def render_days_of_inventory(self, value, record):
        if value is None:
            return _("no sale") if record.stock > 0 and record.abc_class else "–"
        return f"{value:.0f}"

    def value_days_of_inventory(self, value):
        return value


class DelistCandidateTable(PortalTable):
    select = SelectColumn()
    delist_score = NumberColumn(verbose_name=_("Score"))
    sku = tables.Column(linkify=True, verbose_name=_("SKU"))
    name = tables.Column(linkify=True, verbose_name=_("Name"))
    category = tables.Column(accessor="category__name", verbose_name=_("Category"), order_by="category__path")
    status = tables.Column(verbose_name=_("Status"))
    revenue_12m = MoneyColumn(verbose_name=_("Net revenue (12 months)"))
    return_rate = PercentColumn(verbose_name=_("Return rate (90 d)"))
    gross_margin = PercentColumn(verbose_name=_("Gross margin (90 d)"))
    content_score = NumberColumn(verbose_name=_("Content score"))
    why = tables.Column(empty_values=(), orderable=False, verbose_name=_("Why"))

    class Meta(PortalTable.Meta):
        model = Product
        template_name = "catalog/_rows_table.html"  # rows built in Python, as in ProductTable
        fields = [
            "select", "delist_score", "sku", "name", "category", "status", "revenue_12m", "return_rate",
            "gross_margin", "content_score", "why",
        ]

    def render_why(self, record):
        return format_html('<span class="small">{}</span>', explain_rank(record))

    def html_rows(self) -> list[str]:
        rows = []
        for row in self.paginated_rows:
            p = row.record
            url = p.get_absolute_url()
            rows.append(format_html(
                '<tr><td><input type="checkbox" name="product" value="{}" form="propose-form" aria-label="{}"></td>'
                '<td class="num">{}</td><td><a href="{}">{}</a></td><td><a href="{}">{}</a></td><td>{}</td>'
                '<td>{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td>'
                '<td class="num">{}</td><td><span class="small">{}</span></td></tr>',
                p.pk, p.sku, p.delist_score, url, p.sku, url, p.name, p.category.name, p.get_status_display(),
                format_money(p.revenue_12m), format_percent(p.return_rate), format_percent(p.gross_margin),
                p.content_score, explain_rank(p),
            ))
        return rows

    def value_why(self, record):
        return explain_rank(record)


def explain_rank(record) -> str:
    """The score in words: each part is the share of the category's assortment doing better."""
    parts = [
        (record.rank_sales, _("sales lower than %(p)s %% of the category")),
        (record.rank_returns, _("return rate higher than %(p)s %% of the category")),
        (record.rank_margin, _("margin lower than %(p)s %% of the category")),
        (record.rank_content, _("content poorer than %(p)s %% of the category")),
    ]
    strong = [str(text) % {"p": rank} for rank, text in sorted(parts, key=lambda p: -p[0]) if rank >= 50]
    return "; ".join(strong) if strong else str(_("no part worse than the category's median"))


class CategoryTable(PortalTable):
    code = tables.Column(linkify=True, verbose_name=_("Code"))
    name = tables.TemplateColumn(
        '<span class="indent-{{ record.depth }}">{{ record.name }}</span>', verbose_name=_("Name"),
        order_by="path",
    )
    parent = tables.Column(accessor="parent__name", verbose_name=_("Parent"), default="")
    product_count = NumberColumn(verbose_name=_("Products"))
    active_count = NumberColumn(verbose_name=_("Active"))

    class Meta(PortalTable.Meta):
        model = Category
        fields = ["code", "name", "parent", "product_count", "active_count"]
        per_page = 100


class CategoryAnalysisTable(PortalTable):
    name = tables.TemplateColumn(
        '<a class="indent-{{ record.depth }}" href="{{ record.get_absolute_url }}">{{ record.name }}</a>',
        verbose_name=_("Category"), order_by="path",
    )
    a_products = NumberColumn(verbose_name=_("Products"), default="–")
    a_revenue = MoneyColumn(verbose_name=_("Net revenue (12 months)"))
    a_cogs = MoneyColumn(verbose_name=_("COGS (12 months)"))
    a_inventory = MoneyColumn(verbose_name=_("Stock at cost"))
    a_gmroi = tables.Column(verbose_name=_("GMROI"), attrs=NUM, default="–")
    a_slow = tables.Column(verbose_name=_("Slow movers"), attrs=NUM, default="–")
    a_dead = tables.Column(verbose_name=_("Dead stock"), attrs=NUM, default="–")
    a_dead_cost = MoneyColumn(verbose_name=_("Dead stock at cost"))
    a_content = tables.Column(verbose_name=_("Content score (mean)"), attrs=NUM, default="–")

    class Meta(PortalTable.Meta):
        model = Category
        fields = ["name", "a_products", "a_revenue", "a_cogs", "a_inventory", "a_gmroi", "a_slow", "a_dead",
                  "a_dead_cost", "a_content"]
        per_page = 100

    def render_a_gmroi(self, value):
        from shopmgr.core.formatting import format_money

        return format_money(value, 2).replace("€", "").strip()

    def _movement_link(self, record, value, movement):
        url = reverse("catalog:product-list") + f"?category={record.code}&movement={movement}"
        return format_html('<a href="{}">{}</a>', url, value)

    def render_a_slow(self, value, record):
        return self._movement_link(record, value, "slow")

    def render_a_dead(self, value, record):
        return self._movement_link(record, value, "dead")

    def value_a_slow(self, value):
        return value

    def value_a_dead(self, value):
        return value


class ProposalTable(PortalTable):
    select = tables.CheckBoxColumn(
        accessor="pk", exclude_from_export=True, orderable=False,
        attrs={"input": {"form": "decide-form", "name": "proposal"},
               "th__input": {"form": "decide-form", "data-select-all": "proposal", "aria-label": _("Select all")}},
    )
    proposed_at = tables.DateTimeColumn(verbose_name=_("Proposed at"), format="SHORT_DATETIME_FORMAT")
    sku = tables.Column(accessor="product__sku", verbose_name=_("SKU"),
                        linkify=lambda record: record.product.get_absolute_url())
    product = tables.Column(accessor="product__name", verbose_name=_("Product"))
    category = tables.Column(accessor="product__category__name", verbose_name=_("Category"))
    action = tables.Column(verbose_name=_("Action"))
    reason = tables.Column(verbose_name=_("Reason"))
    proposed_by = tables.Column(verbose_name=_("Proposed by"))
    status = tables.Column(verbose_name=_("Status"))
    decided_by = tables.Column(verbose_name=_("Decided by"), default="–")
    decided_at = tables.DateTimeColumn(verbose_name=_("Decided at"), format="SHORT_DATETIME_FORMAT", default="–")
    decision_note = tables.Column(verbose_name=_("Note"), default="")

    class Meta(PortalTable.Meta):
        model = ListingProposal
        fields = ["select", "proposed_at", "sku", "product", "category", "action", "reason", "proposed_by", "status",
                  "decided_by", "decided_at", "decision_note"]
        order_by = ("-proposed_at",)

    def __init__(self, *args, can_decide: bool = False, **kwargs):
        if not can_decide:
            kwargs.setdefault("exclude", ("select",))
        super().__init__(*args, **kwargs)


def _nulls_last(name: str):
    """Sort an analysis column with the products that have no figure yet at the end, on both databases."""

    def order(self, queryset, is_descending):
        field = F(name)
        expression = field.desc(nulls_last=True) if is_descending else field.asc(nulls_last=True)
        return queryset.order_by(expression, "sku"), True

    return order


for _name in ("abc_class", "xyz_class", "units_90d", "revenue_90d", "gross_margin", "return_rate",
              "days_of_inventory", "content_score"):
    setattr(ProductTable, f"order_{_name}", _nulls_last(_name))
for _name in ("revenue_12m", "return_rate", "gross_margin", "content_score"):
    setattr(DelistCandidateTable, f"order_{_name}", _nulls_last(_name))
