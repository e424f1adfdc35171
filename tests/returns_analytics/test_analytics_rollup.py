"""The return facts' rollup in SQL (returns/selectors.py): one row per product with its returned
units per reason, the reasons summed on their own, and the same analysis as from the rows per
product and reason (the hand-made day of conftest.day_of_returns)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.test import override_settings

from returns import analytics, selectors
from returns.models import ReturnReason
from tests.returns_analytics.factories import reason

pytestmark = pytest.mark.django_db
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
URL = "/returns/analytics/"


@pytest.fixture
def computed(day_of_returns):
    call_command("compute_metrics", "--all", verbosity=0)
    return day_of_returns


def _facts(user, *, channel=None, category=None):
    categories = selectors.analytics_categories(user=user)
    reason_ids = list(ReturnReason.objects.order_by("code").values_list("pk", flat=True))
    facts = selectors.analytics_facts(user=user, first=MARCH[0], last=MARCH[1], channel=channel,
                                      categories=categories, category=category, reason_ids=reason_ids)
    return facts, categories


def test_return_facts_are_summed_per_product_with_their_reasons(shop_manager, computed):
    facts, _categories = _facts(shop_manager)
    rows = {row["product_id"]: row for row in facts["product_returns"]}
    dress, phone = rows[computed["dress"].pk], rows[computed["phone"].pk]
    small, described, defective = reason("SIZE_SMALL").pk, reason("NOT_AS_DESCRIBED").pk, reason("DEFECTIVE").pk
    # the dress: R1 1 too small (20.00), R2 1 not as described (20.00, written off at 10.00, 23.80
    # refunded), R3 2 too small (40.00) → 4 units worth 80.00, 3 of them too small
    assert (dress["returned_units"], dress["returned_value"], dress["reason_units"]) == (
        4, Decimal("80"), {small: 3, described: 1})
    assert (dress["written_off_units"], dress["written_off_cost"], dress["restocked_units"]) == (1, Decimal("10"), 1)
    # returns: R1 and R3 whole, 20 / (20 + 100) = 1/6 of R2 → 2.1666666667; orders A and B
    assert (_places(dress["returns_share"]), dress["orders_returned"]) == (Decimal("2.1666666667"), 2)
    assert dress["refunded"] == Decimal("23.80")
    # the phone: 5/6 of R2, defective; the rejected R5 and the cancelled order's R6 count nowhere
    assert (phone["returned_units"], _places(phone["returns_share"]), phone["reason_units"]) == (
        1, Decimal("0.8333333333"), {defective: 1})


def test_the_reasons_are_summed_on_their_own_within_the_scope(shop_manager, fashion_manager, computed):
    rows = {r["reason_id"]: r for r in selectors.analytics_reason_facts(
        user=shop_manager, first=MARCH[0], last=MARCH[1], channel=None)}
    small = rows[reason("SIZE_SMALL").pk]
    # too small: R1 (1 dress, 20.00) and R3 (2 dresses, 40.00), both whole returns
    assert (small["returned_units"], small["returned_value"], small["returns_share"]) == (3, Decimal("60"), Decimal(2))
    assert rows[reason("DEFECTIVE").pk]["returned_units"] == 1
    # the fashion manager: the defective phone is not theirs
    theirs = selectors.analytics_reason_facts(user=fashion_manager, first=MARCH[0], last=MARCH[1], channel=None)
    assert reason("DEFECTIVE").pk not in {r["reason_id"] for r in theirs}
    # a channel: the marketplace's only return was rejected
    assert selectors.analytics_reason_facts(user=shop_manager, first=MARCH[0], last=MARCH[1],
                                            channel="marketplace") == []


def _places(value):
    """To the columns' ten places: SQLite sums decimals as floats (the last digit may differ there)."""
    return value.quantize(Decimal("1e-10")) if isinstance(value, Decimal) else value


def _figures(f):
    return ([_places(getattr(f, n)) for n in (*f._MONEY, *f._COUNTS)],
            {pk: units for pk, units in f.reason_units.items()})


