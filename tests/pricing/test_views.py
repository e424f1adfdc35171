"""Pages under /pricing/: access, scope, forms, decisions and pinned query counts."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from pricing import services
from pricing.models import (
    CompetitorPosition,
    PriceChange,
    PriceProposal,
    PriceSuggestion,
    PricingRun,
)
from shopmgr.core import roles
from tests.catalog.factories import ProductFactory
from tests.conftest import user_with_role
from tests.pricing.factories import CompetitorPriceFactory, PriceChangeFactory, priced_product

pytestmark = pytest.mark.django_db


def _steps():
    return [{"code": "elasticity", "values": {"elasticity": -2.5, "std_error": 0.1, "source": "product"}},
            {"code": "optimum", "values": {"optimum_net": "33.33", "optimum_gross": "39.67"}}]


def make_rows(category_tree, n):
    """n products in WOMEN and PHONES, each with a suggestion, a position and a pending proposal."""
    run = PricingRun.objects.create(started_at=timezone.now(), status="done", products=n)
    proposer = user_with_role(roles.CATEGORY_MANAGERS, username="proposer")
    for i in range(n):
        product = priced_product(category=category_tree["women" if i % 2 else "phones"])
        PriceSuggestion.objects.create(
            run=run, product=product, outcome="suggested", current_price=product.price, suggested_price=D("25.99"),
            change=D("0.0920"), unit_cost=D("13.30"), elasticity=-2.5, bound_by="max_step", steps=_steps(),
            contribution_change=D("1.50"), created_at=timezone.now(),
        )
        CompetitorPosition.objects.create(product=product, competitors=3, cheapest=D("20.00"), median=D("21.00"),
                                          highest=D("30.00"), prices=["20.00", "21.00", "30.00"],
                                          observed_until=timezone.now(), computed_at=timezone.now())
        PriceProposal.objects.create(product=product, price=D("24.99"), base_price=product.price, reason="r",
                                     proposed_by=proposer, proposed_at=timezone.now())
    return run


LIST_QUERIES = {
    # session, user, roles, latest run, page (lazy: no count), category choices
    "pricing:index": 6,
    # session, user, roles, count, page, category choices
    "pricing:proposals": 6,
    # session, user, roles, page (lazy: no count), category choices
    "pricing:market": 5,
}


@pytest.mark.parametrize("url_name", sorted(LIST_QUERIES))
@pytest.mark.parametrize("n", [3, 30])
def test_list_pages_have_a_fixed_query_count(client, shop_manager, category_tree, django_assert_num_queries, url_name, n):
    # given more or fewer rows
    make_rows(category_tree, n)
    client.force_login(shop_manager)
    # when the list is rendered / then the number of queries is the same
    with django_assert_num_queries(LIST_QUERIES[url_name]):
        response = client.get(reverse(url_name), {"outcome": "", "status": ""})
    assert response.status_code == 200


@pytest.mark.parametrize("n", [3, 30])
def test_a_category_managers_list_counts_one_more_query_for_the_scope(client, fashion_manager, category_tree,
                                                                      django_assert_num_queries, n):
    make_rows(category_tree, n)
    client.force_login(fashion_manager)
    with django_assert_num_queries(LIST_QUERIES["pricing:index"] + 1):
        response = client.get(reverse("pricing:index"))
    body = response.content.decode()
    # phones (ELECTRONICS) never show for the fashion manager (25 rows a page)
    assert "Phones" not in body and body.count("data-testid=\"explain-") == min(n // 2, 25)


def test_the_product_page_query_count_does_not_grow_with_history(client, shop_manager, category_tree,
                                                                  django_assert_num_queries):
    counts = []
    for n in (2, 40):
        product = priced_product(category=category_tree["women"], since=timezone.now() - dt.timedelta(days=400))
        for i in range(n):
            PriceChangeFactory(product=product, price=D("20.00") + i, valid_from=timezone.now() - dt.timedelta(days=300 - i))
            CompetitorPriceFactory(product=product, observed_at=timezone.now() - dt.timedelta(hours=i + 1))
        client.force_login(shop_manager)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("pricing:product", args=[product.sku])).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_people_without_a_pricing_role_get_403(client, db):
    client.force_login(user_with_role(roles.CUSTOMER_SERVICE, username="service"))
    response = client.get(reverse("pricing:index"))
    assert response.status_code == 403


def test_a_product_outside_the_managers_categories_is_404(client, fashion_manager, category_tree):
    phone = priced_product(sku="PHONE-X", category=category_tree["phones"])
    client.force_login(fashion_manager)
    assert client.get(reverse("pricing:product", args=[phone.sku])).status_code == 404
    assert client.get(reverse("pricing:product", args=[phone.pk])).status_code == 404


def test_the_product_page_by_pk_or_sku_shows_price_reference_and_market(client, shop_manager, category_tree):
    product = ProductFactory(sku="PROMO-2", category=category_tree["women"], price=D("44.99"))
    now = timezone.now()
    for days, price in [(60, "49.99"), (20, "39.99"), (12, "49.99"), (2, "44.99")]:
        PriceChangeFactory(product=product, price=D(price), valid_from=now - dt.timedelta(days=days))
    CompetitorPriceFactory(product=product, competitor="A", price=D("42.00"))
    CompetitorPriceFactory(product=product, competitor="B", price=D("46.00"))
    client.force_login(shop_manager)
    for key in (product.sku, product.pk):
        body = client.get(reverse("pricing:product", args=[key]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert 'data-testid="current-price">€44.99' in body
        # the lowest price in the 30 days before 44.99 became valid: the 39.99 promotion
        assert 'data-testid="reference-30d">€39.99' in body
        # 44.99 is lower than the 49.99 before it, but no reduction from the 30-day low 39.99
        assert "it is no reduction from the 30-day low €39.99" in body
        # competitors 42.00 and 46.00: we are second of three, (44.99 − 44.00)/44.00 = 2.25 % above the median (shown as 2.2 %)
        market = body[body.index("data-testid=\"market\""):][:700]
        assert "2 of 3" in market and "2.2%" in market, market


def test_proposing_on_the_product_page_and_a_bad_price_shows_the_reason(client, fashion_manager, category_tree):
    product = priced_product(sku="DRESS-P", category=category_tree["women"])
    client.force_login(fashion_manager)
    url = reverse("pricing:product", args=[product.sku])
    response = client.post(url, {"price": "11.00", "kind": "regular", "reason": "cheaper"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "is below the cost (€10.00 net); give an override reason" in response.content.decode()
    assert not PriceProposal.objects.exists()
    response = client.post(url, {"price": "0", "kind": "regular", "reason": "free"})
    assert not PriceProposal.objects.exists()
    response = client.post(url, {"price": "24.99", "kind": "regular", "reason": "market"})
    assert response.status_code == 302
    assert PriceProposal.objects.get().price == D("24.99")


def test_bulk_propose_from_selected_suggestions(client, fashion_manager, category_tree):
    run = make_rows(category_tree, 4)
    PriceProposal.objects.all().delete()
    mine = list(PriceSuggestion.objects.filter(run=run, product__category=category_tree["women"]).values_list("pk", flat=True))
    theirs = PriceSuggestion.objects.filter(run=run, product__category=category_tree["phones"]).first().pk
    client.force_login(fashion_manager)
    response = client.post(reverse("pricing:propose-selected"), {"suggestion": [*mine, theirs], "reason": ""})
    assert response.status_code == 302
    assert PriceProposal.objects.count() == len(mine) == 2
    assert all(p.explanation == _steps() and p.suggestion_id for p in PriceProposal.objects.all())


def test_approve_and_reject_through_the_page(client, fashion_manager, shop_manager, category_tree):
    a = priced_product(sku="A-1", category=category_tree["women"])
    b = priced_product(sku="B-1", category=category_tree["women"])
    pa = services.proposal_create(user=fashion_manager, product_id=a.pk, price=D("24.99"), reason="x")
    pb = services.proposal_create(user=fashion_manager, product_id=b.pk, price=D("25.99"), reason="y")
    client.force_login(shop_manager)
    page = client.get(reverse("pricing:proposals")).content.decode()
    assert 'data-testid="approve-A-1"' in page and 'data-testid="reject-B-1"' in page
    client.post(reverse("pricing:proposal-approve", args=[pa.pk]))
    client.post(reverse("pricing:proposal-reject", args=[pb.pk]), {"note": "too much"})
    assert PriceChange.objects.filter(product=a, price=D("24.99")).exists()
    assert not PriceChange.objects.filter(product=b, price=D("25.99")).exists()
    pb.refresh_from_db()
    assert (pb.status, pb.decision_note) == ("rejected", "too much")


def test_a_category_manager_cannot_approve_through_the_page(client, fashion_manager, shop_manager, category_tree):
    a = priced_product(sku="A-2", category=category_tree["women"])
    proposal = services.proposal_create(user=shop_manager, product_id=a.pk, price=D("24.99"), reason="x")
    client.force_login(fashion_manager)
    response = client.post(reverse("pricing:proposal-approve", args=[proposal.pk]), follow=True,
                           HTTP_ACCEPT_LANGUAGE="en")
    assert "Only a shop manager approves price proposals." in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == "pending"


def test_the_suggestion_page_reads_the_explanation(client, shop_manager, category_tree):
    run = make_rows(category_tree, 1)
    suggestion = PriceSuggestion.objects.get(run=run)
    client.force_login(shop_manager)
    response = client.get(reverse("pricing:suggestion", args=[suggestion.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "p* = c·ε/(1+ε)" in response.content.decode()


def test_the_market_list_filters_far_above(client, shop_manager, category_tree):
    make_rows(category_tree, 2)  # our 23.80 against a median of 21.00: 13 % above
    client.force_login(shop_manager)
    body = client.get(reverse("pricing:market"), {"position": "above"}).content.decode()
    assert body.count("/pricing/products/") == 0
    CompetitorPosition.objects.update(median=D("20.00"))  # now 19 % above
    body = client.get(reverse("pricing:market"), {"position": "above"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert body.count("/pricing/products/") == 2
    assert body.count(">3 of 4<") == 2  # 23.80 against 20.00, 21.00 and 30.00
