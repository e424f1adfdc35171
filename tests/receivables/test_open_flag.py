"""Invoice.is_open, kept by database triggers (sales 0005): it must never say "closed" while money is
open (the lists would hide the invoice); a row it calls open that is not is only dropped by the exact
check. Every write path: the payment service, the ORM, bulk inserts (the COPY of seed_demo), the
CSV import's upsert, queryset updates, raw SQL, deletes, an invoice amount raised or lowered, and a
stale flag written back by Model.save(). Runs on PostgreSQL and SQLite.
"""

import datetime as dt
import random
from decimal import Decimal as D

import pytest
from django.db import connection

from returns.models import PaymentEntry
from returns.receivables import selectors, services
from sales.models import Invoice, Payment
from shopmgr.core import bulk
from shopmgr.core.csvimport.service import import_csv_file
from shopmgr.core.dates import berlin_today
from tests.receivables.factories import PaymentFactory, invoice_for

pytestmark = pytest.mark.django_db

# Payments a few days back: the triggers count payments up to the UTC day, which is a day behind
# Berlin's for an hour or two after Berlin's midnight.
TODAY = berlin_today()
PAST = TODAY - dt.timedelta(days=3)


def flag(invoice) -> bool:
    return Invoice.objects.values_list("is_open", flat=True).get(pk=invoice.pk)


def exactly_open(invoice, as_of=None) -> bool:
    as_of = as_of or TODAY
    return selectors.invoices_with_open_amount(as_of).filter(pk=invoice.pk, open_amount__gte=selectors.OPEN_FROM).exists()


def assert_consistent():
    """No invoice open by the exact rule that the flag calls closed; no closed one it calls open
    (every payment here is dated in the past)."""
    for invoice in Invoice.objects.all():
        assert flag(invoice) == exactly_open(invoice), (invoice.number, invoice.amount, list(
            invoice.payments.values_list("paid_on", "amount")))


