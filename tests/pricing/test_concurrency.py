"""Two shop managers deciding the same proposal at once (PostgreSQL row locks): one wins, the
other gets a clear message, and exactly one price change is written."""

import threading
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from pricing import services
from pricing.models import PriceChange
from shopmgr.core import roles
from tests.conftest import user_with_role
from tests.pricing.factories import priced_product

pytestmark = pytest.mark.django_db(transaction=True)


def _race(*calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except ValidationError as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_approvals_of_one_proposal_write_one_price_change(require_postgres, category_tree):
    manager = user_with_role(roles.CATEGORY_MANAGERS, username="cm")
    category_tree["fashion"].managers.add(manager)
    first = user_with_role(roles.SHOP_MANAGERS, username="shop1")
    second = user_with_role(roles.SHOP_MANAGERS, username="shop2")
    dress = priced_product(sku="RACE-1", category=category_tree["women"])
    proposal = services.proposal_create(user=manager, product_id=dress.pk, price=D("24.99"), reason="race")
    results = _race(lambda: services.proposal_approve(user=first, proposal_id=proposal.pk),
                    lambda: services.proposal_approve(user=second, proposal_id=proposal.pk))
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 1 and refused[0].code == "decided"
    assert PriceChange.objects.filter(product=dress, price=D("24.99")).count() == 1

