"""Well-formed but implausible values are imported and reported as warnings with their line."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from sales.models import Invoice, Payment, Review, Shipment
from tests.imports.conftest import messages

pytestmark = pytest.mark.django_db

SHIPMENTS_HEADER = "order_id,carrier,shipped_at,promised_by,delivered_at,shipping_cost\n"


def test_implausible_shipment_dates_are_imported_with_warnings(shop, run_import):
    # given order A-1 was placed 2026-03-02 11:00 Berlin; the shipment left an hour earlier
    # and was delivered before it left
    content = SHIPMENTS_HEADER + "A-1,DHL,2026-03-02T10:00:00+01:00,2026-03-05,2026-03-02T09:00:00+01:00,4.10\n"

    # when
    result = run_import("shipments", content)

    # then
    assert result.ok
    assert messages(result.sorted_warnings()) == [
        "line 2, column delivered_at: is before shipped_at (2026-03-02 09:00 < 2026-03-02 10:00)",
        "line 2, column shipped_at: is before the order was placed (2026-03-02 10:00 < 2026-03-02 11:00)",
    ]
    assert Shipment.objects.get().carrier == "DHL"


def test_a_plausible_shipment_has_no_warning(shop, run_import):
    # when
    result = run_import(
        "shipments", SHIPMENTS_HEADER + "A-1,DHL,2026-03-03T10:00:00+01:00,2026-03-05,2026-03-04T12:00,\n"
    )

    # then
    assert result.ok and result.warnings == []
    assert Shipment.objects.get().shipping_cost == Decimal("0")


def test_a_review_before_its_order_and_a_payment_before_its_invoice_are_warnings(shop, run_import):
    # when
    reviews = run_import("reviews", "order_id,sku,rating,created_at\nA-1,FW-1001,5,2026-03-01T10:00:00+01:00\n"
                                    "A-1,EL-3001,4,2026-03-09T10:00:00+01:00\n")
    invoices = run_import("invoices", "invoice_no,order_id,issued_on,due_on,amount\nRE-1,A-1,2026-03-02,2026-03-16,618.90\n")
    payments = run_import("payments", "invoice_no,paid_on,amount,method\nRE-1,2026-02-27,618.90,paypal\n")

    # then
    assert messages(reviews.warnings) == [
        "line 2, column created_at: is before the order was placed (2026-03-01 10:00 < 2026-03-02 11:00)"
    ]
    assert invoices.ok and invoices.warnings == []
    assert messages(payments.warnings) == [
        "line 2, column paid_on: is before the invoice was issued (2026-02-27 < 2026-03-02)"
    ]
    assert (Review.objects.count(), Invoice.objects.count(), Payment.objects.count()) == (2, 1, 1)


def test_the_command_prints_warnings_on_stdout(shop, write_csv, capsys):
    # given
    path = write_csv(SHIPMENTS_HEADER + "A-1,DHL,2026-03-01T10:00:00+01:00,2026-03-05,,\n")

    # when
    call_command("import_csv", "shipments", str(path))

    # then
    out = capsys.readouterr().out
    assert "warning: line 2, column shipped_at: is before the order was placed" in out
    assert "shipments: 1 row(s) read, 1 new" in out
