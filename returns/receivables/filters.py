"""The open-items filters: customer, B2B/B2C, age bucket, dunning level, blocked."""

import django_filters
from django.db.models import BooleanField, Expression, F, Subquery
from django.utils.translation import gettext_lazy as _

from returns.models import DunningBlock, DunningNotice, Return
from sales.models import Customer

from .selectors import RETURN_OPEN, bucket_q

AGE_CHOICES = [
    ("not_due", _("not due")),
    ("d1_30", _("1–30 days")),
    ("d31_60", _("31–60 days")),
    ("d61_90", _("61–90 days")),
    ("over_90", _("over 90 days")),
]


class OpenItemFilter(django_filters.FilterSet):
    customer = django_filters.CharFilter(label=_("Customer"), method="by_customer")
    kind = django_filters.ChoiceFilter(
        label=_("B2B/B2C"), field_name="order__customer__kind", choices=Customer.Kind.choices,
        empty_label=_("all customers"),
    )
    age = django_filters.ChoiceFilter(label=_("Age"), choices=AGE_CHOICES, method="by_age", empty_label=_("any age"))
    level = django_filters.ChoiceFilter(label=_("Dunning level"), method="by_level", empty_label=_("any level"))
    blocked = django_filters.ChoiceFilter(
        label=_("Blocked"), method="by_blocked", empty_label=_("blocked or not"),
        choices=[("yes", _("blocked")), ("no", _("not blocked"))],
    )

    def __init__(self, *args, today=None, levels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.filters["level"].extra["choices"] = [("0", _("no notice yet"))] + [
            (str(level.number), str(level)) for level in levels
        ]

    def by_customer(self, queryset, name, value):
        # A customer number is looked up by its unique index; otherwise the name is searched
        # (one extra query, only with this filter: an OR of both would always scan every name).
        value = value.strip()
        exact = Customer.objects.filter(external_id=value).values_list("pk", flat=True).first()
        if exact is not None:
            return queryset.filter(order__customer=exact)
        return queryset.filter(order__customer__in=Customer.objects.filter(name__icontains=value).values("pk"))

    def by_age(self, queryset, name, value):
        return queryset.filter(bucket_q(value, self.today))

    # Semi-joins on the (small) notice, flag and return tables rather than filters on the per-row
    # annotations, so that the database can start from the few matching rows.
    def by_level(self, queryset, name, value):
        with_notice = DunningNotice.objects.values("invoice")
        if value == "0":
            return queryset.exclude(pk__in=with_notice)
        number = int(value)
        return queryset.filter(pk__in=with_notice.filter(level__number=number)).exclude(
            pk__in=with_notice.filter(level__number__gt=number)
        )

    def by_blocked(self, queryset, name, value):
        if value == "yes":
            # Two index look-ups on the invoices, OR-ed (a bitmap on PostgreSQL): the invoices with a
            # dispute flag by id, those of orders with an open return by order. The UNION of the
            # two joined every invoice with the open returns (a scan of all invoices, ~35 ms at 1M).
            return queryset.filter(
                InSubquery("pk", DunningBlock.objects.filter(lifted_at__isnull=True).order_by().values("invoice"))
                | InSubquery("order", Return.objects.filter(status__in=RETURN_OPEN).order_by().values("order"))
            )
        # "Not blocked" keeps most invoices: two hashed anti-joins are cheaper there.
        return queryset.exclude(pk__in=DunningBlock.objects.filter(lifted_at__isnull=True).values("invoice")).exclude(
            order__in=Return.objects.filter(status__in=RETURN_OPEN).values("order")
        )


class InSubquery(Expression):
    """`column IN (subquery)`; on PostgreSQL `column = ANY(ARRAY(subquery))`.

    PostgreSQL plans `IN (subquery)` as a join, and with a few thousand ids (the orders of the open
    returns) it hashes them and reads every invoice. `= ANY(ARRAY(…))` computes the ids once and
    looks each up in the column's index, and two of them OR-ed become one bitmap scan.
    """

    output_field = BooleanField()
    conditional = True

    def __init__(self, column: str, queryset):
        super().__init__()
        self.column = F(column)
        self.subquery = Subquery(queryset)

    def get_source_expressions(self):
        return [self.column, self.subquery]

    def set_source_expressions(self, exprs):
        self.column, self.subquery = exprs

    def as_sql(self, compiler, connection):
        column, column_params = compiler.compile(self.column)
        subquery, subquery_params = compiler.compile(self.subquery)
        return f"{column} IN {subquery}", (*column_params, *subquery_params)

    def as_postgresql(self, compiler, connection):
        column, column_params = compiler.compile(self.column)
        subquery, subquery_params = compiler.compile(self.subquery)
        return f"{column} = ANY(ARRAY{subquery})", (*column_params, *subquery_params)
