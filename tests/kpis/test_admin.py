"""The KPI models in the Django admin: tokens are issued and revoked, runs and scopes are read-only."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from kpis.models import ApiToken, FactScope, KpiTarget, MetricsRun, MetricsRunDay
from tests.catalog.factories import CategoryFactory
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db

MODELS = [ApiToken, KpiTarget, MetricsRun, FactScope]


@pytest.fixture
def root(client):
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def _rows(n: int, start: int = 0):
    for i in range(start, start + n):
        user = UserFactory(username=f"bi{i}")
        category = CategoryFactory(code=f"C{i}")
        ApiToken.objects.create(user=user, name=f"Power BI {i}")
        KpiTarget.objects.create(kpi="revenue", month=dt.date(2026, 1 + i % 12, 1), category=category,
                                 value=Decimal("1000"), set_by=user)
        run = MetricsRun.objects.create(started_at=timezone.now() - dt.timedelta(days=i), status="succeeded")
        MetricsRunDay.objects.create(run=run, day=dt.date(2026, 3, 1), rows=4)
        FactScope.objects.create(key=f"cat:C{i}", kind="category", category=category)


def test_every_kpi_model_is_registered_with_search():
    for model in MODELS:
        model_admin = admin.site._registry.get(model)
        assert model_admin is not None, model.__name__
        assert model_admin.search_fields, model.__name__


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_query_count_does_not_grow_with_rows(client, root, model, django_assert_max_num_queries):
    url = reverse(f"admin:kpis_{model._meta.model_name}_changelist")
    _rows(2)
    with django_assert_max_num_queries(12) as few:
        assert client.get(url).status_code == 200
    _rows(6, start=2)
    with django_assert_max_num_queries(12) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    assert client.get(url, {"q": "1"}).status_code == 200


def test_admin_issues_a_token_and_shows_its_key_read_only(client, root):
    analyst = UserFactory(username="analyst")
    # when an admin creates a token with a user and a name
    add_url = reverse("admin:kpis_apitoken_add")
    add_page = client.get(add_url).content.decode()
    assert 'name="key"' not in add_page
    response = client.post(add_url, {"user": analyst.pk, "name": "Power BI"}, follow=True)
    token = ApiToken.objects.get()
    # then a key was generated, shown in the message and on the token's page, but not editable
    assert (token.user, token.name, len(token.key) >= 40) == (analyst, "Power BI", True)
    assert token.key in response.content.decode()
    change_page = client.get(reverse("admin:kpis_apitoken_change", args=[token.pk])).content.decode()
    assert token.key in change_page and 'name="key"' not in change_page


def test_revoke_action_sets_revoked_at_once(client, root):
    active = ApiToken.objects.create(user=UserFactory(username="a"), name="A")
    earlier = timezone.now() - dt.timedelta(days=3)
    revoked = ApiToken.objects.create(user=UserFactory(username="b"), name="B", revoked_at=earlier)
    client.post(reverse("admin:kpis_apitoken_changelist"), {
        "action": "revoke", "_selected_action": [active.pk, revoked.pk],
    })
    active.refresh_from_db()
    revoked.refresh_from_db()
    assert active.revoked_at is not None
    assert revoked.revoked_at == earlier  # the first revocation stays
    # and a revoked token no longer opens the API
    response = client.get("/api/kpis/", {"from": "2026-03-01", "to": "2026-03-31"},
                          HTTP_AUTHORIZATION=f"Token {active.key}")
    assert response.status_code == 401


def test_metrics_runs_are_read_only_with_their_days(client, root):
    run = MetricsRun.objects.create(started_at=timezone.now(), status="failed", error="boom")
    MetricsRunDay.objects.create(run=run, day=dt.date(2026, 3, 1), status="failed", error="boom on 1 March")
    assert client.get(reverse("admin:kpis_metricsrun_add")).status_code == 403
    page = client.get(reverse("admin:kpis_metricsrun_change", args=[run.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "boom on 1 March" in html and 'name="_save"' not in html
    assert client.post(reverse("admin:kpis_metricsrun_delete", args=[run.pk]), {"post": "yes"}).status_code == 403
    assert MetricsRun.objects.filter(pk=run.pk).exists()


def test_fact_scopes_are_read_only(client, root):
    scope = FactScope.objects.create(key="all", kind="all")
    assert client.get(reverse("admin:kpis_factscope_add")).status_code == 403
    html = client.get(reverse("admin:kpis_factscope_change", args=[scope.pk])).content.decode()
    assert 'name="_save"' not in html


def test_admin_target_form_offers_registry_keys_and_records_who(client, root):
    category = CategoryFactory(code="FASHION")
    response = client.post(reverse("admin:kpis_kpitarget_add"), {
        "kpi": "return_rate", "month": "2026-04-15", "category": category.pk, "value": "0.35",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    target = KpiTarget.objects.get()
    assert (target.month, target.set_by, target.value) == (dt.date(2026, 4, 1), root, Decimal("0.35"))
    refused = client.post(reverse("admin:kpis_kpitarget_add"), {"kpi": "happiness", "month": "2026-04-01", "value": "1"})
    assert refused.status_code == 200 and KpiTarget.objects.count() == 1
