"""What follows an order: shipment, invoice and payments, return, review.

`AfterSales.follow_order` is called once per non-cancelled order with the order's lines and
appends the rows that exist by the end of yesterday (Berlin) to the chunk. It returns the order
status that matches them: placed/paid (not shipped yet), shipped, delivered.
"""

from __future__ import annotations

from .catalog import ROOTS, cents_to_decimal
from .timeline import Timeline, to_datetime
from .words import REVIEW_TEXTS

INVOICE_FIELDS = ("id", "number", "order", "issued_on", "due_on", "amount", "default_notice")
PAYMENT_FIELDS = ("id", "invoice", "paid_on", "amount", "method")
RETURN_FIELDS = ("id", "external_id", "order", "status", "legal_basis", "requested_at", "received_at",
                 "rejected", "created_by")
RETURN_LINE_FIELDS = ("id", "ret", "order_line", "quantity", "reason", "condition", "disposition",
                      "refund_amount")
REVIEW_FIELDS = ("id", "order", "product", "rating", "created_at", "text")

# carrier, cumulative share, share of late parcels outside the peak, base cost (net cents)
CARRIERS = (("DHL", 0.45, 0.07, 420), ("Hermes", 0.65, 0.12, 360), ("DPD", 0.80, 0.09, 400),
            ("GLS", 0.92, 0.09, 380), ("UPS", 1.0, 0.06, 520))
PEAK_LATE_FACTOR = 1.7  # from mid-November to Christmas carriers are late more often
SHIPPING_COST_RANGE = (300, 700)  # net cents

# Share of returned units per root (DOMAIN §2.4: fashion about every second item, electronics
# mid single digits, books and food hardly ever).
RETURN_RATE = {"FASHION": 0.43, "SHOES": 0.40, "ELECTRONICS": 0.065, "HOME": 0.09, "GARDEN": 0.07,
               "SPORTS": 0.11, "TOYS": 0.07, "BEAUTY": 0.05, "BOOKS": 0.02, "FOOD": 0.01}
B2B_RETURN_FACTOR = 0.5  # no statutory withdrawal right for businesses (DOMAIN §2.1)
LATE_RETURN_FACTOR = 1.15
# Reason shares per root group (not cumulative).
_APPAREL = (("SIZE_SMALL", 0.30), ("SIZE_LARGE", 0.25), ("CHANGED_MIND", 0.15), ("BRACKETING", 0.10),
            ("QUALITY", 0.06), ("NOT_AS_DESCRIBED", 0.06), ("DEFECTIVE", 0.02), ("WRONG_ITEM", 0.02),
            ("TRANSIT_DAMAGE", 0.01), ("LATE", 0.01), ("BETTER_PRICE", 0.01), ("OTHER", 0.01))
_DEVICES = (("DEFECTIVE", 0.30), ("NOT_AS_DESCRIBED", 0.15), ("CHANGED_MIND", 0.15),
            ("TRANSIT_DAMAGE", 0.10), ("BETTER_PRICE", 0.08), ("WRONG_ITEM", 0.07), ("QUALITY", 0.07),
            ("LATE", 0.03), ("OTHER", 0.05))
_GOODS = (("CHANGED_MIND", 0.30), ("DEFECTIVE", 0.15), ("QUALITY", 0.12), ("NOT_AS_DESCRIBED", 0.12),
          ("TRANSIT_DAMAGE", 0.08), ("WRONG_ITEM", 0.06), ("LATE", 0.05), ("BETTER_PRICE", 0.05),
          ("OTHER", 0.07))
