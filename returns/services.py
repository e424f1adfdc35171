"""Every write of the returns desk (DOMAIN §2, DESIGN §3): open, receive, inspect, refund, reject,
close. Each runs in one transaction, takes its row locks first (the order and its lines, the
return, the products whose stock moves), validates, then writes and records who did it and when.
A refused step raises a `ValidationError` whose keys name the form field, and stores nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from catalog.models import Product
from sales.models import Customer, Order, OrderLine, Payment
from shopmgr.core.dates import berlin_day, berlin_today
from shopmgr.core.formatting import format_money
from shopmgr.core.money import to_cents

from . import rules
from .models import Return, ReturnEvent, ReturnLine, ReturnReason, ReturnRefund

NON_FIELD = "__all__"


@dataclass(frozen=True)
class LineRequest:
    order_line_id: int
    quantity: int
    reason: ReturnReason


# --- reads the writes rely on (also shown on the desk's pages) -----------------------------------

def returned_quantities(*, order_id: int, exclude_return_id: int | None = None) -> dict[int, int]:
    """Units per order line on the order's returns that are not rejected (requested ones count: a
    unit promised back cannot be promised twice)."""
    rows = ReturnLine.objects.filter(order_line__order_id=order_id, ret__rejected=False)
    if exclude_return_id is not None:
        rows = rows.exclude(ret_id=exclude_return_id)
    return dict(rows.order_by().values("order_line_id").annotate(n=Sum("quantity")).values_list("order_line_id", "n"))


def returnable_quantities(*, order: Order, lines: list[OrderLine]) -> dict[int, int]:
    """Ordered minus already returned, per order line, across every return of the order."""
    returned = returned_quantities(order_id=order.pk)
    return {line.pk: max(line.quantity - returned.get(line.pk, 0), 0) for line in lines}


def order_delivered_on(order: Order) -> dt.date | None:
    """The Berlin day the goods arrived (the shipment's delivered_at), or None."""
    shipment = getattr(order, "shipment", None)  # the reverse one-to-one raises an AttributeError when absent
    if shipment is None or shipment.delivered_at is None:
        return None
    return berlin_day(shipment.delivered_at)


def order_paid(order: Order) -> Decimal:
    """What the customer paid: for invoice orders the payments booked on the order's invoices;
    for every other method (card, PayPal, …, collected at checkout) the order's gross total,
    lines after discounts plus the shipping fee (docs/returns.md)."""
    if order.payment_method == "invoice":
        paid = Payment.objects.filter(invoice__order=order).aggregate(s=Sum("amount"))["s"]
        return to_cents(paid or 0)
    gross = sum(
        (Decimal(ln.quantity) * ln.unit_price - ln.discount for ln in OrderLine.objects.filter(order=order)),
        Decimal(0),
    )
    return to_cents(gross + order.shipping_fee)


def order_refunded(order: Order) -> Decimal:
    total = ReturnRefund.objects.filter(ret__order=order).aggregate(s=Sum("amount"))["s"]
    return to_cents(total or 0)


def refund_preview(*, ret: Return, deduction: Decimal = Decimal(0)) -> tuple[rules.RefundProposal, Decimal]:
    """The proposed refund of a return (DOMAIN §2.2) and what may still be refunded on its order."""
    order = ret.order
    lines = list(ret.lines.select_related("order_line"))
    proposal = rules.refund_proposal(
        lines=[
            rules.RefundLine(ordered=ln.order_line.quantity, unit_price=ln.order_line.unit_price,
                             discount=ln.order_line.discount, returned=ln.quantity)
            for ln in lines
        ],
        full_withdrawal=_completes_full_withdrawal(ret=ret, lines=lines),
        standard_shipping=min(order.shipping_fee, settings.RETURNS_STANDARD_SHIPPING_GROSS),
        deduction=deduction,
    )
    left = rules.refundable_left(paid=order_paid(order), refunded=order_refunded(order))
    return proposal, left


def _completes_full_withdrawal(*, ret: Return, lines: list[ReturnLine]) -> bool:
    """A withdrawal that, with the order's other returns not rejected, brings back every unit, and
    whose order's shipping was not refunded yet: only then is the outbound shipping refunded."""
    if ret.legal_basis != Return.LegalBasis.WITHDRAWAL:
        return False
    if ReturnRefund.objects.filter(ret__order_id=ret.order_id, shipping_amount__gt=0).exists():
        return False
    ordered = dict(OrderLine.objects.filter(order_id=ret.order_id).values_list("pk", "quantity"))
    returned = returned_quantities(order_id=ret.order_id, exclude_return_id=ret.pk)
    for ln in lines:
        returned[ln.order_line_id] = returned.get(ln.order_line_id, 0) + ln.quantity
    return all(returned.get(pk, 0) >= qty for pk, qty in ordered.items())


# --- writes ------------------------------------------------------------------------------------

def _event(*, ret: Return, action: str, by, note: str = "") -> ReturnEvent:
    return ReturnEvent.objects.create(ret=ret, action=action, by=by, at=timezone.now(), note=note)


def _next_external_id(order: Order) -> str:
    """RMA-<order no.>-<n>: unique while the order row is locked."""
    n = Return.objects.filter(order=order).count() + 1
    while True:
        candidate = f"RMA-{order.external_id}-{n}"
        if not Return.objects.filter(external_id=candidate).exists():
            return candidate
        n += 1


def _day(value: dt.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def return_open(
    *, order: Order, lines: list[LineRequest], legal_basis: str, declared_on: dt.date, by,
    accept_late: bool = False, note: str = "",
) -> Return:
    """Open a return for chosen lines and quantities.

    - A cancelled or never-delivered order has nothing to send back (cancel instead).
    - Per line, the quantity is at most ordered minus what the order's other returns (not rejected)
      already take back; the order row and its lines are locked first, so two desks returning the
      last unit at the same moment cannot both succeed.
    - Withdrawal (§355 BGB) is for consumers only and must be declared by the end of the period
      (delivery + 14 days, §193 BGB). A late one is refused unless staff tick "accept anyway as
      goodwill": it is then stored as goodwill and flagged as a late withdrawal.
    """
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        order = Order.objects.select_for_update(of=("self",)).select_related("customer").get(pk=order.pk)
        order_lines = {ln.pk: ln for ln in OrderLine.objects.select_for_update().filter(order=order).order_by("pk")}

        if order.status == Order.Status.CANCELLED:
            raise ValidationError({NON_FIELD: _("Order %(order)s was cancelled: there is nothing to return.")
                                   % {"order": order.external_id}})
        delivered_on = order_delivered_on(order)
        if delivered_on is None:
            raise ValidationError({NON_FIELD: _(
                "Order %(order)s has no recorded delivery: a parcel that never arrived cannot be returned "
                "(cancel the order or wait for the delivery)."
            ) % {"order": order.external_id}})

        today = berlin_today()
        if declared_on > today:
            errors.setdefault("declared_on", []).append(_("The declaration date cannot be in the future."))

        chosen = [ln for ln in lines if ln.quantity]
        if not chosen:
            errors.setdefault(NON_FIELD, []).append(_("Choose at least one line and a quantity to return."))
        returnable = returnable_quantities(order=order, lines=list(order_lines.values()))
        for request in chosen:
            line = order_lines.get(request.order_line_id)
            field = f"qty_{request.order_line_id}"
            if line is None:
                errors.setdefault(NON_FIELD, []).append(_("That line does not belong to this order."))
            elif request.quantity < 0:
                errors.setdefault(field, []).append(_("The quantity cannot be negative."))
            elif request.quantity > returnable[line.pk]:
                errors.setdefault(field, []).append(_(
                    "Line %(line)s: at most %(left)s can still be returned, not %(wanted)s "
                    "(ordered %(ordered)s, already on other returns %(returned)s)."
                ) % {"line": line.line_no, "wanted": request.quantity, "left": returnable[line.pk],
                     "ordered": line.quantity, "returned": line.quantity - returnable[line.pk]})
            elif request.reason is None or not request.reason.active:
                errors.setdefault(f"reason_{request.order_line_id}", []).append(_("Choose a reason for this line."))

        deadline = rules.withdrawal_deadline(delivered_on)
        late = False
        if legal_basis not in Return.LegalBasis.values:
            errors.setdefault("legal_basis", []).append(_("Choose a legal basis."))
        elif legal_basis == Return.LegalBasis.WITHDRAWAL:
            if order.customer.kind == Customer.Kind.B2B:
                errors.setdefault("legal_basis", []).append(_(
                    "Business customers have no statutory right of withdrawal: choose warranty or goodwill."))
            elif declared_on > deadline:
                if accept_late:
                    late = True
                else:
                    errors.setdefault("legal_basis", []).append(_(
                        "The withdrawal period ended on %(deadline)s (delivered on %(delivered)s, declared on "
                        "%(declared)s): choose warranty or goodwill, or tick “accept anyway as goodwill”."
                    ) % {"deadline": _day(deadline), "delivered": _day(delivered_on), "declared": _day(declared_on)})
        if errors:
            raise ValidationError(errors)

        ret = Return.objects.create(
            external_id=_next_external_id(order),
            order=order,
            status=Return.Status.REQUESTED,
            legal_basis=Return.LegalBasis.GOODWILL if late else legal_basis,
            requested_at=timezone.now(),
            declared_on=declared_on,
            delivered_on=delivered_on,
            withdrawal_deadline=deadline,
            late_withdrawal=late,
            note=note,
            created_by=by,
        )
        ReturnLine.objects.bulk_create([
            ReturnLine(ret=ret, order_line_id=r.order_line_id, quantity=r.quantity, reason=r.reason)
            for r in chosen
        ])
        event_note = note
        if late:
            event_note = (_("Late withdrawal (period ended on %(deadline)s) accepted as goodwill.")
                          % {"deadline": _day(deadline)} + (" " + note if note else ""))
        _event(ret=ret, action=ReturnEvent.Action.OPENED, by=by, note=event_note)
    return ret


def _locked(ret: Return, step: str) -> Return:
    locked = Return.objects.select_for_update(of=("self",)).select_related("order").get(pk=ret.pk)
    if not rules.step_allowed(step=step, status=locked.status):
        raise ValidationError({NON_FIELD: _step_refusal(step=step, ret=locked)})
    return locked


def _step_refusal(*, step: str, ret: Return) -> str:
    messages = {
        "receive": _("Only a requested return can be received; this one is “%(status)s”."),
        "inspect": _("A return can be inspected only after its parcel was received; this one is “%(status)s”."),
        "refund": _("A return can be refunded only after its inspection; this one is “%(status)s”."),
        "reject": _("Only a return that was not refunded, rejected or closed can be rejected; "
                    "this one is “%(status)s”."),
        "close": _("A return can be closed only once it is refunded or rejected; this one is “%(status)s”."),
    }
    return messages[step] % {"status": ret.get_status_display()}


def return_receive(*, ret: Return, received_at: dt.datetime, by) -> Return:
    """Record the parcel's arrival (requested → received). From now on its units count as
    returned in the KPIs (DESIGN §4), so the moment cannot lie in the future."""
    with transaction.atomic():
        ret = _locked(ret, "receive")
        if received_at > timezone.now() + dt.timedelta(minutes=5):
            raise ValidationError({"received_at": _("The arrival cannot be in the future.")})
        if received_at < ret.order.placed_at:
            raise ValidationError({"received_at": _("The arrival cannot be before the order was placed.")})
        ret.status = Return.Status.RECEIVED
        ret.received_at = received_at
        ret.save(update_fields=["status", "received_at", "changed_at"])
        _event(ret=ret, action=ReturnEvent.Action.RECEIVED, by=by)
    return ret


def _lock_products(product_ids) -> dict[int, Product]:
    return {p.pk: p for p in Product.objects.select_for_update().filter(pk__in=sorted(set(product_ids))).order_by("pk")}


def return_inspect(*, ret: Return, grading: dict[int, tuple[str, str]], by, note: str = "") -> Return:
    """Grade every line (A–D) and choose its disposition (received → inspected). Restocked units
    go back into the product's stock in this same transaction; written-off, refurbished and
    supplier-bound units do not."""
    with transaction.atomic():
        ret = _locked(ret, "inspect")
        lines = list(ret.lines.select_related("order_line"))
        errors: dict[str, list[str]] = {}
        for line in lines:
            condition, disposition = grading.get(line.pk, ("", ""))
            if condition not in ReturnLine.Condition.values:
                errors.setdefault(f"condition_{line.pk}", []).append(_("Choose a grade for this line."))
            if disposition not in ReturnLine.Disposition.values:
                errors.setdefault(f"disposition_{line.pk}", []).append(_("Choose a disposition for this line."))
        if errors:
            raise ValidationError(errors)
        restock = {}
        for line in lines:
            line.condition, line.disposition = grading[line.pk]
            if line.disposition == ReturnLine.Disposition.RESTOCK:
                restock[line.order_line.product_id] = restock.get(line.order_line.product_id, 0) + line.quantity
        _lock_products(restock)
        for product_id, units in restock.items():
            Product.objects.filter(pk=product_id).update(stock=F("stock") + units)
        now = timezone.now()
        for line in lines:
            line.changed_at = now
        ReturnLine.objects.bulk_update(lines, ["condition", "disposition", "changed_at"])
        ret.status = Return.Status.INSPECTED
        ret.save(update_fields=["status", "changed_at"])
        _event(ret=ret, action=ReturnEvent.Action.INSPECTED, by=by, note=note)
    return ret


def return_refund(*, ret: Return, deduction: Decimal, deduction_reason: str, by) -> ReturnRefund:
    """Refund an inspected return (inspected → refunded) by the order's payment method, DOMAIN §2.2:
    Σ gross prices of the returned items + the standard outbound shipping on a full withdrawal −
    a deduction for loss of value, which must carry its reason (§357a(1) BGB). The refund never
    exceeds what was paid on the order minus what its returns were already refunded."""
    deduction = to_cents(deduction or 0)
    deduction_reason = (deduction_reason or "").strip()
    with transaction.atomic():
        Order.objects.select_for_update().filter(pk=ret.order_id).first()  # refunds of one order, one at a time
        ret = _locked(ret, "refund")
        errors: dict[str, list[str]] = {}
        if deduction < 0:
            errors["deduction"] = [_("The deduction cannot be negative.")]
        elif deduction > 0 and not deduction_reason:
            errors["deduction_reason"] = [_("A deduction for loss of value needs its reason (§357a BGB).")]
        if errors:
            raise ValidationError(errors)
        proposal, left = refund_preview(ret=ret, deduction=deduction)
        if proposal.deduction > proposal.items + proposal.shipping:
            raise ValidationError({"deduction": [_(
                "The deduction (%(deduction)s) cannot exceed the returned items and shipping (%(total)s)."
            ) % {"deduction": format_money(deduction), "total": format_money(proposal.items + proposal.shipping)}]})
        if proposal.amount > left:
            raise ValidationError({"deduction": [_(
                "The refund of %(amount)s exceeds what may still be refunded on this order: %(left)s "
                "(paid minus already refunded). For an unpaid invoice, ask accounting to credit it."
            ) % {"amount": format_money(proposal.amount), "left": format_money(left)}]})
        refund = ReturnRefund.objects.create(
            ret=ret, items_amount=proposal.items, shipping_amount=proposal.shipping, deduction=proposal.deduction,
            deduction_reason=deduction_reason, amount=proposal.amount, method=ret.order.payment_method,
            by=by, at=timezone.now(),
        )
        lines = list(ret.lines.select_related("order_line"))
        now = timezone.now()
        for line in lines:
            line.refund_amount = rules.returned_gross(
                ordered=line.order_line.quantity, unit_price=line.order_line.unit_price,
                discount=line.order_line.discount, returned=line.quantity,
            )
            line.changed_at = now
        ReturnLine.objects.bulk_update(lines, ["refund_amount", "changed_at"])
        ret.status = Return.Status.REFUNDED
        ret.save(update_fields=["status", "changed_at"])
        _event(ret=ret, action=ReturnEvent.Action.REFUNDED, by=by,
               note=_("%(amount)s by %(method)s") % {"amount": format_money(refund.amount), "method": refund.method}
               + (f" – {deduction_reason}" if deduction_reason else ""))
    return refund


def return_reject(*, ret: Return, reason: str, by) -> Return:
    """Reject a return (no refund; its units never count as returned). After an inspection the
    restocked units leave the stock again: the goods go back to the customer."""
    reason = (reason or "").strip()
    with transaction.atomic():
        ret = _locked(ret, "reject")
        if not reason:
            raise ValidationError({"reason": _("Say why the return is rejected.")})
        if ret.status == Return.Status.INSPECTED:
            restocked = {}
            for line in ret.lines.select_related("order_line").filter(disposition=ReturnLine.Disposition.RESTOCK):
                restocked[line.order_line.product_id] = restocked.get(line.order_line.product_id, 0) + line.quantity
            products = _lock_products(restocked)
            for product_id, units in restocked.items():
                if products[product_id].stock < units:
                    raise ValidationError({NON_FIELD: _(
                        "%(sku)s has only %(stock)s in stock, the rejection would take %(units)s back out."
                    ) % {"sku": products[product_id].sku, "stock": products[product_id].stock, "units": units}})
                Product.objects.filter(pk=product_id).update(stock=F("stock") - units)
        ret.status = Return.Status.REJECTED
        ret.rejected = True
        ret.save(update_fields=["status", "rejected", "changed_at"])
        ret.lines.update(changed_at=timezone.now())
        _event(ret=ret, action=ReturnEvent.Action.REJECTED, by=by, note=reason)
    return ret


def return_close(*, ret: Return, by, note: str = "") -> Return:
    """Close a refunded or rejected return: nothing more happens to it."""
    with transaction.atomic():
        ret = _locked(ret, "close")
        ret.status = Return.Status.CLOSED
        ret.save(update_fields=["status", "changed_at"])
        _event(ret=ret, action=ReturnEvent.Action.CLOSED, by=by, note=note)
    return ret

