"""Admin of the key figures: API tokens (issue and revoke), targets, metrics runs and fact scopes."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import registry
from .models import ApiToken, FactScope, KpiTarget, MetricsRun, MetricsRunDay


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the metrics engine: to look at, never to edit by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "created_at", "last_used_at", "revoked_at", "is_active"]
    list_select_related = ["user"]
    search_fields = ["name", "user__username", "user__email"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "created_at"]
    autocomplete_fields = ["user"]
    actions = ["revoke"]
    ordering = ["-created_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "name"]  # the key is generated on save
        return ["user", "name", "key", "created_at", "last_used_at", "revoked_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["user", "key", "created_at", "last_used_at", "revoked_at"]

    @admin.display(boolean=True, description=_("active"))
    def is_active(self, obj):
        return obj.revoked_at is None

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            self.message_user(
                request,
                _("Token issued. Give the key to %(user)s; it is shown on this token's page: %(key)s")
                % {"user": obj.user, "key": obj.key},
                messages.SUCCESS,
            )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count) % {"count": count},
            messages.SUCCESS,
        )


class KpiTargetAdminForm(forms.ModelForm):
    kpi = forms.ChoiceField(label=_("key figure"), choices=())

    class Meta:
        model = KpiTarget
        fields = ["kpi", "month", "category", "value"]
        help_texts = {"value": _("As stored: rates as fractions (0.35 for 35 %), money in euros.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kpi"].choices = [(k.key, f"{k.label} ({k.key})") for k in registry.KPIS]

    def clean_month(self):
        month = self.cleaned_data["month"]
        return month.replace(day=1) if month else month


@admin.register(KpiTarget)
class KpiTargetAdmin(admin.ModelAdmin):
    form = KpiTargetAdminForm
    list_display = ["kpi", "month", "category", "value", "set_by", "set_at"]
    list_select_related = ["category", "set_by"]
    search_fields = ["kpi", "category__code", "category__name"]
    list_filter = ["kpi", "month", ("category", admin.EmptyFieldListFilter)]
    autocomplete_fields = ["category"]
    date_hierarchy = "month"

    def save_model(self, request, obj, form, change):
        obj.set_by = request.user
        super().save_model(request, obj, form, change)


class MetricsRunDayInline(admin.TabularInline):
    model = MetricsRunDay
    fields = ["day", "part", "status", "rows", "error"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["day"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MetricsRun)
class MetricsRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "finished_at", "trigger", "status", "days_total", "days_done", "days_failed", "rows"]
    search_fields = ["error"]
    list_filter = ["status", "trigger", "started_at"]
    date_hierarchy = "started_at"
    inlines = [MetricsRunDayInline]


@admin.register(FactScope)
class FactScopeAdmin(ReadOnlyAdmin):
    list_display = ["key", "kind", "category", "complete"]
    list_select_related = ["category"]
    search_fields = ["key", "category__code", "category__name"]
    list_filter = ["kind", "complete"]