REASON_MIX = {"FASHION": _APPAREL, "SHOES": _APPAREL, "ELECTRONICS": _DEVICES}
LATE_REASON_SHARE = 0.25  # of returns from late deliveries that give LATE as the reason
DAMAGE_REASONS = ("DEFECTIVE", "TRANSIT_DAMAGE")
WARRANTY_REASONS = ("DEFECTIVE", "QUALITY", "TRANSIT_DAMAGE")
REJECTED_SHARE = 0.02
# (grade, cumulative share) by reason group; DOMAIN §2.3: most returns are resold as new.
CONDITIONS_DAMAGED = (("B", 0.25), ("C", 0.65), ("D", 1.0))
CONDITIONS_QUALITY = (("A", 0.5), ("B", 0.85), ("C", 1.0))
CONDITIONS_DEFAULT = (("A", 0.8), ("B", 0.94), ("C", 0.98), ("D", 1.0))
DISPOSITIONS = {
    "A": (("restock", 1.0),),
    "B": (("restock", 0.6), ("refurbish", 1.0)),
    "C": (("refurbish", 0.5), ("to_supplier", 0.8), ("write_off", 1.0)),
    "D": (("write_off", 0.6), ("to_supplier", 1.0)),
}

REVIEW_SHARE = 0.12  # of delivered orders
SECOND_REVIEW_SHARE = 0.15
RATINGS_NORMAL = ((1, 0.04), (2, 0.08), (3, 0.17), (4, 0.42), (5, 1.0))
RATINGS_LATE = ((1, 0.13), (2, 0.25), (3, 0.45), (4, 0.7), (5, 1.0))
RATINGS_BAD_PRODUCT = ((1, 0.3), (2, 0.55), (3, 0.75), (4, 0.9), (5, 1.0))
BAD_PRODUCT_REASONS = ("DEFECTIVE", "QUALITY", "NOT_AS_DESCRIBED")

TERMS_DAYS = {False: 14, True: 30}  # invoice due after issue: B2C, B2B
DEFAULT_NOTICE_SHARE = 0.85  # B2C invoices that carry the §286(3) BGB notice
# Paying behaviour of invoice customers (cumulative): on time, late, partial, never.
PAY_ON_TIME, PAY_LATE, PAY_PARTIAL = 0.80, 0.92, 0.955
PAY_NEVER = {False: 0.03, True: 0.02}


def _cumulative(shares):
    """((value, share), ...) -> ((value, cumulative share), ...), the last one exactly 1."""
    total = sum(share for _, share in shares)
    out, acc = [], 0.0
    for value, share in shares:
        acc += share
        out.append((value, acc / total))
    out[-1] = (out[-1][0], 1.0)
    return tuple(out)


def _pick(table, u):
    for value, cum in table:
        if u < cum:
            return value
    return table[-1][0]


def _carrier(u):
    for carrier, cum, late_rate, base_cost in CARRIERS:
        if u < cum:
            return carrier, late_rate, base_cost
    return CARRIERS[-1][0], CARRIERS[-1][2], CARRIERS[-1][3]


