"""Collections services with worked numbers: payments, proposals, approval, blocks, hand-over."""

import csv
import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from returns.models import (
    DunningLevel,
    DunningNotice,
    DunningRun,
    HandedOverInvoice,
    PaymentEntry,
    Return,
)
from returns.receivables import services
from sales.models import Customer, Payment
from shopmgr.core.dates import berlin_today
from tests.receivables.factories import PaymentFactory, invoice_for

pytestmark = pytest.mark.django_db
d = dt.date


def _line(run, invoice):
    return run.lines.get(invoice=invoice)


# --- Payments ------------------------------------------------------------------------------------

def test_part_payment_is_recorded_with_who_and_when(accountant):
    invoice = invoice_for(amount=D("100.00"))
    payment = services.payment_enter(invoice_number=invoice.number, paid_on=d(2026, 3, 20), amount=D("40.00"),
                                     by=accountant)
    entry = PaymentEntry.objects.get(payment=payment)
    assert entry.entered_by == accountant and entry.entered_at is not None and not entry.overpayment
    services.payment_enter(invoice_number=invoice.number, paid_on=d(2026, 3, 21), amount=D("60.00"), by=accountant)
    assert sum(p.amount for p in invoice.payments.all()) == D("100.00")


def test_payment_above_the_open_amount_is_refused_unless_marked_as_overpayment(accountant):
    invoice = invoice_for(amount=D("100.00"))
    PaymentFactory(invoice=invoice, amount=D("30.00"))
    with pytest.raises(ValidationError, match="more than the open amount of 70.00"):
        services.payment_enter(invoice_number=invoice.number, paid_on=d(2026, 3, 20), amount=D("70.01"),
                               by=accountant)
    assert invoice.payments.count() == 1 and not PaymentEntry.objects.exists()
    services.payment_enter(invoice_number=invoice.number, paid_on=d(2026, 3, 20), amount=D("70.01"),
                           overpayment=True, by=accountant)
    assert PaymentEntry.objects.get().overpayment


@pytest.mark.parametrize(("number", "paid_on", "amount", "message"), [
    ("RE-NOPE", d(2026, 3, 20), "10.00", "There is no invoice RE-NOPE"),
    (None, berlin_today() + dt.timedelta(days=1), "10.00", "lies in the future"),
    (None, d(2026, 3, 20), "0.00", "more than zero"),
])
def test_bad_payments_are_refused_and_nothing_is_stored(accountant, number, paid_on, amount, message):
    invoice = invoice_for(amount=D("100.00"))
    with pytest.raises(ValidationError, match=message):
        services.payment_enter(invoice_number=number or invoice.number, paid_on=paid_on, amount=D(amount),
                               by=accountant)
    assert not Payment.objects.exists() and not PaymentEntry.objects.exists()


# --- Proposals -------------------------------------------------------------------------------------

def test_consumer_with_notice_reminder_then_first_dunning_notice_with_interest(accountant):
    # given 1,000 € to a consumer, due 15.03.2026, with the §286(3) notice on the invoice
    invoice = invoice_for(amount=D("1000.00"), issued_on=d(2026, 3, 1), due_on=d(2026, 3, 15), default_notice=True)
    # when a run is proposed 7 days after the due date
    run = services.dunning_run_propose(as_of=d(2026, 3, 22), by=accountant)
    line = _line(run, invoice)
    # then the payment reminder, no fee; not in default yet (30-day rule: from 15.04.2026) → no interest
    assert (line.level.number, line.days_overdue, line.fee, line.interest, line.total) == (
        1, 7, D("0.00"), D("0.00"), D("1000.00"))
    notices = services.dunning_run_approve(run=run, by=accountant)
    assert [(n.level.number, n.sent_on, n.total) for n in notices] == [(1, d(2026, 3, 22), D("1000.00"))]
    # when the next run comes 21 days after the due date (14 days after the reminder)
    run2 = services.dunning_run_propose(as_of=d(2026, 4, 5), by=accountant)
    line = _line(run2, invoice)
    # then the reminder (received 25.03) put the consumer in default from 26.03.2026:
    # 1,000 × (1.27 + 5) % × 10 days / 365 = 1.7178 → 1.72; fee 1.05; total 1,002.77
    assert (line.level.number, line.interest, line.fee, line.total) == (2, D("1.72"), D("1.05"), D("1002.77"))