def test_the_triggers_exist():
    """A table rebuild (SQLite remakes a table for some schema changes) drops its triggers silently."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'sales_%%open%%' AND NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'sales_%open%'")
        names = {row[0] for row in cursor.fetchall()}
    assert names == {"sales_payment_open_ins", "sales_payment_open_upd", "sales_payment_open_del",
                     "sales_invoice_open_ins", "sales_invoice_open_upd"}


def test_payment_service_part_full_and_deleted(accountant):
    invoice = invoice_for(amount=D("100.00"))
    assert flag(invoice) is True
    services.payment_enter(invoice_number=invoice.number, paid_on=PAST, amount=D("60.00"), by=accountant)
    assert flag(invoice) is True
    payment = services.payment_enter(invoice_number=invoice.number, paid_on=PAST, amount=D("40.00"), by=accountant)
    assert flag(invoice) is False
    PaymentEntry.objects.filter(payment=payment).delete()
    payment.delete()  # a payment booked by mistake is removed
    assert flag(invoice) is True
    assert_consistent()


def test_orm_update_of_a_payment_reopens_and_closes():
    invoice = invoice_for(amount=D("50.00"))
    payment = PaymentFactory(invoice=invoice, paid_on=PAST, amount=D("50.00"))
    assert flag(invoice) is False
    payment.amount = D("49.99")
    payment.save()
    assert flag(invoice) is True
    Payment.objects.filter(pk=payment.pk).update(amount=D("50.00"))
    assert flag(invoice) is False
    # dated after today: open today (the exact rule counts payments up to the as-of day)
    Payment.objects.filter(pk=payment.pk).update(paid_on=TODAY + dt.timedelta(days=3))
    assert flag(invoice) is True and exactly_open(invoice)
    assert invoice in selectors.open_invoices(as_of=TODAY)


def test_a_payment_moved_to_another_invoice_reopens_the_first():
    first, second = invoice_for(amount=D("30.00")), invoice_for(amount=D("30.00"))
    payment = PaymentFactory(invoice=first, paid_on=PAST, amount=D("30.00"))
    assert (flag(first), flag(second)) == (False, True)
    Payment.objects.filter(pk=payment.pk).update(invoice=second)
    assert (flag(first), flag(second)) == (True, False)


def test_invoice_amount_raised_and_lowered():
    invoice = invoice_for(amount=D("80.00"))
    PaymentFactory(invoice=invoice, paid_on=PAST, amount=D("80.00"))
    assert flag(invoice) is False
    Invoice.objects.filter(pk=invoice.pk).update(amount=D("80.01"))
    assert flag(invoice) is True
    invoice.refresh_from_db()
    invoice.amount = D("75.00")
    invoice.save()
    assert flag(invoice) is False
    assert flag(invoice_for(amount=D("0.00"))) is False  # nothing to pay: never open


def test_a_stale_flag_written_back_by_save_is_recomputed():
    invoice = invoice_for(amount=D("20.00"))
    stale = Invoice.objects.get(pk=invoice.pk)  # read while open
    PaymentFactory(invoice=invoice, paid_on=PAST, amount=D("20.00"))
    assert flag(invoice) is False
    stale.due_on = stale.due_on + dt.timedelta(days=1)
    stale.save()  # writes is_open=True (read before the payment)
    assert flag(invoice) is False
    # and the other way round: a payment deleted after the invoice was read as closed
    closed = Invoice.objects.get(pk=invoice.pk)
    Payment.objects.filter(invoice=invoice).delete()
    closed.save()  # writes is_open=False
    assert flag(invoice) is True


def test_bulk_insert_as_seed_demo_writes_payments(accountant):
    invoices = [invoice_for(amount=D("10.00")) for _ in range(4)]
    rows = [(inv.pk, PAST, D("10.00"), "transfer") for inv in invoices[:3]]
    rows.append((invoices[3].pk, PAST, D("9.99"), "transfer"))
    bulk.copy_insert(Payment, ["invoice", "paid_on", "amount", "method"], rows)
    assert [flag(inv) for inv in invoices] == [False, False, False, True]
    # an invoice written with a flag that is wrong, as a COPY might
    bulk.copy_insert(Invoice, ["number", "order", "issued_on", "due_on", "amount", "default_notice", "is_open"],
                     [("RE-COPY", invoices[0].order_id, PAST, TODAY, D("5.00"), False, False)])
    assert flag(Invoice.objects.get(number="RE-COPY")) is True


def test_csv_import_upsert_of_payments(tmp_path):
    invoice = invoice_for(amount=D("70.00"), number="RE-CSV")
    path = tmp_path / "payments.csv"
    path.write_text(f"invoice_no,paid_on,amount,method\nRE-CSV,{PAST},70.00,paypal\n", encoding="utf-8")
    result = import_csv_file(kind="payments", path=path)
    assert result.ok, result.errors
    assert flag(invoice) is False
    # the upsert path (a known key): the same file again changes nothing
    assert import_csv_file(kind="payments", path=path).ok
    assert flag(invoice) is False
    bulk.upsert(Payment, ["invoice", "paid_on", "amount"], ["invoice", "paid_on", "amount", "method"],
                [(invoice.pk, PAST, D("70.00"), "cash")])
    assert flag(invoice) is False


def test_raw_sql_insert_update_delete():
    invoice = invoice_for(amount=D("12.34"))
    table, q = Payment._meta.db_table, connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {q(table)} (invoice_id, paid_on, amount, method, changed_at) "
                       f"VALUES (%s, %s, %s, '', %s)", [invoice.pk, PAST, D("12.34"), PAST])
        assert flag(invoice) is False
        cursor.execute(f"UPDATE {q(table)} SET amount = %s WHERE invoice_id = %s", [D("12.33"), invoice.pk])
        assert flag(invoice) is True
        cursor.execute(f"UPDATE {q(table)} SET amount = %s WHERE invoice_id = %s", [D("12.34"), invoice.pk])
        assert flag(invoice) is False
        cursor.execute(f"DELETE FROM {q(table)} WHERE invoice_id = %s", [invoice.pk])
        assert flag(invoice) is True
        # writing the flag by hand does not stick
        cursor.execute(f"UPDATE {q(Invoice._meta.db_table)} SET is_open = %s WHERE id = %s", [False, invoice.pk])
        assert flag(invoice) is True


def test_float_sums_on_sqlite_do_not_close_or_open_wrongly():
    invoice = invoice_for(amount=D("40.38"))
    PaymentFactory(invoice=invoice, paid_on=PAST, amount=D("20.19"))
    PaymentFactory(invoice=invoice, paid_on=PAST - dt.timedelta(days=1), amount=D("20.19"))
    assert flag(invoice) is False and not exactly_open(invoice)


def test_random_writes_keep_the_flag_right():
    rng = random.Random(7)
    invoices = [invoice_for(amount=D(rng.choice(["9.99", "20.00", "40.38", "0.01", "100.00"]))) for _ in range(12)]
    for _step in range(150):
        invoice = rng.choice(invoices)
        payments = list(Payment.objects.filter(invoice=invoice))
        action = rng.random()
        if action < 0.45 or not payments:
            open_cents = int(invoice.amount * 100)
            cents = rng.choice([1, max(1, open_cents // 2), open_cents, open_cents + 5])
            Payment.objects.get_or_create(invoice=invoice, paid_on=PAST - dt.timedelta(days=rng.randrange(30)),
                                          amount=D(cents) / 100)
        elif action < 0.65:
            rng.choice(payments).delete()
        elif action < 0.8:
            payment = rng.choice(payments)
            Payment.objects.filter(pk=payment.pk).update(amount=max(D("0.01"), payment.amount - D("0.01")))
        else:
            invoice.amount = max(D("0.00"), invoice.amount + rng.choice([D("-5.00"), D("0.01"), D("3.00")]))
            invoice.save(update_fields=["amount"])
    assert_consistent()


def test_backdated_as_of_does_not_use_the_flag(accountant):
    """Paid in full three days ago: closed today (flag false), open the day before it was paid."""
    invoice = invoice_for(amount=D("15.00"), issued_on=PAST - dt.timedelta(days=20))
    PaymentFactory(invoice=invoice, paid_on=PAST, amount=D("15.00"))
    assert flag(invoice) is False
    assert invoice not in selectors.open_invoices(as_of=TODAY)
    assert invoice in selectors.open_invoices(as_of=PAST - dt.timedelta(days=1))
    lines, _warnings = services.compute_proposal(as_of=PAST - dt.timedelta(days=1))
    assert invoice.pk in {line.invoice_id for line in lines}


def test_open_items_and_ageing_today_use_the_flag_and_keep_the_exact_check(accountant):
    open_one = invoice_for(amount=D("25.00"), issued_on=PAST - dt.timedelta(days=40))
    paid = invoice_for(amount=D("25.00"), issued_on=PAST - dt.timedelta(days=40))
    PaymentFactory(invoice=paid, paid_on=PAST, amount=D("25.00"))
    future = invoice_for(amount=D("25.00"), issued_on=PAST - dt.timedelta(days=40))
    PaymentFactory(invoice=future, paid_on=TODAY + dt.timedelta(days=2), amount=D("25.00"))
    items = list(selectors.open_items(user=accountant, today=TODAY))
    assert {i.pk for i in items} == {open_one.pk, future.pk}
    # two days on, the future payment counts: the flag (written before) still says open, the exact
    # check drops the row
    later = TODAY + dt.timedelta(days=2)
    assert flag(future) is True
    assert {i.pk for i in selectors.open_items(user=accountant, today=later)} == {open_one.pk}
    assert selectors.ageing_figures(today=TODAY)["count"] == 2
    assert selectors.ageing_figures(today=later)["count"] == 1
    # PostgreSQL reads the flag (partial index); SQLite, whose table rebuilds drop triggers, does not
    from django.db.models import Q

    assert selectors.open_flag_q(TODAY) == (Q(is_open=True) if connection.vendor == "postgresql" else Q())
    assert selectors.open_flag_q(later) == selectors.open_flag_q(TODAY)
    assert selectors.open_flag_q(TODAY - dt.timedelta(days=1)) == Q()  # backdated: every invoice checked
