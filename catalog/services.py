"""Writes to the assortment."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shopmgr.core import roles

from . import analysis
from .models import (
    PATH_SEPARATOR,
    AssortmentRules,
    Category,
    ListingProposal,
    Product,
    ProductStatusChange,
)
from .selectors import category_visible_q, product_visible_q


def category_rebuild_paths() -> int:
    """Recompute every category's materialised path and depth from its parent chain.

    Run after bulk writes or re-parenting; returns how many categories changed.
    """
    with transaction.atomic():
        categories = {c.pk: c for c in Category.objects.select_for_update().only("pk", "code", "parent_id", "path", "depth")}
        paths: dict[int, str] = {}

        def path_of(pk: int, seen: tuple[int, ...] = ()) -> str:
            if pk in paths:
                return paths[pk]
            if pk in seen:
                raise ValueError(f"category tree has a cycle at {categories[pk].code}")
            category = categories[pk]
            parent = path_of(category.parent_id, (*seen, pk)) if category.parent_id else PATH_SEPARATOR
            paths[pk] = f"{parent}{category.code}{PATH_SEPARATOR}"
            return paths[pk]

        changed = []
        for pk, category in categories.items():
            path = path_of(pk)
            depth = path.count(PATH_SEPARATOR) - 2
            if (category.path, category.depth) != (path, depth):
                category.path, category.depth = path, depth
                changed.append(category)
        Category.objects.bulk_update(changed, ["path", "depth"], batch_size=500)
    return len(changed)


# --- Listing decisions, rules and managers (issue 6) ------------------------------------------

def _is_shop_manager(user) -> bool:
    return roles.sees_everything(user)


def listing_propose(*, products, action: str, reason: str, by) -> list:
    """A category manager (or shop manager) proposes to list, phase out or delist products, with a
    reason. Every product must be in the proposer's scope, allow the action from its current status
    and have no pending proposal; otherwise nothing is stored and the error names the product."""



    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason for the proposal."))
    if action not in ListingProposal.Action.values:
        raise ValidationError(_("Unknown action."))
    if not (roles.is_category_scoped(by) or _is_shop_manager(by)):
        raise ValidationError(_("Only category managers and shop managers propose listing decisions."))
    ids = sorted({p.pk if hasattr(p, "pk") else int(p) for p in products})
    if not ids:
        raise ValidationError(_("Choose at least one product."))
    with transaction.atomic():
        locked = list(Product.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        visible = set(Product.objects.filter(product_visible_q(by), pk__in=ids).values_list("pk", flat=True))
        if len(locked) != len(ids) or visible != set(ids):
            raise ValidationError(_("You can only propose decisions for products in your categories."))
        pending = set(
            ListingProposal.objects.filter(product_id__in=ids, status=ListingProposal.Status.PENDING)
            .values_list("product__sku", flat=True)
        )
        if pending:
            raise ValidationError(
                _("These products already have a pending proposal: %(skus)s.") % {"skus": ", ".join(sorted(pending))}
            )
        allowed = ListingProposal.ALLOWED_FROM[action]
        wrong = [p for p in locked if p.status not in allowed]
        if wrong:
            raise ValidationError(
                _("%(action)s is not possible for %(items)s.") % {
                    "action": ListingProposal.Action(action).label,
                    "items": ", ".join(f"{p.sku} ({p.get_status_display()})" for p in wrong),
                }
            )
        now = timezone.now()
        return ListingProposal.objects.bulk_create([
            ListingProposal(product=p, action=action, reason=reason, proposed_by=by, proposed_at=now) for p in locked
        ])


def listing_decide(*, proposals, approve: bool, note: str = "", by) -> int:
    """A shop manager approves or rejects pending proposals (four eyes: never their own). An approval
    sets the product's status and records who, when and why; nothing is stored if any is refused."""


    if not _is_shop_manager(by):
        raise ValidationError(_("Only shop managers approve or reject listing proposals."))
    ids = sorted({p.pk if hasattr(p, "pk") else int(p) for p in proposals})
    if not ids:
        raise ValidationError(_("Choose at least one proposal."))
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError(_("Say why you reject the proposal."))
    with transaction.atomic():
        locked = list(
            ListingProposal.objects.select_for_update().filter(pk__in=ids).select_related("product").order_by("pk")
        )
        if len(locked) != len(ids):
            raise ValidationError(_("A proposal was not found."))
        own = [p for p in locked if p.proposed_by_id == by.pk]
        if own:
            raise ValidationError(_("You cannot decide on your own proposal (four eyes): %(skus)s.") % {
                "skus": ", ".join(p.product.sku for p in own)})
        done = [p for p in locked if p.status != ListingProposal.Status.PENDING]
        if done:
            raise ValidationError(_("Already decided: %(skus)s.") % {"skus": ", ".join(p.product.sku for p in done)})
        now = timezone.now()
        products = {p.pk: p for p in Product.objects.select_for_update().filter(pk__in=[x.product_id for x in locked])}
        changes = []
        if approve:
            stale = [x for x in locked if products[x.product_id].status not in ListingProposal.ALLOWED_FROM[x.action]]
            if stale:
                raise ValidationError(_("The status changed since the proposal: %(skus)s.") % {
                    "skus": ", ".join(x.product.sku for x in stale)})
            for x in locked:
                product = products[x.product_id]
                changes.append(ProductStatusChange(
                    product=product, from_status=product.status, to_status=x.target_status, changed_at=now,
                    changed_by=by, reason=x.reason, proposal=x,
                ))
                product.status = x.target_status
            Product.objects.bulk_update(list(products.values()), ["status"])
            ProductStatusChange.objects.bulk_create(changes)
        for x in locked:
            x.status = ListingProposal.Status.APPROVED if approve else ListingProposal.Status.REJECTED
            x.decided_by, x.decided_at, x.decision_note = by, now, note
        ListingProposal.objects.bulk_update(locked, ["status", "decided_by", "decided_at", "decision_note"])
        return len(locked)


