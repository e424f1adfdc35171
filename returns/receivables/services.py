"""Writes of collections: payments, dispute flags, dunning runs and their approval, the hand-over.

Every function here changes business state in one transaction, takes the row locks it needs, and
refuses bad input with a `ValidationError` whose message the view shows; a refusal stores nothing.
The legal rules themselves are pure and live in `returns/dunning.py`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from returns import dunning
from returns.models import (
    BaseRate,
    CollectionHandover,
    DunningBlock,
    DunningLevel,
    DunningNotice,
    DunningRun,
    DunningRunLine,
    HandedOverInvoice,
    PaymentEntry,
    Return,
)
from sales.models import Customer, Invoice, OrderLine, Payment
from shopmgr.core.dates import berlin_day, berlin_today

from . import selectors

ZERO = Decimal("0.00")


# --- Payments -------------------------------------------------------------------------------------

def payment_enter(
    *, invoice_number: str, paid_on: dt.date, amount: Decimal, method: str = "transfer",
    overpayment: bool = False, note: str = "", by,
) -> Payment:
    """Record a payment against an invoice (part payments allowed), with who entered it and when.

    A payment above the open amount is refused unless it is marked as an overpayment; an unknown
    invoice, a payment date in the future and a non-positive amount are refused.
    """
    amount = Decimal(amount)
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be more than zero.")})
    if paid_on > berlin_today():
        raise ValidationError({"paid_on": _("The payment date %(day)s lies in the future.") % {"day": paid_on}})
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().filter(number=invoice_number.strip()).first()
        if invoice is None:
            raise ValidationError({"invoice": _("There is no invoice %(number)s.") % {"number": invoice_number}})
        paid = invoice.payments.aggregate(total=Sum("amount"))["total"] or ZERO
        open_amount = invoice.amount - paid
        if amount > open_amount and not overpayment:
            raise ValidationError({"amount": _(
                "%(amount)s is more than the open amount of %(open)s on invoice %(number)s. "
                "Mark the payment as an overpayment to record it anyway."
            ) % {"amount": amount, "open": max(open_amount, ZERO), "number": invoice.number}})
        if Payment.objects.filter(invoice=invoice, paid_on=paid_on, amount=amount).exists():
            raise ValidationError(_(
                "A payment of %(amount)s on %(day)s is already recorded for invoice %(number)s."
            ) % {"amount": amount, "day": paid_on, "number": invoice.number})
        try:
            with transaction.atomic():
                payment = Payment.objects.create(invoice=invoice, paid_on=paid_on, amount=amount, method=method or "")
        except IntegrityError as exc:  # a concurrent entry of the same payment
            raise ValidationError(_("This payment is already recorded.")) from exc
        PaymentEntry.objects.create(payment=payment, overpayment=overpayment, note=note, entered_by=by)
    return payment


# --- Dispute flags ----------------------------------------------------------------------------------

def dispute_flag_set(*, invoice: Invoice, reason: str, by) -> DunningBlock:
    """Block dunning for a disputed invoice (DOMAIN §1.3: block on disputes); records who and when."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say what the customer disputes.")})
    with transaction.atomic():
        Invoice.objects.select_for_update().get(pk=invoice.pk)
        if DunningBlock.objects.filter(invoice=invoice, lifted_at__isnull=True).exists():
            raise ValidationError(_("Invoice %(number)s is already flagged as disputed.") % {"number": invoice.number})
        return DunningBlock.objects.create(invoice=invoice, reason=reason, created_by=by)


def dispute_flag_lift(*, block: DunningBlock, by) -> DunningBlock:
    with transaction.atomic():
        block = DunningBlock.objects.select_for_update().get(pk=block.pk)
        if block.lifted_at is not None:
            raise ValidationError(_("This dispute flag was already lifted."))
        block.lifted_at, block.lifted_by = timezone.now(), by
        block.save(update_fields=["lifted_at", "lifted_by"])
    return block


# --- Dunning proposal -------------------------------------------------------------------------------

