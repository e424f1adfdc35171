from django.contrib import admin

from .models import Category, Product, Supplier


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "parent", "depth"]
    list_select_related = ["parent"]
    search_fields = ["code", "name"]
    list_filter = ["depth"]
    filter_horizontal = ["managers"]
    autocomplete_fields = ["parent"]


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ["name", "lead_time_days"]
    search_fields = ["name"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["sku", "name", "category", "supplier", "status", "price", "cost", "stock"]
    list_select_related = ["category", "supplier"]
    search_fields = ["sku", "name"]
    list_filter = ["status", "vat_rate", "category__depth"]
    autocomplete_fields = ["category", "supplier"]
    show_full_result_count = False
