import datetime as dt
from decimal import Decimal

import factory

from sales.models import Customer, Invoice, Payment
from tests.sales.factories import CustomerFactory, OrderFactory


class InvoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invoice

    number = factory.Sequence(lambda n: f"RE{n:08d}")
    order = factory.SubFactory(OrderFactory)
    issued_on = dt.date(2026, 3, 1)
    due_on = factory.LazyAttribute(lambda i: i.issued_on + dt.timedelta(days=14))
    amount = Decimal("100.00")
    default_notice = True


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    invoice = factory.SubFactory(InvoiceFactory)
    paid_on = dt.date(2026, 3, 10)
    amount = Decimal("10.00")
    method = "transfer"


def invoice_for(*, kind=Customer.Kind.B2C, country="DE", customer=None, **kwargs) -> Invoice:
    customer = customer or CustomerFactory(kind=kind, country=country)
    return InvoiceFactory(order=OrderFactory(customer=customer), **kwargs)
