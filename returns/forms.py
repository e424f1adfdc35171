"""Forms of the returns desk: they parse input; the rules live in `returns.services`."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from shopmgr.core.dates import BERLIN, berlin_today

from .models import Return, ReturnLine, ReturnReason


def apply_service_errors(form: forms.Form, error) -> None:
    """Show a service's ValidationError on the form: on the field it names, else above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def reason_label(reason: ReturnReason) -> str:
    return reason.label_de if (get_language() or "de").startswith("de") else reason.label_en


class OrderSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Order no., customer name or e-mail"), min_length=2, max_length=200,
        widget=forms.TextInput(attrs={"autofocus": True, "placeholder": _("e.g. O0001234, Müller, anna@example.com")}),
    )


class ReturnOpenForm(forms.Form):
    """One quantity and one reason per order line, then the legal basis and the declaration day."""

    legal_basis = forms.ChoiceField(label=_("Legal basis"), choices=Return.LegalBasis.choices,
                                    initial=Return.LegalBasis.WITHDRAWAL)
    declared_on = forms.DateField(label=_("Declared on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                  help_text=_("The day the customer declared the return."))
    accept_late = forms.BooleanField(
        label=_("Accept anyway as goodwill"), required=False,
        help_text=_("Only for a withdrawal after its period: the return is then stored as goodwill and flagged."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, order_lines, returnable: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["declared_on"].initial = berlin_today()
        # One query for all lines (a ModelChoiceField per line would query once per line).
        self.reasons = {str(r.pk): r for r in ReturnReason.objects.filter(active=True).order_by("code")}
        reason_choices = [("", _("– reason –"))] + [(pk, reason_label(r)) for pk, r in self.reasons.items()]
        self.line_rows = []
        for line in order_lines:
            qty = forms.IntegerField(label=_("Quantity"), min_value=0, initial=0, required=False,
                                     widget=forms.NumberInput(attrs={"min": 0, "max": returnable[line.pk], "class": "qty"}))
            reason = forms.ChoiceField(label=_("Reason"), choices=reason_choices, required=False)
            self.fields[f"qty_{line.pk}"] = qty
            self.fields[f"reason_{line.pk}"] = reason
            self.line_rows.append({
                "line": line, "returnable": returnable[line.pk],
                "qty": self[f"qty_{line.pk}"], "reason": self[f"reason_{line.pk}"],
            })

    def clean(self):
        cleaned = super().clean()
        for row in self.line_rows:
            pk = row["line"].pk
            cleaned[f"reason_{pk}"] = self.reasons.get(cleaned.get(f"reason_{pk}") or "")
            if cleaned.get(f"qty_{pk}") and not cleaned.get(f"reason_{pk}"):
                self.add_error(f"reason_{pk}", _("Choose a reason for this line."))
        return cleaned

    def line_requests(self):
        from .services import LineRequest

        return [
            LineRequest(order_line_id=row["line"].pk, quantity=self.cleaned_data.get(f"qty_{row['line'].pk}") or 0,
                        reason=self.cleaned_data.get(f"reason_{row['line'].pk}"))
            for row in self.line_rows
        ]


class ReceiveForm(forms.Form):
    received_at = forms.DateTimeField(
        label=_("Parcel arrived at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_at"].initial = timezone.now().astimezone(BERLIN).replace(second=0, microsecond=0)


class InspectForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.line_rows = []
        for line in lines:
            self.fields[f"condition_{line.pk}"] = forms.ChoiceField(
                label=_("Grade"), choices=[("", _("– grade –")), *ReturnLine.Condition.choices])
            self.fields[f"disposition_{line.pk}"] = forms.ChoiceField(
                label=_("Disposition"), choices=[("", _("– disposition –")), *ReturnLine.Disposition.choices])
            self.line_rows.append({"line": line, "condition": self[f"condition_{line.pk}"],
                                   "disposition": self[f"disposition_{line.pk}"]})

    def grading(self) -> dict[int, tuple[str, str]]:
        return {
            row["line"].pk: (self.cleaned_data[f"condition_{row['line'].pk}"],
                             self.cleaned_data[f"disposition_{row['line'].pk}"])
            for row in self.line_rows
        }


class RefundForm(forms.Form):
    deduction = forms.DecimalField(
        label=_("Deduction for loss of value"), min_value=0, max_digits=14, decimal_places=2, initial=0,
        localize=True, help_text=_("Only for handling beyond what a shop allows (§357a BGB); needs its reason."),
    )
    deduction_reason = forms.CharField(label=_("Reason for the deduction"), required=False, max_length=300)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Why is the return rejected?"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)
