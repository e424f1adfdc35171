import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Category

from .models import PriceProposal, PriceSuggestion


def _category_choices(filter_set, categories):
    if categories is not None:
        filter_set.filters["category"].queryset = categories
    filter_set.form.fields["category"].label_from_instance = lambda c: "\u2003" * c.depth + c.name


class SuggestionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=Category.objects.none(), method="in_category", to_field_name="code",
        empty_label=_("all categories"),
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=PriceSuggestion.Kind.choices, empty_label=_("all kinds"))
    outcome = django_filters.ChoiceFilter(
        label=_("Outcome"), choices=PriceSuggestion.Outcome.choices, empty_label=_("all outcomes"),
    )

    class Meta:
        model = PriceSuggestion
        fields = ["q", "category", "kind", "outcome"]

    def __init__(self, data=None, *args, categories=None, **kwargs):
        if data is not None and "outcome" not in data:
            data = data.copy()
            data["outcome"] = PriceSuggestion.Outcome.SUGGESTED  # the working list by default
        super().__init__(data, *args, **kwargs)
        _category_choices(self, categories)

    def search(self, queryset, name, value):
        return queryset.filter(Q(product__sku__icontains=value) | Q(product__name__icontains=value))

    def in_category(self, queryset, name, value):
        return queryset.filter(product__category__path__startswith=value.path)


class ProposalFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=PriceProposal.Status.choices,
                                         empty_label=_("all statuses"))
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=Category.objects.none(), method="in_category", to_field_name="code",
        empty_label=_("all categories"),
    )

    class Meta:
        model = PriceProposal
        fields = ["status", "category"]

    def __init__(self, data=None, *args, categories=None, **kwargs):
        if data is not None and "status" not in data:
            data = data.copy()
            data["status"] = PriceProposal.Status.PENDING
        super().__init__(data, *args, **kwargs)
        _category_choices(self, categories)

    def in_category(self, queryset, name, value):
        return queryset.filter(product__category__path__startswith=value.path)


class MarketFilter(django_filters.FilterSet):
    POSITIONS = (("above", _("far above the market")), ("below", _("far below the market")))
    position = django_filters.ChoiceFilter(label=_("Position"), choices=POSITIONS, method="by_position",
                                           empty_label=_("all products"))
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=Category.objects.none(), method="in_category", to_field_name="code",
        empty_label=_("all categories"),
    )

    def __init__(self, *args, categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        _category_choices(self, categories)

    def by_position(self, queryset, name, value):
        from .selectors import far_from_market

        return far_from_market(queryset, value)

    def in_category(self, queryset, name, value):
        return queryset.filter(product__category__path__startswith=value.path)
