from django.db.models import QuerySet

from .models import CompetitorPrice, PriceChange


def price_history_for(*, product, limit: int = 20) -> QuerySet[PriceChange]:
    """Latest price changes first; the caller has already checked the product's scope."""
    return PriceChange.objects.filter(product=product).select_related("created_by").order_by("-valid_from")[:limit]


def competitor_prices_for(*, product, limit: int = 20) -> QuerySet[CompetitorPrice]:
    return CompetitorPrice.objects.filter(product=product).order_by("-observed_at", "competitor")[:limit]
