from django.contrib import admin

from .models import CompetitorPrice, PriceChange


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