@dataclass
class ProposalLine:
    invoice_id: int
    invoice_no: str
    customer_id: str
    customer_pk: int
    is_consumer: bool
    level: DunningLevel | None
    days_overdue: int
    claim: dunning.Claim
    blocked_reason: str = ""
    language: str = "de"
    payments: list = field(default_factory=list)


def level_configuration() -> list[DunningLevel]:
    """The levels, checked: there must be at least one and their days must increase."""
    levels = list(DunningLevel.objects.order_by("number"))
    if not levels:
        raise ValidationError(_("No dunning levels are configured (Administration › Dunning levels)."))
    try:
        dunning.check_level_days([_rule_level(lv) for lv in levels])
    except dunning.LevelOrderError as exc:
        raise ValidationError(level_order_message(exc)) from exc
    return levels


def level_order_message(exc: dunning.LevelOrderError) -> str:
    return _(
        "The days overdue must increase from level to level: level %(number)s (%(days)s days) must start "
        "later than level %(previous)s (%(previous_days)s days)."
    ) % {"number": exc.number, "days": exc.days, "previous": exc.previous, "previous_days": exc.previous_days}


def _rule_level(level: DunningLevel) -> dunning.Level:
    return dunning.Level(
        number=level.number, days_overdue=level.days_overdue, min_open_amount=level.min_open_amount,
        min_interval_days=level.min_interval_days, fee=level.fee,
    )


def base_rates() -> list[dunning.BaseRate]:
    return [dunning.BaseRate(valid_from=d, rate=r) for d, r in BaseRate.objects.values_list("valid_from", "rate")]


def customer_language(country: str) -> str:
    """Letters go out in German unless the customer lives outside the German-speaking countries."""
    country = (country or "").strip().upper()
    return "de" if country in {"", "DE", "AT", "CH", "LI", "LU", "DEUTSCHLAND", "ÖSTERREICH", "SCHWEIZ"} else "en"


def notice_receipt_days() -> int:
    return int(getattr(settings, "DUNNING_NOTICE_RECEIPT_DAYS", 3))


