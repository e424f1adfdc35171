from decimal import Decimal
from html import escape

import django_filters
from django import forms
from django.db.models import Q
from django.forms.utils import flatatt
from django.utils.html import format_html, mark_safe
from django.utils.translation import gettext_lazy as _

from .models import Category, ListingProposal, Product, Supplier

IN_ASSORTMENT = "in_assortment"


class FastSelect(forms.Select):
    """A <select> written in Python: Django renders each <option> through a template, which made the
    product list's filter form a third of its server time."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = {str(v) for v in (value if isinstance(value, list | tuple) else [value]) if v not in (None, "")}
        options = []
        for v, label in self.choices:
            v = "" if v is None else str(v)
            selected = " selected" if v in chosen else ""
            options.append(f'<option value="{escape(v)}"{selected}>{escape(str(label))}</option>')
        return format_html("<select{}>{}</select>", flatatt(final), mark_safe("".join(options)))


class FastRangeWidget(django_filters.widgets.RangeWidget):
    """The two number inputs of a range filter (name_min, name_max), written in Python."""

    def render(self, name, value, attrs=None, renderer=None):
        if not isinstance(value, list):
            value = self.decompress(value)
        final = self.build_attrs(self.attrs, attrs)
        base_id = final.pop("id", name)
        parts = []
        for suffix, part, placeholder in zip(self.suffixes, value, (_("from"), _("to")), strict=True):
            parts.append(format_html(
                '<input type="number" step="any" name="{}_{}" id="{}_{}" value="{}" placeholder="{}"{}>',
                name, suffix, base_id, suffix, "" if part is None else part, placeholder, flatatt(final),
            ))
        return mark_safe("".join(parts))


def _fast(filterset) -> None:
    for field in filterset.form.fields.values():
        if isinstance(field.widget, forms.Select) and not isinstance(field.widget, forms.SelectMultiple):
            widget = FastSelect(attrs=field.widget.attrs)
            widget.choices = field.widget.choices
            field.widget = widget
        elif isinstance(field.widget, django_filters.widgets.RangeWidget):
            field.widget = FastRangeWidget()


class PercentRangeFilter(django_filters.RangeFilter):
    """A rate stored as a fraction (0.1234), entered as a percentage (12.34)."""

    def filter(self, qs, value):
        if value:
            start = None if value.start is None else Decimal(value.start) / 100
            stop = None if value.stop is None else Decimal(value.stop) / 100
            value = slice(start, stop)
        return super().filter(qs, value)


class ProductFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=Category.objects.none(), method="in_category",
        to_field_name="code", empty_label=_("all categories"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=[(IN_ASSORTMENT, _("in the assortment (active or phase-out)")), *Product.Status.choices],
        empty_label=_("all statuses"), method="with_status",
    )
    supplier = django_filters.ModelChoiceFilter(
        label=_("Supplier"), queryset=Supplier.objects.none(), empty_label=_("all suppliers"),
    )
    abc = django_filters.ChoiceFilter(
        label=_("ABC"), field_name="analysis__abc_class", choices=[(c, c) for c in "ABC"], empty_label=_("all"),
    )
    xyz = django_filters.ChoiceFilter(
        label=_("XYZ"), field_name="analysis__xyz_class", choices=[(c, c) for c in "XYZ"], empty_label=_("all"),
    )
    movement = django_filters.ChoiceFilter(
        label=_("Movement"), field_name="analysis__movement",
        choices=[("slow", _("slow movers")), ("dead", _("dead stock"))], empty_label=_("all"),
    )
    return_rate = PercentRangeFilter(label=_("Return rate (%)"), field_name="analysis__return_rate_90d")
    gross_margin = PercentRangeFilter(label=_("Gross margin (%)"), field_name="analysis__gross_margin_90d")
    stock = django_filters.RangeFilter(label=_("Stock"), field_name="stock")
    days_of_inventory = django_filters.RangeFilter(label=_("Days of inventory"), method="doi_range")
    content_score = django_filters.RangeFilter(label=_("Content score"), field_name="analysis__content_score")

    class Meta:
        model = Product
        fields = ["q", "category", "status", "supplier"]

    def __init__(self, *args, categories=None, suppliers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if categories is not None:
            self.filters["category"].queryset = categories
        if suppliers is not None:
            self.filters["supplier"].queryset = suppliers
        # Sub-categories indented under their parent in the drop-down.
        self.form.fields["category"].label_from_instance = lambda c: "\u2003" * c.depth + c.name
        _fast(self)

    def search(self, queryset, name, value):
        return queryset.filter(Q(sku__icontains=value) | Q(name__icontains=value))

    def in_category(self, queryset, name, value):
        return queryset.filter(category__path__startswith=value.path)

    def with_status(self, queryset, name, value):
        if value == IN_ASSORTMENT:
            return queryset.filter(status__in=[Product.Status.ACTIVE, Product.Status.PHASE_OUT])
        return queryset.filter(status=value)

    def doi_range(self, queryset, name, value):
        """No sale in 90 days with stock on hand has endless days of inventory: above any lower bound."""
        if value.start is not None:
            endless = Q(analysis__days_of_inventory__isnull=True, stock__gt=0, analysis__isnull=False)
            queryset = queryset.filter(Q(analysis__days_of_inventory__gte=value.start) | endless)
        if value.stop is not None:
            queryset = queryset.filter(analysis__days_of_inventory__lte=value.stop)
        return queryset


class ProposalFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ListingProposal.Status.choices, empty_label=_("all statuses"),
    )
    action = django_filters.ChoiceFilter(label=_("Action"), choices=ListingProposal.Action.choices, empty_label=_("all"))

    class Meta:
        model = ListingProposal
        fields = ["status", "action"]


class CategoryPick(forms.Form):
    """The category a workbench page is narrowed to (only visible ones are choices)."""

    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), to_field_name="code", required=False,
        empty_label=_("all my categories"),
    )

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
        self.fields["category"].label_from_instance = lambda c: "\u2003" * c.depth + c.name

    @property
    def chosen(self):
        if self.is_bound and self.is_valid():
            return self.cleaned_data.get("category")
        return None
