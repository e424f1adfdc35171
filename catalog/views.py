import datetime as dt
import functools

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig
from django_tables2.export import TableExport

from pricing.selectors import competitor_prices_for, price_history_for
from shopmgr.core import roles
from shopmgr.core.dates import berlin_today

from . import analysis, selectors, services
from .compute import rules_for_category
from .filters import CategoryPick, ProductFilter, ProposalFilter
from .forms import DecisionForm, ManagersForm, ProposalForm, RulesForm
from .models import ListingProposal
from .tables import (
    CategoryAnalysisTable,
    CategoryTable,
    DelistCandidateTable,
    ProductTable,
    ProposalTable,
)


def _export_or_render(request, table, template, context):
    export_format = request.GET.get("_export")
    if TableExport.is_valid_format(export_format):
        return TableExport(export_format, table).response(f"{context['export_name']}.{export_format}")
    return render(request, template, context)


def _can_propose(user) -> bool:
    return roles.sees_everything(user) or roles.is_category_scoped(user)


def workbench(view):
    """Pages of the assortment workbench: shop managers and category managers; others get 403."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _can_propose(request.user):
            return render(request, "catalog/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _category_pick(request):
    form = CategoryPick(request.GET or None, categories=selectors.visible_categories(user=request.user))
    return form, form.chosen


def category_index(request):
    categories = selectors.category_list(user=request.user)
    table = CategoryTable(categories)
    RequestConfig(request, paginate={"per_page": 100}).configure(table)
    return _export_or_render(request, table, "catalog/category_list.html", {"table": table, "export_name": "categories"})


def category_detail(request, code: str):
    category = selectors.category_get(user=request.user, code=code)
    products = selectors.product_list_with_analysis(user=request.user).filter(category__path__startswith=category.path)
    table = ProductTable(products, exclude=("select",))
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    children = selectors.category_list(user=request.user).filter(parent=category)
    return render(request, "catalog/category_detail.html", {
        "category": category, "children": children, "table": table,
        "can_manage": _can_propose(request.user), "is_shop_manager": roles.sees_everything(request.user),
    })


def product_list(request):
    user = request.user
    # the choices need no product counts (their subtree counts cost ~50 ms at the 1M-order scale)
    categories = selectors.visible_categories(user=user)
    product_filter = ProductFilter(
        request.GET, queryset=selectors.product_list_with_analysis(user=user), categories=categories,
        suppliers=selectors.supplier_choices(user=user),
    )
    can_propose = _can_propose(user)
    table = ProductTable(product_filter.qs, exclude=() if can_propose else ("select",))
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return _export_or_render(request, table, "catalog/product_list.html", {
        "filter": product_filter, "table": table, "export_name": "products", "can_propose": can_propose,
        "proposal_form": ProposalForm(initial={"next": request.get_full_path()}),
    })


def product_detail(request, pk: int):
    product = selectors.product_get(user=request.user, pk=pk)
    product_analysis = selectors.product_analysis_for(product=product)
    rules = rules_for_category(product.category)
    content = analysis.content_score(
        description_length=len(product.description), image_count=product.image_count,
        attributes=product.attributes, rules=rules.content,
    )
    changes, proposals = selectors.product_assortment_history(product=product)
    since = berlin_today() - dt.timedelta(days=365)
    pending = next((p for p in proposals if p.status == ListingProposal.Status.PENDING), None)
    return render(request, "catalog/product_detail.html", {
        "product": product,
        "analysis": product_analysis,
        "content": content,
        "rules": rules,
        "price_history": price_history_for(product=product, limit=20),
        "competitor_prices": competitor_prices_for(product=product, limit=20),
        "status_changes": changes,
        "proposals": proposals,
        "pending": pending,
        "return_reasons": selectors.product_return_reasons(product=product, since=since),
        "reviews": selectors.product_reviews(product=product),
        "chart": product_analysis.monthly if product_analysis else None,
        "can_propose": _can_propose(request.user) and pending is None,
        "can_price": _can_propose(request.user),  # the price page (pricing) is the managers' too
        "proposal_form": ProposalForm(initial={"next": request.get_full_path()}, for_status=product.status),
    })


# --- Workbench --------------------------------------------------------------------------------

@workbench
def matrix(request):
    pick, category = _category_pick(request)
    categories = selectors.category_analyses(user=request.user, category=category)
    table = CategoryAnalysisTable(categories)
    RequestConfig(request, paginate={"per_page": 100}).configure(table)
    return _export_or_render(request, table, "catalog/matrix.html", {
        "pick": pick, "category": category, "export_name": "category-analysis", "table": table,
        "matrix": selectors.assortment_matrix(user=request.user, category=category),
        "run": selectors.last_assortment_run(),
    })


@workbench
def content(request):
    pick, category = _category_pick(request)
    return render(request, "catalog/content.html", {
        "pick": pick, "category": category,
        "outcomes": selectors.content_outcomes(user=request.user, category=category),
        "worst": selectors.content_worst(user=request.user, category=category),
        "run": selectors.last_assortment_run(),
    })


@workbench
def delist_candidates(request):
    pick, category = _category_pick(request)
    table = DelistCandidateTable(selectors.delist_candidates(user=request.user, category=category))
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return _export_or_render(request, table, "catalog/delist_candidates.html", {
        "pick": pick, "category": category, "table": table, "export_name": "delist-candidates",
        "proposal_form": ProposalForm(initial={"next": request.get_full_path(), "action": "delist"}),
        "run": selectors.last_assortment_run(),
    })


@workbench
def decisions(request):
    data = request.GET.copy()
    if "status" not in data:
        data["status"] = ListingProposal.Status.PENDING
    proposal_filter = ProposalFilter(data, queryset=selectors.proposals_visible(user=request.user))
    can_decide = roles.sees_everything(request.user)
    table = ProposalTable(proposal_filter.qs, can_decide=can_decide)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return _export_or_render(request, table, "catalog/decisions.html", {
        "filter": proposal_filter, "table": table, "export_name": "listing-decisions", "can_decide": can_decide,
        "decision_form": DecisionForm(),
    })


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


@workbench
@require_POST
def propose(request):
    form = ProposalForm(request.POST)
    back = _safe_next(request, reverse("catalog:decisions"))
    if not form.is_valid():
        messages.error(request, _("The proposal could not be read: %(errors)s") % {"errors": form.errors.as_text()})
        return redirect(back)
    try:
        created = services.listing_propose(
            products=form.cleaned_data["product"], action=form.cleaned_data["action"],
            reason=form.cleaned_data["reason"], by=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    messages.success(request, _("%(n)s proposal(s) filed; a shop manager decides.") % {"n": len(created)})
    return redirect(back)


@workbench
@require_POST
def decide(request):
    form = DecisionForm(request.POST)
    back = reverse("catalog:decisions")
    if not form.is_valid():
        messages.error(request, _("The decision could not be read: %(errors)s") % {"errors": form.errors.as_text()})
        return redirect(back)
    # only proposals the user may see can be decided: others are "not found"
    ids = form.cleaned_data["proposal"]
    visible = list(selectors.proposals_visible(user=request.user).filter(pk__in=ids).values_list("pk", flat=True))
    if len(visible) != len(set(ids)):
        raise Http404("proposal outside scope")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        n = services.listing_decide(proposals=visible, approve=approve, note=form.cleaned_data["note"], by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    messages.success(request, (_("%(n)s proposal(s) approved.") if approve else _("%(n)s proposal(s) rejected.")) % {"n": n})
    return redirect(back)


@workbench
def category_rules(request, code: str):
    category = selectors.category_get(user=request.user, code=code)
    rules = rules_for_category(category)
    own = rules.group_id == category.pk and selectors.category_has_rules(category=category)
    if request.method == "POST":
        if request.POST.get("reset"):
            try:
                services.assortment_rules_delete(category=category, by=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("The rules are inherited again."))
            return redirect("catalog:category-rules", code=code)
        form = RulesForm(request.POST)
        if form.is_valid():
            try:
                services.assortment_rules_save(category=category, values=form.values(), by=request.user)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("Rules saved; they apply from the next computation."))
                return redirect("catalog:category-rules", code=code)
    else:
        form = RulesForm(initial=RulesForm.initial_from(rules))
    return render(request, "catalog/category_rules.html", {
        "category": category, "form": form, "own": own, "rules": rules,
    })


@workbench
def category_managers(request, code: str):
    category = selectors.category_get(user=request.user, code=code)
    if not roles.sees_everything(request.user):
        return render(request, "catalog/forbidden.html", status=403)
    users = selectors.category_managers_choices()
    if request.method == "POST":
        form = ManagersForm(request.POST, users=users)
        if form.is_valid():
            try:
                services.category_set_managers(category=category, managers=list(form.cleaned_data["managers"]),
                                               by=request.user)
            except ValidationError as exc:
                form.add_error(None, " ".join(exc.messages))
            else:
                messages.success(request, _("Category managers saved."))
                return redirect(category.get_absolute_url())
    else:
        form = ManagersForm(initial={"managers": list(category.managers.all())}, users=users)
    return render(request, "catalog/category_managers.html", {"category": category, "form": form})
