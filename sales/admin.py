from django.contrib import admin

from .models import (
    Customer,
    Invoice,
    MarketingSpend,
    Order,
    OrderLine,
    Payment,
    Review,
    Shipment,
    TrafficDay,
)


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["external_id", "name", "email", "kind", "country", "created_at"]
    search_fields = ["external_id", "name", "email"]
    list_filter = ["kind", "country"]
    show_full_result_count = False


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    raw_id_fields = ["product"]
    extra = 0


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["external_id", "customer", "placed_at", "channel", "payment_method", "status"]
    list_select_related = ["customer"]
    search_fields = ["external_id", "customer__external_id", "customer__name", "customer__email"]
    list_filter = ["status", "channel", "payment_method"]
    date_hierarchy = "placed_at"
    raw_id_fields = ["customer"]
    inlines = [OrderLineInline]
    show_full_result_count = False


@admin.register(OrderLine)
class OrderLineAdmin(admin.ModelAdmin):
    list_display = ["order", "line_no", "product", "quantity", "unit_price", "vat_rate", "discount", "net_amount"]
    list_select_related = ["order", "product"]
    search_fields = ["order__external_id", "product__sku"]
    list_filter = ["vat_rate"]
    raw_id_fields = ["order", "product"]
    show_full_result_count = False


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    list_display = ["order", "carrier", "shipped_at", "promised_by", "delivered_at", "shipping_cost"]
    list_select_related = ["order"]
    search_fields = ["order__external_id"]
    list_filter = ["carrier"]
    raw_id_fields = ["order"]
    show_full_result_count = False


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ["number", "order", "issued_on", "due_on", "amount", "default_notice"]
    list_select_related = ["order"]
    search_fields = ["number", "order__external_id", "order__customer__name"]
    list_filter = ["default_notice"]
    date_hierarchy = "issued_on"
    raw_id_fields = ["order"]
    inlines = [PaymentInline]
    show_full_result_count = False


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["invoice", "paid_on", "amount", "method"]
    list_select_related = ["invoice"]
    search_fields = ["invoice__number"]
    list_filter = ["method"]
    raw_id_fields = ["invoice"]
    show_full_result_count = False


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["order", "product", "rating", "created_at"]
    list_select_related = ["order", "product"]
    search_fields = ["order__external_id", "product__sku", "text"]
    list_filter = ["rating"]
    raw_id_fields = ["order", "product"]
    show_full_result_count = False


@admin.register(TrafficDay)
class TrafficDayAdmin(admin.ModelAdmin):
    list_display = ["date", "channel", "sessions"]
    list_filter = ["channel"]
    search_fields = ["channel"]
    date_hierarchy = "date"


@admin.register(MarketingSpend)
class MarketingSpendAdmin(admin.ModelAdmin):
    list_display = ["date", "channel", "campaign_code", "amount"]
    list_filter = ["channel"]
    search_fields = ["campaign_code", "channel"]
    date_hierarchy = "date"
