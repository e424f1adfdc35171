"""Every desk write with its worked numbers: quantities, the withdrawal period, stock, refunds,
the status flow and the audit trail; a refused step stores nothing (DOMAIN §2, DESIGN §3)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from catalog.models import Product
from returns import services
from returns.models import Return, ReturnEvent, ReturnLine, ReturnRefund
from returns.services import LineRequest
from sales.models import Customer, Order
from shopmgr.core import roles
from tests.conftest import user_with_role

from .factories import berlin, delivered_order, reason

pytestmark = pytest.mark.django_db

DELIVERED = dt.date(2026, 3, 20)  # the withdrawal period ends Tue 07.04.2026 (Good Friday, Easter)
IN_TIME = dt.date(2026, 3, 25)


@pytest.fixture
def clerk(db):
    return user_with_role(roles.CUSTOMER_SERVICE, username="clerk")


def open_return(order, quantities, *, by, legal_basis="withdrawal", declared_on=IN_TIME, **kwargs):
    lines = list(order.lines.order_by("line_no"))
    return services.return_open(
        order=order, by=by, legal_basis=legal_basis, declared_on=declared_on,
        lines=[LineRequest(order_line_id=line.pk, quantity=qty, reason=reason()) for line, qty in zip(lines, quantities, strict=True)],
        **kwargs,
    )


def walk_to_inspected(ret, *, by, disposition="restock", condition="A"):
    services.return_receive(ret=ret, received_at=berlin(dt.date(2026, 3, 30)), by=by)
    grading = {line.pk: (condition, disposition) for line in ret.lines.all()}
    return services.return_inspect(ret=ret, grading=grading, by=by)


def field_errors(excinfo) -> dict:
    return excinfo.value.message_dict


def nothing_stored():
    return (Return.objects.count(), ReturnLine.objects.count(), ReturnEvent.objects.count(),
            ReturnRefund.objects.count()) == (0, 0, 0, 0)


# --- opening a return ------------------------------------------------------------------------

def test_opening_a_return_records_lines_deadline_and_who(clerk):
    order = delivered_order(delivered_on=DELIVERED, lines=[(2, "23.80", "0"), (1, "59.50", "0")])
    ret = open_return(order, [1, 0], by=clerk)
    assert ret.status == Return.Status.REQUESTED and ret.created_by == clerk
    assert (ret.delivered_on, ret.withdrawal_deadline, ret.declared_on) == (DELIVERED, dt.date(2026, 4, 7), IN_TIME)
    assert list(ret.lines.values_list("order_line__line_no", "quantity")) == [(1, 1)]
    event = ret.events.get()
    assert (event.action, event.by) == (ReturnEvent.Action.OPENED, clerk)
    assert ret.external_id == f"RMA-{order.external_id}-1"


def test_quantity_above_what_is_returnable_is_refused_naming_the_line(clerk):
    order = delivered_order(delivered_on=DELIVERED, lines=[(2, "23.80", "0")])
    line = order.lines.get()
    with pytest.raises(ValidationError) as excinfo:
        open_return(order, [3], by=clerk)
    assert "at most 2 can still be returned, not 3" in field_errors(excinfo)[f"qty_{line.pk}"][0]
    assert nothing_stored()


def test_returned_quantity_counts_across_the_orders_returns_but_not_rejected_ones(clerk):
    order = delivered_order(delivered_on=DELIVERED, lines=[(3, "23.80", "0")])
    line = order.lines.get()
    first = open_return(order, [2], by=clerk)
    # given 2 of 3 on a first return, a second may take 1, not 2
    with pytest.raises(ValidationError) as excinfo:
        open_return(order, [2], by=clerk)
    assert "at most 1 can still be returned" in field_errors(excinfo)[f"qty_{line.pk}"][0]
    assert Return.objects.count() == 1
    # once the first is rejected, its units are returnable again
    services.return_reject(ret=first, reason="parcel never sent", by=clerk)
    second = open_return(order, [3], by=clerk)
    assert second.lines.get().quantity == 3


def test_a_return_for_a_cancelled_order_is_refused(clerk):
    order = delivered_order(delivered_on=None, status=Order.Status.CANCELLED)
    with pytest.raises(ValidationError) as excinfo:
        open_return(order, [1], by=clerk)
    assert "was cancelled" in field_errors(excinfo)["__all__"][0]
    assert nothing_stored()


@pytest.mark.parametrize("status", [Order.Status.PAID, Order.Status.SHIPPED])
def test_a_return_for_an_undelivered_order_is_refused(clerk, status):
    order = delivered_order(delivered_on=None, status=status)
    with pytest.raises(ValidationError) as excinfo:
        open_return(order, [1], by=clerk, legal_basis="goodwill")
    assert "no recorded delivery" in field_errors(excinfo)["__all__"][0]
    assert nothing_stored()


def test_a_late_withdrawal_is_refused_on_the_legal_basis(clerk):
    order = delivered_order(delivered_on=DELIVERED)
    with pytest.raises(ValidationError) as excinfo:
        open_return(order, [1], by=clerk, declared_on=dt.date(2026, 4, 8))
    message = field_errors(excinfo)["legal_basis"][0]
    assert "ended on 07.04.2026" in message or "ended on 04/07/2026" in message
    assert nothing_stored()


def test_a_withdrawal_on_the_last_day_of_the_period_is_in_time(clerk):
    order = delivered_order(delivered_on=DELIVERED)
    ret = open_return(order, [1], by=clerk, declared_on=dt.date(2026, 4, 7))
    assert (ret.legal_basis, ret.late_withdrawal) == ("withdrawal", False)


def test_a_late_withdrawal_accepted_anyway_becomes_goodwill_and_is_flagged(clerk):
    order = delivered_order(delivered_on=DELIVERED)
    ret = open_return(order, [1], by=clerk, declared_on=dt.date(2026, 4, 8), accept_late=True)
    assert (ret.legal_basis, ret.late_withdrawal) == (Return.LegalBasis.GOODWILL, True)
    assert "Late withdrawal" in ret.events.get().note


def test_a_late_return_as_warranty_needs_no_override(clerk):
    order = delivered_order(delivered_on=DELIVERED)
    ret = open_return(order, [1], by=clerk, legal_basis="warranty", declared_on=dt.date(2026, 9, 1))
    assert (ret.legal_basis, ret.late_withdrawal) == ("warranty", False)


def test_business_customers_have_no_withdrawal_right(clerk):
    order = delivered_order(delivered_on=DELIVERED, kind=Customer.Kind.B2B)
    with pytest.raises(ValidationError) as excinfo:
        open_return(order, [1], by=clerk)
    assert "Business customers" in field_errors(excinfo)["legal_basis"][0]
    assert nothing_stored()


def test_a_declaration_in_the_future_is_refused(clerk):
    order = delivered_order(delivered_on=DELIVERED)
    with pytest.raises(ValidationError) as excinfo:
        open_return(order, [1], by=clerk, declared_on=dt.date.today() + dt.timedelta(days=3))
    assert "declared_on" in field_errors(excinfo)
    assert nothing_stored()


def test_a_return_without_any_quantity_is_refused(clerk):
    order = delivered_order(delivered_on=DELIVERED)
    with pytest.raises(ValidationError):
        open_return(order, [0], by=clerk)
    assert nothing_stored()


# --- status flow -------------------------------------------------------------------------------

def test_inspection_before_the_parcel_arrived_is_refused(clerk):
    ret = open_return(delivered_order(delivered_on=DELIVERED), [1], by=clerk)
    line = ret.lines.get()
    with pytest.raises(ValidationError) as excinfo:
        services.return_inspect(ret=ret, grading={line.pk: ("A", "restock")}, by=clerk)
    assert "only after its parcel was received" in field_errors(excinfo)["__all__"][0]
    line.refresh_from_db()
    ret.refresh_from_db()
    assert (ret.status, line.condition, line.disposition, ret.events.count()) == ("requested", "", "", 1)
    assert line.order_line.product.stock == 10


@pytest.mark.parametrize("step", ["refund", "close"])
def test_refund_and_close_before_inspection_are_refused(clerk, step):
    ret = open_return(delivered_order(delivered_on=DELIVERED), [1], by=clerk)
    services.return_receive(ret=ret, received_at=berlin(dt.date(2026, 3, 30)), by=clerk)
    with pytest.raises(ValidationError):
        if step == "refund":
            services.return_refund(ret=ret, deduction=Decimal(0), deduction_reason="", by=clerk)
        else:
            services.return_close(ret=ret, by=clerk)
    ret.refresh_from_db()
    assert ret.status == "received" and not ret.refunds.exists()


def test_receiving_twice_is_refused(clerk):
    ret = open_return(delivered_order(delivered_on=DELIVERED), [1], by=clerk)
    services.return_receive(ret=ret, received_at=berlin(dt.date(2026, 3, 30)), by=clerk)
    with pytest.raises(ValidationError):
        services.return_receive(ret=ret, received_at=berlin(dt.date(2026, 3, 31)), by=clerk)
    ret.refresh_from_db()
    assert ret.received_at == berlin(dt.date(2026, 3, 30))


def test_an_arrival_in_the_future_is_refused(clerk):
    ret = open_return(delivered_order(delivered_on=DELIVERED), [1], by=clerk)
    with pytest.raises(ValidationError) as excinfo:
        services.return_receive(ret=ret, received_at=berlin(dt.date.today() + dt.timedelta(days=2)), by=clerk)
    assert "received_at" in field_errors(excinfo)


def test_every_line_needs_a_grade_and_a_disposition(clerk):
    order = delivered_order(delivered_on=DELIVERED, lines=[(1, "23.80", "0"), (1, "10.00", "0")])
    ret = open_return(order, [1, 1], by=clerk)
    services.return_receive(ret=ret, received_at=berlin(dt.date(2026, 3, 30)), by=clerk)
    first, second = ret.lines.order_by("order_line__line_no")
    with pytest.raises(ValidationError) as excinfo:
        services.return_inspect(ret=ret, grading={first.pk: ("A", "restock"), second.pk: ("B", "")}, by=clerk)
    assert list(field_errors(excinfo)) == [f"disposition_{second.pk}"]
    assert Product.objects.get(pk=first.order_line.product_id).stock == 10


# --- stock ---------------------------------------------------------------------------------------

def test_restock_raises_the_stock_and_write_off_does_not(clerk):
    order = delivered_order(delivered_on=DELIVERED, lines=[(2, "23.80", "0"), (1, "10.00", "0")])
    ret = open_return(order, [2, 1], by=clerk)
    services.return_receive(ret=ret, received_at=berlin(dt.date(2026, 3, 30)), by=clerk)
    first, second = ret.lines.order_by("order_line__line_no")
    services.return_inspect(ret=ret, grading={first.pk: ("A", "restock"), second.pk: ("D", "write_off")}, by=clerk)
    # 10 + 2 restocked = 12; the written-off unit does not come back: 10
    assert Product.objects.get(pk=first.order_line.product_id).stock == 12
    assert Product.objects.get(pk=second.order_line.product_id).stock == 10
    assert list(ret.lines.order_by("order_line__line_no").values_list("condition", "disposition")) == [
        ("A", "restock"), ("D", "write_off")]


def test_rejecting_after_the_inspection_takes_the_restocked_units_out_again(clerk):
    order = delivered_order(delivered_on=DELIVERED, lines=[(2, "23.80", "0")])
    ret = open_return(order, [2], by=clerk)
    walk_to_inspected(ret, by=clerk)
    product = order.lines.get().product
    assert Product.objects.get(pk=product.pk).stock == 12
    services.return_reject(ret=ret, reason="worn, not returnable", by=clerk)
    ret.refresh_from_db()
    assert (ret.status, ret.rejected, Product.objects.get(pk=product.pk).stock) == ("rejected", True, 10)


def test_a_rejection_needs_its_reason(clerk):
    ret = open_return(delivered_order(delivered_on=DELIVERED), [1], by=clerk)
    with pytest.raises(ValidationError) as excinfo:
        services.return_reject(ret=ret, reason="  ", by=clerk)
    assert "reason" in field_errors(excinfo)
    ret.refresh_from_db()
    assert (ret.status, ret.rejected) == ("requested", False)


# --- refund ------------------------------------------------------------------------------------

def test_full_withdrawal_refunds_items_and_standard_shipping(clerk):
    # DOMAIN §2.4's items of 30, 50 and 20 EUR, all back, paid by card: 100.00 + 4.95 shipping
    order = delivered_order(delivered_on=DELIVERED, lines=[(1, "30.00", "0"), (1, "50.00", "0"), (1, "20.00", "0")])
    ret = open_return(order, [1, 1, 1], by=clerk)
    walk_to_inspected(ret, by=clerk)
    refund = services.return_refund(ret=ret, deduction=Decimal(0), deduction_reason="", by=clerk)
    assert (refund.items_amount, refund.shipping_amount, refund.amount, refund.method, refund.by) == (
        Decimal("100.00"), Decimal("4.95"), Decimal("104.95"), "card", clerk)
    assert list(ret.lines.order_by("order_line__line_no").values_list("refund_amount", flat=True)) == [
        Decimal("30.00"), Decimal("50.00"), Decimal("20.00")]
    ret.refresh_from_db()
    assert ret.status == "refunded"
    assert list(ret.events.values_list("action", flat=True)) == ["opened", "received", "inspected", "refunded"]


def test_partial_withdrawal_refunds_the_items_only(clerk):
    # the 50 EUR item of 30, 50, 20 comes back: 50.00, no shipping
    order = delivered_order(delivered_on=DELIVERED, lines=[(1, "30.00", "0"), (1, "50.00", "0"), (1, "20.00", "0")])
    ret = open_return(order, [0, 1, 0], by=clerk)
    walk_to_inspected(ret, by=clerk)
    refund = services.return_refund(ret=ret, deduction=Decimal(0), deduction_reason="", by=clerk)
    assert (refund.items_amount, refund.shipping_amount, refund.amount) == (Decimal("50.00"), Decimal("0.00"), Decimal("50.00"))


def test_the_return_that_completes_a_withdrawal_gets_the_shipping(clerk):
    order = delivered_order(delivered_on=DELIVERED, lines=[(1, "30.00", "0"), (1, "50.00", "0")])
    first = open_return(order, [1, 0], by=clerk)
    walk_to_inspected(first, by=clerk)
    assert services.return_refund(ret=first, deduction=Decimal(0), deduction_reason="", by=clerk).amount == Decimal("30.00")
    second = open_return(order, [0, 1], by=clerk)
    walk_to_inspected(second, by=clerk)
    # 50.00 + 4.95: with it every unit of the order is back
    assert services.return_refund(ret=second, deduction=Decimal(0), deduction_reason="", by=clerk).amount == Decimal("54.95")


def test_shipping_above_the_standard_rate_is_capped(clerk, settings):
    settings.RETURNS_STANDARD_SHIPPING_GROSS = Decimal("4.95")
    order = delivered_order(delivered_on=DELIVERED, lines=[(1, "30.00", "0")], shipping_fee="14.90")  # express
    ret = open_return(order, [1], by=clerk)
    walk_to_inspected(ret, by=clerk)
    assert services.return_refund(ret=ret, deduction=Decimal(0), deduction_reason="", by=clerk).amount == Decimal("34.95")


def test_goodwill_refunds_no_shipping(clerk):
    order = delivered_order(delivered_on=DELIVERED, lines=[(1, "30.00", "0")])
    ret = open_return(order, [1], by=clerk, legal_basis="goodwill")
    walk_to_inspected(ret, by=clerk)
    assert services.return_refund(ret=ret, deduction=Decimal(0), deduction_reason="", by=clerk).amount == Decimal("30.00")


def test_a_deduction_for_loss_of_value_comes_off_with_its_reason(clerk):
    # 59.50 + 4.95 − 12.00 (worn outside) = 52.45
    order = delivered_order(delivered_on=DELIVERED, lines=[(1, "59.50", "0")])
    ret = open_return(order, [1], by=clerk)
    walk_to_inspected(ret, by=clerk, condition="B", disposition="refurbish")
    refund = services.return_refund(ret=ret, deduction=Decimal("12.00"), deduction_reason="worn outside, soles dirty", by=clerk)
    assert (refund.amount, refund.deduction, refund.deduction_reason) == (
        Decimal("52.45"), Decimal("12.00"), "worn outside, soles dirty")


def test_a_deduction_without_a_reason_is_refused(clerk):
    order = delivered_order(delivered_on=DELIVERED, lines=[(1, "59.50", "0")])
    ret = open_return(order, [1], by=clerk)
    walk_to_inspected(ret, by=clerk)
    with pytest.raises(ValidationError) as excinfo:
        services.return_refund(ret=ret, deduction=Decimal("12.00"), deduction_reason=" ", by=clerk)
    assert "needs its reason" in field_errors(excinfo)["deduction_reason"][0]
    ret.refresh_from_db()
    assert ret.status == "inspected" and not ReturnRefund.objects.exists()
    assert not ret.lines.filter(refund_amount__isnull=False).exists()


def test_a_deduction_above_the_refund_is_refused(clerk):
    order = delivered_order(delivered_on=DELIVERED, lines=[(1, "30.00", "0")])
    ret = open_return(order, [1], by=clerk, legal_basis="goodwill")
    walk_to_inspected(ret, by=clerk)
    with pytest.raises(ValidationError) as excinfo:
        services.return_refund(ret=ret, deduction=Decimal("30.01"), deduction_reason="broken", by=clerk)
    assert "deduction" in field_errors(excinfo)
    assert not ReturnRefund.objects.exists()


def test_an_invoice_order_refunds_at_most_what_was_paid_on_its_invoices(clerk):
    # 2 × 30.00 + 4.95 = 64.95 invoiced, only 40.00 paid: returning both (64.95) exceeds 40.00
    order = delivered_order(delivered_on=DELIVERED, lines=[(2, "30.00", "0")], payment_method="invoice", paid="40.00")
    ret = open_return(order, [2], by=clerk)
    walk_to_inspected(ret, by=clerk)
    with pytest.raises(ValidationError) as excinfo:
        services.return_refund(ret=ret, deduction=Decimal(0), deduction_reason="", by=clerk)
    assert "exceeds what may still be refunded" in field_errors(excinfo)["deduction"][0]
    ret.refresh_from_db()
    assert ret.status == "inspected" and not ReturnRefund.objects.exists()


def test_an_unpaid_invoice_order_refunds_nothing(clerk):
    order = delivered_order(delivered_on=DELIVERED, lines=[(1, "30.00", "0")], payment_method="invoice", paid="0")
    ret = open_return(order, [1], by=clerk, legal_basis="goodwill")
    walk_to_inspected(ret, by=clerk)
    assert services.order_paid(order) == Decimal("0.00")
    with pytest.raises(ValidationError):
        services.return_refund(ret=ret, deduction=Decimal(0), deduction_reason="", by=clerk)


def test_card_orders_count_their_gross_total_as_paid(clerk):
    # 2 × 19.99 − 5.00 + 1 × 10.00 + 4.95 shipping = 49.93
    order = delivered_order(delivered_on=DELIVERED, lines=[(2, "19.99", "5.00"), (1, "10.00", "0")])
    assert services.order_paid(order) == Decimal("49.93")


def test_close_after_refund_ends_the_flow(clerk):
    order = delivered_order(delivered_on=DELIVERED)
    ret = open_return(order, [1], by=clerk)
    walk_to_inspected(ret, by=clerk)
    services.return_refund(ret=ret, deduction=Decimal(0), deduction_reason="", by=clerk)
    services.return_close(ret=ret, by=clerk)
    ret.refresh_from_db()
    assert ret.status == "closed"
    with pytest.raises(ValidationError):
        services.return_reject(ret=ret, reason="too late", by=clerk)
    assert [(e.action, e.by_id) for e in ret.events.all()] == [
        (a, clerk.pk) for a in ["opened", "received", "inspected", "refunded", "closed"]]
