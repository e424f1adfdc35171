"""Money helpers: Decimal only, half-up to cents, once, at the line level (DESIGN §2)."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def to_cents(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def line_net(*, quantity: int, unit_price: Decimal, vat_rate: Decimal, discount: Decimal) -> Decimal:
    """Line net = round((quantity × unit_price − discount) / (1 + vat_rate), 2)."""
    gross = Decimal(quantity) * Decimal(unit_price) - Decimal(discount or 0)
    return to_cents(gross / (Decimal(1) + Decimal(vat_rate)))
