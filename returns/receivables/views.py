"""/receivables/: thin views; reads in selectors, writes in services (Accounting and Shop managers only)."""

import datetime as dt
from decimal import Decimal
from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig
from django_tables2.paginators import LazyPaginator

from returns.models import DunningBlock, DunningRun, DunningRunLine
from sales.models import Invoice
from shopmgr.core.dates import berlin_today

from . import selectors, services
from .filters import OpenItemFilter
from .forms import DisputeForm, PaymentForm, RunForm
from .tables import HandoverTable, OpenItemTable, RunLineTable, RunTable


def receivables_only(view):
    """Accounting and shop managers only; everyone else gets 403 with a page that says why."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not selectors.can_see_receivables(request.user):
            return render(request, "receivables/forbidden.html", status=403)
        return view(request, *args, **kwargs)
    return wrapper


def _messages_of(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


@receivables_only
def index(request):
    today = berlin_today()
    levels = list(selectors.levels())
    item_filter = OpenItemFilter(
        request.GET, queryset=selectors.open_items(user=request.user, today=today), today=today, levels=levels,
    )
    table = OpenItemTable(item_filter.qs, today=today)
    # No COUNT over every invoice: the lazy paginator only asks whether a next page exists.
    RequestConfig(request, paginate={"per_page": 25, "paginator_class": LazyPaginator}).configure(table)
    return render(request, "receivables/index.html", {
        "filter": item_filter, "table": table, "ageing": selectors.ageing(user=request.user, today=today),
        "today": today,
    })


@receivables_only
def payment_new(request):
    form = PaymentForm(request.POST or None, initial={"invoice": request.GET.get("invoice", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payment = services.payment_enter(
                invoice_number=data["invoice"], paid_on=data["paid_on"], amount=data["amount"],
                method=data["method"], overpayment=data["overpayment"], note=data["note"], by=request.user,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                for message in _messages_of(exc):
                    form.add_error(None, message)
        else:
            messages.success(request, _("Payment of %(amount)s recorded for invoice %(number)s.") % {
                "amount": payment.amount, "number": payment.invoice.number})
            return redirect("receivables:customer", payment.invoice.order.customer.external_id)
    number = form["invoice"].value() or ""
    return render(request, "receivables/payment_form.html", {
        "form": form, "invoice": selectors.invoice_with_open_amount(user=request.user, number=number),
    })


@receivables_only
def runs(request):
    form = RunForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.dunning_run_propose(as_of=form.cleaned_data["as_of"], by=request.user,
                                               trigger=DunningRun.Trigger.BUTTON)
        except ValidationError as exc:
            for message in _messages_of(exc):
                form.add_error(None, message)
        else:
            messages.success(request, _("Dunning run proposed as of %(day)s.") % {"day": run.as_of})
            return redirect("receivables:run", run.pk)
    table = RunTable(selectors.runs(user=request.user))
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    return render(request, "receivables/runs.html", {"form": form, "table": table})


@receivables_only
def run_detail(request, pk: int):
    run = selectors.run_get(user=request.user, pk=pk)
    show = request.GET.get("show", "to_send")
    if show not in ("to_send", "not", "all"):
        show = "to_send"
    table = RunLineTable(selectors.run_lines(run=run, show=show))
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "receivables/run_detail.html", {
        "run": run, "table": table, "show": show, "summary": selectors.run_summary(run=run),
        "warnings": services.warning_texts(run.warnings),
        "notices": run.notices.select_related("invoice", "level").order_by("invoice__number")[:200]
        if run.status == DunningRun.Status.APPROVED else [],
    })


@receivables_only
def run_csv(request, pk: int):
    run = selectors.run_get(user=request.user, pk=pk)
    import csv

    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dunning-run-{run.pk}-{run.as_of}.csv"'
    writer = csv.writer(response, lineterminator="\n")
    writer.writerow(services.PROPOSAL_COLUMNS)
    for line in selectors.run_lines(run=run, show="all"):
        writer.writerow([
            line.invoice.number, line.invoice.order.customer.external_id, line.level.number if line.level else "",
            line.days_overdue, line.open_amount, line.fee, line.interest, line.total,
            line.blocked_reason or ("excluded" if line.excluded else ""),
        ])
    return response


@require_POST
@receivables_only
def run_line_exclude(request, pk: int):
    line = get_object_or_404(DunningRunLine.objects.select_related("invoice"), pk=pk)
    excluded = request.POST.get("excluded") == "1"
    try:
        services.dunning_line_exclude(line=line, excluded=excluded, by=request.user)
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
    else:
        messages.success(request, (_("Invoice %(number)s excluded from this run.") if excluded
                                   else _("Invoice %(number)s is back in this run.")) % {"number": line.invoice.number})
    show = request.POST.get("show", "to_send")
    page = request.POST.get("page", "1")
    query = urlencode({"show": show if show in ("to_send", "not", "all") else "to_send",
                       "page": page if page.isdigit() else "1"})
    return redirect(f"{reverse('receivables:run', args=[line.run_id])}?{query}")


@require_POST
@receivables_only
def run_approve(request, pk: int):
    run = selectors.run_get(user=request.user, pk=pk)
    try:
        notices = services.dunning_run_approve(run=run, by=request.user)
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("Run approved: %(n)s notices created.") % {"n": len(notices)})
    return redirect("receivables:run", pk=run.pk)


@receivables_only
def notice_letter(request, pk: int):
    notice = selectors.notice_get(user=request.user, pk=pk)
    from django.conf import settings

    segments = [
        {**seg, "start": dt.date.fromisoformat(seg["start"]), "end": dt.date.fromisoformat(seg["end"]),
         "rate": Decimal(seg["rate"]), "base_rate": Decimal(seg["base_rate"]),
         "principal": Decimal(seg["principal"]), "interest": Decimal(seg["interest"])}
        for seg in notice.interest_detail
    ]
    points = segments[0]["rate"] - segments[0]["base_rate"] if segments else None
    return render(request, "receivables/letter.html", {
        "notice": notice, "segments": segments, "points": f"{points:.0f}" if points is not None else "", "customer": notice.invoice.order.customer, "level": notice.level,
        "letter_text": notice.level.letter_text(notice.language), "level_name": notice.level.name(notice.language),
        "creditor_name": getattr(settings, "DUNNING_CREDITOR_NAME", ""),
        "creditor_address": getattr(settings, "DUNNING_CREDITOR_ADDRESS", ""),
        "creditor_iban": getattr(settings, "DUNNING_CREDITOR_IBAN", ""),
    })


@receivables_only
def customer(request, external_id: str):
    cust = selectors.customer_get(user=request.user, external_id=external_id)
    invoices = list(selectors.customer_invoices(customer=cust)[:200])
    return render(request, "receivables/customer.html", {
        "customer": cust, "invoices": invoices,
        "open_total": sum((i.open_amount for i in invoices if i.open_amount > 0), 0),
        "notices": list(selectors.customer_notices(customer=cust)[:200]),
        "blocks": list(selectors.customer_blocks(customer=cust)[:100]),
        "open_returns": list(selectors.customer_open_returns(customer=cust)[:100]),
        "payment_entries": list(selectors.customer_payment_entries(customer=cust)[:100]),
        "dispute_form": DisputeForm(),
    })


@require_POST
@receivables_only
def dispute_set(request, pk: int):
    invoice = get_object_or_404(Invoice.objects.select_related("order__customer"), pk=pk)
    form = DisputeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say what the customer disputes."))
        services.dispute_flag_set(invoice=invoice, reason=form.cleaned_data["reason"], by=request.user)
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("Invoice %(number)s is flagged as disputed: no dunning until the flag is lifted.")
                         % {"number": invoice.number})
    return redirect("receivables:customer", invoice.order.customer.external_id)


@require_POST
@receivables_only
def dispute_lift(request, pk: int):
    block = get_object_or_404(DunningBlock.objects.select_related("invoice__order__customer"), pk=pk)
    try:
        services.dispute_flag_lift(block=block, by=request.user)
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("Dispute flag on invoice %(number)s lifted.") % {"number": block.invoice.number})
    return redirect("receivables:customer", block.invoice.order.customer.external_id)


@receivables_only
def handover(request):
    if request.method == "POST":
        try:
            done = services.collection_handover(invoice_ids=request.POST.getlist("invoice"), by=request.user)
        except (ValidationError, ValueError) as exc:
            for message in (_messages_of(exc) if isinstance(exc, ValidationError) else [str(exc)]):
                messages.error(request, message)
        else:
            messages.success(request, _("%(n)s invoices handed over to the collection agency.") % {
                "n": done.items.count()})
            return redirect("receivables:handover-detail", done.pk)
    table = HandoverTable(selectors.handover_list(user=request.user))
    RequestConfig(request, paginate={"per_page": 200}).configure(table)
    from returns.models import CollectionHandover

    return render(request, "receivables/handover.html", {
        "table": table, "past": CollectionHandover.objects.select_related("created_by").order_by("-created_at")[:20],
    })


@receivables_only
def handover_detail(request, pk: int):
    from returns.models import CollectionHandover

    done = get_object_or_404(CollectionHandover.objects.select_related("created_by"), pk=pk)
    if request.GET.get("download"):
        response = HttpResponse(done.csv_text, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="collection-handover-{done.pk}-{done.as_of}.csv"'
        return response
    return render(request, "receivables/handover_detail.html", {
        "handover": done, "items": done.items.select_related("invoice__order__customer").order_by("invoice__number"),
    })
