import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from shopmgr.core.tables import MoneyColumn, NumberColumn, PortalTable

from .models import Category, Product


class ProductTable(PortalTable):
    sku = tables.Column(linkify=True, verbose_name=_("SKU"))
    name = tables.Column(linkify=True, verbose_name=_("Name"))
    category = tables.Column(accessor="category__name", verbose_name=_("Category"), order_by="category__path")
    status = tables.Column(verbose_name=_("Status"))
    price = MoneyColumn(verbose_name=_("Price (gross)"))
    cost = MoneyColumn(verbose_name=_("Cost (net)"))
    stock = NumberColumn(verbose_name=_("Stock"))

    class Meta(PortalTable.Meta):
        model = Product
        fields = ["sku", "name", "category", "status", "price", "cost", "stock"]


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
