"""The Olist sample (20,864 real marketplace orders, 2016-09 to 2018-10): converted with
scripts/convert_olist.py, imported with `import_csv`, the facts computed with `compute_metrics
--all`, then the KPI API checked two ways, each independent of the metrics engine:

- the whole period's figures worked out here from Olist's own files (not from the converted
  files, not from the database): orders, units, revenue, cancellations, customers, on-time rate,
  delivery time, ratings;
- every KPI key from the raw-row reference (tests/kpis/reference.py) for Black Friday 2017, its
  month, both Brazilian summer-time switches, a category and a manager of two categories.

What the sample brings that hand-made data does not: 155 orders without items (one of them
invoiced, the others cancelled), deliveries handed to the carrier before the order was placed,
evening deliveries in São Paulo that fall on the next Berlin day, reviews of orders with several
products. Skipped without the data folder, failing in CI.
"""

import datetime as dt
import io
import statistics
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from catalog.models import Category
from sales.models import Order, OrderLine, Review, Shipment
from shopmgr.core import roles
from tests.conftest import read_csv, user_with_role
from tests.kpis import reference
from tests.kpis.conftest import get_kpis, module_data

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
KINDS = ("categories", "products", "customers", "orders", "order_lines", "shipments", "reviews")
CANCELLED = {"canceled", "unavailable"}
WHOLE = {"date_from": "2016-09-01", "date_to": "2018-10-31"}


def raw(source, name) -> list[dict[str, str]]:
    return read_csv(source / name, encoding="utf-8-sig")


def sao_paulo(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SAO_PAULO)


