from django.contrib import admin

from .models import Return, ReturnEvent, ReturnLine, ReturnReason, ReturnRefund


@admin.register(ReturnReason)
class ReturnReasonAdmin(admin.ModelAdmin):
    list_display = ["code", "label_en", "label_de", "merchant_fault", "active"]
    list_filter = ["merchant_fault", "active"]
    search_fields = ["code", "label_en", "label_de"]


class ReturnLineInline(admin.TabularInline):
    model = ReturnLine
    raw_id_fields = ["order_line"]
    extra = 0


class ReturnEventInline(admin.TabularInline):
    """The desk's audit trail: read only, written by returns.services."""

    model = ReturnEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "at", "by", "note"]

    def has_add_permission(self, request, obj=None):
        return False


class ReturnRefundInline(admin.TabularInline):
    """Refunds paid at the desk: read only, written by returns.services."""

    model = ReturnRefund
    extra = 0
    can_delete = False
    readonly_fields = ["items_amount", "shipping_amount", "deduction", "deduction_reason", "amount", "method", "at", "by"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Return)
class ReturnAdmin(admin.ModelAdmin):
    list_display = ["external_id", "order", "status", "legal_basis", "late_withdrawal", "received_at"]
    list_select_related = ["order"]
    search_fields = ["external_id", "order__external_id"]
    list_filter = ["status", "legal_basis"]
    date_hierarchy = "received_at"
    raw_id_fields = ["order", "created_by"]
    inlines = [ReturnLineInline, ReturnRefundInline, ReturnEventInline]
    show_full_result_count = False


@admin.register(ReturnLine)
class ReturnLineAdmin(admin.ModelAdmin):
    list_display = ["ret", "order_line", "quantity", "reason", "condition", "disposition", "refund_amount"]
    list_select_related = ["ret", "order_line", "reason"]
    search_fields = ["ret__external_id"]
    list_filter = ["condition", "disposition", "reason"]
    raw_id_fields = ["ret", "order_line"]
    show_full_result_count = False


@admin.register(ReturnEvent)
class ReturnEventAdmin(admin.ModelAdmin):
    """The desk's audit trail (who did what, when): read only."""

    list_display = ["ret", "action", "at", "by"]
    list_select_related = ["ret", "by"]
    search_fields = ["ret__external_id", "note"]
    list_filter = ["action"]
    raw_id_fields = ["ret", "by"]
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(ReturnRefund)
class ReturnRefundAdmin(admin.ModelAdmin):
    """Refunds paid at the desk: read only (written by returns.services)."""

    list_display = ["ret", "amount", "items_amount", "shipping_amount", "deduction", "method", "at", "by"]
    list_select_related = ["ret", "by"]
    search_fields = ["ret__external_id", "deduction_reason"]
    list_filter = ["method"]
    raw_id_fields = ["ret", "by"]
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
from . import admin_dunning  # noqa: E402,F401
