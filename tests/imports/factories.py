import datetime as dt

import factory

from returns.models import Return, ReturnLine, ReturnReason
from tests.sales.factories import OrderFactory, OrderLineFactory


class ReturnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Return

    external_id = factory.Sequence(lambda n: f"R{n:06d}")
    order = factory.SubFactory(OrderFactory)
    status = Return.Status.CLOSED
    received_at = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


class ReturnLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReturnLine

    ret = factory.SubFactory(ReturnFactory)
    order_line = factory.SubFactory(OrderLineFactory, order=factory.SelfAttribute("..ret.order"))
    quantity = 1
    reason = factory.LazyFunction(lambda: ReturnReason.objects.get(code="SIZE_SMALL"))
    disposition = ReturnLine.Disposition.RESTOCK
