"""Forms of the KPI pages: the dashboard's period and channel, a shop manager's monthly targets."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from catalog.models import Category

from . import registry
from .periods import CUSTOM, DEFAULT_PRESET, MAX_DAYS, PRESETS, Period, preset_period
from .reports import TARGET_KEYS

CHANNEL_LABELS = {
    "webshop": _("Web shop"),
    "app": _("App"),
    "marketplace": _("Marketplace"),
}


def channel_label(code: str) -> str:
    return str(CHANNEL_LABELS.get(code, code))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DashboardForm(forms.Form):
    """The period (a preset or from/to) and the channel of the dashboard, read from the query string."""

    period = forms.ChoiceField(label=_("Period"), choices=PRESETS, required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput(),
                                input_formats=["%Y-%m-%d", "%d.%m.%Y"])
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput(),
                              input_formats=["%Y-%m-%d", "%d.%m.%Y"])
    channel = forms.ChoiceField(label=_("Channel"), required=False)

    def __init__(self, data=None, *, channels: list[str], today: dt.date | None = None):
        data = data.copy() if data is not None else None
        if data is not None:
            # The query string says from/to (like the API); the fields are date_from/date_to.
            for param, name in (("from", "date_from"), ("to", "date_to")):
                if param in data and name not in data:
                    data[name] = data[param]
        super().__init__(data)
        self.today = today
        self.fields["channel"].choices = [("", _("all channels"))] + [(c, channel_label(c)) for c in channels]

    def clean(self):
        cleaned = super().clean()
        preset = cleaned.get("period") or ""
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        if not preset and (first or last):
            preset = CUSTOM
        preset = preset or DEFAULT_PRESET
        if preset != CUSTOM:
            chosen = preset_period(preset, today=self.today)
            # The form sends the preset's own dates along; other dates mean the user typed a range.
            if (first or chosen.first, last or chosen.last) == (chosen.first, chosen.last):
                cleaned["period"], cleaned["period_obj"] = preset, chosen
                return cleaned
            preset = CUSTOM
        cleaned["period"] = preset
        if self.errors:
            return cleaned
        if first is None:
            self.add_error("date_from", _("Enter the first day of the period."))
        if last is None:
            self.add_error("date_to", _("Enter the last day of the period."))
        if first is None or last is None:
            return cleaned
        if first > last:
            self.add_error("date_to", _("The last day is before the first day."))
            return cleaned
        if (last - first).days >= MAX_DAYS:
            self.add_error("date_to", _("A period may span at most %(days)d days.") % {"days": MAX_DAYS})
            return cleaned
        cleaned["period_obj"] = Period(first, last, CUSTOM)
        return cleaned

    def chosen_period(self) -> Period:
        """The valid period asked for, or the default when the input had errors."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["period_obj"]
        return preset_period(DEFAULT_PRESET, today=self.today)

    def chosen_channel(self) -> str | None:
        if self.is_bound and self.is_valid():
            return self.cleaned_data.get("channel") or None
        return None


MONTH_FORMATS = [
    re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})$"),  # <input type="month">: 2026-03
    re.compile(r"^(?P<month>\d{1,2})[./](?P<year>\d{4})$"),  # typed: 03.2026 or 3/2026
]


class MonthField(forms.Field):
    widget = forms.TextInput(attrs={"type": "month", "placeholder": "JJJJ-MM"})
    default_error_messages = {"invalid": _("Enter a month as YYYY-MM (for example 2026-03).")}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, dt.date):
            return value.replace(day=1)
        text = str(value).strip()
        for pattern in MONTH_FORMATS:
            match = pattern.match(text)
            if match:
                try:
                    return dt.date(int(match["year"]), int(match["month"]), 1)
                except ValueError:
                    break
        raise ValidationError(self.error_messages["invalid"], code="invalid")

    def prepare_value(self, value):
        if isinstance(value, dt.date):
            return f"{value:%Y-%m}"
        return value


# Rates are typed as percentages; money may be negative only for profit figures.
SIGNED_KEYS = {"gross_profit", "contribution", "contribution_after_marketing"}


class KpiTargetForm(forms.Form):
    kpi = forms.ChoiceField(label=_("Key figure"))
    month = MonthField(label=_("Month"))
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False, to_field_name="code",
        empty_label=_("whole shop"),
    )
    value = forms.DecimalField(
        label=_("Target"), max_digits=16, decimal_places=4, localize=True,
        help_text=_("Rates in percent (35 for 35 %), money in euros, ratings from 1 to 5."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kpi"].choices = [("", "—")] + [(key, registry.BY_KEY[key].label) for key in TARGET_KEYS]
        categories = Category.objects.order_by("path").only("id", "code", "name", "depth", "path")
        self.fields["category"].queryset = categories
        self.fields["category"].label_from_instance = lambda c: "\u2003" * c.depth + c.name
        self.fields["value"].widget.attrs["inputmode"] = "decimal"

    def clean(self):
        cleaned = super().clean()
        key, value = cleaned.get("kpi"), cleaned.get("value")
        if not key or value is None:
            return cleaned
        kpi = registry.BY_KEY[key]
        if kpi.unit == registry.RATE:
            if not Decimal(0) <= value <= Decimal(100):
                self.add_error("value", _("A rate is a percentage between 0 and 100."))
                return cleaned
            cleaned["stored_value"] = value / 100
        elif kpi.unit == registry.RATING:
            if not Decimal(1) <= value <= Decimal(5):
                self.add_error("value", _("A rating target lies between 1 and 5 stars."))
                return cleaned
            cleaned["stored_value"] = value
        elif kpi.unit == registry.COUNT:
            if value < 0 or value != value.to_integral_value():
                self.add_error("value", _("Enter a whole number of at least 0."))
                return cleaned
            cleaned["stored_value"] = value
        else:
            if value < 0 and key not in SIGNED_KEYS:
                self.add_error("value", _("The target may not be negative."))
                return cleaned
            if kpi.unit == registry.MONEY and value != value.quantize(Decimal("0.01")):
                self.add_error("value", _("Money has at most two decimal places."))
                return cleaned
            cleaned["stored_value"] = value
        return cleaned
