"""Listing decisions: a category manager proposes, a different shop manager approves or rejects;
refusals store nothing (DESIGN §5 four eyes, issue 6)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalog import services
from catalog.models import ListingProposal, Product, ProductStatusChange
from shopmgr.core import roles
from tests.catalog.factories import ProductFactory
from tests.conftest import user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def products(category_tree):
    return {
        "dress": ProductFactory(sku="DRESS-1", category=category_tree["women"], status="active"),
        "shirt": ProductFactory(sku="SHIRT-1", category=category_tree["men"], status="phase_out"),
        "new": ProductFactory(sku="NEW-1", category=category_tree["women"], status="proposed"),
        "phone": ProductFactory(sku="PHONE-1", category=category_tree["phones"], status="active"),
    }


@pytest.fixture
def second_shop_manager(db):
    return user_with_role(roles.SHOP_MANAGERS, username="shop2")


def test_proposal_then_approval_sets_the_status_and_keeps_the_history(products, fashion_manager, shop_manager):
    # given a category manager's proposal to delist two products at once
    created = services.listing_propose(products=[products["dress"], products["shirt"]], action="delist",
                                       reason="Low sales, high returns", by=fashion_manager)
    assert len(created) == 2
    products["dress"].refresh_from_db()
    assert products["dress"].status == "active"  # nothing changes before the approval
    # when a shop manager approves both
    services.listing_decide(proposals=created, approve=True, note="", by=shop_manager)
    # then the status is set, and who, when and why are recorded
    for key, old in (("dress", "active"), ("shirt", "phase_out")):
        products[key].refresh_from_db()
        assert products[key].status == "delisted"
        change = ProductStatusChange.objects.get(product=products[key])
        assert (change.from_status, change.to_status, change.changed_by, change.reason) == (
            old, "delisted", shop_manager, "Low sales, high returns")
        assert change.proposal.proposed_by == fashion_manager
    assert set(ListingProposal.objects.values_list("status", flat=True)) == {"approved"}


def test_rejection_needs_a_note_and_leaves_the_status(products, fashion_manager, shop_manager):
    [proposal] = services.listing_propose(products=[products["new"]], action="list", reason="Strong supplier",
                                          by=fashion_manager)
    with pytest.raises(ValidationError, match="Say why"):
        services.listing_decide(proposals=[proposal], approve=False, note="  ", by=shop_manager)
    services.listing_decide(proposals=[proposal], approve=False, note="Budget is spent", by=shop_manager)
    proposal.refresh_from_db()
    products["new"].refresh_from_db()
    assert (proposal.status, proposal.decided_by, proposal.decision_note) == ("rejected", shop_manager, "Budget is spent")
    assert products["new"].status == "proposed" and not ProductStatusChange.objects.exists()


def test_nobody_approves_their_own_proposal(products, shop_manager, second_shop_manager):
    # a shop manager may propose, but another shop manager must decide
    [proposal] = services.listing_propose(products=[products["dress"]], action="phase_out", reason="Old season",
                                          by=shop_manager)
    with pytest.raises(ValidationError, match="own proposal"):
        services.listing_decide(proposals=[proposal], approve=True, by=shop_manager)
    proposal.refresh_from_db()
    products["dress"].refresh_from_db()
    assert proposal.status == "pending" and products["dress"].status == "active"
    services.listing_decide(proposals=[proposal], approve=True, by=second_shop_manager)
    products["dress"].refresh_from_db()
    assert products["dress"].status == "phase_out"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"action": "delist", "reason": "   "}, "Give a reason"),
    ({"action": "phase_out", "reason": "x", "key": "shirt"}, "not possible"),  # phase-out already
    ({"action": "delist", "reason": "x", "key": "phone"}, "your categories"),  # outside scope
])
def test_bad_proposals_are_refused_and_store_nothing(products, fashion_manager, kwargs, message):
    key = kwargs.pop("key", None)
    chosen = [products["dress"]] + ([products[key]] if key else [])
    with pytest.raises(ValidationError, match=message):
        services.listing_propose(products=chosen, by=fashion_manager, **kwargs)
    assert not ListingProposal.objects.exists()


def test_one_pending_proposal_per_product(products, fashion_manager):
    services.listing_propose(products=[products["dress"]], action="delist", reason="a", by=fashion_manager)
    with pytest.raises(ValidationError, match="pending proposal: DRESS-1"):
        services.listing_propose(products=[products["dress"], products["new"]], action="delist", reason="b",
                                 by=fashion_manager)
    assert ListingProposal.objects.count() == 1


def test_only_shop_managers_decide(products, fashion_manager):
    [proposal] = services.listing_propose(products=[products["dress"]], action="delist", reason="a", by=fashion_manager)
    other_cm = user_with_role(roles.CATEGORY_MANAGERS, username="cm2")
    with pytest.raises(ValidationError, match="Only shop managers"):
        services.listing_decide(proposals=[proposal], approve=True, by=other_cm)
    service = user_with_role(roles.CUSTOMER_SERVICE, username="svc")
    with pytest.raises(ValidationError, match="Only category managers"):
        services.listing_propose(products=[products["new"]], action="list", reason="a", by=service)


def test_approval_is_refused_when_the_status_changed_meanwhile(products, fashion_manager, shop_manager):
    [proposal] = services.listing_propose(products=[products["dress"]], action="phase_out", reason="a",
                                          by=fashion_manager)
    Product.objects.filter(pk=products["dress"].pk).update(status="delisted")
    with pytest.raises(ValidationError, match="status changed"):
        services.listing_decide(proposals=[proposal], approve=True, by=shop_manager)
    proposal.refresh_from_db()
    assert proposal.status == "pending"


def test_the_database_refuses_a_self_approval_too(products, fashion_manager):
    from django.db import IntegrityError, transaction

    [proposal] = services.listing_propose(products=[products["dress"]], action="delist", reason="a", by=fashion_manager)
    with pytest.raises(IntegrityError), transaction.atomic():
        ListingProposal.objects.filter(pk=proposal.pk).update(decided_by=fashion_manager)


# --- through the pages ----------------------------------------------------------------------

def test_propose_and_approve_through_the_pages(client, products, fashion_manager, shop_manager):
    client.force_login(fashion_manager)
    response = client.post(reverse("catalog:propose"), {
        "product": [products["dress"].pk, products["new"].pk], "action": "delist", "reason": "Weak content",
        "next": reverse("catalog:delist-candidates"),
    })
    assert response.status_code == 302 and response["Location"] == reverse("catalog:delist-candidates")
    assert ListingProposal.objects.filter(status="pending").count() == 2
    # the category manager cannot approve
    ids = list(ListingProposal.objects.values_list("pk", flat=True))
    client.post(reverse("catalog:decide"), {"proposal": ids, "decision": "approve"}, follow=True)
    assert ListingProposal.objects.filter(status="pending").count() == 2
    # the shop manager sees them pending and approves
    client.force_login(shop_manager)
    page = client.get(reverse("catalog:decisions")).content.decode()
    assert "DRESS-1" in page and "NEW-1" in page and "Weak content" in page
    response = client.post(reverse("catalog:decide"), {"proposal": ids, "decision": "approve"}, follow=True)
    assert "2 proposal(s) approved." in response.content.decode()
    products["dress"].refresh_from_db()
    assert products["dress"].status == "delisted"
    # the product page shows who, when and why
    detail = client.get(products["dress"].get_absolute_url()).content.decode()
    assert "proposed by cm_fashion, approved by shop" in detail and "Weak content" in detail


def test_a_proposal_without_reason_shows_the_message(client, products, fashion_manager):
    client.force_login(fashion_manager)
    response = client.post(reverse("catalog:propose"), {"product": [products["dress"].pk], "action": "delist",
                                                        "reason": ""}, follow=True)
    assert "Give a reason for the proposal." in response.content.decode()
    assert not ListingProposal.objects.exists()


def test_proposing_outside_scope_through_the_page_stores_nothing(client, products, fashion_manager):
    client.force_login(fashion_manager)
    response = client.post(reverse("catalog:propose"), {"product": [products["phone"].pk], "action": "delist",
                                                        "reason": "x"}, follow=True)
    assert "only propose decisions for products in your categories" in response.content.decode()
    assert not ListingProposal.objects.exists()


def test_deciding_a_proposal_outside_scope_is_404(client, products, shop_manager, category_tree):
    # a shop manager sees everything; a category manager cannot even see foreign proposals
    cm_el = user_with_role(roles.CATEGORY_MANAGERS, username="cm_el")
    category_tree["electronics"].managers.add(cm_el)
    [proposal] = services.listing_propose(products=[products["phone"]], action="delist", reason="x", by=cm_el)
    fashion = user_with_role(roles.CATEGORY_MANAGERS, username="cm_f2")
    category_tree["fashion"].managers.add(fashion)
    client.force_login(fashion)
    assert client.post(reverse("catalog:decide"), {"proposal": [proposal.pk], "decision": "approve"}).status_code == 404
    assert "PHONE-1" not in client.get(reverse("catalog:decisions"), {"status": ""}).content.decode()


def test_self_approval_through_the_page_shows_the_four_eyes_message(client, products, shop_manager):
    [proposal] = services.listing_propose(products=[products["dress"]], action="delist", reason="x", by=shop_manager)
    client.force_login(shop_manager)
    response = client.post(reverse("catalog:decide"), {"proposal": [proposal.pk], "decision": "approve"}, follow=True)
    assert "You cannot decide on your own proposal (four eyes): DRESS-1." in response.content.decode()


def test_proposal_from_the_product_page_works_for_ids_with_thousands(client, category_tree, fashion_manager):
    # a product id of 12,345 must not reach the form as "12,345" / "12.345" (USE_THOUSAND_SEPARATOR)
    product = ProductFactory(pk=12345, sku="BIG-1", category=category_tree["women"], status="active")
    client.force_login(fashion_manager)
    body = client.get(product.get_absolute_url()).content.decode()
    assert 'name="product" value="12345"' in body
    client.post(reverse("catalog:propose"), {"product": "12345", "action": "delist", "reason": "x"})
    assert ListingProposal.objects.get().product == product
