"""Every model is in the Django admin, its list renders, and it does not query per row."""

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from pricing.models import CompetitorPrice, PriceChange
from returns.models import Return, ReturnLine, ReturnReason
from sales.models import Invoice, MarketingSpend, Payment, Review, Shipment, TrafficDay
from tests.catalog.factories import ProductFactory, SupplierFactory
from tests.core.factories import UserFactory
from tests.sales.factories import OrderLineFactory

pytestmark = pytest.mark.django_db

SHOP_APPS = ["catalog", "pricing", "sales", "returns"]


def _rows(n: int, start: int = 0):
    when = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
    reason = ReturnReason.objects.get(code="DEFECTIVE")
    supplier = SupplierFactory()
    for i in range(start, start + n):
        product = ProductFactory(supplier=supplier)
        line = OrderLineFactory(product=product, line_no=1)
        order = line.order
        PriceChange.objects.create(product=product, price=Decimal("19.99"), valid_from=when)
        CompetitorPrice.objects.create(product=product, competitor="Otto", price=Decimal("18.99"), observed_at=when)
        Shipment.objects.create(order=order, carrier="DHL", shipped_at=when, promised_by=when.date())
        invoice = Invoice.objects.create(number=f"R{i}", order=order, issued_on=when.date(), due_on=when.date(), amount=Decimal("23.80"))
        Payment.objects.create(invoice=invoice, paid_on=when.date(), amount=Decimal("23.80"))
        Review.objects.create(order=order, product=product, rating=4, created_at=when)
        TrafficDay.objects.create(date=when.date() + dt.timedelta(days=i), channel="webshop", sessions=100)
        MarketingSpend.objects.create(date=when.date() + dt.timedelta(days=i), channel="search", amount=Decimal("50"))
        ret = Return.objects.create(external_id=f"RMA{i}", order=order, received_at=when)
        ReturnLine.objects.create(ret=ret, order_line=line, quantity=1, reason=reason)


def shop_models():
    return [m for label in SHOP_APPS for m in apps.get_app_config(label).get_models()]


def test_every_shop_model_is_registered_with_search_and_filters():
    for model in shop_models():
        model_admin = admin.site._registry.get(model)
        assert model_admin is not None, f"{model.__name__} is not in the admin"
        assert model_admin.search_fields, f"{model.__name__} admin has no search"


@pytest.mark.parametrize("model", shop_models(), ids=lambda m: m.__name__)
def test_changelist_query_count_does_not_grow_with_rows(client, model, django_assert_max_num_queries):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    _rows(2)
    with django_assert_max_num_queries(12) as few:
        assert client.get(url).status_code == 200
    _rows(6, start=2)
    with django_assert_max_num_queries(12) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    # and a search works
    assert client.get(url, {"q": "1"}).status_code == 200