def compute_proposal(*, as_of: dt.date, invoice_ids=None) -> tuple[list[ProposalLine], list[str]]:
    # Returns the lines and the half-years (ISO dates) whose base rate is missing from the table.
    """For every open invoice on `as_of` (not handed over): the next level it qualifies for, its
    fee and the default interest accrued by then (§286/§288 BGB), or why it gets no notice.

    Reads in a fixed number of queries (invoices, payments, notices, blocks, returns, levels, rates).
    """
    levels = level_configuration()
    rule_levels = {lv.number: _rule_level(lv) for lv in levels}
    by_number = {lv.number: lv for lv in levels}
    rates = base_rates()
    invoices = selectors.open_invoices(as_of=as_of).filter(handed_over__isnull=True)
    if invoice_ids is not None:
        invoices = invoices.filter(pk__in=list(invoice_ids))
    rows = list(invoices.values(
        "pk", "number", "amount", "issued_on", "due_on", "default_notice", "order_id",
        "order__customer_id", "order__customer__external_id", "order__customer__kind", "order__customer__country",
    ).order_by("due_on", "number"))
    # The open invoices are found once (every invoice looked at); the rest is read by their ids, in
    # chunks that stay below SQLite's limit of query parameters.
    ids = [r["pk"] for r in rows]
    payments = defaultdict(list)
    all_notices = defaultdict(list)
    disputed: set[int] = set()
    open_return_orders: set[int] = set()
    for chunk in _chunks(ids):
        for invoice_id, paid_on, amount in Payment.objects.filter(
            invoice_id__in=chunk, paid_on__lte=as_of,
        ).values_list("invoice_id", "paid_on", "amount"):
            payments[invoice_id].append(dunning.Payment(paid_on=paid_on, amount=amount))
        # Every notice, also those dated after `as_of`: a backdated run must not send a level again
        # (it says "min_interval" then); the claim itself counts only the notices up to `as_of`.
        for invoice_id, number, sent_on, fee in DunningNotice.objects.filter(
            invoice_id__in=chunk,
        ).values_list("invoice_id", "level__number", "sent_on", "level_fee").order_by("sent_on", "pk"):
            all_notices[invoice_id].append((number, sent_on, fee))
        disputed.update(DunningBlock.objects.filter(
            invoice_id__in=chunk, lifted_at__isnull=True,
        ).values_list("invoice_id", flat=True))
        open_return_orders.update(Return.objects.filter(
            order__invoices__in=chunk, status__in=selectors.RETURN_OPEN,
        ).values_list("order_id", flat=True))
    receipt = dt.timedelta(days=notice_receipt_days())
    missing: set[dt.date] = set()
    lines = []
    for r in rows:
        sent = all_notices[r["pk"]]
        history = [notice for notice in sent if notice[1] <= as_of]
        is_consumer = r["order__customer__kind"] == Customer.Kind.B2C
        blocked = (
            dunning.Reason.DISPUTE if r["pk"] in disputed
            else dunning.Reason.OPEN_RETURN if r["order_id"] in open_return_orders
            else ""
        )
        paid = sum((p.amount for p in payments[r["pk"]]), Decimal(0))
        open_amount = r["amount"] - paid
        decision = dunning.next_level(
            levels=list(rule_levels.values()), due_on=r["due_on"], as_of=as_of, open_amount=open_amount,
            last_level_number=max((n for n, _, _ in sent), default=None),
            last_notice_on=sent[-1][1] if sent else None, blocked=blocked,
        )
        default_from = dunning.default_start(
            due_on=r["due_on"], received_on=r["issued_on"], is_consumer=is_consumer,
            has_286_notice=r["default_notice"], reminders_received_on=[day + receipt for _, day, _ in history],
        ) if decision.days_overdue > 0 else None
        level = by_number[decision.level.number] if decision.level else None
        claim = dunning.claim_for(
            amount=r["amount"], payments=payments[r["pk"]], as_of=as_of, default_from=default_from,
            is_consumer=is_consumer, rates=rates, level_fee=level.fee if level else ZERO,
            earlier_fees=sum((fee for _, _, fee in history), ZERO),
        )
        missing.update(claim.interest.missing_base_rates)
        lines.append(ProposalLine(
            invoice_id=r["pk"], invoice_no=r["number"], customer_id=r["order__customer__external_id"],
            customer_pk=r["order__customer_id"], is_consumer=is_consumer, level=level,
            days_overdue=decision.days_overdue, claim=claim, blocked_reason=decision.reason,
            language=customer_language(r["order__customer__country"]), payments=payments[r["pk"]],
        ))
    # The warnings are the half-years without a base rate (ISO dates): stored on the run and put
    # into words in the reader's language (`warning_texts`).
    return lines, [day.isoformat() for day in sorted(missing)]


def warning_texts(missing_base_rates: list[str]) -> list[str]:
    return [
        _("No base rate entered for %(day)s: the rate before it was used. Enter it under Administration › Base rates.")
        % {"day": day}
        for day in missing_base_rates
    ]


def _chunks(ids: list[int], size: int = 5000):
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _check_as_of(as_of: dt.date) -> None:
    if as_of > berlin_today():
        raise ValidationError({"as_of": _("A dunning run cannot be dated in the future (%(day)s).") % {"day": as_of}})


def dunning_run_propose(*, as_of: dt.date, by=None, trigger: str = DunningRun.Trigger.BUTTON) -> DunningRun:
    """Propose a run as of a day: one line per open invoice. Earlier proposals still waiting for
    approval are discarded (the new one supersedes them)."""
    _check_as_of(as_of)
    with transaction.atomic():
        lines, warnings = compute_proposal(as_of=as_of)
        for old in DunningRun.objects.select_for_update().filter(status=DunningRun.Status.PROPOSED):
            old.status = DunningRun.Status.DISCARDED
            old.save(update_fields=["status"])
        run = DunningRun.objects.create(as_of=as_of, trigger=trigger, created_by=by, warnings=warnings)
        DunningRunLine.objects.bulk_create([
            DunningRunLine(
                run=run, invoice_id=line.invoice_id, level=line.level, days_overdue=line.days_overdue,
                open_amount=line.claim.open_amount, fee=line.claim.fee, interest=line.claim.interest.amount,
                total=line.claim.total, blocked_reason=line.blocked_reason,
            )
            for line in lines
        ], batch_size=1000)
    return run


