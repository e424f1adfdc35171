"""The "needs a look" rule and the suggested actions, with the numbers written out (pure, no database)."""

from decimal import Decimal

import pytest

from returns import analytics
from returns.analytics import (
    CONTENT_FIX,
    DELISTING_REVIEW,
    FULFILMENT_CHECK,
    PRICE_CHECK,
    READ_RETURNS,
    SUPPLIER_CLAIM,
    ProductInfo,
    needs_a_look,
    suggested_action,
)

WOMEN, PHONES = 1, 2
PATHS = {WOMEN: "/FASHION/FASHION-WOMEN/", PHONES: "/ELECTRONICS/ELECTRONICS-PHONES/"}
SIZE_SMALL, DEFECTIVE, WRONG_ITEM = 11, 12, 13
CODES = {SIZE_SMALL: "SIZE_SMALL", DEFECTIVE: "DEFECTIVE", WRONG_ITEM: "WRONG_ITEM"}


def sale(pk, category, units, revenue="1000", cogs="400", restocked="0"):
    return {"product_id": pk, "sku": f"P{pk}", "name": f"Product {pk}", "category_id": category,
            "supplier_id": None, "supplier_name": "", "units_sold": units, "orders": units,
            "revenue": Decimal(revenue), "cogs_sold": Decimal(cogs), "cogs_restocked": Decimal(restocked)}


def returned(pk, category, reason, units, value="0", share="0", written_off="0"):
    return {"product_id": pk, "sku": f"P{pk}", "name": f"Product {pk}", "category_id": category,
            "supplier_id": None, "supplier_name": "", "reason_id": reason, "returned_units": units,
            "returned_value": Decimal(value), "returns_share": Decimal(share), "orders_returned": units,
            "written_off_cost": Decimal(written_off)}


def analyse(*, sales, returns, **kwargs):
    """returns.analytics.analyse with the products known from the rows."""
    products = {row["product_id"]: ProductInfo(row["product_id"], row["sku"], row["name"], row["category_id"], None, "")
                for row in [*sales, *returns]}
    return analytics.analyse(sales=sales, returns=returns, products=products, **kwargs)


def findings_for(sales, returns, *, factor="1.5", min_units=20):
    analysis = analyse(sales=sales, returns=returns, category_paths=PATHS, handling_cost=Decimal("6.95"))
    return {f.info.pk: f for f in needs_a_look(analysis, reason_codes=CODES, factor=Decimal(factor),
                                                min_units=min_units)}


def test_a_product_at_one_and_a_half_times_its_categorys_rate_needs_a_look():
    # given women's wear: A 100 sold / 30 back (SIZE_SMALL 20, DEFECTIVE 10), B 100 / 10,
    # C 90 / 5, D 10 / 5 → the category: 50 of 300 units = 16.67 %; 1.5 × that = 25 %
    found = findings_for(
        [sale(1, WOMEN, 100), sale(2, WOMEN, 100), sale(3, WOMEN, 90), sale(4, WOMEN, 10)],
        [returned(1, WOMEN, SIZE_SMALL, 20), returned(1, WOMEN, DEFECTIVE, 10), returned(2, WOMEN, SIZE_SMALL, 10),
         returned(3, WOMEN, SIZE_SMALL, 5), returned(4, WOMEN, SIZE_SMALL, 5)],
    )
    # then A (30 % ≥ 25 %) needs a look; B (10 %) and C (5.6 %) do not; D (50 %) sold only 10 units
    assert set(found) == {1}
    a = found[1]
    assert a.category_rate == Decimal(50) / Decimal(300)
    assert a.factor == Decimal("1.8")  # 30 % / 16.67 %
    # 30 returned where the category's rate would give 16.67
    assert round(a.excess_units, 2) == Decimal("13.33")
    # the dominant reason: SIZE_SMALL, 20 of 30 units; a size reason asks for a content fix
    assert (CODES[a.reason_id], round(a.reason_share, 4), a.action) == ("SIZE_SMALL", Decimal("0.6667"), CONTENT_FIX)


def test_just_below_the_factor_is_not_flagged():
    # given two products of 100 units: 24 and 16 back → category 20 %; 1.5 × 20 % = 30 % > 24 %
    found = findings_for([sale(1, WOMEN, 100), sale(2, WOMEN, 100)],
                         [returned(1, WOMEN, SIZE_SMALL, 24), returned(2, WOMEN, SIZE_SMALL, 16)])
    assert found == {}
    # and with the factor at 1.2 (24 % ≥ 1.2 × 20 % = 24 %) it is
    assert set(findings_for([sale(1, WOMEN, 100), sale(2, WOMEN, 100)],
                            [returned(1, WOMEN, SIZE_SMALL, 24), returned(2, WOMEN, SIZE_SMALL, 16)],
                            factor="1.2")) == {1}


def test_fewer_than_three_returned_units_are_chance():
    # given 20 units sold and 2 back (10 %) in a category at 1 % (2 of 200): 10 × the rate, 2 units
    found = findings_for([sale(1, PHONES, 20), sale(2, PHONES, 180)], [returned(1, PHONES, DEFECTIVE, 2)])
    assert found == {}


def test_products_compare_with_their_own_category():
    # given phones at 4 / 80 units (5 %): E 40 sold 4 back (10 % = 2 × 5 %), defective
    # and women at 30 % each (no outlier there)
    found = findings_for(
        [sale(5, PHONES, 40), sale(6, PHONES, 40), sale(1, WOMEN, 100), sale(2, WOMEN, 100)],
        [returned(5, PHONES, DEFECTIVE, 4), returned(1, WOMEN, SIZE_SMALL, 30), returned(2, WOMEN, SIZE_SMALL, 30)],
    )
    # then E needs a look (a defect: supplier claim), the dresses do not, although their 30 % is higher
    assert set(found) == {5}
    assert found[5].action == SUPPLIER_CLAIM


