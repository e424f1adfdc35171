"""Same seed and same day give the same data, byte for byte; another seed gives other data."""

import io

import pytest
from django.core.management import call_command

from tests.demo.conftest import TODAY, digest_of_shop_data

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--orders", "800", "--today", TODAY.isoformat(), "--flush", *args, stdout=out)
    return out.getvalue()


def test_same_seed_and_day_give_identical_rows_in_every_table():
    # given one seeded database
    seed("--seed", "11")
    first = digest_of_shop_data()
    # when it is flushed and seeded again with the same arguments
    seed("--seed", "11")
    # then every row of every table is the same
    assert digest_of_shop_data() == first


def test_another_seed_gives_other_data():
    seed("--seed", "11")
    first = digest_of_shop_data()
    seed("--seed", "12")
    assert digest_of_shop_data() != first


def test_summary_names_every_table_and_the_time_taken():
    out = seed("--seed", "11")
    for table in ("categories", "products", "price_changes", "competitor_prices", "customers", "orders",
                  "order_lines", "shipments", "invoices", "payments", "returns", "return_lines", "reviews",
                  "traffic_days", "marketing_spend"):
        assert table in out
    assert "Done in" in out
