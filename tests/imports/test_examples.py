"""The example files of docs/examples import, in the documented order, into an empty database."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from catalog.models import Category, Product, Supplier
from pricing.models import CompetitorPrice, PriceChange
from returns.models import Return, ReturnLine
from sales.models import (
    Customer,
    Invoice,
    MarketingSpend,
    Order,
    OrderLine,
    Payment,
    Review,
    Shipment,
    TrafficDay,
)
from shopmgr.core.csvimport import KINDS, import_csv_file

EXAMPLES = Path(settings.BASE_DIR) / "docs" / "examples"
IMPORT_DOC = Path(settings.BASE_DIR) / "docs" / "import.md"
TABLES = [
    Category, Supplier, Product, PriceChange, CompetitorPrice, Customer, Order, OrderLine, Shipment,
    Invoice, Payment, Review, TrafficDay, MarketingSpend, Return, ReturnLine,
]


def import_examples():
    return {kind: import_csv_file(kind=kind, path=EXAMPLES / f"{kind}.csv") for kind in KINDS}


def table_contents():
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in TABLES}


def test_there_is_one_example_file_per_kind_and_the_docs_name_every_kind():
    # given / when
    files = {path.stem for path in EXAMPLES.glob("*.csv")}
    doc = IMPORT_DOC.read_text(encoding="utf-8")

    # then
    assert files == set(KINDS)
    for kind, spec in KINDS.items():
        assert f"`{kind}`" in doc
        for column in spec.column_names():
            assert column in doc


@pytest.mark.django_db
def test_every_example_file_imports_in_order_into_an_empty_database():
    # given an empty database (only the seeded return reasons)
    assert Order.objects.count() == 0

    # when
    results = import_examples()

    # then every file is clean and fully new
    for kind, result in results.items():
        assert result.ok, (kind, [str(e) for e in result.errors])
        assert result.warnings == [], (kind, [str(w) for w in result.warnings])
        assert result.rows > 0
        assert result.created == result.rows, kind
    assert Category.objects.get(code="FASHION-WOMEN").path == "/FASHION/FASHION-WOMEN/"
    assert Supplier.objects.count() == 4
    book_line = OrderLine.objects.get(order__external_id="A-2026-0001", line_no=2)
    assert (book_line.vat_rate, book_line.net_amount) == (Decimal("0.07"), Decimal("22.43"))
    discounted = OrderLine.objects.get(order__external_id="A-2026-0001", line_no=1)
    assert (discounted.discount, discounted.net_amount) == (Decimal("10.00"), Decimal("92.35"))
    first_order = Order.objects.get(external_id="A-2026-0001")
    assert timezone.localtime(first_order.placed_at).date().isoformat() == "2026-03-29"
    assert set(Return.objects.values_list("status", flat=True)) == {Return.Status.CLOSED}
    assert Product.objects.get(sku="FW-1001").price == Decimal("59.95")


@pytest.mark.django_db
def test_importing_every_example_file_a_second_time_changes_nothing():
    # given
    import_examples()
    before = table_contents()

    # when
    again = import_examples()

    # then
    assert all(result.ok and result.created == 0 for result in again.values())
    assert table_contents() == before
