"""Filters of the returns list: status, age, reason, category (with sub-categories), legal basis."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from shopmgr.core.dates import berlin_midnight_utc, berlin_today

from .models import Return, ReturnLine
from .selectors import (
    category_choices,
    reason_choices,
    reason_label,
    return_line_visible_q,
    return_visible_q,
)

OPEN = "open"
ORDER_MATCHES = 500  # orders a number prefix may match (a search, not an export)
# Age: whole Berlin days since the return was opened (requested; imported returns without a
# request date count from their arrival). (first day, last day); None: no end.
AGE_BUCKETS = {
    "0-3": (0, 3),
    "4-7": (4, 7),
    "8-14": (8, 14),
    "15-30": (15, 30),
    "31-": (31, None),
}
AGE_CHOICES = [
    ("0-3", _("up to 3 days")),
    ("4-7", _("4 to 7 days")),
    ("8-14", _("8 to 14 days")),
    ("15-30", _("15 to 30 days")),
    ("31-", _("more than 30 days")),
]
STATUS_CHOICES = [(OPEN, _("open (not closed or rejected)")), *Return.Status.choices]


def opened_between_q(start: dt.datetime | None, end: dt.datetime | None) -> Q:
    """Returns opened in [start, end): by their request, else (imported) by their arrival."""
    requested, received = Q(), Q(requested_at__isnull=True)
    if start is not None:
        requested &= Q(requested_at__gte=start)
        received &= Q(received_at__gte=start)
    if end is not None:
        requested &= Q(requested_at__lt=end)
        received &= Q(received_at__lt=end)
    return (Q(requested_at__isnull=False) & requested) | received


class QuickSelect(forms.Select):
    """Django's Select, the same markup drawn in Python: its templates include a template per
    option, and the list draws some seventy options on every request (≈ 5 ms of a page)."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(iter(self.choices))  # iter(): list() would ask a model choice iterator to COUNT
        if self.allow_multiple_selected or any(isinstance(label, (list, tuple)) for _value, label in choices):
            return super().render(name, value, attrs, renderer)  # groups: as Django draws them
        attributes = "".join(
            f" {key}" if val is True else f' {key}="{escape(val)}"'
            for key, val in self.build_attrs(self.attrs, attrs).items() if val is not False
        )
        values = self.format_value(value)
        parts = [f'<select name="{escape(name)}"{attributes}>']
        has_selected = False
        for option_value, label in choices:
            option_value = "" if option_value is None else option_value
            selected = not has_selected and str(option_value) in values
            has_selected |= selected
            parts.append(f'\n  <option value="{escape(option_value)}"{" selected" if selected else ""}>'
                         f'{conditional_escape(label)}</option>\n')
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # every value and label escaped


class ReturnFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Return or order no."), method="search")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=STATUS_CHOICES, empty_label=_("all statuses"), method="in_status",
        widget=QuickSelect,
    )
    age = django_filters.ChoiceFilter(
        label=_("Age"), choices=AGE_CHOICES, empty_label=_("any age"), method="aged", widget=QuickSelect,
    )
    reason = django_filters.ModelChoiceFilter(
        label=_("Reason"), queryset=None, to_field_name="code", empty_label=_("all reasons"), method="with_reason",
        widget=QuickSelect,
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=None, to_field_name="code", empty_label=_("all categories"),
        method="in_category", widget=QuickSelect,
    )
    legal_basis = django_filters.ChoiceFilter(
        label=_("Legal basis"), choices=Return.LegalBasis.choices, empty_label=_("all"), widget=QuickSelect,
    )

    class Meta:
        model = Return
        fields = ["q", "status", "age", "reason", "category", "legal_basis"]

    def __init__(self, data=None, *args, user, queue: bool = False, today: dt.date | None = None, **kwargs):
        # always bound: filter_queryset applies the user's scope, and django-filter skips it for
        # an unbound filter set
        super().__init__(data if data is not None else {}, *args, **kwargs)
        self.user, self.today = user, today or berlin_today()
        self.filters["reason"].queryset = reason_choices()
        self.filters["category"].queryset = category_choices(user=user)
        self.form.fields["reason"].label_from_instance = reason_label
        # Sub-categories indented under their parent in the drop-down.
        self.form.fields["category"].label_from_instance = lambda c: "\u2003" * c.depth + c.name
        if queue:  # the queue is one status already
            del self.filters["status"]
            del self.form.fields["status"]

    def search(self, queryset, name, value):
        """A return or order number, or the start of one (as typed, or in capitals): both numbers
        have an index, so this stays fast however many returns there are."""
        from sales.models import Order

        prefixes = {value.strip(), value.strip().upper()} - {""}
        number_q, order_q = Q(pk__in=[]), Q(pk__in=[])
        for prefix in prefixes:
            number_q |= Q(external_id__startswith=prefix)
            order_q |= Q(external_id__startswith=prefix)
        orders = list(Order.objects.filter(order_q).values_list("pk", flat=True)[:ORDER_MATCHES])
        return queryset.filter(number_q | Q(order_id__in=orders))

    def in_status(self, queryset, name, value):
        if value == OPEN:
            return queryset.exclude(status__in=[Return.Status.CLOSED, Return.Status.REJECTED])
        return queryset.filter(status=value)

    def aged(self, queryset, name, value):
        first, last = AGE_BUCKETS[value]
        # opened `first` days ago or earlier: before the end of that Berlin day
        end = berlin_midnight_utc(self.today - dt.timedelta(days=first - 1))
        start = berlin_midnight_utc(self.today - dt.timedelta(days=last)) if last is not None else None
        return queryset.filter(opened_between_q(start, end))

    # Reason and category are conditions on one and the same line (a defective fashion item, not a
    # return with a fashion item and some defective item), on the lines the user may see.
    def with_reason(self, queryset, name, value):
        self._line_lookups["reason"] = value
        return queryset

    def in_category(self, queryset, name, value):
        self._line_lookups["product__category__path__startswith"] = value.path
        return queryset

    def filter_queryset(self, queryset):
        """The chosen filters and the user's scope (selectors.return_visible_q): a reason or a
        category is looked for among the lines the user may see, in the same semi-join."""
        self._line_lookups = {}
        queryset = super().filter_queryset(queryset)
        if self._line_lookups:
            lines = ReturnLine.objects.filter(return_line_visible_q(self.user), ret=OuterRef("pk"), **self._line_lookups)
            return queryset.filter(Exists(lines))
        return queryset.filter(return_visible_q(self.user))
