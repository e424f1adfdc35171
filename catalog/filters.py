import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Category, Product


class ProductFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=Category.objects.none(), method="in_category",
        to_field_name="code", empty_label=_("all categories"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Product.Status.choices, empty_label=_("all statuses")
    )

    class Meta:
        model = Product
        fields = ["q", "category", "status"]

    def __init__(self, *args, categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        if categories is not None:
            self.filters["category"].queryset = categories
        # Sub-categories indented under their parent in the drop-down.
        self.form.fields["category"].label_from_instance = lambda c: "\u2003" * c.depth + c.name

    def search(self, queryset, name, value):
        return queryset.filter(Q(sku__icontains=value) | Q(name__icontains=value))

    def in_category(self, queryset, name, value):
        return queryset.filter(category__path__startswith=value.path)
