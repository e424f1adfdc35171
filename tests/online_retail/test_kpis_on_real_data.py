"""The KPI API on real data: the first 20,000 lines of UCI Online Retail (759 orders of up to a
few hundred lines each, spread over eleven categories, with credit notes returning units across
orders), converted, imported with `import_csv`, the facts computed with `compute_metrics --all`.

Two checks, each independent of the metrics engine:

- the headline figures (orders, units, revenue, returned units and value, COGS) computed here
  straight from the converted CSV files, without the database;
- every KPI key from the raw-row reference (tests/kpis/reference.py) for every day of the slice,
  the whole slice, each category and a category manager of two categories.

Skipped without the data folder, failing in CI (tests/online_retail/conftest.py).
"""

import datetime as dt
import io
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from catalog.models import Category
from kpis.registry import KEYS
from shopmgr.core import roles
from tests.conftest import read_csv, user_with_role
from tests.kpis import reference
from tests.kpis.conftest import get_kpis, module_data

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
KINDS = ("categories", "products", "customers", "orders", "order_lines", "returns")


def berlin_day(text: str) -> dt.date:
    return dt.datetime.fromisoformat(text).astimezone(BERLIN).date()


def cents(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def headline_figures(outdir, first: dt.date, last: dt.date) -> dict[str, int | str]:
    """orders, units_sold, revenue, returned_units, returned_value and cogs of the orders placed on
    the Berlin days first..last, from the CSV files alone (DESIGN §4: revenue is the line net,
    which is quantity × price − discount at the converter's 0 % VAT; a return line's value is the
    line net × returned / ordered units, kept to four decimals; restocked units give back their
    cost)."""
    orders = {
        r["order_id"]: r
        for r in read_csv(outdir / "orders.csv")
        if r["status"] != "cancelled" and first <= berlin_day(r["placed_at"]) <= last
    }
    lines = {
        (r["order_id"], r["line_no"]): r for r in read_csv(outdir / "order_lines.csv") if r["order_id"] in orders
    }
    units = revenue = cogs = Decimal(0)
    for line in lines.values():
        quantity = Decimal(line["quantity"])
        revenue += quantity * Decimal(line["unit_price"]) - Decimal(line["discount"] or 0)
        cogs += quantity * Decimal(line["unit_cost"])
        units += quantity
    returned_units, returned_value = 0, Decimal(0)
    for ret in read_csv(outdir / "returns.csv"):
        line = lines.get((ret["order_id"], ret["line_no"]))
        if line is None or not ret["received_at"]:
            continue
        quantity = int(ret["quantity"])
        net = int(line["quantity"]) * Decimal(line["unit_price"]) - Decimal(line["discount"] or 0)
        returned_units += quantity
        returned_value += (net * quantity / int(line["quantity"])).quantize(Decimal("0.0001"), ROUND_HALF_UP)
        if ret["disposition"] == "restock":
            cogs -= quantity * Decimal(line["unit_cost"])
    return {
        "orders": len(orders),
        "units_sold": int(units),
        "revenue": cents(revenue),
        "returned_units": returned_units,
        "returned_value": cents(returned_value),
        "cogs": cents(cogs),
    }


@pytest.fixture(scope="module")
def imported_slice(converted_slice, django_db_setup, django_db_blocker):
    """The slice imported and its facts computed once for this module (rolled back afterwards):
    (output folder, its Berlin days)."""
    outdir, _ = converted_slice

    def build():
        for kind in KINDS:
            call_command("import_csv", kind, str(outdir / f"{kind}.csv"), stdout=io.StringIO())
        return outdir, sorted({berlin_day(r["placed_at"]) for r in read_csv(outdir / "orders.csv")})

    with module_data(django_db_blocker, build) as data:
        yield data


def test_api_headline_figures_equal_the_csv_files(client, imported_slice):
    # given the slice imported and its facts computed
    outdir, days = imported_slice
    client.force_login(user_with_role(roles.SHOP_MANAGERS))

    # when the API is asked for the whole slice and for each of its days
    for first, last in [(days[0], days[-1]), *[(d, d) for d in days]]:
        answer = get_kpis(client, date_from=first.isoformat(), date_to=last.isoformat())["kpis"]

        # then its headline figures are those summed from the CSV files
        expected = headline_figures(outdir, first, last)
        assert {key: answer[key] for key in expected} == expected, (first, last)

    # and the whole slice's revenue is every written line (the converter's own total, checked
    # against the raw source in test_convert_online_retail.py)
    whole = get_kpis(client, date_from=days[0].isoformat(), date_to=days[-1].isoformat())["kpis"]
    assert whole["revenue"] == "356873.59"
    assert whole["orders"] == 759


def test_api_equals_the_raw_row_reference_for_every_key(client, imported_slice):
    # given the slice imported and its facts computed, a shop manager and a manager of two
    # categories of different sizes
    _, days = imported_slice
    shop = user_with_role(roles.SHOP_MANAGERS, username="shop")
    categories = list(Category.objects.exclude(parent=None).order_by("code"))
    assert len(categories) >= 2
    manager = user_with_role(roles.CATEGORY_MANAGERS, username="manager")
    for category in (categories[0], categories[-1]):
        category.managers.add(manager)
    periods = [(days[0], days[-1]), (days[0], days[0]), (days[2], days[4]), (days[-2], days[-1])]

    # when the API is asked for every period: whole shop, each category, the manager's scope
    client.force_login(shop)
    for first, last in periods:
        asked = [None] + [c.code for c in categories] if (first, last) == periods[0] else [None, categories[0].code]
        for code in asked:
            answer = get_kpis(client, date_from=first.isoformat(), date_to=last.isoformat(), category=code)

            # then every key equals the reference computed from the raw rows
            expected = reference.api_answer(shop, date_from=first, date_to=last, category=code)
            assert set(answer["kpis"]) == set(KEYS)
            assert answer["kpis"] == expected["kpis"], (first, last, code)
    client.force_login(manager)
    for first, last in periods:
        answer = get_kpis(client, date_from=first.isoformat(), date_to=last.isoformat())
        expected = reference.api_answer(manager, date_from=first, date_to=last)
        assert answer["kpis"] == expected["kpis"], (first, last)


def test_real_orders_span_several_categories_and_returns_reach_back(imported_slice):
    # given the slice imported (what makes the two tests above worth running on it)
    outdir, _ = imported_slice
    lines = read_csv(outdir / "order_lines.csv")
    category_of = {r["sku"]: r["category_code"] for r in read_csv(outdir / "products.csv")}
    categories_per_order = defaultdict(set)
    for line in lines:
        categories_per_order[line["order_id"]].add(category_of[line["sku"]])
    returns = read_csv(outdir / "returns.csv")

    # then most orders span several categories, and some credit notes return units of orders
    # placed on an earlier day than the credit note
    assert sum(len(c) > 1 for c in categories_per_order.values()) > len(categories_per_order) // 2
    orders = {r["order_id"]: berlin_day(r["placed_at"]) for r in read_csv(outdir / "orders.csv")}
    assert any(berlin_day(r["received_at"]) > orders[r["order_id"]] for r in returns)