RULE_FIELDS = [
    "abc_basis", "abc_a", "abc_b", "xyz_x", "xyz_y", "months", "min_description_length", "min_images",
    "required_attributes", "slow_doi_days", "slow_no_sale_days", "dead_no_sale_days",
]


def assortment_rules_save(*, category, values: dict, by):
    """Store a category's thresholds. Thresholds must increase (A < B ≤ 100 %, X < Y, slow before
    dead); the category must be in the user's scope. Takes effect with the next computation."""



    if not (roles.is_category_scoped(by) or _is_shop_manager(by)):
        raise ValidationError(_("Only category managers and shop managers set assortment rules."))
    if not Category.objects.filter(category_visible_q(by), pk=category.pk).exists():
        raise ValidationError(_("You can only set rules for your categories."))
    problems = analysis.thresholds_increase(a=values["abc_a"], b=values["abc_b"], x=values["xyz_x"], y=values["xyz_y"])
    if values["slow_no_sale_days"] >= values["dead_no_sale_days"]:
        problems.append(_("Days without a sale must increase: slow mover before dead stock."))
    if not 3 <= values["months"] <= 36:
        problems.append(_("Analyse between 3 and 36 months."))
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        rules, _created = AssortmentRules.objects.select_for_update().get_or_create(
            category=category, defaults={f: values[f] for f in RULE_FIELDS} | {"updated_by": by}
        )
        for f in RULE_FIELDS:
            setattr(rules, f, values[f])
        rules.updated_by = by
        rules.save()
    return rules


def assortment_rules_delete(*, category, by) -> None:
    """Back to the inherited rules (the parent's, or the defaults)."""



    if not (roles.is_category_scoped(by) or _is_shop_manager(by)) or not Category.objects.filter(
        category_visible_q(by), pk=category.pk
    ).exists():
        raise ValidationError(_("You can only set rules for your categories."))
    AssortmentRules.objects.filter(category=category).delete()


def category_set_managers(*, category, managers, by) -> None:
    """A shop manager assigns the category managers of a category (each sees its whole subtree)."""


    if not _is_shop_manager(by):
        raise ValidationError(_("Only shop managers assign category managers."))
    not_cm = [u.get_username() for u in managers if roles.CATEGORY_MANAGERS not in roles.role_names(u)]
    if not_cm:
        raise ValidationError(_("Not category managers: %(names)s.") % {"names": ", ".join(not_cm)})
    with transaction.atomic():
        Category.objects.select_for_update().filter(pk=category.pk).first()
        category.managers.set(managers)
