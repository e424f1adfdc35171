"""Every importable kind, in the order a fresh database is filled (parents before children)."""

from __future__ import annotations

from .base import Kind
from .catalog_kinds import CategoriesKind, ProductsKind
from .pricing_kinds import CompetitorPricesKind, PricesKind
from .returns_kinds import ReturnsKind
from .sales_kinds import (
    CustomersKind,
    InvoicesKind,
    MarketingSpendKind,
    OrderLinesKind,
    OrdersKind,
    PaymentsKind,
    ReviewsKind,
    ShipmentsKind,
    TrafficKind,
)

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        CategoriesKind(),
        ProductsKind(),
        CustomersKind(),
        OrdersKind(),
        OrderLinesKind(),
        ShipmentsKind(),
        InvoicesKind(),
        PaymentsKind(),
        ReviewsKind(),
        TrafficKind(),
        MarketingSpendKind(),
        PricesKind(),
        CompetitorPricesKind(),
        ReturnsKind(),
    )
}
