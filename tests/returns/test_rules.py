"""Pure rules of the returns desk with their worked numbers (DOMAIN §2)."""

import datetime as dt
from decimal import Decimal

import pytest

from returns import rules
from returns.rules import RefundLine

D = dt.date


@pytest.mark.parametrize("year, easter", [
    (2019, D(2019, 4, 21)), (2023, D(2023, 4, 9)), (2024, D(2024, 3, 31)), (2025, D(2025, 4, 20)),
    (2026, D(2026, 4, 5)), (2027, D(2027, 3, 28)), (2038, D(2038, 4, 25)), (2285, D(2285, 3, 22)),
])
def test_easter_sunday_of_the_gregorian_calendar(year, easter):
    assert rules.easter_sunday(year) == easter


def test_german_national_holidays_of_2026():
    assert sorted(rules.german_national_holidays(2026)) == [
        D(2026, 1, 1), D(2026, 4, 3), D(2026, 4, 6), D(2026, 5, 1), D(2026, 5, 14), D(2026, 5, 25),
        D(2026, 10, 3), D(2026, 12, 25), D(2026, 12, 26),
    ]


def test_reformation_day_was_a_national_holiday_only_in_2017():
    assert D(2017, 10, 31) in rules.german_national_holidays(2017)
    assert D(2026, 10, 31) not in rules.german_national_holidays(2026)


@pytest.mark.parametrize("delivered, deadline, why", [
    (D(2023, 8, 3), D(2023, 8, 17), "DOMAIN §2.1: received Thu 03.08 → ends Thu 17.08"),
    (D(2026, 3, 2), D(2026, 3, 16), "Mon + 14 = Mon, a working day"),
    (D(2026, 10, 31), D(2026, 11, 16), "ends Sat 14.11 → Mon 16.11 (§193 BGB)"),
    (D(2026, 11, 1), D(2026, 11, 16), "ends Sun 15.11 → Mon 16.11"),
    (D(2026, 3, 20), D(2026, 4, 7), "ends Good Friday 03.04 → Sat, Sun, Easter Monday → Tue 07.04"),
    (D(2026, 4, 30), D(2026, 5, 15), "ends Thu 14.05 Ascension → Fri 15.05"),
    (D(2026, 5, 11), D(2026, 5, 26), "ends Whit Monday 25.05 → Tue 26.05"),
    (D(2025, 9, 19), D(2025, 10, 6), "ends Fri 03.10 German Unity Day → Mon 06.10"),
    (D(2026, 12, 12), D(2026, 12, 28), "ends Sat 26.12 (Boxing Day) → Mon 28.12"),
    (D(2026, 12, 18), D(2027, 1, 4), "ends Fri 01.01 New Year → Sat, Sun → Mon 04.01"),
])
def test_withdrawal_deadline_is_delivery_plus_14_days_moved_to_the_next_working_day(delivered, deadline, why):
    assert rules.withdrawal_deadline(delivered) == deadline, why


def test_a_withdrawal_declared_on_the_last_day_is_in_time_and_the_day_after_is_late():
    delivered = D(2026, 3, 20)  # period ends Tue 07.04.2026
    assert not rules.withdrawal_is_late(delivered_on=delivered, declared_on=D(2026, 4, 7))
    assert rules.withdrawal_is_late(delivered_on=delivered, declared_on=D(2026, 4, 8))


def _items_30_50_20():
    return [RefundLine(1, Decimal("30.00"), Decimal(0), 0), RefundLine(1, Decimal("50.00"), Decimal(0), 1),
            RefundLine(1, Decimal("20.00"), Decimal(0), 0)]


def test_partial_withdrawal_refunds_the_returned_items_only():
    # DOMAIN §2.4: items of 30, 50 and 20 EUR; the 50 EUR item comes back
    proposal = rules.refund_proposal(lines=_items_30_50_20(), full_withdrawal=False, standard_shipping=Decimal("4.95"))
    assert (proposal.items, proposal.shipping, proposal.deduction, proposal.amount) == (
        Decimal("50.00"), Decimal("0.00"), Decimal("0.00"), Decimal("50.00"))


def test_full_withdrawal_adds_the_standard_outbound_shipping_and_subtracts_the_deduction():
    # DOMAIN §2.2: refund = Σ gross prices + standard outbound shipping (full withdrawal) − Wertersatz
    lines = [RefundLine(1, Decimal("30.00"), Decimal(0), 1), RefundLine(1, Decimal("50.00"), Decimal(0), 1),
             RefundLine(1, Decimal("20.00"), Decimal(0), 1)]
    proposal = rules.refund_proposal(lines=lines, full_withdrawal=True, standard_shipping=Decimal("4.95"),
                                     deduction=Decimal("10.00"))
    # 30 + 50 + 20 = 100.00; + 4.95 shipping = 104.95; − 10.00 = 94.95
    assert (proposal.items, proposal.shipping, proposal.amount) == (Decimal("100.00"), Decimal("4.95"), Decimal("94.95"))


def test_returned_items_pay_back_their_share_of_the_line_discount_rounded_half_up():
    # 3 × 19.99 − 5.00 discount = 54.97 for the line; 2 of 3 come back: 54.97 × 2 / 3 = 36.6466… → 36.65
    assert rules.returned_gross(ordered=3, unit_price=Decimal("19.99"), discount=Decimal("5.00"), returned=2) == Decimal("36.65")
    # 1 of 3: 18.3233… → 18.32; the three shares add up to the line (36.65 + 18.32 = 54.97)
    assert rules.returned_gross(ordered=3, unit_price=Decimal("19.99"), discount=Decimal("5.00"), returned=1) == Decimal("18.32")


def test_what_may_still_be_refunded_is_paid_minus_refunded_and_never_negative():
    assert rules.refundable_left(paid=Decimal("104.95"), refunded=Decimal("50.00")) == Decimal("54.95")
    assert rules.refundable_left(paid=Decimal("0"), refunded=Decimal("0")) == Decimal("0.00")
    assert rules.refundable_left(paid=Decimal("10"), refunded=Decimal("12")) == Decimal("0.00")


@pytest.mark.parametrize("step, allowed", [
    ("receive", {"requested"}),
    ("inspect", {"received"}),
    ("refund", {"inspected"}),
    ("reject", {"requested", "received", "inspected"}),
    ("close", {"refunded", "rejected"}),
])
def test_status_flow_requested_received_inspected_refunded_or_rejected_closed(step, allowed):
    statuses = {"requested", "received", "inspected", "refunded", "rejected", "closed"}
    assert {s for s in statuses if rules.step_allowed(step=step, status=s)} == allowed