class AfterSales:
    def __init__(self, *, tl: Timeline, rng, reason_ids: dict[str, int]):
        self.tl, self.rng = tl, rng
        self.reason_ids = reason_ids
        self.now = tl.now_ts
        self.today = tl.days
        self.shipment_id = self.invoice_id = self.payment_id = 0
        self.return_id = self.return_line_id = self.review_id = 0
        self.reason_tables = [_cumulative(REASON_MIX.get(root, _GOODS)) for root in ROOTS]
        self.return_rates = [RETURN_RATE[root] for root in ROOTS]
        self.peak = []
        for date in tl.dates:
            self.peak.append((date.month == 11 and date.day >= 15) or (date.month == 12 and date.day <= 23))

    def follow_order(self, chunk, *, order_id, day, placed_ts, local_hour, b2b, payment, gross_cents, lines):
        tl, rnd = self.tl, self.rng.random
        weekday = tl.weekday_of
        ship_day = day if local_hour < 14 and weekday(day) != 6 else day + 1
        if weekday(ship_day) == 6:
            ship_day += 1
        ship_ts = tl.local_ts(ship_day, 15 + int(rnd() * 5), int(rnd() * 3600))
        if ship_ts >= self.now:
            return "placed" if payment == "invoice" else "paid"

        carrier, late_rate, base_cost = _carrier(rnd())
        promise_days = (2 if weekday(day) <= 3 else 3) + (1 if rnd() < 0.3 else 0)
        promised = day + promise_days
        if weekday(promised) == 6:
            promised += -1 if promise_days > 2 and promised - 1 > ship_day else 1
        if self.peak[day]:
            late_rate *= PEAK_LATE_FACTOR
        late = rnd() < late_rate
        if late:
            v = rnd()
            deliver = promised + (1 if v < 0.6 else 2 if v < 0.9 else 3 + int(rnd() * 3))
            if weekday(deliver) == 6:
                deliver += 1
        else:
            first = ship_day + 1
            deliver = first if rnd() < 0.6 else first + int(rnd() * (promised - first + 1))
            if weekday(deliver) == 6:
                deliver = deliver - 1 if deliver - 1 >= first else deliver + 1
            late = deliver > promised
        deliver_ts = tl.local_ts(deliver, 8 + int(rnd() * 12), int(rnd() * 3600))
        delivered = deliver_ts < self.now
        cost = base_cost + 25 * (len(lines) - 1) + int(rnd() * 80)
        cost = min(max(cost, SHIPPING_COST_RANGE[0]), SHIPPING_COST_RANGE[1])
        self.shipment_id += 1
        chunk.shipments.append((self.shipment_id, order_id, carrier, to_datetime(ship_ts), tl.date(promised),
                                to_datetime(deliver_ts) if delivered else None, cents_to_decimal(cost)))

        if payment == "invoice" or b2b:
            self._invoice(chunk, order_id=order_id, day=day, issue_day=ship_day, b2b=b2b, payment=payment,
                          gross_cents=gross_cents)
        if not delivered:
            return "shipped"
        reasons = self._return(chunk, order_id=order_id, deliver=deliver, deliver_ts=deliver_ts, b2b=b2b,
                               late=late, lines=lines)
        if rnd() < REVIEW_SHARE:
            self._reviews(chunk, order_id=order_id, deliver_ts=deliver_ts, late=late, lines=lines, reasons=reasons)
        return "delivered"

    def _invoice(self, chunk, *, order_id, day, issue_day, b2b, payment, gross_cents):
        tl, rnd = self.tl, self.rng.random
        self.invoice_id += 1
        invoice_id = self.invoice_id
        term = TERMS_DAYS[b2b]
        due = issue_day + term
        amount = cents_to_decimal(gross_cents)
        notice = (not b2b) and rnd() < DEFAULT_NOTICE_SHARE
        chunk.invoices.append((invoice_id, f"RE{invoice_id:08d}", order_id, tl.date(issue_day), tl.date(due),
                               amount, notice))
        payments: list[tuple[int, int]] = []  # (day, cents)
        if payment != "invoice":  # a business paying up front still gets an invoice
            payments.append((day, gross_cents))
        else:
            u = rnd()
            on_time_day = issue_day + 2 + int(rnd() * (term - 1))
            if u < PAY_ON_TIME:
                payments.append((on_time_day, gross_cents))
            elif u < PAY_LATE:
                payments.append((due + 1 + min(120, int(self.rng.expovariate(1 / 15))), gross_cents))
            elif u < PAY_PARTIAL:
                part = max(100, gross_cents * (30 + int(rnd() * 41)) // 10_000 * 100)
                if part < gross_cents:
                    payments.append((on_time_day, part))
                    if rnd() < 0.5:
                        payments.append((due + 10 + int(rnd() * 50), gross_cents - part))
                else:
                    payments.append((on_time_day, gross_cents))
            elif u < PAY_PARTIAL + PAY_NEVER[b2b]:
                pass  # never pays: these become the overdue receivables
            else:
                payments.append((on_time_day, gross_cents))
        method = payment if payment != "invoice" else "transfer"
        for paid_day, cents in payments:
            if paid_day < self.today:
                self.payment_id += 1
                chunk.payments.append((self.payment_id, invoice_id, tl.date(paid_day), cents_to_decimal(cents),
                                       method))

    def _return(self, chunk, *, order_id, deliver, deliver_ts, b2b, late, lines) -> dict[int, str]:
        """Returned units per line by the category's return rate; one return per order."""
        rnd = self.rng.random
        factor = (B2B_RETURN_FACTOR if b2b else 1.0) * (LATE_RETURN_FACTOR if late else 1.0)
        rates = self.return_rates
        returned = []
        for line in lines:
            p = rates[line[5]] * factor
            quantity = line[2]
            if quantity == 1:
                units = 1 if rnd() < p else 0
            else:
                units = sum(1 for _ in range(quantity) if rnd() < p)
            if units:
                returned.append((line, units))
        if not returned:
            return {}
        tl = self.tl
        received_day = deliver + 5 + int(rnd() * 21)
        requested_day = max(deliver, received_day - 1 - int(rnd() * 4))
        requested_ts = tl.local_ts(requested_day, 7 + int(rnd() * 15), int(rnd() * 3600))
        if requested_ts <= deliver_ts:
            requested_ts = deliver_ts + 1800 + int(rnd() * 3600)
        if requested_ts >= self.now:
            return {}  # not asked for yet
        received_ts = tl.local_ts(received_day, 8 + int(rnd() * 9), int(rnd() * 3600))
        received = received_ts < self.now
        age = self.today - received_day
        rejected = received and rnd() < REJECTED_SHARE
        if not received:
            status = "requested"
        elif rejected:
            status = "rejected" if age < 14 else "closed"
        elif age <= 2:
            status = "received"
        elif age <= 6:
            status = "inspected"
        elif age <= 13:
            status = "refunded"
        else:
            status = "closed"
        inspected = status not in ("requested", "received")
        refunded = inspected and not rejected and status in ("refunded", "closed")

        self.return_id += 1
        ret_id = self.return_id
        reasons: dict[int, str] = {}
        warranty = False
        for (line_id, pid, quantity, price, discount, root), units in returned:
            if late and rnd() < LATE_REASON_SHARE:
                reason = "LATE"
            else:
                reason = _pick(self.reason_tables[root], rnd())
            reasons[pid] = reason
            warranty = warranty or (reason in WARRANTY_REASONS and rnd() < 0.4)
            condition = disposition = ""
            refund = None
            if inspected:
                table = CONDITIONS_DAMAGED if reason in DAMAGE_REASONS else \
                    CONDITIONS_QUALITY if reason == "QUALITY" else CONDITIONS_DEFAULT
                condition = _pick(table, rnd())
                if not rejected:
                    disposition = _pick(DISPOSITIONS[condition], rnd())
            if refunded:
                # the gross paid for the returned units: line gross less its discount, pro rata
                paid = quantity * price - discount
                refund = cents_to_decimal((2 * paid * units + quantity) // (2 * quantity))
            self.return_line_id += 1
            chunk.return_lines.append((self.return_line_id, ret_id, line_id, units, self.reason_ids[reason],
                                       condition, disposition, refund))
        legal_basis = "goodwill" if b2b else "warranty" if warranty else "withdrawal"
        chunk.returns.append((ret_id, f"RMA{ret_id:07d}", order_id, status, legal_basis, to_datetime(requested_ts),
                              to_datetime(received_ts) if received else None, rejected, None))
        return reasons

    def _reviews(self, chunk, *, order_id, deliver_ts, late, lines, reasons):
        rnd = self.rng.random
        picks = [lines[int(rnd() * len(lines))]]
        if len(lines) > 1 and rnd() < SECOND_REVIEW_SHARE:
            other = lines[int(rnd() * len(lines))]
            if other[1] != picks[0][1]:
                picks.append(other)
        for line in picks:
            pid = line[1]
            if reasons.get(pid) in BAD_PRODUCT_REASONS:
                table = RATINGS_BAD_PRODUCT
            elif late:
                table = RATINGS_LATE
            else:
                table = RATINGS_NORMAL
            rating = _pick(table, rnd())
            created = deliver_ts + (1 + int(rnd() * 20)) * 86_400 + int(rnd() * 36_000)
            if created >= self.now:
                continue
            texts = REVIEW_TEXTS[rating]
            self.review_id += 1
            chunk.reviews.append((self.review_id, order_id, pid, rating, to_datetime(created),
                                  texts[int(rnd() * len(texts))]))
