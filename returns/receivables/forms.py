"""Forms of collections: they parse input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from shopmgr.core.dates import berlin_today


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PaymentForm(forms.Form):
    invoice = forms.CharField(label=_("Invoice no."), max_length=64)
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput(), initial=berlin_today)
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2, min_value=0.01)
    method = forms.CharField(label=_("Method"), max_length=32, required=False, initial="transfer")
    overpayment = forms.BooleanField(
        label=_("Overpayment"), required=False,
        help_text=_("Tick to record a payment above the open amount (the customer is owed the difference)."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class RunForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), widget=DateInput(), initial=berlin_today)


class DisputeForm(forms.Form):
    reason = forms.CharField(label=_("What does the customer dispute?"), max_length=300)
