from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AssortmentRules, ListingProposal


class ProposalForm(forms.Form):
    """Propose a listing decision for one or many products (the products come as checkboxes)."""

    action = forms.ChoiceField(label=_("Proposal"), choices=ListingProposal.Action.choices)
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                             required=False)  # the service refuses an empty one with its own message
    product = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, for_status: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # any ids; the service checks each against the proposer's scope
        self.fields["product"].valid_value = lambda value: str(value).isdigit()
        if for_status:  # one product: offer only what its status allows
            self.fields["action"].choices = [
                (value, label) for value, label in ListingProposal.Action.choices
                if for_status in ListingProposal.ALLOWED_FROM[value]
            ]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Note"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    proposal = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposal"].valid_value = lambda value: str(value).isdigit()


HUNDRED = Decimal(100)


class RulesForm(forms.Form):
    """A category's thresholds; shares are entered as percentages, CVs as plain numbers."""

    abc_basis = forms.ChoiceField(label=_("ABC by"), choices=AssortmentRules.AbcBasis.choices)
    abc_a = forms.DecimalField(label=_("A up to (cumulative share, %)"), max_digits=6, decimal_places=2)
    abc_b = forms.DecimalField(label=_("B up to (cumulative share, %)"), max_digits=6, decimal_places=2)
    xyz_x = forms.DecimalField(label=_("X below (coefficient of variation)"), max_digits=6, decimal_places=4)
    xyz_y = forms.DecimalField(label=_("Y below (coefficient of variation)"), max_digits=6, decimal_places=4)
    months = forms.IntegerField(label=_("Complete calendar months analysed"), min_value=1, max_value=120)
    min_description_length = forms.IntegerField(label=_("Description: characters for full points"), min_value=0)
    min_images = forms.IntegerField(label=_("Images for full points"), min_value=0, max_value=100)
    required_attributes = forms.CharField(label=_("Required attributes (comma-separated)"), required=False)
    slow_doi_days = forms.IntegerField(label=_("Slow mover above (days of inventory)"), min_value=1)
    slow_no_sale_days = forms.IntegerField(label=_("Slow mover after (days without a sale)"), min_value=1)
    dead_no_sale_days = forms.IntegerField(label=_("Dead stock after (days without a sale)"), min_value=1)

    @classmethod
    def initial_from(cls, rules) -> dict:
        return {
            "abc_basis": rules.abc_basis, "abc_a": rules.abc_a * HUNDRED, "abc_b": rules.abc_b * HUNDRED,
            "xyz_x": rules.xyz_x, "xyz_y": rules.xyz_y, "months": rules.months,
            "min_description_length": rules.content.min_description_length,
            "min_images": rules.content.min_images,
            "required_attributes": ", ".join(rules.content.required_attributes),
            "slow_doi_days": rules.slow_doi_days, "slow_no_sale_days": rules.slow_no_sale_days,
            "dead_no_sale_days": rules.dead_no_sale_days,
        }

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["abc_a"] = (data["abc_a"] / HUNDRED).quantize(Decimal("0.0001"))
        data["abc_b"] = (data["abc_b"] / HUNDRED).quantize(Decimal("0.0001"))
        data["required_attributes"] = [a.strip() for a in data["required_attributes"].split(",") if a.strip()]
        return data


class ManagersForm(forms.Form):
    managers = forms.ModelMultipleChoiceField(
        label=_("Category managers"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["managers"].queryset = users
        self.fields["managers"].label_from_instance = lambda u: f"{u.get_full_name() or u.username} ({u.username})"
