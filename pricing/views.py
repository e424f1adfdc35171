"""/pricing/: thin views; reads in selectors, writes in services (shop and category managers)."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig
from django_tables2.export import TableExport
from django_tables2.paginators import LazyPaginator

from catalog.selectors import product_visible_q

from . import explain, rules, selectors, services
from .export import as_of_moment, stream_feed
from .filters import MarketFilter, ProposalFilter, SuggestionFilter
from .forms import ProposalForm
from .models import PriceProposal, PriceSuggestion
from .tables import MarketTable, ProposalTable, SuggestionTable


def pricing_only(view):
    """Shop managers and category managers; everyone else gets 403 with a page that says why."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not selectors.can_use_pricing(request.user):
            return render(request, "pricing/forbidden.html", status=403)
        return view(request, *args, **kwargs)
    return wrapper


def _export_or_render(request, table, template, context, name):
    export_format = request.GET.get("_export")
    if TableExport.is_valid_format(export_format):
        return TableExport(export_format, table).response(f"{name}.{export_format}")
    return render(request, template, context)


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@pricing_only
def index(request):
    """The suggestions of the latest run, with a bulk "propose" for the selected ones."""
    run = selectors.latest_run()
    suggestion_filter = SuggestionFilter(
        request.GET, queryset=selectors.suggestions(user=request.user, run=run),
        categories=selectors.filter_categories(user=request.user),
    )
    # the working list (suggested only) needs no outcome column
    hide = ("outcome",) if suggestion_filter.form.data.get("outcome") == PriceSuggestion.Outcome.SUGGESTED else ()
    table = SuggestionTable(suggestion_filter.qs.defer("steps"), exclude=hide)
    # 13 columns: 25 rows keep the page inside its budget; no COUNT over the whole run's rows
    RequestConfig(request, paginate={"per_page": 25, "paginator_class": LazyPaginator}).configure(table)
    return _export_or_render(request, table, "pricing/index.html", {
        "filter": suggestion_filter, "table": table, "run": run, "tab": "suggestions",
        "can_propose": selectors.can_propose(request.user),
    }, "price-suggestions")


@pricing_only
@require_POST
def propose_selected(request):
    ids = [int(v) for v in request.POST.getlist("suggestion") if v.isdigit()]
    if not ids:
        messages.error(request, _("Select at least one suggestion."))
        return redirect("pricing:index")
    made, refused = services.proposals_from_suggestions(
        user=request.user, suggestion_ids=ids, reason=request.POST.get("reason", ""),
        override_reason=request.POST.get("override_reason", ""),
    )
    if made:
        messages.success(request, _("%(n)d proposal(s) sent for approval.") % {"n": len(made)})
    for message in refused:
        messages.error(request, message)
    return redirect(request.POST.get("next") or reverse("pricing:index"))


@pricing_only
def suggestion_detail(request, pk: int):
    suggestion = selectors.suggestion_get(user=request.user, pk=pk)
    form = ProposalForm(initial={
        "price": suggestion.suggested_price, "suggestion": suggestion.pk,
        "kind": "sale" if suggestion.kind == PriceSuggestion.Kind.MARKDOWN else "regular",
        "reason": _("Price suggestion of %(day)s") % {"day": timezone.localdate(suggestion.created_at).isoformat()},
    })
    return render(request, "pricing/suggestion_detail.html", {
        "suggestion": suggestion, "product": suggestion.product, "sentences": explain.explain(suggestion.steps),
        "form": form, "tab": "suggestions", "can_propose": selectors.can_propose(request.user),
        "pending": selectors.pending_proposal_for(product=suggestion.product),
    })