def test_business_is_in_default_by_the_thirty_day_rule_and_owes_the_flat_fee_once(accountant):
    # given 10,000 € to a business, due 31.01.2026, no notice needed: 30 days → last day Mon 02.03
    invoice = invoice_for(kind=Customer.Kind.B2B, amount=D("10000.00"), issued_on=d(2026, 1, 1),
                          due_on=d(2026, 1, 31), default_notice=False)
    run = services.dunning_run_propose(as_of=d(2026, 3, 5), by=accountant)
    line = _line(run, invoice)
    # then in default from 03.03: 2 days × 10,000 × (1.27 + 9) % / 365 = 5.6274 → 5.63; 40 € §288(5)
    assert (line.level.number, line.days_overdue, line.interest, line.fee, line.total) == (
        1, 33, D("5.63"), D("40.00"), D("10045.63"))
    services.dunning_run_approve(run=run, by=accountant)
    # the next notice claims the 40 € once more in its total, never twice
    run2 = services.dunning_run_propose(as_of=d(2026, 3, 19), by=accountant)
    line = _line(run2, invoice)
    # 16 days × 10,000 × 10.27 % / 365 = 45.0192 → 45.02; fees 40 + 1.05
    assert (line.level.number, line.interest, line.fee, line.total) == (2, D("45.02"), D("41.05"), D("10086.07"))


def test_consumer_without_notice_is_not_in_default_before_a_reminder(accountant):
    invoice = invoice_for(amount=D("200.00"), due_on=d(2026, 3, 15), default_notice=False)
    PaymentFactory(invoice=invoice, paid_on=d(2026, 3, 10), amount=D("50.00"))
    run = services.dunning_run_propose(as_of=d(2026, 6, 1), by=accountant)
    line = _line(run, invoice)
    assert (line.level.number, line.open_amount, line.interest, line.total) == (1, D("150.00"), D("0.00"), D("150.00"))


def test_dispute_and_open_return_block_dunning_and_the_proposal_says_so(accountant):
    disputed = invoice_for(due_on=d(2026, 3, 15))
    services.dispute_flag_set(invoice=disputed, reason="Ware nie angekommen", by=accountant)
    returned = invoice_for(due_on=d(2026, 3, 15))
    Return.objects.create(external_id="R-1", order=returned.order, status=Return.Status.RECEIVED)
    refunded = invoice_for(due_on=d(2026, 3, 15))
    Return.objects.create(external_id="R-2", order=refunded.order, status=Return.Status.REFUNDED)
    run = services.dunning_run_propose(as_of=d(2026, 3, 22), by=accountant)
    assert (_line(run, disputed).level, _line(run, disputed).blocked_reason) == (None, "dispute")
    assert (_line(run, returned).level, _line(run, returned).blocked_reason) == (None, "open_return")
    assert _line(run, refunded).level.number == 1


def test_dispute_flag_records_who_and_when_and_can_be_lifted(accountant, shop_manager):
    invoice = invoice_for(due_on=d(2026, 3, 15))
    block = services.dispute_flag_set(invoice=invoice, reason="Rechnung falsch", by=accountant)
    with pytest.raises(ValidationError, match="already flagged"):
        services.dispute_flag_set(invoice=invoice, reason="nochmal", by=accountant)
    services.dispute_flag_lift(block=block, by=shop_manager)
    block.refresh_from_db()
    assert block.created_by == accountant and block.lifted_by == shop_manager and block.lifted_at
    run = services.dunning_run_propose(as_of=d(2026, 3, 22), by=accountant)
    assert _line(run, invoice).level.number == 1


def test_run_date_in_the_future_is_refused_and_nothing_stored(accountant):
    invoice_for(due_on=d(2026, 3, 15))
    with pytest.raises(ValidationError, match="future"):
        services.dunning_run_propose(as_of=berlin_today() + dt.timedelta(days=1), by=accountant)
    assert not DunningRun.objects.exists()


