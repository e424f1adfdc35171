from django.contrib import admin

from .models import Return, ReturnLine, ReturnReason


@admin.register(ReturnReason)
class ReturnReasonAdmin(admin.ModelAdmin):
    list_display = ["code", "label_en", "label_de", "merchant_fault", "active"]
    list_filter = ["merchant_fault", "active"]
    search_fields = ["code", "label_en", "label_de"]


class ReturnLineInline(admin.TabularInline):
    model = ReturnLine
    raw_id_fields = ["order_line"]
    extra = 0


@admin.register(Return)
class ReturnAdmin(admin.ModelAdmin):
    list_display = ["external_id", "order", "status", "legal_basis", "received_at"]
    list_select_related = ["order"]
    search_fields = ["external_id", "order__external_id"]
    list_filter = ["status", "legal_basis"]
    date_hierarchy = "received_at"
    raw_id_fields = ["order", "created_by"]
    inlines = [ReturnLineInline]
    show_full_result_count = False


@admin.register(ReturnLine)
class ReturnLineAdmin(admin.ModelAdmin):
    list_display = ["ret", "order_line", "quantity", "reason", "condition", "disposition", "refund_amount"]
    list_select_related = ["ret", "order_line", "reason"]
    search_fields = ["ret__external_id"]
    list_filter = ["condition", "disposition", "reason"]
    raw_id_fields = ["ret", "order_line"]
    show_full_result_count = False