def test_very_high_rate_with_low_margin_is_a_delisting_review():
    # given a phone with 12 of 40 units back (30 %) among phones with 12 of 200 back (6 %):
    # 5 × its category's rate, very high (≥ 2.5 ×)
    sales = [sale(5, PHONES, 40, revenue="4000", cogs="3000"), sale(6, PHONES, 160, revenue="16000", cogs="9000")]
    returns = [returned(5, PHONES, DEFECTIVE, 12, value="1200", share="12")]
    found = findings_for(sales, returns)
    f = found[5]
    assert f.factor == Decimal(5)
    # margin after returns: net revenue 4000 − 1200 = 2800; COGS 3000 (nothing restocked);
    # handling 12 × 6.95 = 83.40 → (2800 − 3000 − 83.40) / 2800 = −10.1 % < 10 % → delisting review
    assert round(f.figures.margin_after_returns, 4) == Decimal("-0.1012")
    assert f.action == DELISTING_REVIEW


def test_very_high_rate_with_a_good_margin_keeps_the_reasons_action():
    sales = [sale(5, PHONES, 40, revenue="4000", cogs="1000"), sale(6, PHONES, 160)]
    returns = [returned(5, PHONES, DEFECTIVE, 12, value="1200", share="12")]
    f = findings_for(sales, returns)[5]
    # (2800 − 1000 − 83.40) / 2800 = 61.3 %: claim the defects from the supplier
    assert f.figures.margin_after_returns > Decimal("0.6")
    assert f.action == SUPPLIER_CLAIM


@pytest.mark.parametrize("code, action", [
    ("SIZE_SMALL", CONTENT_FIX), ("SIZE_LARGE", CONTENT_FIX), ("NOT_AS_DESCRIBED", CONTENT_FIX),
    ("CHANGED_MIND", CONTENT_FIX), ("BRACKETING", CONTENT_FIX),
    ("DEFECTIVE", SUPPLIER_CLAIM), ("QUALITY", SUPPLIER_CLAIM),
    ("WRONG_ITEM", FULFILMENT_CHECK), ("TRANSIT_DAMAGE", FULFILMENT_CHECK), ("LATE", FULFILMENT_CHECK),
    ("BETTER_PRICE", PRICE_CHECK), ("OTHER", READ_RETURNS), ("SOMETHING_NEW", READ_RETURNS), (None, READ_RETURNS),
])
def test_every_reason_code_has_an_action(code, action):
    assert suggested_action(reason_code=code, rate=Decimal("0.2"), category_rate=Decimal("0.1"),
                            margin_after=Decimal("0.3")) == action


def test_every_seeded_reason_code_is_mapped():
    from importlib import import_module

    seeded = {code for code, *_ in import_module("returns.migrations.0002_return_reasons").REASONS}
    assert seeded == set(analytics.REASON_ACTIONS)


def test_figures_follow_the_definitions():
    # given one product: 10 sold for 500.00 net at cost 200.00; 4 back worth 200.00, one of them
    # restocked (cost 20.00), one written off (cost 20.00), in 3 returns
    analysis = analyse(
        sales=[sale(1, WOMEN, 10, revenue="500", cogs="200", restocked="20")],
        returns=[returned(1, WOMEN, SIZE_SMALL, 4, value="200", share="3", written_off="20")],
        category_paths=PATHS, handling_cost=Decimal("6.95"),
    )
    f = analysis.total
    assert (f.return_rate, f.return_rate_value) == (Decimal("0.4"), Decimal("0.4"))
    # handling 3 × 6.95 = 20.85; cost of returns 20.85 + 20.00 written off = 40.85
    assert (f.handling_cost, f.return_cost) == (Decimal("20.85"), Decimal("40.85"))
    # margin before: (500 − 200) / 500 = 60 %; after: (300 − (200 − 20) − 20.85) / 300 = 33.05 %
    assert f.margin_before_returns == Decimal("0.6")
    assert f.margin_after_returns == Decimal("99.15") / Decimal("300")
    # the category with its subtree holds the product; FASHION is not reported here
    assert analysis.categories[WOMEN].returned_units == 4 and analysis.categories[PHONES].units_sold == 0


def test_an_analysis_survives_the_cache():
    import pickle

    # given an analysis with sales, returns and reasons (the cache pickles it)
    analysis = analyse(
        sales=[sale(1, WOMEN, 10, revenue="500.10", cogs="200", restocked="20")],
        returns=[returned(1, WOMEN, SIZE_SMALL, 4, value="200.0001", share="2.1666666667", written_off="20")],
        category_paths=PATHS, handling_cost=Decimal("6.95"),
    ).settle()
    # when it is read back, then every figure is the same, exactly
    back = pickle.loads(pickle.dumps(analysis))
    for before, after in ((analysis.total, back.total), (analysis.products[1][1], back.products[1][1]),
                          (analysis.reasons[SIZE_SMALL], back.reasons[SIZE_SMALL])):
        assert [getattr(after, n) for n in (*after._MONEY, *after._COUNTS)] == [
            getattr(before, n) for n in (*before._MONEY, *before._COUNTS)]
        assert after.reason_units == before.reason_units
    assert back.total.returns == Decimal("2.1666666667") and back.total.margin_after_returns == analysis.total.margin_after_returns