def dunning_line_exclude(*, line: DunningRunLine, excluded: bool, by) -> DunningRunLine:
    """Exclude a line from (or put it back into) a run that is still a proposal."""
    with transaction.atomic():
        run = DunningRun.objects.select_for_update().get(pk=line.run_id)
        if run.status != DunningRun.Status.PROPOSED:
            raise ValidationError(_("This run is %(status)s: its lines can no longer change.") % {
                "status": run.get_status_display()})
        DunningRunLine.objects.filter(pk=line.pk).update(excluded=excluded)
    line.excluded = excluded
    return line


def dunning_run_approve(*, run: DunningRun, by) -> list[DunningNotice]:
    """Approve a proposal: one notice per line that has a level and is not excluded, all in one
    transaction under a row lock on the run, so that a run is approved at most once.

    The figures are computed again as of the run's day (a payment entered since the proposal
    counts); a line that no longer qualifies gets no notice and says why.
    """
    with transaction.atomic():
        run = DunningRun.objects.select_for_update().get(pk=run.pk)
        if run.status == DunningRun.Status.APPROVED:
            raise ValidationError(_("This run was already approved on %(at)s by %(by)s.") % {
                "at": timezone.localtime(run.approved_at).strftime("%Y-%m-%d %H:%M"),
                "by": run.approved_by or "–"})
        if run.status != DunningRun.Status.PROPOSED:
            raise ValidationError(_("This run was discarded: a newer proposal replaced it."))
        chosen = {
            line.invoice_id: line
            for line in run.lines.select_for_update().filter(level__isnull=False, excluded=False)
        }
        fresh, _warnings = compute_proposal(as_of=run.as_of, invoice_ids=chosen) if chosen else ([], [])
        fresh_by_invoice = {f.invoice_id: f for f in fresh}
        notices = []
        for invoice_id, line in chosen.items():
            proposal = fresh_by_invoice.get(invoice_id)
            if proposal is None or proposal.level is None:
                line.level = None
                line.blocked_reason = proposal.blocked_reason if proposal else "no_longer_open"
                line.save(update_fields=["level", "blocked_reason"])
                continue
            claim = proposal.claim
            paid = sum((p.amount for p in proposal.payments), ZERO)
            notices.append(DunningNotice(
                invoice_id=invoice_id, run=run, level=proposal.level, sent_on=run.as_of,
                principal=claim.open_amount + paid, paid=paid, open_amount=claim.open_amount,
                level_fee=claim.level_fee, earlier_fees=claim.earlier_fees, flat_fee=claim.flat_fee,
                fee=claim.fee, interest=claim.interest.amount, total=claim.total, default_from=claim.default_from,
                interest_detail=interest_detail(claim.interest), language=proposal.language, created_by=by,
            ))
        try:
            with transaction.atomic():
                DunningNotice.objects.bulk_create(notices, batch_size=1000)
        except IntegrityError as exc:  # a level sent meanwhile by another run: approve nothing
            raise ValidationError(_("An invoice of this run already received one of its levels; propose a new run.")) from exc
        run.status, run.approved_at, run.approved_by = DunningRun.Status.APPROVED, timezone.now(), by
        run.save(update_fields=["status", "approved_at", "approved_by"])
    return notices


def interest_detail(interest: dunning.Interest) -> list[dict]:
    return [
        {
            "start": s.start.isoformat(), "end": s.end.isoformat(), "days": s.days, "principal": str(s.principal),
            "base_rate": str(s.base_rate), "rate": str(s.rate), "interest": str(dunning.to_cents(s.interest)),
        }
        for s in interest.segments
    ]


