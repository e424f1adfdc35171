import datetime as dt
from decimal import Decimal

import factory

from pricing.models import CompetitorPrice, PriceChange
from shopmgr.core.dates import BERLIN
from tests.catalog.factories import ProductFactory


class PriceChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceChange

    product = factory.SubFactory(ProductFactory)
    price = Decimal("23.80")
    valid_from = factory.Sequence(lambda n: dt.datetime(2025, 1, 1, tzinfo=BERLIN) + dt.timedelta(days=n))
    kind = PriceChange.Kind.REGULAR
    reason = "test"


class CompetitorPriceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CompetitorPrice

    product = factory.SubFactory(ProductFactory)
    competitor = factory.Sequence(lambda n: f"Competitor {n}")
    price = Decimal("25.00")
    observed_at = factory.LazyFunction(lambda: dt.datetime.now(tz=dt.UTC) - dt.timedelta(days=1))


def priced_product(*, price="23.80", since=None, **kwargs):
    """A product with one regular price change (valid since `since`, default 60 days ago)."""
    since = since or dt.datetime.now(tz=dt.UTC) - dt.timedelta(days=60)
    product = ProductFactory(price=Decimal(price), **kwargs)
    PriceChangeFactory(product=product, price=Decimal(price), valid_from=since)
    return product