def test_levels_whose_days_do_not_increase_are_refused(accountant):
    # in the admin form (model validation) ...
    with pytest.raises(ValidationError, match="must increase"):
        DunningLevel(number=5, name_en="x", name_de="x", days_overdue=30, letter_text_en="x",
                     letter_text_de="x").full_clean()
    # ... and a run never works with a broken configuration (say, written around the admin)
    DunningLevel.objects.filter(number=3).update(days_overdue=10)
    invoice_for(due_on=d(2026, 3, 15))
    with pytest.raises(ValidationError, match=r"level 3 \(10 days\) must start later than level 2 \(21 days\)"):
        services.dunning_run_propose(as_of=d(2026, 3, 22), by=accountant)
    assert not DunningRun.objects.exists()


def test_approval_skips_excluded_lines_and_cannot_happen_twice(accountant, shop_manager):
    kept, excluded = invoice_for(due_on=d(2026, 3, 15)), invoice_for(due_on=d(2026, 3, 15))
    run = services.dunning_run_propose(as_of=d(2026, 3, 22), by=accountant)
    services.dunning_line_exclude(line=_line(run, excluded), excluded=True, by=accountant)
    notices = services.dunning_run_approve(run=run, by=accountant)
    assert [n.invoice for n in notices] == [kept]
    run.refresh_from_db()
    assert (run.status, run.approved_by) == (DunningRun.Status.APPROVED, accountant)
    with pytest.raises(ValidationError, match="already approved"):
        services.dunning_run_approve(run=run, by=shop_manager)
    with pytest.raises(ValidationError, match="can no longer change"):
        services.dunning_line_exclude(line=_line(run, kept), excluded=True, by=accountant)
    assert DunningNotice.objects.count() == 1


def test_a_payment_entered_after_the_proposal_counts_at_approval(accountant):
    invoice = invoice_for(amount=D("100.00"), due_on=d(2026, 3, 15))
    run = services.dunning_run_propose(as_of=d(2026, 3, 22), by=accountant)
    services.payment_enter(invoice_number=invoice.number, paid_on=d(2026, 3, 21), amount=D("100.00"), by=accountant)
    assert services.dunning_run_approve(run=run, by=accountant) == []
    assert _line(run, invoice).blocked_reason == "no_longer_open"


def test_a_new_proposal_replaces_the_one_waiting(accountant):
    invoice_for(due_on=d(2026, 3, 15))
    first = services.dunning_run_propose(as_of=d(2026, 3, 22), by=accountant)
    services.dunning_run_propose(as_of=d(2026, 3, 23), by=accountant)
    first.refresh_from_db()
    assert first.status == DunningRun.Status.DISCARDED
    with pytest.raises(ValidationError, match="discarded"):
        services.dunning_run_approve(run=first, by=accountant)


def test_a_backdated_run_never_sends_a_level_again(accountant):
    invoice = invoice_for(due_on=d(2026, 3, 15))
    services.dunning_run_approve(run=services.dunning_run_propose(as_of=d(2026, 4, 10), by=accountant), by=accountant)
    # 09.04. is 25 days overdue (level 2 needs 21), but the reminder is dated 10.04.
    run = services.dunning_run_propose(as_of=d(2026, 4, 9), by=accountant)
    assert (_line(run, invoice).level, _line(run, invoice).blocked_reason) == (None, "min_interval")
    assert services.dunning_run_approve(run=run, by=accountant) == []


# --- The whole way to the collection agency --------------------------------------------------------

def _dun_through_all_levels(invoice, by):
    for as_of in (d(2026, 3, 22), d(2026, 4, 5), d(2026, 4, 19), d(2026, 5, 3)):
        run = services.dunning_run_propose(as_of=as_of, by=by)
        services.dunning_run_approve(run=run, by=by)
    return list(invoice.dunning_notices.order_by("sent_on").values_list("level__number", "sent_on", "fee", "total"))


