from django.contrib import admin

from .models import (
    CompetitorPosition,
    CompetitorPrice,
    PriceChange,
    PriceProposal,
    PriceRule,
    PriceSuggestion,
    PricingRun,
    ProductElasticity,
)


@admin.register(PriceChange)
class PriceChangeAdmin(admin.ModelAdmin):
    list_display = ["product", "price", "kind", "valid_from", "created_by", "reason"]
    list_select_related = ["product", "created_by"]
    search_fields = ["product__sku", "product__name", "reason"]
    list_filter = ["kind"]
    date_hierarchy = "valid_from"
    raw_id_fields = ["product"]
    show_full_result_count = False


@admin.register(CompetitorPrice)
class CompetitorPriceAdmin(admin.ModelAdmin):
    list_display = ["product", "competitor", "price", "observed_at"]
    list_select_related = ["product"]
    search_fields = ["product__sku", "competitor"]
    list_filter = ["competitor"]
    raw_id_fields = ["product"]
    show_full_result_count = False


@admin.register(PriceRule)
class PriceRuleAdmin(admin.ModelAdmin):
    """Guardrails per category (the nearest rule up the tree applies)."""

    list_display = ["category", "margin_floor", "max_step", "competitor_band_below", "competitor_band_above",
                    "price_ending", "ceiling_factor", "updated_by", "updated_at"]
    list_select_related = ["category", "updated_by"]
    search_fields = ["category__code", "category__name"]
    raw_id_fields = ["category"]
    readonly_fields = ["updated_by", "updated_at"]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user  # who changed a guardrail is recorded
        super().save_model(request, obj, form, change)


@admin.register(PriceProposal)
class PriceProposalAdmin(admin.ModelAdmin):
    """Read-only: proposals are decided on /pricing/proposals/ (four eyes, in a service)."""

    list_display = ["product", "base_price", "price", "kind", "status", "proposed_by", "proposed_at", "decided_by"]
    list_select_related = ["product", "proposed_by", "decided_by"]
    list_filter = ["status", "kind"]
    search_fields = ["product__sku", "reason"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PricingRun)
class PricingRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "finished_at", "status", "trigger", "products", "suggestions"]
    readonly_fields = [f.name for f in PricingRun._meta.fields]
    search_fields = ["status", "trigger", "error"]
    list_filter = ["status"]

    def has_add_permission(self, request):
        return False


class ComputedAdmin(admin.ModelAdmin):
    """Rows the nightly run writes: read-only here."""

    list_select_related = ["product"]
    search_fields = ["product__sku", "product__name"]
    raw_id_fields = ["product"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PriceSuggestion)
class PriceSuggestionAdmin(ComputedAdmin):
    list_display = ["product", "kind", "outcome", "current_price", "suggested_price", "elasticity", "bound_by"]
    list_filter = ["kind", "outcome"]


@admin.register(ProductElasticity)
class ProductElasticityAdmin(ComputedAdmin):
    list_display = ["product", "elasticity", "std_error", "weeks", "distinct_prices", "source", "computed_at"]
    list_filter = ["source"]


@admin.register(CompetitorPosition)
class CompetitorPositionAdmin(ComputedAdmin):
    list_display = ["product", "competitors", "cheapest", "median", "highest", "observed_until"]
