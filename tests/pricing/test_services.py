"""Proposals and their approval: four eyes, scope, margin floor, optimistic check, history rows."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from catalog.models import Product
from pricing import services
from pricing.models import PriceChange, PriceProposal, PriceRule
from tests.pricing.factories import PriceChangeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are pinned in English here; the German catalogue has its own test below."""
    with translation.override("en"):
        yield

# Margin floor of the test product (no KPI facts yet, so the fallback shares apply):
# c = 10.00 purchase + 3.00 shipping + 1.5 % × 20.00 net payment fees + 0 returns = 13.30 net;
# floor = 13.30 / (1 − 0.15) × 1.19 = 18.62 gross.


def propose(user, product, price, **kwargs):
    kwargs.setdefault("reason", "match the market")
    return services.proposal_create(user=user, product_id=product.pk, price=D(price), **kwargs)


@pytest.mark.parametrize(("price", "message"), [
    ("0", "above 0"),
    ("-1.00", "above 0"),
    ("11.00", "below the cost"),  # 11.00 / 1.19 = 9.24 net < 10.00
    ("18.00", "below the margin floor"),  # above cost, below 18.62
    ("23.80", "already the current price"),
    ("19.999", "two decimal places"),
])
def test_bad_prices_are_refused_and_nothing_is_stored(fashion_manager, dress, price, message):
    with pytest.raises(ValidationError) as refused:
        propose(fashion_manager, dress, price)
    assert message in " ".join(refused.value.messages)
    assert not PriceProposal.objects.exists()


def test_a_price_below_the_margin_floor_passes_with_an_override_reason(fashion_manager, dress):
    proposal = propose(fashion_manager, dress, "18.00", override_reason="clear the old season")
    assert proposal.status == PriceProposal.Status.PENDING
    assert proposal.base_price == D("23.80")
    assert proposal.override_reason == "clear the old season"


def test_the_margin_floor_follows_the_categorys_rule(fashion_manager, dress, category_tree):
    # a 5 % floor on FASHION (a parent of WOMEN): 13.30 / 0.95 × 1.19 = 16.66
    PriceRule.objects.create(category=category_tree["fashion"], margin_floor=D("0.05"))
    assert propose(fashion_manager, dress, "18.00").price == D("18.00")


def test_a_proposal_outside_the_managers_categories_is_refused(fashion_manager, phone):
    with pytest.raises(ValidationError, match="not in your categories"):
        propose(fashion_manager, phone, "109.00")
    assert not PriceProposal.objects.exists()


def test_a_second_pending_proposal_for_the_same_product_is_refused(fashion_manager, shop_manager, dress):
    propose(fashion_manager, dress, "24.99")
    with pytest.raises(ValidationError, match="pending proposal"):
        propose(shop_manager, dress, "22.99")
    assert PriceProposal.objects.count() == 1


def test_approval_writes_the_price_history_row_and_the_current_price(fashion_manager, shop_manager, dress):
    # given a category manager's proposal
    proposal = propose(fashion_manager, dress, "24.99", reason="competitors went up")
    # when a shop manager approves it
    services.proposal_approve(user=shop_manager, proposal_id=proposal.pk, note="ok")
    # then the history has a row with who and why, and the product costs 24.99 now
    change = PriceChange.objects.filter(product=dress).latest("valid_from")
    assert change.price == D("24.99")
    assert change.created_by == fashion_manager
    assert "competitors went up" in change.reason and "shop" in change.reason
    dress.refresh_from_db()
    assert dress.price == D("24.99")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by, proposal.price_change) == ("approved", shop_manager, change)


def test_nobody_approves_their_own_proposal(shop_manager, dress):
    proposal = propose(shop_manager, dress, "24.99")
    with pytest.raises(ValidationError, match="own proposal"):
        services.proposal_approve(user=shop_manager, proposal_id=proposal.pk)
    assert PriceChange.objects.filter(product=dress).count() == 1
    proposal.refresh_from_db()
    assert proposal.status == "pending"


def test_the_database_refuses_a_decision_by_the_proposer(shop_manager, dress):
    from django.db import IntegrityError, transaction

    proposal = propose(shop_manager, dress, "24.99")
    with pytest.raises(IntegrityError), transaction.atomic():
        PriceProposal.objects.filter(pk=proposal.pk).update(decided_by=shop_manager)


def test_a_category_manager_cannot_approve(fashion_manager, shop_manager, dress):
    proposal = propose(shop_manager, dress, "24.99")
    with pytest.raises(ValidationError, match="Only a shop manager"):
        services.proposal_approve(user=fashion_manager, proposal_id=proposal.pk)