def test_all_levels_then_hand_over_to_the_collection_agency(accountant):
    invoice = invoice_for(kind=Customer.Kind.B2C, amount=D("500.00"), issued_on=d(2026, 3, 1),
                          due_on=d(2026, 3, 15), default_notice=False)
    # reminder 22.03 (received 25.03, default from 26.03); 1st and 2nd notice; hand-over announcement
    # interest at 6.27 %: 500 × 6.27 % × 10/365 = 0.86; × 24/365 = 2.06; × 38/365 = 3.26
    assert _dun_through_all_levels(invoice, accountant) == [
        (1, d(2026, 3, 22), D("0.00"), D("500.00")),
        (2, d(2026, 4, 5), D("1.05"), D("501.91")),
        (3, d(2026, 4, 19), D("2.10"), D("504.16")),
        (4, d(2026, 5, 3), D("2.10"), D("505.36")),
    ]
    handover = services.collection_handover(invoice_ids=[invoice.pk], by=accountant, as_of=d(2026, 5, 10))
    rows = list(csv.DictReader(io.StringIO(handover.csv_text)))
    assert len(rows) == 1
    row = rows[0]
    assert list(row) == services.HANDOVER_COLUMNS
    # 45 days in default (26.03 – 09.05): 500 × 6.27 % × 45/365 = 3.8651 → 3.87
    assert (row["invoice_no"], row["debtor_kind"], row["interest_amount"], row["fees_total"], row["total_claim"]) == (
        invoice.number, "consumer", "3.87", "2.10", "505.97")
    assert row["interest_basis"] == "base rate + 5 points (§288 BGB)"
    assert row["reminders"] == "1:2026-03-22; 2:2026-04-05; 3:2026-04-19; 4:2026-05-03"
    assert (row["default_since"], row["limitation_date"], row["notice_286_3"]) == ("2026-03-26", "2029-12-31", "false")
    assert HandedOverInvoice.objects.get().handover == handover and handover.created_by == accountant
    # the invoice leaves the dunning runs
    run = services.dunning_run_propose(as_of=d(2026, 5, 20), by=accountant)
    assert not run.lines.filter(invoice=invoice).exists()
    with pytest.raises(ValidationError, match="Only open invoices that received the last dunning level"):
        services.collection_handover(invoice_ids=[invoice.pk], by=accountant, as_of=d(2026, 5, 20))


def test_hand_over_refuses_invoices_below_the_last_level(accountant):
    invoice = invoice_for(due_on=d(2026, 3, 15))
    with pytest.raises(ValidationError, match=invoice.number):
        services.collection_handover(invoice_ids=[invoice.pk], by=accountant)
    assert not HandedOverInvoice.objects.exists()


# --- Command and task ------------------------------------------------------------------------------

def test_dunning_proposal_command_prints_the_csv_columns(accountant):
    invoice = invoice_for(kind=Customer.Kind.B2B, amount=D("10000.00"), issued_on=d(2026, 1, 1),
                          due_on=d(2026, 1, 31), default_notice=False)
    out = io.StringIO()
    call_command("dunning_proposal", "--as-of", "2026-03-05", stdout=out, stderr=io.StringIO())
    lines = out.getvalue().splitlines()
    assert lines[0] == "invoice_no,customer_id,level,days_overdue,open_amount,fee,interest,total,blocked_reason"
    assert lines[1] == f"{invoice.number},{invoice.order.customer.external_id},1,33,10000.00,40.00,5.63,10045.63,"
    assert not DunningRun.objects.exists()  # the command only reads


def test_dunning_proposal_command_refuses_a_future_date():
    with pytest.raises(CommandError, match="future"):
        call_command("dunning_proposal", "--as-of", (berlin_today() + dt.timedelta(days=3)).isoformat())


def test_nightly_task_proposes_a_run_and_is_scheduled(settings):
    from returns.tasks import nightly_dunning_proposal

    invoice_for(due_on=d(2026, 3, 15))
    result = nightly_dunning_proposal.delay().get()
    run = DunningRun.objects.get()
    assert result["status"] == "proposed" and run.trigger == DunningRun.Trigger.NIGHTLY and run.as_of == berlin_today()
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "returns.nightly_dunning_proposal" in tasks


def test_dunning_proposal_command_can_store_the_run(accountant):
    invoice_for(due_on=d(2026, 3, 15))
    call_command("dunning_proposal", "--as-of", "2026-03-22", "--save", stdout=io.StringIO(), stderr=io.StringIO())
    run = DunningRun.objects.get()
    assert (run.trigger, run.as_of, run.lines.filter(level__number=1).count()) == (
        DunningRun.Trigger.COMMAND, d(2026, 3, 22), 1)
