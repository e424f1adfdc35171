"""Writes of prices: proposals, their approval (four eyes) and rejection (DESIGN §5, issue 7).

Every function runs in one transaction, takes the row locks it needs and raises a
ValidationError with a message for the user; a refused action stores nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Product
from catalog.selectors import product_visible_q
from shopmgr.core.formatting import format_money

from . import rules, selectors
from .models import PriceChange, PriceProposal, PriceSuggestion


def _full_unit_cost(product: Product) -> Decimal:
    """The cost the margin floor protects: the purchase cost plus the shares of the latest run."""
    from .models import ProductElasticity
    from .nightly import cost_basis, full_unit_cost

    return_rate = (ProductElasticity.objects.filter(product=product).values_list("return_rate", flat=True).first()
                   or Decimal(0))
    basis = cost_basis(today=timezone.localdate())
    total, _ = full_unit_cost(purchase=product.cost, net_price=product.price / (1 + product.vat_rate),
                              return_rate=return_rate, basis=basis)
    return total


def check_floor(*, product: Product, price: Decimal, override_reason: str) -> None:
    """A price below the margin floor (full unit cost / (1 − m_min), gross) needs an override reason;
    a price below the purchase cost is below every floor."""
    rails = selectors.guardrails_for(product.category)
    floor = rules.margin_floor_gross(unit_cost=_full_unit_cost(product), vat_rate=product.vat_rate,
                                     margin_floor=rails.margin_floor)
    if price < rules.cents(floor) and not override_reason.strip():
        below_cost = price / (1 + product.vat_rate) < product.cost
        if below_cost:
            raise ValidationError(
                _("%(price)s is below the cost (%(cost)s net); give an override reason to propose it anyway.")
                % {"price": format_money(price), "cost": format_money(product.cost)}, code="below_floor")
        raise ValidationError(
            _("%(price)s is below the margin floor of %(margin)s (at least %(floor)s); give an override reason "
              "to propose it anyway.") % {"price": format_money(price), "margin": f"{rails.margin_floor * 100:.0f} %",
                                          "floor": format_money(rules.cents(floor))}, code="below_floor")


def proposal_create(*, user, product_id: int, price: Decimal, reason: str, kind: str = PriceChange.Kind.REGULAR,
                    override_reason: str = "", starts_at: dt.datetime | None = None,
                    ends_at: dt.datetime | None = None, suggestion: PriceSuggestion | None = None) -> PriceProposal:
    """Propose a price for a product in the proposer's scope; one pending proposal per product.

    The current price is recorded as the base price: approval refuses when it changed meanwhile.
    """
    if not selectors.can_propose(user):
        raise ValidationError(_("Only shop managers and category managers propose prices."), code="role")
    if price is None or price <= 0:
        raise ValidationError(_("A price must be above 0."), code="price")
    if rules.cents(price) != price:
        raise ValidationError(_("A price has at most two decimal places."), code="price")
    if not reason or not reason.strip():
        raise ValidationError(_("Say why: the reason is recorded with the price."), code="reason")
    if ends_at is not None and ends_at <= (starts_at or timezone.now()):
        raise ValidationError(_("The sale must end after it starts."), code="ends_at")
    if ends_at is not None:
        kind = PriceChange.Kind.SALE
    with transaction.atomic():
        product = (Product.objects.select_for_update(of=("self",)).filter(product_visible_q(user))
                   .select_related("category").filter(pk=product_id).first())
        if product is None:
            raise ValidationError(_("This product is not in your categories."), code="scope")
        if price == product.price and starts_at is None:
            raise ValidationError(_("%(price)s is already the current price.") % {"price": format_money(price)},
                                  code="unchanged")
        if suggestion is not None and suggestion.current_price != product.price:
            raise ValidationError(
                _("The price of %(sku)s changed from %(old)s to %(new)s since the suggestion was computed; wait for "
                  "tonight's suggestion or propose your own price.") % {
                    "sku": product.sku, "old": format_money(suggestion.current_price),
                    "new": format_money(product.price)}, code="stale")
        check_floor(product=product, price=price, override_reason=override_reason)
        if PriceProposal.objects.filter(product=product, status=PriceProposal.Status.PENDING).exists():
            raise ValidationError(
                _("%(sku)s already has a pending proposal; it must be approved or rejected first.")
                % {"sku": product.sku}, code="pending")
        try:
            with transaction.atomic():
                return PriceProposal.objects.create(
                    product=product, price=price, kind=kind, base_price=product.price, starts_at=starts_at,
                    ends_at=ends_at, reason=reason.strip(), override_reason=override_reason.strip(),
                    suggestion=suggestion, explanation=suggestion.steps if suggestion else [],
                    proposed_by=user, proposed_at=timezone.now(),
                )
        except IntegrityError as exc:  # a concurrent proposal for the same product won the race
            raise ValidationError(
                _("%(sku)s already has a pending proposal; it must be approved or rejected first.")
                % {"sku": product.sku}, code="pending") from exc


def proposals_from_suggestions(*, user, suggestion_ids: list[int], reason: str = "",
                               override_reason: str = "") -> tuple[list[PriceProposal], list[str]]:
    """Turn suggestions into proposals, each on its own (one refused suggestion keeps the others);
    returns the proposals made and a message per refused suggestion."""
    made, refused = [], []
    visible = selectors.suggestions(user=user, run=selectors.latest_run()).filter(
        pk__in=suggestion_ids, suggested_price__isnull=False)
    found = {s.pk: s for s in visible}
    for sid in suggestion_ids:
        suggestion = found.get(sid)
        if suggestion is None:
            refused.append(_("Suggestion %(id)s is not among your current suggestions.") % {"id": sid})
            continue
        kind = PriceChange.Kind.SALE if suggestion.kind == PriceSuggestion.Kind.MARKDOWN else PriceChange.Kind.REGULAR
        why = reason.strip() or (_("Markdown suggestion of %(day)s") if kind == PriceChange.Kind.SALE
                                 else _("Price suggestion of %(day)s")) % {
            "day": timezone.localdate(suggestion.created_at).isoformat()}
        try:
            made.append(proposal_create(
                user=user, product_id=suggestion.product_id, price=suggestion.suggested_price, reason=why, kind=kind,
                override_reason=override_reason, suggestion=suggestion,
            ))
        except ValidationError as exc:
            refused.append(f"{suggestion.product.sku}: {' '.join(exc.messages)}")
    return made, refused


def _locked_pending(proposal_id: int) -> PriceProposal:
    proposal = PriceProposal.objects.select_for_update().filter(pk=proposal_id).first()
    if proposal is None:
        raise ValidationError(_("No such proposal."), code="missing")
    if proposal.status != PriceProposal.Status.PENDING:
        raise ValidationError(_("This proposal was already %(status)s.") % {"status": proposal.get_status_display()},
                              code="decided")
    return proposal


def proposal_approve(*, user, proposal_id: int, note: str = "", now: dt.datetime | None = None) -> PriceProposal:
    """Four eyes: a shop manager other than the proposer approves; the price history row (and the
    sale's end, if any) is written in the same transaction, and the product's current price with it.

    Optimistic check: refused when the product's price is no longer the one the proposal was made
    against (someone changed it meanwhile) — the proposer must look again.
    """
    now = now or timezone.now()
    if not selectors.can_approve(user):
        raise ValidationError(_("Only a shop manager approves price proposals."), code="role")
    with transaction.atomic():
        proposal = _locked_pending(proposal_id)
        if proposal.proposed_by_id == user.pk:
            raise ValidationError(_("Nobody approves their own proposal: another shop manager must decide."),
                                  code="own")
        product = Product.objects.select_for_update().select_related("category").get(pk=proposal.product_id)
        if product.price != proposal.base_price:
            raise ValidationError(
                _("The price of %(sku)s changed from %(old)s to %(new)s since this proposal was made; reject it "
                  "and propose again.") % {"sku": product.sku, "old": format_money(proposal.base_price),
                                           "new": format_money(product.price)}, code="stale")
        starts = max(proposal.starts_at or now, now)
        if PriceChange.objects.filter(product=product, valid_from__gt=now).exists():
            raise ValidationError(_("%(sku)s has a future price change already; it would be overtaken.")
                                  % {"sku": product.sku}, code="future")
        why = proposal.reason
        if proposal.override_reason:
            why = f"{why} ({_('override')}: {proposal.override_reason})"
        change = PriceChange.objects.create(
            product=product, price=proposal.price, valid_from=starts, kind=proposal.kind, created_by=proposal.proposed_by,
            reason=(_("%(why)s; approved by %(who)s") % {"why": why, "who": user.get_username()})[:300],
        )
        if proposal.ends_at is not None:
            regular = selectors.price_at(product_id=product.pk, moment=starts - dt.timedelta(microseconds=1))
            PriceChange.objects.create(
                product=product, price=regular.price if regular else proposal.base_price, valid_from=proposal.ends_at,
                kind=PriceChange.Kind.REGULAR, created_by=proposal.proposed_by,
                reason=_("End of sale (proposal %(id)s)") % {"id": proposal.pk},
            )
        if starts <= now:
            product.price = proposal.price
            product.save(update_fields=["price"])
        proposal.status = PriceProposal.Status.APPROVED
        proposal.decided_by, proposal.decided_at, proposal.decision_note = user, now, note.strip()
        proposal.price_change = change
        proposal.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "price_change"])
        return proposal


def proposal_reject(*, user, proposal_id: int, note: str = "", now: dt.datetime | None = None) -> PriceProposal:
    """A shop manager rejects (with a note); the proposer may withdraw their own proposal."""
    now = now or timezone.now()
    with transaction.atomic():
        proposal = _locked_pending(proposal_id)
        if not selectors.can_approve(user) and proposal.proposed_by_id != user.pk:
            raise ValidationError(_("Only a shop manager rejects price proposals."), code="role")
        proposal.status = PriceProposal.Status.REJECTED
        proposal.decided_by = user if proposal.proposed_by_id != user.pk else None
        proposal.decided_at, proposal.decision_note = now, (note.strip() or "")[:300]
        if proposal.decided_by is None:
            proposal.decision_note = (_("withdrawn by the proposer") + (f": {note.strip()}" if note.strip() else ""))[:300]
        proposal.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        return proposal


def sync_current_prices(*, now: dt.datetime | None = None) -> int:
    """Set Product.price to the latest PriceChange valid now where that differs (approved changes
    that start later, and ends of sales, take effect here; the nightly run calls it)."""
    now = now or timezone.now()
    valid = PriceChange.objects.filter(product=OuterRef("pk"), valid_from__lte=now)
    current = Subquery(valid.order_by("-valid_from").values("price")[:1])
    with transaction.atomic():
        return Product.objects.filter(Exists(valid)).exclude(price=current).update(price=current)
