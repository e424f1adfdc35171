"""Reads of collections. Scope lives here: only Accounting and Shop managers see receivables.

Open amounts are computed in the database (a correlated sum of payments per invoice), never per row
in Python, so that lists stay fast and their query count fixed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Round
from django.db.models.lookups import IsNull
from django.http import Http404
from django.shortcuts import get_object_or_404

from returns.models import (
    DunningBlock,
    DunningLevel,
    DunningNotice,
    DunningRun,
    DunningRunLine,
    HandedOverInvoice,
    PaymentEntry,
    Return,
)
from sales.models import Customer, Invoice, Payment
from shopmgr.core import roles

NOTHING = Q(pk__in=[])
MONEY = DecimalField(max_digits=14, decimal_places=2)
ZERO = Value(Decimal("0.00"), output_field=MONEY)
# A return on the order blocks dunning until it is refunded, rejected or closed.
RETURN_DONE = [Return.Status.REFUNDED, Return.Status.REJECTED, Return.Status.CLOSED]
# The same as a positive list: `status IN (...)` lets PostgreSQL probe a return per order by index
# (`NOT IN` made it hash every open return of the shop, 78 ms at 1M orders).
RETURN_OPEN = [status for status in Return.Status.values if status not in RETURN_DONE]

# Ageing buckets by days overdue: (key, lowest, highest) with None for open ends.
AGE_BUCKETS = [
    ("not_due", None, 0),
    ("d1_30", 1, 30),
    ("d31_60", 31, 60),
    ("d61_90", 61, 90),
    ("over_90", 91, None),
]
DSO_DAYS = 90
AGEING_CACHE_SECONDS = 600
# "Open" means at least a cent open. Comparing with half a cent, not zero, keeps SQLite honest: it
# sums decimals as floats, and 40.38 − (20.19 + 20.19) may come out as 7e-15 there.
OPEN_FROM = Decimal("0.005")


def can_see_receivables(user) -> bool:
    """Accounting and shop managers (and superusers) work with receivables; nobody else."""
    return user.is_authenticated and (user.is_superuser or roles.has_role(user, roles.ACCOUNTING, roles.SHOP_MANAGERS))


def receivables_visible_q(user) -> Q:
    return Q() if can_see_receivables(user) else NOTHING


def paid_sum(as_of: dt.date | None = None) -> Coalesce:
    """Σ payments of the outer invoice (up to `as_of`), as one correlated subquery."""
    payments = Payment.objects.filter(invoice=OuterRef("pk"))
    if as_of is not None:
        payments = payments.filter(paid_on__lte=as_of)
    total = payments.order_by().values("invoice").annotate(total=Sum("amount")).values("total")
    return Coalesce(Subquery(total, output_field=MONEY), ZERO)


def invoices_with_open_amount(as_of: dt.date | None = None) -> QuerySet[Invoice]:
    # Rounded to cents in SQL: SQLite computes the difference in floats (7e-15 instead of 0).
    return Invoice.objects.annotate(paid=paid_sum(as_of)).annotate(
        open_amount=Round(F("amount") - F("paid"), 2, output_field=MONEY)
    )


def open_flag_q(as_of: dt.date) -> Q:
    """`Invoice.is_open` where it holds for `as_of`, else nothing (Q()).

    The flag (kept by triggers, sales 0005) says "open" for every invoice with money open on the
    day of its last write or later; an invoice it calls closed stays closed on every later day
    (payments are positive). So it may be used for as-of days not before today — it never leaves out
    an open invoice then, and may keep one that a payment dated after its write closed: callers keep
    the exact check. On PostgreSQL the partial index `invoice_open_due` holds the 7 % open in the
    list's order, instead of a walk over every invoice summing its payments. A backdated as-of day
    (a dunning run) checks every invoice, as before.

    PostgreSQL only. SQLite keeps the flag too, but there Django rebuilds a table for many schema
    changes (AlterField …), and a rebuild drops the table's triggers without a word: a later
    migration of Invoice or Payment would leave a stale flag, and the lists would lose rows. The
    demo data on SQLite is small; its lists check every invoice, as before.
    """
    from shopmgr.core.dates import berlin_today

    if connection.vendor != "postgresql" or as_of < berlin_today():
        return Q()
    return Q(is_open=True)


def open_invoices(*, as_of: dt.date) -> QuerySet[Invoice]:
    """Invoices issued by `as_of` with money still open on that day."""
    return invoices_with_open_amount(as_of).filter(
        open_flag_q(as_of), issued_on__lte=as_of, open_amount__gte=OPEN_FROM,
    )


def with_dunning_state(queryset: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """Current level (highest notice), dispute flag, open return and hand-over, each one subquery."""
    level = DunningNotice.objects.filter(invoice=OuterRef("pk")).order_by("-level__number").values("level__number")[:1]
    return queryset.annotate(
        current_level=Subquery(level, output_field=IntegerField()),
        disputed=Exists(DunningBlock.objects.filter(invoice=OuterRef("pk"), lifted_at__isnull=True)),
        # "Is there a return id?" rather than EXISTS: PostgreSQL may run an EXISTS in the select
        # list as a hashed subplan, reading every open return of the shop (7,400 rows, ~3 ms at 1M
        # orders) for a page of 25 rows; a scalar subquery is one index probe per row shown.
        open_return=IsNull(
            Subquery(Return.objects.filter(order=OuterRef("order"), status__in=RETURN_OPEN).values("pk")[:1]), False,
        ),
        is_handed_over=Exists(HandedOverInvoice.objects.filter(invoice=OuterRef("pk"))),
    )


def open_items(*, user, today: dt.date) -> QuerySet[Invoice]:
    """The open-items list: every invoice with money open today, with its customer and dunning state."""
    return with_dunning_state(
        open_invoices(as_of=today).filter(receivables_visible_q(user)).select_related("order__customer")
    ).order_by("due_on", "number")


def bucket_q(key: str, today: dt.date) -> Q:
    """Invoices whose days overdue (today − due date) fall in the bucket; on the indexed due date."""
    _key, low, high = next(b for b in AGE_BUCKETS if b[0] == key)
    q = Q()
    if low is not None:
        q &= Q(due_on__lte=today - dt.timedelta(days=low))
    if high is not None:
        q &= Q(due_on__gte=today - dt.timedelta(days=high))
    return q


def ageing(*, user, today: dt.date) -> dict:
    """Open amounts and counts per age bucket, their total, and days sales outstanding.

    DSO = open receivables / gross invoiced in the last 90 days × 90. Every invoice must be looked
    at (about 0.7 s at 1M orders on PostgreSQL), so the figures are cached until an invoice or a
    payment changes (their `changed_at`), a new day starts, or AGEING_CACHE_SECONDS pass.
    """
    if not can_see_receivables(user):
        raise Http404
    key = _ageing_key(today)
    figures = cache.get(key)
    if figures is None:
        figures = ageing_figures(today=today)
        cache.set(key, figures, AGEING_CACHE_SECONDS)
    return figures


def ageing_warm(*, today: dt.date) -> None:
    """Compute the ageing ahead of the first visitor (the nightly task calls this)."""
    cache.set(_ageing_key(today), ageing_figures(today=today), AGEING_CACHE_SECONDS)


def _ageing_key(today: dt.date) -> str:
    # Two index-only look-ups on changed_at: the version of the figures.
    invoices = Invoice.objects.aggregate(last=Max("changed_at"))["last"]
    payments = Payment.objects.aggregate(last=Max("changed_at"))["last"]
    return "receivables:ageing:" + "|".join(
        str(part) for part in (today, invoices and invoices.timestamp(), payments and payments.timestamp())
    )


def ageing_figures(*, today: dt.date) -> dict:
    """The ageing in one statement: payments joined and grouped per invoice (computed once per
    invoice, not once per bucket), then summed per bucket."""
    since = today - dt.timedelta(days=DSO_DAYS - 1)
    per_invoice = (
        # the flag, where it holds for `today`: only the open invoices' payments are joined and summed
        Invoice.objects.filter(open_flag_q(today), issued_on__lte=today)
        .values("pk", "amount", "due_on", "issued_on")
        .annotate(paid=Coalesce(Sum("payments__amount", filter=Q(payments__paid_on__lte=today)), ZERO))
        .annotate(open_amount=Round(F("amount") - F("paid"), 2, output_field=MONEY))
    )
    aggregates = {}
    for key, _low, _high in AGE_BUCKETS:
        in_bucket = Q(open_amount__gte=OPEN_FROM) & bucket_q(key, today)
        aggregates[f"{key}_amount"] = Sum("open_amount", filter=in_bucket)
        aggregates[f"{key}_count"] = Count("pk", filter=in_bucket)
    aggregates["invoiced"] = Sum("amount", filter=Q(issued_on__gte=since))
    figures = per_invoice.aggregate(**aggregates)
    buckets = [
        {"key": key, "amount": figures[f"{key}_amount"] or Decimal("0.00"), "count": figures[f"{key}_count"]}
        for key, _low, _high in AGE_BUCKETS
    ]
    total = sum((b["amount"] for b in buckets), Decimal("0.00"))
    invoiced = figures["invoiced"] or Decimal("0.00")
    dso = (total / invoiced * DSO_DAYS).quantize(Decimal("0.1")) if invoiced else None
    return {
        "buckets": buckets, "total": total, "count": sum(b["count"] for b in buckets),
        "overdue": total - buckets[0]["amount"], "invoiced": invoiced, "dso": dso, "dso_days": DSO_DAYS,
    }


def invoice_with_open_amount(*, user, number: str) -> Invoice | None:
    """One invoice by number with its open amount and customer (for the payment form), or None."""
    if not can_see_receivables(user) or not number:
        return None
    return invoices_with_open_amount().select_related("order__customer").filter(number=number.strip()).first()


def levels() -> QuerySet[DunningLevel]:
    return DunningLevel.objects.order_by("number")


# --- Customers ----------------------------------------------------------------------------------------

def customer_get(*, user, external_id: str) -> Customer:
    if not can_see_receivables(user):
        raise Http404
    return get_object_or_404(Customer, external_id=external_id)


def customer_invoices(*, customer: Customer) -> QuerySet[Invoice]:
    return with_dunning_state(
        invoices_with_open_amount().filter(order__customer=customer).select_related("order")
    ).order_by("-issued_on", "-number")


def customer_notices(*, customer: Customer) -> QuerySet[DunningNotice]:
    return DunningNotice.objects.filter(invoice__order__customer=customer).select_related(
        "invoice", "level", "created_by",
    ).order_by("-sent_on", "-pk")


def customer_blocks(*, customer: Customer) -> QuerySet[DunningBlock]:
    return DunningBlock.objects.filter(invoice__order__customer=customer).select_related(
        "invoice", "created_by", "lifted_by",
    ).order_by("-created_at")


def customer_open_returns(*, customer: Customer) -> QuerySet[Return]:
    return Return.objects.filter(order__customer=customer, status__in=RETURN_OPEN).select_related("order")


def customer_payment_entries(*, customer: Customer) -> QuerySet[PaymentEntry]:
    return PaymentEntry.objects.filter(payment__invoice__order__customer=customer).select_related(
        "payment__invoice", "entered_by",
    ).order_by("-entered_at")


# --- Runs ------------------------------------------------------------------------------------------

def runs(*, user) -> QuerySet[DunningRun]:
    if not can_see_receivables(user):
        return DunningRun.objects.none()
    return DunningRun.objects.select_related("created_by", "approved_by").annotate(
        to_send=Count("lines", filter=Q(lines__level__isnull=False, lines__excluded=False), distinct=True),
        notice_count=Count("notices", distinct=True),
    ).order_by("-created_at", "-pk")


def run_get(*, user, pk: int) -> DunningRun:
    if not can_see_receivables(user):
        raise Http404
    return get_object_or_404(DunningRun.objects.select_related("created_by", "approved_by"), pk=pk)


def run_lines(*, run: DunningRun, show: str = "to_send") -> QuerySet[DunningRunLine]:
    lines = run.lines.select_related("invoice__order__customer", "level")
    if show == "to_send":
        lines = lines.filter(level__isnull=False)
    elif show == "not":
        lines = lines.filter(level__isnull=True)
    return lines.order_by("invoice__due_on", "invoice__number")


def run_summary(*, run: DunningRun) -> dict:
    """Per level: how many lines and their interest; the totals (one query)."""
    rows = list(run.lines.filter(level__isnull=False).values("level__number", "level__name_en", "level__name_de").annotate(
        n=Count("pk"), excluded_n=Count("pk", filter=Q(excluded=True)), interest=Sum("interest"), fee=Sum("fee"),
        total=Sum("total"),
    ).order_by("level__number"))
    return {
        "levels": rows,
        "interest": sum((r["interest"] for r in rows), Decimal("0.00")),
        "count": sum(r["n"] for r in rows),
    }


def notice_get(*, user, pk: int) -> DunningNotice:
    if not can_see_receivables(user):
        raise Http404
    return get_object_or_404(
        DunningNotice.objects.select_related("invoice__order__customer", "level", "run", "created_by"), pk=pk
    )


def handover_candidates(as_of: dt.date | None = None) -> QuerySet[Invoice]:
    """Open invoices that received the last level, not handed over, not blocked."""
    from shopmgr.core.dates import berlin_today

    as_of = as_of or berlin_today()
    last = DunningLevel.objects.order_by("-number").values("number")[:1]
    reached = DunningNotice.objects.filter(invoice=OuterRef("pk"), level__number=Subquery(last))
    return with_dunning_state(open_invoices(as_of=as_of)).filter(
        Exists(reached), handed_over__isnull=True, disputed=False, open_return=False,
    )


def handover_list(*, user) -> QuerySet[Invoice]:
    if not can_see_receivables(user):
        return Invoice.objects.none()
    return handover_candidates().select_related("order__customer").order_by("due_on", "number")
