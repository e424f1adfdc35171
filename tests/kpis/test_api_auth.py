"""Who may call /api/kpis/: a session, or a per-user token that an admin can revoke."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from kpis.models import ApiToken
from shopmgr.core import roles
from tests.catalog.factories import ProductFactory
from tests.conftest import user_with_role
from tests.sales.factories import OrderLineFactory

pytestmark = pytest.mark.django_db

URL = "/api/kpis/?from=2026-03-01&to=2026-03-31"


@pytest.fixture
def facts(category_tree):
    # one order of 23.80 gross (20.00 net) in FASHION-WOMEN on 2 March 2026
    OrderLineFactory(product=ProductFactory(category=category_tree["women"]))
    call_command("compute_metrics", "--all", stdout=None)


def test_a_bi_tool_reads_with_its_token(client, facts):
    user = user_with_role(roles.SHOP_MANAGERS, username="powerbi")
    token = ApiToken.objects.create(user=user, name="Power BI")
    # when a tool sends the token (no session)
    response = client.get(URL, HTTP_AUTHORIZATION=f"Token {token.key}")
    # then it gets the figures, and the token's last use is recorded
    assert response.status_code == 200
    assert response.json()["kpis"]["revenue"] == "20.00"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_bearer_is_accepted_too(client, facts):
    token = ApiToken.objects.create(user=user_with_role(roles.SHOP_MANAGERS, username="bi"), name="BI")
    assert client.get(URL, HTTP_AUTHORIZATION=f"Bearer {token.key}").status_code == 200


def test_a_revoked_token_is_refused(client, facts):
    token = ApiToken.objects.create(user=user_with_role(roles.SHOP_MANAGERS, username="old"), name="old")
    token.revoked_at = timezone.now()
    token.save()
    response = client.get(URL, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 401
    assert "revoked" in response.json()["error"]


def test_an_unknown_token_is_refused_even_with_a_session(client, shop_manager, facts):
    client.force_login(shop_manager)
    assert client.get(URL, HTTP_AUTHORIZATION="Token not-a-real-key").status_code == 401


def test_an_inactive_users_token_is_refused(client, facts):
    user = user_with_role(roles.SHOP_MANAGERS, username="left")
    token = ApiToken.objects.create(user=user, name="BI")
    user.is_active = False
    user.save()
    assert client.get(URL, HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 401


def test_anonymous_gets_401_json_not_a_login_redirect(client, facts):
    response = client.get(URL)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"


def test_a_token_carries_its_users_scope(client, facts, category_tree):
    # a category manager's token sees their categories only
    user = user_with_role(roles.CATEGORY_MANAGERS, username="cm_tok")
    category_tree["electronics"].managers.add(user)
    token = ApiToken.objects.create(user=user, name="Excel")
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    assert client.get(URL, **auth).json()["kpis"]["revenue"] == "0.00"  # the fashion order is not theirs
    assert client.get(URL + "&category=FASHION", **auth).status_code == 404


def test_every_registry_key_is_in_the_answer(client, shop_manager, facts):
    from kpis.registry import KEYS

    client.force_login(shop_manager)
    body = client.get(URL).json()
    assert list(body["kpis"]) == list(KEYS)
    assert (body["from"], body["to"]) == ("2026-03-01", "2026-03-31")


@pytest.mark.parametrize(("query", "field"), [
    ("?to=2026-03-31", "from"),
    ("?from=2026-3-1&to=2026-03-31", "from"),
    ("?from=2026-03-01&to=2026-02-30", "to"),
    ("?from=2026-03-31&to=2026-03-01", "from"),
    ("?from=2020-01-01&to=2026-03-01", "to"),
])
def test_bad_parameters_answer_400_naming_the_field(client, shop_manager, query, field):
    client.force_login(shop_manager)
    response = client.get("/api/kpis/" + query)
    assert response.status_code == 400
    assert response.json()["field"] == field
