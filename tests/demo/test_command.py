"""seed_demo refuses bad input with a clear message and stores nothing."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog.models import Category, Product
from sales.models import Order
from tests.catalog.factories import CategoryFactory
from tests.core.factories import UserFactory
from tests.demo.conftest import TODAY

pytestmark = pytest.mark.django_db


def run(*args):
    call_command("seed_demo", *args, stdout=io.StringIO())


@pytest.mark.parametrize("orders", ["0", "-5", "abc", "2.5"])
def test_orders_must_be_a_positive_whole_number(orders):
    # when seed_demo is asked for no, negative or non-numeric orders
    with pytest.raises(CommandError, match="--orders"):
        run(f"--orders={orders}", "--today", TODAY.isoformat())
    # then nothing is stored
    assert not Order.objects.exists() and not Product.objects.exists()


def test_orders_as_keyword_argument_is_checked_too():
    with pytest.raises(CommandError, match="--orders must be at least 1"):
        call_command("seed_demo", orders=0, stdout=io.StringIO())


def test_today_must_be_a_date():
    with pytest.raises(CommandError, match="--today"):
        run("--orders", "10", "--today", "2026-13-01")


def test_refuses_to_seed_over_existing_shop_data_without_flush():
    # given a database that already has a category
    CategoryFactory(code="OWN", name="Own")
    # when seed_demo runs without --flush
    with pytest.raises(CommandError, match="--flush"):
        run("--orders", "50", "--today", TODAY.isoformat())
    # then the existing data is untouched and nothing was added
    assert list(Category.objects.values_list("code", flat=True)) == ["OWN"]
    assert not Order.objects.exists()


def test_flush_replaces_shop_data_and_keeps_category_managers():
    # given shop data with a manager assigned to FASHION
    run("--orders", "50", "--today", TODAY.isoformat())
    manager = UserFactory(username="cm")
    Category.objects.get(code="FASHION").managers.add(manager)
    CategoryFactory(code="OWN", name="Own")
    # when it is seeded again with --flush
    run("--orders", "60", "--today", TODAY.isoformat(), "--flush")
    # then only the new demo data is there, and FASHION still has its manager
    assert Order.objects.count() == 60
    assert not Category.objects.filter(code="OWN").exists()
    assert list(Category.objects.get(code="FASHION").managers.all()) == [manager]


@pytest.mark.django_db
def test_if_empty_keeps_existing_shop_data():
    # given a database with demo data
    call_command("seed_demo", "--orders", "300", "--today", "2026-11-26", stdout=io.StringIO())
    before = Order.objects.count()
    # when make run starts again (seed_demo --if-empty)
    out = io.StringIO()
    call_command("seed_demo", "--orders", "500", "--if-empty", "--today", "2026-11-26", stdout=out)
    # then nothing is reseeded and the command succeeds with a plain message
    assert Order.objects.count() == before
    assert "already loaded" in out.getvalue()
