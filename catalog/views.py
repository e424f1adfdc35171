from django.shortcuts import render
from django_tables2 import RequestConfig
from django_tables2.export import TableExport

from pricing.selectors import competitor_prices_for, price_history_for

from . import selectors
from .filters import ProductFilter
from .tables import CategoryTable, ProductTable


def _export_or_render(request, table, template, context):
    export_format = request.GET.get("_export")
    if TableExport.is_valid_format(export_format):
        return TableExport(export_format, table).response(f"{context['export_name']}.{export_format}")
    return render(request, template, context)


def category_index(request):
    categories = selectors.category_list(user=request.user)
    table = CategoryTable(categories)
    RequestConfig(request, paginate={"per_page": 100}).configure(table)
    return _export_or_render(request, table, "catalog/category_list.html", {"table": table, "export_name": "categories"})


def category_detail(request, code: str):
    category = selectors.category_get(user=request.user, code=code)
    products = selectors.product_list(user=request.user).filter(category__path__startswith=category.path)
    table = ProductTable(products)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    children = selectors.category_list(user=request.user).filter(parent=category)
    return render(request, "catalog/category_detail.html", {"category": category, "children": children, "table": table})


def product_list(request):
    categories = selectors.category_list(user=request.user)
    product_filter = ProductFilter(
        request.GET, queryset=selectors.product_list(user=request.user), categories=categories
    )
    table = ProductTable(product_filter.qs)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return _export_or_render(
        request, table, "catalog/product_list.html",
        {"filter": product_filter, "table": table, "export_name": "products"},
    )


def product_detail(request, pk: int):
    product = selectors.product_get(user=request.user, pk=pk)
    return render(request, "catalog/product_detail.html", {
        "product": product,
        "price_history": price_history_for(product=product, limit=20),
        "competitor_prices": competitor_prices_for(product=product, limit=20),
    })
