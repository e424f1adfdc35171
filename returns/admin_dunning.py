"""Admin of collections: levels and base rates are edited here; runs, notices and flags are shown."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from returns import dunning

from .models import (
    BaseRate,
    CollectionHandover,
    DunningBlock,
    DunningLevel,
    DunningNotice,
    DunningRun,
    DunningRunLine,
    HandedOverInvoice,
    PaymentEntry,
)


@admin.register(BaseRate)
class BaseRateAdmin(admin.ModelAdmin):
    list_display = ["valid_from", "rate", "source"]
    ordering = ["-valid_from"]
    search_fields = ["valid_from", "source"]
    date_hierarchy = "valid_from"


class DunningLevelForm(forms.ModelForm):
    class Meta:
        model = DunningLevel
        fields = [
            "number", "name_en", "name_de", "days_overdue", "min_open_amount", "min_interval_days", "fee",
            "letter_text_en", "letter_text_de",
        ]


class DunningLevelFormSet(forms.BaseModelFormSet):
    """The change list's inline edits: check the days of all levels together, as they will be saved."""

    def clean(self):
        super().clean()
        levels = {}
        for level in DunningLevel.objects.all():
            levels[level.pk] = dunning.Level(number=level.number, days_overdue=level.days_overdue)
        for form in self.forms:
            if form.instance.pk and form.cleaned_data:
                data = form.cleaned_data
                levels[form.instance.pk] = dunning.Level(
                    number=data.get("number", form.instance.number),
                    days_overdue=data.get("days_overdue", form.instance.days_overdue),
                )
        try:
            dunning.check_level_days(list(levels.values()))
        except dunning.LevelOrderError as exc:
            raise ValidationError(_(
                "The days overdue must increase from level to level: level %(number)s (%(days)s days) must "
                "start later than level %(previous)s (%(previous_days)s days)."
            ) % {"number": exc.number, "days": exc.days, "previous": exc.previous,
                 "previous_days": exc.previous_days}) from exc


@admin.register(DunningLevel)
class DunningLevelAdmin(admin.ModelAdmin):
    form = DunningLevelForm
    list_display = ["number", "name_en", "name_de", "days_overdue", "min_open_amount", "min_interval_days", "fee"]
    ordering = ["number"]
    search_fields = ["name_en", "name_de"]

    def get_changelist_formset(self, request, **kwargs):
        kwargs["formset"] = DunningLevelFormSet
        return super().get_changelist_formset(request, **kwargs)


@admin.register(DunningBlock)
class DunningBlockAdmin(admin.ModelAdmin):
    list_display = ["invoice", "reason", "created_by", "created_at", "lifted_by", "lifted_at"]
    list_filter = ["lifted_at"]
    list_select_related = ["invoice", "created_by", "lifted_by"]
    raw_id_fields = ["invoice", "created_by", "lifted_by"]
    search_fields = ["invoice__number", "reason"]
    readonly_fields = ["created_at", "created_by", "lifted_at", "lifted_by"]


@admin.register(PaymentEntry)
class PaymentEntryAdmin(admin.ModelAdmin):
    list_display = ["payment", "overpayment", "entered_by", "entered_at", "note"]
    list_select_related = ["payment__invoice", "entered_by"]
    search_fields = ["payment__invoice__number", "note"]
    list_filter = ["overpayment"]
    raw_id_fields = ["payment", "entered_by"]
    readonly_fields = ["entered_at", "entered_by"]


@admin.register(DunningRun)
class DunningRunAdmin(admin.ModelAdmin):
    list_display = ["pk", "as_of", "status", "trigger", "created_by", "created_at", "approved_by", "approved_at"]
    list_select_related = ["created_by", "approved_by"]
    list_filter = ["status", "trigger"]
    search_fields = ["as_of"]
    readonly_fields = ["as_of", "status", "trigger", "created_by", "created_at", "approved_by", "approved_at", "warnings"]

    def has_add_permission(self, request):
        return False  # runs are proposed by the nightly job, the button or the command


@admin.register(DunningNotice)
class DunningNoticeAdmin(admin.ModelAdmin):
    list_display = ["invoice", "level", "sent_on", "open_amount", "fee", "interest", "total", "created_by"]
    list_select_related = ["invoice", "level", "created_by"]
    list_filter = ["level"]
    raw_id_fields = ["invoice", "run", "created_by"]
    search_fields = ["invoice__number"]
    date_hierarchy = "sent_on"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DunningRunLine)
class DunningRunLineAdmin(admin.ModelAdmin):
    list_display = ["run", "invoice", "level", "days_overdue", "open_amount", "fee", "interest", "total",
                    "blocked_reason", "excluded"]
    list_select_related = ["run", "invoice", "level"]
    list_filter = ["level", "excluded", "blocked_reason"]
    search_fields = ["invoice__number"]
    raw_id_fields = ["run", "invoice"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # lines change only through the proposal page (a run's row lock)


@admin.register(HandedOverInvoice)
class HandedOverInvoiceAdmin(admin.ModelAdmin):
    list_display = ["invoice", "handover", "open_amount", "interest", "fee", "total"]
    list_select_related = ["invoice", "handover"]
    search_fields = ["invoice__number"]
    raw_id_fields = ["invoice", "handover"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class HandedOverInvoiceInline(admin.TabularInline):
    model = HandedOverInvoice
    raw_id_fields = ["invoice"]
    extra = 0


@admin.register(CollectionHandover)
class CollectionHandoverAdmin(admin.ModelAdmin):
    list_display = ["pk", "as_of", "created_by", "created_at"]
    list_select_related = ["created_by"]
    search_fields = ["items__invoice__number"]
    inlines = [HandedOverInvoiceInline]
    readonly_fields = ["created_by", "created_at", "as_of", "csv_text"]