def rounded(value, places: int) -> str:
    return str(Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def whole_period_figures(source) -> dict:
    """DESIGN §4 over every order of the sample, from Olist's files: an order is live unless
    canceled or unavailable; revenue is Σ item price (one unit per item, no VAT); a shipment is
    one handed to the carrier and delivered, on time when its delivery's Berlin date is no later
    than the estimated date; a rating is an order's latest review, given that the order has items."""
    orders = raw(source, "olist_orders_dataset.csv")
    items = defaultdict(list)
    for item in raw(source, "olist_order_items_dataset.csv"):
        items[item["order_id"]].append(Decimal(item["price"]))
    unique = {r["customer_id"]: r["customer_unique_id"] for r in raw(source, "olist_customers_dataset.csv")}
    live = [o for o in orders if o["order_status"] not in CANCELLED]
    delivered = [o for o in live if o["order_delivered_carrier_date"] and o["order_delivered_customer_date"]]
    on_time = [
        sao_paulo(o["order_delivered_customer_date"]).astimezone(BERLIN).date()
        <= dt.date.fromisoformat(o["order_estimated_delivery_date"][:10])
        for o in delivered
    ]
    days = [
        (sao_paulo(o["order_delivered_customer_date"]) - sao_paulo(o["order_purchase_timestamp"])).total_seconds()
        / 86400
        for o in delivered
    ]
    latest = {}
    for review in raw(source, "olist_order_reviews_dataset.csv"):
        key = (review["review_answer_timestamp"], review["review_id"])
        if review["order_id"] not in latest or key > latest[review["order_id"]][0]:
            latest[review["order_id"]] = (key, int(review["review_score"]))
    ratings = [latest[o["order_id"]][1] for o in live if o["order_id"] in latest and items[o["order_id"]]]
    return {
        "orders": len(live),
        "units_sold": sum(len(items[o["order_id"]]) for o in live),
        "revenue": rounded(sum((sum(items[o["order_id"]], Decimal(0)) for o in live), Decimal(0)), 2),
        "cancellation_rate": rounded(Decimal(len(orders) - len(live)) / len(orders), 4),
        "new_customers": len({unique[o["customer_id"]] for o in live}),
        "on_time_rate": rounded(Decimal(sum(on_time)) / len(on_time), 4),
        "avg_delivery_days": rounded(Decimal(repr(statistics.fmean(days))), 2),
        "avg_rating": rounded(Decimal(sum(ratings)) / len(ratings), 2),
        "csat": rounded(Decimal(sum(r >= 4 for r in ratings)) / len(ratings), 4),
    }


@pytest.fixture(scope="module")
def imported(converted, django_db_setup, django_db_blocker):
    outdir, summary = converted

    def build():
        for kind in KINDS:
            call_command("import_csv", kind, str(outdir / f"{kind}.csv"), stdout=io.StringIO())
        return outdir, summary

    with module_data(django_db_blocker, build) as data:
        yield data


def test_conversion_keeps_every_order_item_and_latest_review(olist_source, converted):
    # given the whole sample converted
    _, summary = converted

    # then every order and item is written, one review per order with items
    assert summary.rows["orders"] == len(raw(olist_source, "olist_orders_dataset.csv")) == 20_864
    assert summary.rows["order_lines"] == len(raw(olist_source, "olist_order_items_dataset.csv")) == 23_670
    assert summary.skipped["(written) order without items"] == 155
    assert summary.rows["reviews"] == 20_547
    assert summary.skipped["earlier review of the same order"] == 97


def test_import_holds_what_the_files_hold(imported):
    # given the sample imported, then the rows are there
    assert Order.objects.count() == 20_864
    assert OrderLine.objects.count() == 23_670
    assert Shipment.objects.count() == 20_493
    assert Review.objects.count() == 20_547
    assert Order.objects.filter(lines=None).exclude(status=Order.Status.CANCELLED).count() == 1


def test_whole_period_equals_the_figures_from_olist_s_own_files(client, imported, olist_source):
    # given the sample imported and its facts computed, and the shop manager
    client.force_login(user_with_role(roles.SHOP_MANAGERS, username="shop"))

    # when the API is asked for every day of the sample
    kpis = get_kpis(client, **WHOLE)["kpis"]

    # then its figures are those worked out from Olist's files
    expected = whole_period_figures(olist_source)
    assert {key: kpis[key] for key in expected} == expected
    # (the figures, written out: 20,864 orders of which 146 canceled and 121 unavailable)
    assert expected["orders"] == 20_597
    assert expected["cancellation_rate"] == "0.0128"  # 267 / 20,864 = 0.012797


def test_api_equals_the_raw_row_reference_for_every_key(client, imported, monkeypatch):
    # given the shop manager and a manager of two categories (the reference reads the 20,864
    # orders once for all seven answers: nothing changes in between)
    orders = reference._load_orders()
    monkeypatch.setattr(reference, "_load_orders", lambda: orders)
    shop = user_with_role(roles.SHOP_MANAGERS, username="shop")
    manager = user_with_role(roles.CATEGORY_MANAGERS, username="manager")
    for code in ("OL-BED-BATH-TABLE", "OL-HEALTH-BEAUTY"):
        Category.objects.get(code=code).managers.add(manager)
    periods = [
        ("2017-11-24", "2017-11-24"),  # Black Friday
        ("2017-11-01", "2017-11-30"),
        ("2017-10-15", "2017-10-15"),  # São Paulo summer time begins (midnight → 01:00)
        ("2018-02-18", "2018-02-18"),  # … and ends (midnight → 23:00 of the day before)
    ]

    # then every key of every period equals the reference for the shop, and of some for a category
    # and the manager
    for user, category, asked in [(shop, None, periods), (shop, "OL-BED-BATH-TABLE", periods[1:2]),
                                  (manager, None, periods[::2])]:
        client.force_login(user)
        for first, last in asked:
            answer = get_kpis(client, date_from=first, date_to=last, category=category)["kpis"]
            expected = reference.api_answer(
                user, date_from=dt.date.fromisoformat(first), date_to=dt.date.fromisoformat(last), category=category
            )["kpis"]
            assert answer == expected, (user.username, category, first, last)
