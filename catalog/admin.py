from django.contrib import admin

from .models import (
    AssortmentRules,
    AssortmentRun,
    Category,
    CategoryAnalysis,
    ListingProposal,
    Product,
    ProductAnalysis,
    ProductStatusChange,
    Supplier,
)


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
    # The status changes through listing decisions only, so that each change records who, when
    # and why (Assortment › Listing decisions).
    readonly_fields = ["status"]


@admin.register(AssortmentRules)
class AssortmentRulesAdmin(admin.ModelAdmin):
    list_display = ["category", "abc_basis", "abc_a", "abc_b", "xyz_x", "xyz_y", "months", "updated_by", "updated_at"]
    list_select_related = ["category", "updated_by"]
    search_fields = ["category__code", "category__name"]
    autocomplete_fields = ["category"]
    readonly_fields = ["updated_by", "updated_at"]


@admin.register(ListingProposal)
class ListingProposalAdmin(admin.ModelAdmin):
    """Read-only: proposals are filed and decided on the workbench (four eyes)."""

    list_display = ["proposed_at", "product", "action", "status", "proposed_by", "decided_by", "decided_at"]
    list_select_related = ["product", "proposed_by", "decided_by"]
    list_filter = ["status", "action"]
    search_fields = ["product__sku", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ProductStatusChange)
class ProductStatusChangeAdmin(admin.ModelAdmin):
    list_display = ["changed_at", "product", "from_status", "to_status", "changed_by"]
    list_select_related = ["product", "changed_by"]
    search_fields = ["product__sku", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AssortmentRun)
class AssortmentRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "as_of", "trigger", "status", "products", "seconds"]
    list_filter = ["status"]
    search_fields = ["trigger", "error"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class _ReadOnly(admin.ModelAdmin):
    """Written by the nightly analyses only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ProductAnalysis)
class ProductAnalysisAdmin(_ReadOnly):
    list_display = ["product", "abc_class", "xyz_class", "revenue_12m", "units_90d", "return_rate_90d",
                    "content_score", "delist_score", "computed_at"]
    list_select_related = ["product"]
    list_filter = ["abc_class", "xyz_class", "movement"]
    search_fields = ["product__sku", "product__name"]
    show_full_result_count = False


@admin.register(CategoryAnalysis)
class CategoryAnalysisAdmin(_ReadOnly):
    list_display = ["category", "products", "revenue_12m", "inventory_at_cost", "gmroi", "slow_movers", "dead_stock"]
    list_select_related = ["category"]
    search_fields = ["category__code", "category__name"]