PROPOSAL_COLUMNS = [
    "invoice_no", "customer_id", "level", "days_overdue", "open_amount", "fee", "interest", "total", "blocked_reason",
]


def proposal_csv(lines: list[ProposalLine]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(PROPOSAL_COLUMNS)
    for line in lines:
        writer.writerow([
            line.invoice_no, line.customer_id, line.level.number if line.level else "", line.days_overdue,
            line.claim.open_amount, line.claim.fee, line.claim.interest.amount, line.claim.total, line.blocked_reason,
        ])
    return out.getvalue()


# --- Hand-over to a collection agency --------------------------------------------------------------

HANDOVER_COLUMNS = [
    # parties
    "creditor_name", "creditor_address", "debtor_name", "debtor_country", "debtor_email", "debtor_phone",
    "customer_no", "debtor_kind", "debtor_legal_form", "debtor_representative", "debtor_birth_date",
    # claim
    "order_no", "contract_date", "goods", "invoice_no", "invoice_date", "gross_amount", "vat_amount", "due_date",
    "delivery_date", "notice_286_3", "reminders", "default_since",
    # money
    "interest_principal", "interest_basis", "interest_rate", "interest_from", "interest_to", "interest_amount",
    "fees", "fees_total", "payments", "paid_total", "open_principal", "credit_notes_returns", "disputed",
    "limitation_date", "total_claim",
    # flags
    "address_researched", "creditor_deducts_input_vat",
]


def limitation_date(issued_on: dt.date) -> dt.date:
    """§§195, 199 BGB: three years from the end of the year the claim arose."""
    return dt.date(issued_on.year + 3, 12, 31)


def collection_handover(*, invoice_ids, by, as_of: dt.date | None = None) -> CollectionHandover:
    """Hand invoices that received the last level to the collection agency: one CSV row per claim
    with the fields of DOMAIN §1.4 (§13a RDG), and the invoices leave the dunning runs for good."""
    as_of = as_of or berlin_today()
    _check_as_of(as_of)
    invoice_ids = sorted({int(i) for i in invoice_ids})
    if not invoice_ids:
        raise ValidationError(_("Choose at least one invoice to hand over."))
    with transaction.atomic():
        locked = list(Invoice.objects.select_for_update().filter(pk__in=invoice_ids).values_list("pk", flat=True))
        eligible = set(selectors.handover_candidates().filter(pk__in=invoice_ids).values_list("pk", flat=True))
        refused = sorted(set(invoice_ids) - eligible)
        if len(locked) != len(invoice_ids) or refused:
            numbers = ", ".join(Invoice.objects.filter(pk__in=refused).values_list("number", flat=True)) or "?"
            raise ValidationError(_(
                "Only open invoices that received the last dunning level and were not handed over yet can be "
                "handed over: %(numbers)s."
            ) % {"numbers": numbers})
        lines, _w = compute_proposal(as_of=as_of, invoice_ids=invoice_ids)
        handover = CollectionHandover.objects.create(created_by=by, as_of=as_of)
        rows = handover_rows(lines=lines, as_of=as_of)
        HandedOverInvoice.objects.bulk_create([
            HandedOverInvoice(
                handover=handover, invoice_id=line.invoice_id, open_amount=line.claim.open_amount,
                interest=line.claim.interest.amount, fee=line.claim.fee, total=line.claim.total,
            )
            for line in lines
        ])
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=HANDOVER_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        handover.csv_text = out.getvalue()
        handover.save(update_fields=["csv_text"])
    return handover


def handover_rows(*, lines: list[ProposalLine], as_of: dt.date) -> list[dict]:
    ids = [line.invoice_id for line in lines]
    invoices = {
        i.pk: i for i in Invoice.objects.filter(pk__in=ids).select_related("order__customer", "order__shipment")
    }
    goods = defaultdict(list)
    vat = defaultdict(Decimal)
    for order_id, name, quantity, unit_price, discount, net in OrderLine.objects.filter(
        order__invoices__in=ids,
    ).values_list("order_id", "product__name", "quantity", "unit_price", "discount", "net_amount").order_by(
        "order_id", "line_no",
    ):
        goods[order_id].append(f"{quantity} x {name}")
        vat[order_id] += quantity * unit_price - discount - net
    notices = defaultdict(list)
    for invoice_id, number, sent_on, fee, name in DunningNotice.objects.filter(invoice__in=ids).values_list(
        "invoice_id", "level__number", "sent_on", "level_fee", "level__name_en",
    ).order_by("sent_on"):
        notices[invoice_id].append((number, sent_on, fee, name))
    returns = defaultdict(list)
    for order_id, ext, status in Return.objects.filter(order__invoices__in=ids).values_list(
        "order_id", "external_id", "status",
    ):
        returns[order_id].append(f"{ext}:{status}")
    disputed = set(DunningBlock.objects.filter(invoice__in=ids, lifted_at__isnull=True).values_list(
        "invoice_id", flat=True))
    rows = []
    for line in lines:
        invoice = invoices[line.invoice_id]
        order, customer = invoice.order, invoice.order.customer
        shipment = getattr(order, "shipment", None)
        claim = line.claim
        fees = [f"dunning_fee:{fee}:level {n} {name} {sent.isoformat()}" for n, sent, fee, name in notices[invoice.pk] if fee]
        if claim.flat_fee:
            fees.append(f"flat_fee_288_5_bgb:{claim.flat_fee}:business debtor in default")
        # Shipping is taxed at the standard rate (19 %); line VAT from the order lines.
        shipping_vat = order.shipping_fee - dunning.to_cents(order.shipping_fee / Decimal("1.19"))
        rows.append({
            "creditor_name": getattr(settings, "DUNNING_CREDITOR_NAME", ""),
            "creditor_address": getattr(settings, "DUNNING_CREDITOR_ADDRESS", ""),
            "debtor_name": customer.name, "debtor_country": customer.country, "debtor_email": customer.email,
            "debtor_phone": "", "customer_no": customer.external_id,
            "debtor_kind": "consumer" if line.is_consumer else "business",
            "debtor_legal_form": "", "debtor_representative": "", "debtor_birth_date": "",
            "order_no": order.external_id, "contract_date": berlin_day(order.placed_at).isoformat(),
            "goods": "; ".join(goods[order.pk]), "invoice_no": invoice.number,
            "invoice_date": invoice.issued_on.isoformat(), "gross_amount": invoice.amount,
            "vat_amount": dunning.to_cents(vat[order.pk] + shipping_vat), "due_date": invoice.due_on.isoformat(),
            "delivery_date": berlin_day(shipment.delivered_at).isoformat() if shipment and shipment.delivered_at else "",
            "notice_286_3": "true" if invoice.default_notice else "false",
            "reminders": "; ".join(f"{n}:{sent.isoformat()}" for n, sent, _f, _n in notices[invoice.pk]),
            "default_since": claim.default_from.isoformat() if claim.default_from else "",
            "interest_principal": claim.open_amount,
            "interest_basis": f"base rate + {claim.interest.points} points (§288 BGB)",
            "interest_rate": claim.interest.segments[-1].rate if claim.interest.segments else "",
            "interest_from": claim.interest.start.isoformat() if claim.interest.start else "",
            "interest_to": claim.interest.end.isoformat() if claim.interest.end else "",
            "interest_amount": claim.interest.amount, "fees": "; ".join(fees), "fees_total": claim.fee,
            "payments": "; ".join(f"{p.paid_on.isoformat()}:{p.amount}" for p in line.payments),
            "paid_total": sum((p.amount for p in line.payments), ZERO), "open_principal": claim.open_amount,
            "credit_notes_returns": "; ".join(returns[order.pk]),
            "disputed": "true" if invoice.pk in disputed else "false",
            "limitation_date": limitation_date(invoice.issued_on).isoformat(), "total_claim": claim.total,
            "address_researched": "false", "creditor_deducts_input_vat": "true",
        })
    return rows
