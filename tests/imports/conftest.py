"""Helpers for the import tests: write a CSV file, run one import."""

import datetime as dt
import itertools
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from shopmgr.core.csvimport import ImportResult, import_csv_file
from tests.catalog.factories import ProductFactory
from tests.sales.factories import CustomerFactory, OrderFactory, OrderLineFactory


@pytest.fixture
def write_csv(tmp_path):
    """Write `content` (text, dedented, or raw bytes) to a fresh file and return its path."""
    numbers = itertools.count(1)

    def write(content: str | bytes) -> Path:
        path = tmp_path / f"upload{next(numbers)}.csv"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
        return path

    return write


@pytest.fixture
def run_import(write_csv):
    def run(kind: str, content: str | bytes) -> ImportResult:
        return import_csv_file(kind=kind, path=write_csv(content))

    return run


def messages(problems) -> list[str]:
    return [str(problem) for problem in problems]


@pytest.fixture
def shop(db, category_tree):
    """Two products, one customer, one order A-1 (placed 2026-03-02 11:00 Berlin) with two lines."""
    dress = ProductFactory(sku="FW-1001", category=category_tree["women"], price=Decimal("59.95"))
    phone = ProductFactory(sku="EL-3001", category=category_tree["phones"], price=Decimal("499.00"))
    customer = CustomerFactory(external_id="K-1")
    order = OrderFactory(external_id="A-1", customer=customer,
                         placed_at=dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC))
    line1 = OrderLineFactory(order=order, line_no=1, product=dress, quantity=2, unit_price=Decimal("59.95"))
    line2 = OrderLineFactory(order=order, line_no=2, product=phone, quantity=1, unit_price=Decimal("499.00"))
    return {"dress": dress, "phone": phone, "customer": customer, "order": order, "line1": line1, "line2": line2,
            **category_tree}
