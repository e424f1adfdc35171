import django_tables2 as tables
from django.urls import reverse
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from shopmgr.core.tables import MoneyColumn, NumberColumn, PercentColumn, PortalTable

from .models import CompetitorPosition, PriceProposal, PriceSuggestion


def product_page(product) -> str:
    return reverse("pricing:product", args=[product.sku])


class SuggestionTable(PortalTable):
    select = tables.Column(accessor="pk", verbose_name="", orderable=False, exclude_from_export=True)
    sku = tables.Column(accessor="product__sku", verbose_name=_("SKU"), order_by="product__sku")
    name = tables.Column(accessor="product__name", verbose_name=_("Name"), order_by="product__name")
    category = tables.Column(accessor="product__category__name", verbose_name=_("Category"),
                             order_by="product__category__path")
    kind = tables.Column(verbose_name=_("Kind"))
    current_price = MoneyColumn(verbose_name=_("Current price"))
    suggested_price = MoneyColumn(verbose_name=_("Suggested price"))
    change = PercentColumn(verbose_name=_("Price change"))
    elasticity = tables.Column(verbose_name=_("Elasticity"), attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    bound_by = tables.Column(verbose_name=_("Bound by"))
    contribution_change = MoneyColumn(verbose_name=_("Contribution/week Δ"))
    outcome = tables.Column(verbose_name=_("Outcome"))
    explain = tables.Column(accessor="pk", verbose_name="", orderable=False, exclude_from_export=True)

    class Meta(PortalTable.Meta):
        model = PriceSuggestion
        fields = []
        sequence = ["select", "sku", "name", "category", "kind", "current_price", "suggested_price", "change",
                    "elasticity", "bound_by", "contribution_change", "outcome", "explain"]
        order_by = ("-contribution_change",)

    BOUNDS = {"max_step": _("maximum step"), "competitor_band": _("competitor band"), "ceiling": _("ceiling"),
              "margin_floor": _("margin floor"), "markdown": _("markdown"), "": _("optimum")}

    def render_select(self, value, record):
        if record.suggested_price is None:
            return ""
        return format_html('<input type="checkbox" name="suggestion" value="{}" form="bulk-propose" '
                           'data-testid="select-{}">', value, record.product.sku)

    def render_sku(self, value, record):
        return format_html('<a href="{}">{}</a>', product_page(record.product), value)

    def render_elasticity(self, value):
        return formats.number_format(value, 2, use_l10n=True) if value is not None else "–"

    def render_bound_by(self, value):
        return self.BOUNDS.get(value, value)

    def render_outcome(self, value, record):
        return record.get_outcome_display()

    def render_explain(self, value, record):
        return format_html('<a href="{}" data-testid="explain-{}">{}</a>', reverse("pricing:suggestion", args=[value]),
                           record.product.sku, _("Explanation"))


class ProposalTable(PortalTable):
    sku = tables.Column(accessor="product__sku", verbose_name=_("SKU"), order_by="product__sku")
    name = tables.Column(accessor="product__name", verbose_name=_("Name"), order_by="product__name")
    base_price = MoneyColumn(verbose_name=_("Price when proposed"))
    price = MoneyColumn(verbose_name=_("Proposed price"))
    kind = tables.Column(verbose_name=_("Kind"))
    reason = tables.Column(verbose_name=_("Why"))
    override_reason = tables.Column(verbose_name=_("Override"), default="")
    proposed_by = tables.Column(verbose_name=_("Proposed by"))
    proposed_at = tables.DateTimeColumn(verbose_name=_("Proposed at"), format="SHORT_DATETIME_FORMAT")
    status = tables.Column(verbose_name=_("Status"))
    decided_by = tables.Column(verbose_name=_("Decided by"), default="–")
    decision = tables.TemplateColumn(template_name="pricing/_decision.html", verbose_name=_("Decision"),
                                     orderable=False, exclude_from_export=True)

    class Meta(PortalTable.Meta):
        model = PriceProposal
        fields = []
        sequence = ["sku", "name", "base_price", "price", "kind", "reason", "override_reason", "proposed_by",
                    "proposed_at", "status", "decided_by", "decision"]
        order_by = ("-proposed_at",)
        row_attrs = {"data-testid": lambda record: f"proposal-{record.product.sku}"}

    def render_sku(self, value, record):
        return format_html('<a href="{}">{}</a>', product_page(record.product), value)


class MarketTable(PortalTable):
    sku = tables.Column(accessor="product__sku", verbose_name=_("SKU"), order_by="product__sku")
    name = tables.Column(accessor="product__name", verbose_name=_("Name"), order_by="product__name")
    category = tables.Column(accessor="product__category__name", verbose_name=_("Category"),
                             order_by="product__category__path")
    price = MoneyColumn(accessor="product__price", verbose_name=_("Our price"), order_by="product__price")
    cheapest = MoneyColumn(verbose_name=_("Cheapest competitor"))
    median = MoneyColumn(verbose_name=_("Competitor median"))
    competitors = NumberColumn(verbose_name=_("Competitors"))
    rank = tables.Column(accessor="pk", verbose_name=_("Our rank"), orderable=False,
                         attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    gap = PercentColumn(verbose_name=_("Gap to median"))

    class Meta(PortalTable.Meta):
        model = CompetitorPosition
        fields = []
        sequence = ["sku", "name", "category", "price", "cheapest", "median", "competitors", "rank", "gap"]
        order_by = ("-gap",)

    def render_rank(self, value, record):
        return _("%(rank)s of %(of)s") % {"rank": record.rank_of(record.product.price), "of": record.competitors + 1}

    def value_rank(self, value, record):
        return record.rank_of(record.product.price)

    def render_sku(self, value, record):
        return format_html('<a href="{}">{}</a>', product_page(record.product), value)

