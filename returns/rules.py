"""Pure rules of the returns desk (DOMAIN §2), without the database.

- the withdrawal period (§355(2), §356(2), §193 BGB) over German national public holidays;
- the proposed refund (§357, §357a BGB);
- the status flow of a return (DESIGN §3).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from shopmgr.core.holidays import (  # noqa: F401 (the holidays are part of these rules)
    easter_sunday,
    german_national_holidays,
    is_working_day,
    next_working_day,
)
from shopmgr.core.money import to_cents

WITHDRAWAL_DAYS = 14


def withdrawal_deadline(delivered_on: dt.date) -> dt.date:
    """Last day to declare a withdrawal: delivery day + 14 days (§355(2), §356(2) BGB, §187(1):
    the delivery day itself does not count); an end on a Saturday, Sunday or public holiday moves
    to the next working day (§193 BGB). DOMAIN §2.1: received Thu 03.08.2023 → ends Thu 17.08.2023."""
    return next_working_day(delivered_on + dt.timedelta(days=WITHDRAWAL_DAYS))


def withdrawal_is_late(*, delivered_on: dt.date, declared_on: dt.date) -> bool:
    return declared_on > withdrawal_deadline(delivered_on)


# --- refund ------------------------------------------------------------------------------------

def returned_gross(*, ordered: int, unit_price: Decimal, discount: Decimal, returned: int) -> Decimal:
    """The gross price the customer paid for `returned` of a line's `ordered` units: the line's
    gross (quantity × unit price − line discount) shared out by units, rounded half-up to cents."""
    line_gross = Decimal(ordered) * Decimal(unit_price) - Decimal(discount or 0)
    return to_cents(line_gross * Decimal(returned) / Decimal(ordered))


@dataclass(frozen=True)
class RefundLine:
    ordered: int
    unit_price: Decimal
    discount: Decimal
    returned: int


@dataclass(frozen=True)
class RefundProposal:
    items: Decimal
    shipping: Decimal
    deduction: Decimal

    @property
    def amount(self) -> Decimal:
        return self.items + self.shipping - self.deduction


def refund_proposal(
    *, lines: list[RefundLine], full_withdrawal: bool, standard_shipping: Decimal, deduction: Decimal = Decimal(0)
) -> RefundProposal:
    """DOMAIN §2.2: refund = Σ gross prices of the returned items + the standard outbound shipping
    (only when the whole order is withdrawn; never an express surcharge) − a deduction for loss of
    value (Wertersatz, §357a(1)). The deduction can take the refund down to zero, not below."""
    items = sum((returned_gross(ordered=ln.ordered, unit_price=ln.unit_price, discount=ln.discount,
                                returned=ln.returned) for ln in lines), Decimal("0.00"))
    shipping = to_cents(standard_shipping) if full_withdrawal else Decimal("0.00")
    return RefundProposal(items=items, shipping=shipping, deduction=to_cents(deduction))


def refundable_left(*, paid: Decimal, refunded: Decimal) -> Decimal:
    """What may still be refunded on an order: what was paid minus what was already refunded."""
    return max(to_cents(paid) - to_cents(refunded), Decimal("0.00"))


# --- status flow (DESIGN §3) ---------------------------------------------------------------------

REQUESTED, RECEIVED, INSPECTED, REFUNDED, REJECTED, CLOSED = (
    "requested", "received", "inspected", "refunded", "rejected", "closed",
)

# requested → received → inspected → refunded | rejected → closed. A return may be rejected before
# the parcel arrives (it never comes) or after the inspection (the goods go back to the customer).
ALLOWED_FROM = {
    "receive": {REQUESTED},
    "inspect": {RECEIVED},
    "refund": {INSPECTED},
    "reject": {REQUESTED, RECEIVED, INSPECTED},
    "close": {REFUNDED, REJECTED},
}


def step_allowed(*, step: str, status: str) -> bool:
    return status in ALLOWED_FROM[step]