@pytest.mark.parametrize("username", ["shop", "cm_fashion"])
def test_the_rollup_gives_the_analysis_of_the_rows_per_product_and_reason(
        shop_manager, fashion_manager, computed, username):
    from kpis.models import DailyReturnFact

    user = shop_manager if username == "shop" else fashion_manager
    facts, categories = _facts(user)
    common = {"sales": facts["sales"], "products": facts["products"], "handling_cost": Decimal("6.95"),
              "category_paths": {c.pk: c.path for c in categories}, "exact_orders": facts["exact_orders"]}
    ours = analytics.analyse(product_returns=facts["product_returns"], **common)
    ours.load_reasons(selectors.analytics_reason_facts(user=user, first=MARCH[0], last=MARCH[1], channel=None))
    # the rows per product and reason, as the analytics read them before
    visible = selectors.product_visible_q(user, prefix="product__")
    rows = list(
        DailyReturnFact.objects.filter(visible, day__gte=MARCH[0], day__lte=MARCH[1])
        .values("product_id", "reason_id").annotate(**{c: Sum(c) for c in selectors.RETURN_SUMS}).order_by()
    )
    theirs = analytics.analyse(returns=rows, **common)
    assert ours.products.keys() == theirs.products.keys() and ours.products
    for pk in ours.products:
        assert _figures(ours.products[pk][1]) == _figures(theirs.products[pk][1])
    for mine, other in ((ours.total, theirs.total), *((ours.categories[k], theirs.categories[k]) for k in ours.categories),
                        *((ours.reasons[k], theirs.reasons[k]) for k in theirs.reasons)):
        assert _figures(mine) == _figures(other)
    assert ours.reasons.keys() == theirs.reasons.keys()
    assert {k: _figures(v[1]) for k, v in ours.suppliers.items()} == {k: _figures(v[1]) for k, v in theirs.suppliers.items()}


@override_settings(RETURNS_NEEDS_LOOK_MIN_UNITS=1)
def test_the_reasons_tab_reads_the_reasons_once(client, shop_manager, computed, django_assert_num_queries):
    from django.core.cache import cache

    cache.clear()
    client.force_login(shop_manager)
    query = {"from": "2026-03-01", "to": "2026-03-31"}
    # given the page seen once: session, user, roles, categories, channels, reasons, metrics run,
    # product facts, return facts per product, products, KPI facts
    with django_assert_num_queries(11):
        assert client.get(URL, query).status_code == 200
    # when the reasons tab is opened: the analysis from the cache, the return facts per reason read
    with django_assert_num_queries(8):
        rows = client.get(URL, {**query, "view": "reasons"}).context["table"].paginated_rows
    assert sum(row.record["returned_units"] for row in rows) == 5
    # and again: both from the cache
    with django_assert_num_queries(7):
        client.get(URL, {**query, "view": "reasons"})


@pytest.mark.parametrize("with_reasons", [False, True])
def test_an_analysis_comes_back_from_the_cache_exactly(shop_manager, computed, with_reasons):
    import pickle

    facts, categories = _facts(shop_manager)
    analysis = analytics.analyse(
        sales=facts["sales"], product_returns=facts["product_returns"], products=facts["products"],
        category_paths={c.pk: c.path for c in categories}, handling_cost=Decimal("6.95"),
        exact_orders=facts["exact_orders"],
    ).settle()
    if with_reasons:
        analysis.load_reasons(selectors.analytics_reason_facts(user=shop_manager, first=MARCH[0], last=MARCH[1],
                                                               channel=None))
    # pickled by columns (returns/analytics.py Analysis.__getstate__): every figure comes back the same
    back = pickle.loads(pickle.dumps(analysis))
    assert list(back.products) == list(analysis.products)
    for pk, (info, figures) in analysis.products.items():
        assert back.products[pk][0] == info and _figures(back.products[pk][1]) == _figures(figures)
        assert back.products[pk][1].margin_after_returns == figures.margin_after_returns
    pairs = [(back.total, analysis.total)]
    pairs += [(back.categories[k], v) for k, v in analysis.categories.items()]
    pairs += [(back.own_categories[k], v) for k, v in analysis.own_categories.items()]
    pairs += [(back.suppliers[k][1], v) for k, (_n, v) in analysis.suppliers.items()]
    assert [(k, n) for k, (n, _f) in back.suppliers.items()] == [(k, n) for k, (n, _f) in analysis.suppliers.items()]
    if with_reasons:
        assert list(back.reasons) == list(analysis.reasons)
        pairs += [(back.reasons[k], v) for k, v in analysis.reasons.items()]
    else:
        with pytest.raises(LookupError):
            _ = back.reasons
    for after, before in pairs:
        assert [getattr(after, n) for n in (*after._MONEY, *after._COUNTS)] == [
            getattr(before, n) for n in (*before._MONEY, *before._COUNTS)]
        assert after.reason_units == before.reason_units
    # three returns × 6.95 (to the cent: SQLite's sums are floats)
    assert back.total.handling_cost == analysis.total.handling_cost and round(back.total.handling_cost, 2) == Decimal(
        "20.85")
