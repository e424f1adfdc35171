import datetime as dt
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from shopmgr.core.dates import berlin_midnight_utc

from .models import PriceChange


class PriceField(forms.DecimalField):
    """A gross price; a German reader may type 24,99 (a comma without a dot is the decimal sign)."""

    def to_python(self, value):
        if isinstance(value, str) and "," in value and "." not in value:
            value = value.replace(",", ".")
        return super().to_python(value)


class ProposalForm(forms.Form):
    """A price a category manager proposes for one product (from a suggestion or their own)."""

    price = PriceField(label=_("New price (gross)"), max_digits=14, decimal_places=2,
                               min_value=Decimal("0.01"),
                               error_messages={"min_value": _("A price must be above 0.")})
    kind = forms.ChoiceField(label=_("Kind"), choices=PriceChange.Kind.choices, initial=PriceChange.Kind.REGULAR)
    starts_on = forms.DateField(label=_("Valid from (optional)"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                help_text=_("Empty: from the moment of approval."))
    ends_on = forms.DateField(label=_("Sale ends on (optional)"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(label=_("Why"), max_length=300)
    override_reason = forms.CharField(
        label=_("Override reason (only below the margin floor)"), max_length=300, required=False,
    )
    suggestion = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends <= starts:
            self.add_error("ends_on", _("The sale must end after it starts."))
        return data

    @staticmethod
    def moment(day: dt.date | None):
        return berlin_midnight_utc(day) if day else None


class BulkProposeForm(forms.Form):
    suggestions = forms.CharField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(label=_("Why (for all)"), max_length=300, required=False)

    def __init__(self, *args, ids=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.ids = ids or []


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ExportForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