def test_a_stale_proposal_is_refused_when_the_price_changed_meanwhile(fashion_manager, shop_manager,
                                                                       second_shop_manager, dress):
    # given a proposal against 23.80, and then another price approved for the product
    first = propose(fashion_manager, dress, "24.99")
    services.proposal_reject(user=shop_manager, proposal_id=first.pk)
    second = propose(fashion_manager, dress, "21.99", reason="promotion")
    services.proposal_approve(user=shop_manager, proposal_id=second.pk)
    stale = PriceProposal.objects.create(
        product=dress, price=D("25.99"), base_price=D("23.80"), reason="old view", proposed_by=fashion_manager,
        proposed_at=timezone.now(),
    )
    # when it is approved
    with pytest.raises(ValidationError, match="changed from €23.80 to €21.99"):
        services.proposal_approve(user=second_shop_manager, proposal_id=stale.pk)
    # then nothing is stored
    dress.refresh_from_db()
    assert dress.price == D("21.99")
    assert not PriceChange.objects.filter(price=D("25.99")).exists()


def test_a_decided_proposal_cannot_be_decided_again(fashion_manager, shop_manager, dress):
    proposal = propose(fashion_manager, dress, "24.99")
    services.proposal_reject(user=shop_manager, proposal_id=proposal.pk, note="not now")
    with pytest.raises(ValidationError, match="already"):
        services.proposal_approve(user=shop_manager, proposal_id=proposal.pk)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decision_note) == ("rejected", "not now")


def test_the_proposer_may_withdraw(fashion_manager, dress):
    proposal = services.proposal_reject(user=fashion_manager, proposal_id=propose(fashion_manager, dress, "24.99").pk)
    assert proposal.status == "rejected" and proposal.decided_by is None
    assert "withdrawn" in proposal.decision_note


def test_a_sale_with_an_end_writes_its_start_and_its_end(fashion_manager, shop_manager, dress):
    ends = timezone.now() + dt.timedelta(days=7)
    proposal = propose(fashion_manager, dress, "19.99", ends_at=ends, reason="summer sale")
    services.proposal_approve(user=shop_manager, proposal_id=proposal.pk)
    rows = list(PriceChange.objects.filter(product=dress).order_by("valid_from").values_list("price", "kind"))
    assert rows == [(D("23.80"), "regular"), (D("19.99"), "sale"), (D("23.80"), "regular")]
    dress.refresh_from_db()
    assert dress.price == D("19.99")
    # and once the end has passed, the nightly sync restores the regular price
    assert services.sync_current_prices(now=ends + dt.timedelta(seconds=1)) == 1
    assert Product.objects.get(pk=dress.pk).price == D("23.80")


def test_approval_is_refused_when_a_future_price_would_be_overtaken(fashion_manager, shop_manager, dress):
    PriceChangeFactory(product=dress, price=D("29.99"), valid_from=timezone.now() + dt.timedelta(days=3))
    proposal = propose(fashion_manager, dress, "24.99")
    with pytest.raises(ValidationError, match="future price change"):
        services.proposal_approve(user=shop_manager, proposal_id=proposal.pk)


def test_a_suggestion_whose_price_changed_since_the_run_is_refused(fashion_manager, dress):
    from pricing.models import PriceSuggestion, PricingRun

    run = PricingRun.objects.create(started_at=timezone.now(), status="done")
    suggestion = PriceSuggestion.objects.create(run=run, product=dress, outcome="suggested", current_price=D("22.80"),
                                                suggested_price=D("24.99"), created_at=timezone.now())
    with pytest.raises(ValidationError, match="since the suggestion was computed"):
        propose(fashion_manager, dress, "24.99", suggestion=suggestion)
    assert not PriceProposal.objects.exists()


def test_a_comma_price_is_read_as_decimals():
    from pricing.forms import ProposalForm

    form = ProposalForm({"price": "24,99", "kind": "regular", "reason": "x"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["price"] == D("24.99")


def test_a_refusal_speaks_the_readers_language(shop_manager, dress):
    proposal = propose(shop_manager, dress, "24.99")
    with translation.override("de"), pytest.raises(ValidationError) as refused:
        services.proposal_approve(user=shop_manager, proposal_id=proposal.pk)
    assert refused.value.messages == [
        "Niemand gibt den eigenen Antrag frei: Eine andere Person der Shopleitung muss entscheiden."]