@pricing_only
def product_prices(request, key: str):
    """One product's prices: current price, 30-day reference, history, market, suggestion, proposal."""
    product = selectors.product_for_pricing(user=request.user, key=key)
    form = ProposalForm(request.POST or None, initial={"price": product.price})
    if request.method == "POST" and selectors.can_propose(request.user) and form.is_valid():
        data = form.cleaned_data
        suggestion = None
        if data.get("suggestion"):
            suggestion = PriceSuggestion.objects.filter(pk=data["suggestion"], product=product).first()
        try:
            services.proposal_create(
                user=request.user, product_id=product.pk, price=data["price"], reason=data["reason"],
                kind=data["kind"], override_reason=data.get("override_reason") or "",
                starts_at=form.moment(data.get("starts_on")), ends_at=form.moment(data.get("ends_on")),
                suggestion=suggestion,
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Proposal for %(sku)s sent for approval.") % {"sku": product.sku})
            return redirect("pricing:product", key=product.sku)
    now = timezone.now()
    history = selectors.price_points(product_id=product.pk)
    effective = [p for p in history if p.valid_from <= now]
    current = effective[-1] if effective else None
    competitor_latest = selectors.latest_competitor_prices(product_id=product.pk, now=now)
    position = selectors.market_position(our_price=product.price,
                                         competitor_prices=[c.price for c in competitor_latest.values()])
    suggestions = selectors.latest_suggestions_for(product=product)
    return render(request, "pricing/product.html", {
        "product": product, "current": current,
        "reference_30d": rules.lowest_price_before(history, current.valid_from) if current else None,
        "lowest_30d_now": rules.lowest_price_before(history, now),
        "reduction": rules.current_reduction(history, now),
        "future": [p for p in history if p.valid_from > now],
        "history": selectors.price_history_for(product=product, limit=100),
        "competitors": sorted(competitor_latest.values(), key=lambda c: c.price),
        "position": position,
        "elasticity": _elasticity(product),
        "suggestions": [(s, explain.explain(s.steps)) for s in suggestions],
        "pending": selectors.pending_proposal_for(product=product),
        "recent_proposals": selectors.proposals(user=request.user).filter(product=product).order_by("-proposed_at")[:10],
        "form": form, "can_propose": selectors.can_propose(request.user), "tab": "",
    })


def _elasticity(product):
    from .models import ProductElasticity

    return ProductElasticity.objects.filter(product=product).first()


@pricing_only
def proposals(request):
    proposal_filter = ProposalFilter(
        request.GET, queryset=selectors.proposals(user=request.user),
        categories=selectors.filter_categories(user=request.user),
    )
    table = ProposalTable(proposal_filter.qs)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return _export_or_render(request, table, "pricing/proposals.html", {
        "filter": proposal_filter, "table": table, "tab": "proposals",
        "can_approve": selectors.can_approve(request.user),
    }, "price-proposals")


def _decide(request, pk: int, service, done: str):
    try:
        proposal = service(user=request.user, proposal_id=pk, note=request.POST.get("note", ""))
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, done % {"sku": proposal.product.sku, "price": proposal.price})
    return redirect(request.POST.get("next") or reverse("pricing:proposals"))


@pricing_only
@require_POST
def proposal_approve(request, pk: int):
    if not PriceProposal.objects.filter(product_visible_q(request.user, "product__"), pk=pk).exists():
        messages.error(request, _("No such proposal."))
        return redirect("pricing:proposals")
    return _decide(request, pk, services.proposal_approve, _("Approved: %(sku)s now costs %(price)s."))


@pricing_only
@require_POST
def proposal_reject(request, pk: int):
    if not PriceProposal.objects.filter(product_visible_q(request.user, "product__"), pk=pk).exists():
        messages.error(request, _("No such proposal."))
        return redirect("pricing:proposals")
    return _decide(request, pk, services.proposal_reject, _("Rejected: the proposal for %(sku)s (%(price)s)."))


@pricing_only
def market(request):
    market_filter = MarketFilter(
        request.GET, queryset=selectors.market_positions(user=request.user),
        categories=selectors.filter_categories(user=request.user),
    )
    table = MarketTable(market_filter.qs)
    RequestConfig(request, paginate={"per_page": 25, "paginator_class": LazyPaginator}).configure(table)
    return _export_or_render(request, table, "pricing/market.html", {
        "filter": market_filter, "table": table, "tab": "market", "gap": settings.PRICING_MARKET_GAP,
    }, "market-position")


@pricing_only
def export_prices(request):
    """The price feed (sku, price, reference_price_30d, valid_from) of the products in scope."""
    raw = request.GET.get("as_of") or ""
    try:
        day = dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        messages.error(request, _("“As of” must be a date."))
        return redirect("pricing:index")
    moment = as_of_moment(day) or timezone.now()
    name = f"prices-{(day or timezone.localdate()).isoformat()}.csv"
    response = StreamingHttpResponse(stream_feed(moment=moment, scope=product_visible_q(request.user, "product__")),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
