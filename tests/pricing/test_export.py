"""The price feed (DESIGN §8): sku, price, reference_price_30d, valid_from — as of any past date."""

import csv
import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from pricing import services
from pricing.export import as_of_moment
from shopmgr.core.dates import BERLIN
from tests.catalog.factories import ProductFactory
from tests.pricing.factories import PriceChangeFactory

pytestmark = pytest.mark.django_db


def berlin(y, m, d):
    return dt.datetime(y, m, d, tzinfo=BERLIN)


@pytest.fixture
def promo_product(category_tree):
    """DOMAIN §3.1: 49.99, a 39.99 promotion, 49.99 again, then 44.99."""
    product = ProductFactory(sku="PROMO-1", category=category_tree["women"], price=D("44.99"))
    for when, price, kind in [(berlin(2026, 1, 1), "49.99", "regular"), (berlin(2026, 3, 1), "39.99", "sale"),
                              (berlin(2026, 3, 8), "49.99", "regular"), (berlin(2026, 3, 20), "44.99", "sale")]:
        PriceChangeFactory(product=product, price=D(price), valid_from=when, kind=kind)
    return product


@pytest.fixture
def single_price_phone(category_tree):
    product = ProductFactory(sku="PHONE-9", category=category_tree["phones"], price=D("199.00"))
    PriceChangeFactory(product=product, price=D("199.00"), valid_from=berlin(2026, 2, 1))
    return product


def export(as_of=None) -> list[dict]:
    out, err = io.StringIO(), io.StringIO()
    args = ["--as-of", as_of] if as_of else []
    call_command("export_prices", *args, stdout=out, stderr=err)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_the_columns_are_the_contract(promo_product):
    out = io.StringIO()
    call_command("export_prices", stdout=out, stderr=io.StringIO())
    assert out.getvalue().splitlines()[0] == "sku,price,reference_price_30d,valid_from"


@pytest.mark.parametrize(("as_of", "expected"), [
    # 44.99 from 2026-03-20: the 30 days before it saw the 39.99 promotion
    ("2026-03-25", {"sku": "PROMO-1", "price": "44.99", "reference_price_30d": "39.99",
                    "valid_from": "2026-03-20T00:00:00+01:00"}),
    # back at 49.99 from 2026-03-08: the promotion is the 30-day low before it
    ("2026-03-10", {"sku": "PROMO-1", "price": "49.99", "reference_price_30d": "39.99",
                    "valid_from": "2026-03-08T00:00:00+01:00"}),
    # the promotion itself, from 2026-03-01: the 30 days before it only saw 49.99
    ("2026-03-01", {"sku": "PROMO-1", "price": "39.99", "reference_price_30d": "49.99",
                    "valid_from": "2026-03-01T00:00:00+01:00"}),
    # the first price has no earlier one: the reference stays empty
    ("2026-01-15", {"sku": "PROMO-1", "price": "49.99", "reference_price_30d": "",
                    "valid_from": "2026-01-01T00:00:00+01:00"}),
])
def test_the_feed_as_of_a_past_day(promo_product, as_of, expected):
    assert export(as_of) == [expected]


def test_products_without_a_price_by_then_are_left_out(promo_product, single_price_phone):
    assert [row["sku"] for row in export("2026-01-20")] == ["PROMO-1"]
    assert [row["sku"] for row in export("2026-03-25")] == ["PHONE-9", "PROMO-1"]


def test_pending_proposals_never_appear_and_approved_ones_do(promo_product, fashion_manager, shop_manager):
    # given a pending proposal
    proposal = services.proposal_create(user=fashion_manager, product_id=promo_product.pk, price=D("47.99"),
                                        reason="back to regular")
    # then today's feed still has 44.99
    assert export()[0]["price"] == "44.99"
    # when it is approved, the feed has 47.99 valid from the approval, with the 30-day low before it
    services.proposal_approve(user=shop_manager, proposal_id=proposal.pk)
    row = export()[0]
    assert row["price"] == "47.99"
    assert dt.datetime.fromisoformat(row["valid_from"]) > timezone.now() - dt.timedelta(minutes=1)
    assert row["reference_price_30d"] == "44.99"
    # and a feed as of a past day is unchanged
    assert export("2026-03-25")[0]["price"] == "44.99"


def test_as_of_means_the_end_of_that_berlin_day():
    assert as_of_moment(dt.date(2026, 3, 29)) == berlin(2026, 3, 30) - dt.timedelta(microseconds=1)


def test_a_bad_date_is_refused():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("export_prices", "--as-of", "25.03.2026", stdout=io.StringIO(), stderr=io.StringIO())


def test_the_download_is_the_same_feed_scoped_to_the_user(client, fashion_manager, promo_product, single_price_phone):
    client.force_login(fashion_manager)
    response = client.get(reverse("pricing:export"), {"as_of": "2026-03-25"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="prices-2026-03-25.csv"'
    body = b"".join(response.streaming_content).decode()
    assert body == "sku,price,reference_price_30d,valid_from\nPROMO-1,44.99,39.99,2026-03-20T00:00:00+01:00\n"
