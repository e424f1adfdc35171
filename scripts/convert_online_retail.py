#!/usr/bin/env python3
"""Convert the UCI Online Retail (II) invoice lines into shopmgr import files (DESIGN §8).

Usage:
    python scripts/convert_online_retail.py SOURCE OUTDIR [--limit-lines N]
                                            [--from YYYY-MM-DD --to YYYY-MM-DD]

SOURCE is the combined CSV (``.csv`` or ``.csv.gz``) described in
``../shared/data/README.md``: Invoice, StockCode, Description, Quantity,
InvoiceDate (UK local time), Price (GBP), CustomerID, Country[, source].
OUTDIR receives categories.csv, products.csv, customers.csv, orders.csv,
order_lines.csv and returns.csv, to be imported in that order with
``python manage.py import_csv KIND FILE``. The data has no shipments,
invoices, payments or reviews, so none are written. Standard library only.

Mapping decisions (docs/online-retail.md explains them at length):

- Timestamps: InvoiceDate is UK local time; it is written as ISO 8601 with the
  Europe/London offset of that moment (+00:00 in winter, +01:00 in summer).
  An invoice's time is the earliest InvoiceDate of its lines.
- Money: the GBP amounts are kept as the shop's currency numbers, unconverted,
  so that the published totals reconcile. unit_price = Price, vat_rate = 0
  (the source's VAT treatment is unknown), so a line's net = quantity × price.
  The source has no cost: unit_cost = 60 % of the product's median unit price
  over its kept sale lines (4 decimals), the same on every line of a product.
- Categories: the source has none. One root ONLINE-RETAIL with nine children
  chosen by keyword rules on the product name (first matching rule wins, so a
  "CHRISTMAS MUG" is seasonal) and OR-OTHER for the rest.
- Products: sku = StockCode trimmed and upper-cased (85123a and 85123A are one
  product); name = the most frequent description on its kept sale lines
  (fallback "StockCode <code>"); price = the last kept unit price; cost as
  above; vat_rate 0; status active; launched_on = date of its first kept sale.
- Not products: POST, DOT, C2, C3 (postage / carriage) become the order's
  shipping_fee; M, D, S, B, BANK CHARGES, AMAZONFEE, CRUK, ADJUST*, TEST*,
  PADS (cushion pads at 0.001), GIFT and gift_0001_* (gift vouchers) are
  skipped and counted per code.
- Customers: CustomerID without a trailing ".0" becomes customer_id, kind b2b
  (the retailer sells mostly to wholesalers); an invoice without CustomerID
  gets its own guest customer "GUEST-<invoice>", kind b2c, so that guests do
  not merge into one giant pseudo-customer. country = the Country of the
  customer's latest order, created_at = its first order.
- Orders: one per invoice not starting with C or A that keeps at least one
  product line; channel webshop, payment_method unknown, status delivered.
  Lines with quantity <= 0 (stock corrections) or price <= 0, and every line of
  an A (bad-debt adjustment) invoice, are skipped and counted. The same
  StockCode twice on one invoice stays two lines, each with its own line_no.
- Returns: a C invoice is a credit note. Each of its product lines (StockCode,
  |Quantity|) is matched greedily to the same customer's most recent order
  lines of that StockCode placed no later than the credit note that still
  have un-returned units, never returning more than was ordered. return_id =
  the C invoice, or "<C invoice>-<order_id>" when one credit note spans
  several orders; reason OTHER; received_at = the credit note's time;
  disposition restock; condition empty; refund_amount = units × Price. Credit
  lines of guests or without an earlier purchase in the converted range are
  counted, not written.
- --limit-lines N reads only the first N data lines (for tests; the last
  invoice may be cut short). --from/--to keep the invoices whose UK local date
  lies in that inclusive range.

The summary printed at the end reconciles Σ Quantity × Price of every source
line in range with what was written and what was skipped, per reason.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
CENT = Decimal("0.01")
COST_PLACES = Decimal("0.0001")
# The source has no purchase cost: assume 60 % of the product's median selling price.
COST_SHARE_OF_MEDIAN_PRICE = Decimal("0.60")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ROOT_CATEGORY = ("ONLINE-RETAIL", "Online Retail (UCI)")
# (code, name, keywords): the first rule with a keyword among the name's words wins.
CATEGORY_RULES: tuple[tuple[str, str, frozenset[str]], ...] = (
    (
        "OR-SEASONAL",
        "Christmas and seasonal",
        _words("CHRISTMAS XMAS ADVENT SANTA REINDEER SNOWFLAKE SNOWMAN EASTER HALLOWEEN"),
    ),
    (
        "OR-JEWELLERY",
        "Jewellery and accessories",
        _words(
            "NECKLACE NECKL BRACELET EARRINGS BROOCH DIAMANTE HAIRCLIP HAIRBAND HAIR RING CHARM "
            "BLING KEYRING PASSPORT LUGGAGE PHONE"
        ),
    ),
    (
        "OR-LIGHTING",
        "Candles and lighting",
        _words(
            "CANDLE CANDLES CANDLEHOLDER TLIGHT TLIGHTS LIGHT LIGHTS LANTERN LAMP LAMPSHADE INCENSE"
        ),
    ),
    (
        "OR-KITCHEN",
        "Kitchen and dining",
        _words(
            "MUG MUGS CUP CUPS TEACUP PLATE PLATES BOWL BOWLS CAKE CAKES CAKESTAND BAKING TEA "
            "TEAPOT COFFEE CUTLERY JAR JARS LUNCH BOTTLE KITCHEN NAPKINS DISH APRON TRAY SPOON "
            "PANTRY JUG BEAKER PAN FRYING COASTER COASTERS FOOD EGG"
        ),
    ),
    (
        "OR-TOYS",
        "Toys and children",
        _words("TOY TOYS DOLL DOLLY CHILDS CHILDRENS KIDS GAME GAMES JIGSAW PUZZLE SPACEBOY TEDDY"),
    ),
    (
        "OR-PAPER",
        "Cards, wrap and stationery",
        _words(
            "CARD CARDS WRAP PAPER NOTEBOOK PEN PENS PENCIL PENCILS STICKERS TAPE RIBBON RIBBONS "
            "PARTY BIRTHDAY BUNTING TISSUES ENVELOPE ENVELOPES CHALK ERASER BOOK CRAYONS"
        ),
    ),
    (
        "OR-BAGS",
        "Bags and storage",
        _words(
            "BAG BAGS HANDBAG SHOPPER BOX BOXES TIN TINS BASKET STORAGE DRAWER CASE CASES "
            "CABINET PURSE"
        ),
    ),
    (
        "OR-GARDEN",
        "Garden and outdoors",
        _words("GARDEN PLANTER WATERING DOORMAT PICNIC BIRDHOUSE UMBRELLA"),
    ),
    (
        "OR-HOME",
        "Home decoration",
        _words(
            "FRAME SIGN CLOCK CUSHION MIRROR DECORATION HANGING WALL HOOK HOOKS GARLAND WREATH "
            "DOOR KNOB ORNAMENT VASE HEART HEARTS MAGNETS FRIDGE PHOTO ALBUM TILE STOOL RACK DOORSTOP "
            "CURTAIN THROW MOBILE TABLE"
        ),
    ),
)
FALLBACK_CATEGORY = ("OR-OTHER", "Other gifts")

SHIPPING_CODES = frozenset({"POST", "DOT", "C2", "C3"})
NON_PRODUCT_CODES = {
    "M": "manual line (M)",
    "D": "discount (D)",
    "S": "samples (S)",
    "B": "bad-debt adjustment (B)",
    "BANK CHARGES": "bank charges",
    "AMAZONFEE": "Amazon fee",
    "CRUK": "CRUK commission",
    "PADS": "cushion pads at 0.001 (PADS)",
    "GIFT": "gift voucher",
}
NON_PRODUCT_PREFIXES = (
    ("ADJUST", "manual adjustment (ADJUST*)"),
    ("TEST", "test product (TEST*)"),
    ("GIFT_0001_", "gift voucher"),
)

OUTPUT_FILES = ("categories", "products", "customers", "orders", "order_lines", "returns")
HEADERS = {
    "categories": ["code", "name", "parent_code"],
    "products": [
        "sku",
        "name",
        "category_code",
        "supplier",
        "cost",
        "price",
        "vat_rate",
        "stock",
        "status",
        "launched_on",
        "description",
        "image_count",
    ],
    "customers": ["customer_id", "name", "email", "kind", "country", "created_at"],
    "orders": [
        "order_id",
        "customer_id",
        "placed_at",
        "channel",
        "payment_method",
        "status",
        "shipping_fee",
        "campaign_code",
    ],
    "order_lines": [
        "order_id",
        "line_no",
        "sku",
        "quantity",
        "unit_price",
        "vat_rate",
        "discount",
        "unit_cost",
    ],
    "returns": [
        "return_id",
        "order_id",
        "line_no",
        "quantity",
        "reason",
        "received_at",
        "condition",
        "disposition",
        "refund_amount",
    ],
}
REQUIRED_COLUMNS = (
    "Invoice",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "Price",
    "CustomerID",
    "Country",
)

# Reconciliation buckets, in the order the summary prints them.
WRITTEN_LINES = "written: order lines"
WRITTEN_SHIPPING = "written: shipping fee on orders (POST, DOT, C2, C3)"
WRITTEN_RETURNS = "written: returns (matched credit units)"
SKIP_BAD_DEBT = "skipped: bad-debt adjustment invoice (A...)"
SKIP_SALE_QTY = "skipped: sale line with quantity <= 0 (stock correction)"
SKIP_SALE_PRICE = "skipped: sale line with price <= 0"
SKIP_SALE_SUBCENT = "skipped: sale line with a price below whole cents"
SKIP_SHIPPING_SIGN = "skipped: shipping line with quantity or price <= 0"
SKIP_SHIPPING_ONLY = "skipped: shipping fee on invoice without product lines"
SKIP_CREDIT_NON_PRODUCT = "skipped: credit line of a non-product code"
SKIP_CREDIT_SIGN = "skipped: credit line with quantity >= 0 or price <= 0"
SKIP_CREDIT_GUEST = "unmatched: credit line without CustomerID (guest)"
SKIP_CREDIT_NO_PURCHASE = "unmatched: credit units without an earlier purchase"


def non_product_reason(code: str) -> str | None:
    """Why a StockCode is not a product (None for a product); shipping codes are handled apart."""
    if code in NON_PRODUCT_CODES:
        return NON_PRODUCT_CODES[code]
    for prefix, reason in NON_PRODUCT_PREFIXES:
        if code.startswith(prefix):
            return reason
    return None


def customer_id_of(raw: str) -> str:
    """'13085.0' and '13085' are the same customer; '' stays '' (a guest)."""
    raw = raw.strip()
    return raw[:-2] if raw.endswith(".0") else raw


def category_for(name: str) -> str:
    words = set(re.findall(r"[A-Z]+", name.upper()))
    for code, _name, keywords in CATEGORY_RULES:
        if words & keywords:
            return code
    return FALLBACK_CATEGORY[0]


def median(counts: Counter[Decimal]) -> Decimal:
    """Median of a multiset given as value → count (mean of the two middle values if even)."""
    total = sum(counts.values())
    ordered = sorted(counts.items())

    def nth(n: int) -> Decimal:
        seen = 0
        for value, count in ordered:
            seen += count
            if seen > n:
                return value
        raise IndexError(n)

    mid = total // 2
    return nth(mid) if total % 2 else (nth(mid - 1) + nth(mid)) / 2


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class SaleInvoice:
    number: str
    ts: str
    customer: str
    country: str
    lines: list[tuple[str, int, Decimal]] = field(default_factory=list)
    shipping_fee: Decimal = Decimal(0)
    shipping_lines: int = 0


@dataclass
class CreditNote:
    number: str
    ts: str
    customer: str
    lines: list[tuple[str, int, Decimal]] = field(default_factory=list)


@dataclass
class ProductStats:
    names: Counter[str] = field(default_factory=Counter)
    prices: Counter[Decimal] = field(default_factory=Counter)
    first_ts: str = ""
    last_ts: str = ""
    last_price: Decimal = Decimal(0)


@dataclass
class Summary:
    """What a conversion read, wrote and skipped; `report()` renders it for humans."""

    source_lines_read: int = 0
    lines_out_of_range: int = 0
    lines_in_range: int = 0
    source_total: Decimal = Decimal(0)
    source_invoices: int = 0
    source_sale_invoices: int = 0
    source_credit_invoices: int = 0
    source_bad_debt_invoices: int = 0
    source_customers: int = 0
    sale_invoices_without_product_lines: int = 0
    credit_notes_with_returns: int = 0
    registered_customers: int = 0
    guest_customers: int = 0
    refund_total: Decimal = Decimal(0)
    rows: dict[str, int] = field(default_factory=dict)
    # bucket → [source lines (units for returns and unmatched credits), Σ Quantity × Price]
    buckets: dict[str, list] = field(default_factory=lambda: defaultdict(lambda: [0, Decimal(0)]))
    non_product_codes: Counter[str] = field(default_factory=Counter)

    def add(self, bucket: str, amount: Decimal, lines: int = 1) -> None:
        entry = self.buckets[bucket]
        entry[0] += lines
        entry[1] += amount

    @property
    def reconciled_total(self) -> Decimal:
        return sum((amount for _lines, amount in self.buckets.values()), Decimal(0))

    def report(self) -> str:
        out = [
            f"source lines read: {self.source_lines_read:,} "
            f"(in range {self.lines_in_range:,}, out of range {self.lines_out_of_range:,})",
            f"source invoices in range: {self.source_invoices:,} (sales {self.source_sale_invoices:,}, "
            f"credit notes C {self.source_credit_invoices:,}, bad-debt A {self.source_bad_debt_invoices:,}); "
            f"distinct CustomerIDs: {self.source_customers:,}",
            f"source Σ Quantity × Price over all lines in range: {self.source_total:,.3f}",
            "",
            "rows written:",
        ]
        out += [f"  {name + '.csv':<16} {count:>9,}" for name, count in self.rows.items()]
        out += [
            f"  customers: {self.registered_customers:,} registered + {self.guest_customers:,} guests; "
            f"sale invoices without product lines (no order): {self.sale_invoices_without_product_lines:,}",
            f"  credit notes with at least one matched return row: {self.credit_notes_with_returns:,}; "
            f"Σ refund_amount written: {self.refund_total:,.2f}",
            "",
            "reconciliation of Σ Quantity × Price (GBP) over the source lines in range:",
        ]
        for bucket, (lines, amount) in sorted(
            self.buckets.items(), key=lambda kv: _bucket_order(kv[0])
        ):
            unit = "units" if bucket.startswith(("written: returns", "unmatched")) else "lines"
            out.append(f"  {bucket:<62} {lines:>9,} {unit:<5} {amount:>16,.3f}")
        difference = self.source_total - self.reconciled_total
        out.append(f"  {'sum of the above':<62} {'':>15} {self.reconciled_total:>16,.3f}")
        out.append(f"  {'difference to the source total':<62} {'':>15} {difference:>16,.3f}")
        if self.non_product_codes:
            codes = ", ".join(f"{code} {n:,}" for code, n in sorted(self.non_product_codes.items()))
            out += ["", f"non-product lines by code: {codes}"]
        return "\n".join(out)


def _bucket_order(bucket: str) -> tuple[int, str]:
    rank = {"written": 0, "skipped": 1, "unmatched": 2}.get(bucket.split(":", 1)[0], 3)
    return rank, bucket


@cache
def iso_london(ts: str) -> str:
    """'2010-06-01 09:00:00' (UK local) → '2010-06-01T09:00:00+01:00'. An ambiguous time of the
    autumn switch would be read as its first (summer-time) occurrence; the shop trades by day."""
    return datetime.fromisoformat(ts).replace(tzinfo=LONDON).isoformat()


def read_rows(source: Path, limit_lines: int | None) -> Iterator[list[str]]:
    opener = gzip.open if source.suffix == ".gz" else open
    with opener(source, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        missing = [name for name in REQUIRED_COLUMNS if name not in header]
        if missing:
            raise SystemExit(f"{source}: missing columns {', '.join(missing)}")
        index = [header.index(name) for name in REQUIRED_COLUMNS]
        for n, row in enumerate(reader, start=1):
            if limit_lines is not None and n > limit_lines:
                break
            yield [row[i] for i in index]


@dataclass
class Conversion:
    """The state of one conversion: invoices grouped, product statistics, the summary."""

    date_from: str | None = None
    date_to: str | None = None
    sales: dict[str, SaleInvoice] = field(default_factory=dict)
    credits: dict[str, CreditNote] = field(default_factory=dict)
    products: dict[str, ProductStats] = field(default_factory=lambda: defaultdict(ProductStats))
    summary: Summary = field(default_factory=Summary)

    def read(self, rows: Iterator[list[str]]) -> None:
        summary = self.summary
        in_range: dict[str, bool] = {}
        invoices_in_range: set[str] = set()
        customers: set[str] = set()
        # One object per distinct code and price: a million lines share a few thousand of each.
        codes: dict[str, str] = {}
        prices: dict[str, Decimal] = {}
        for invoice, raw_code, description, quantity, ts, price_text, raw_customer, country in rows:
            summary.source_lines_read += 1
            keep = in_range.get(invoice)
            if keep is None:
                day = ts[:10]
                keep = (self.date_from is None or day >= self.date_from) and (
                    self.date_to is None or day <= self.date_to
                )
                in_range[invoice] = keep
            if not keep:
                summary.lines_out_of_range += 1
                continue
            summary.lines_in_range += 1
            qty = int(quantity)
            price = prices.get(price_text)
            if price is None:
                price = prices[price_text] = Decimal(price_text)
            amount = qty * price
            summary.source_total += amount
            customer = customer_id_of(raw_customer)
            if invoice not in invoices_in_range:
                invoices_in_range.add(invoice)
                if invoice.startswith("C"):
                    summary.source_credit_invoices += 1
                elif invoice.startswith("A"):
                    summary.source_bad_debt_invoices += 1
                else:
                    summary.source_sale_invoices += 1
            if customer:
                customers.add(customer)
            code = codes.get(raw_code)
            if code is None:
                code = codes[raw_code] = sys.intern(raw_code.strip().upper())
            if invoice.startswith("A"):
                summary.add(SKIP_BAD_DEBT, amount)
            elif invoice.startswith("C"):
                self._read_credit_line(invoice, code, qty, price, amount, ts, customer)
            else:
                self._read_sale_line(
                    invoice, code, description, qty, price, amount, ts, customer, country
                )
        summary.source_invoices = len(invoices_in_range)
        summary.source_customers = len(customers)

    def _read_sale_line(
        self, invoice, code, description, qty, price, amount, ts, customer, country
    ):
        summary = self.summary
        sale = self.sales.get(invoice)
        if sale is None:
            sale = self.sales[invoice] = SaleInvoice(invoice, ts, customer, country)
        elif ts < sale.ts:
            sale.ts = ts
        if code in SHIPPING_CODES:
            if qty > 0 and price > 0:
                sale.shipping_fee += amount
                sale.shipping_lines += 1
            else:
                summary.add(SKIP_SHIPPING_SIGN, amount)
            return
        reason = non_product_reason(code)
        if reason is not None:
            summary.add(f"skipped: sale line, non-product: {reason}", amount)
            summary.non_product_codes[code] += 1
        elif qty <= 0:
            summary.add(SKIP_SALE_QTY, amount)
        elif price <= 0:
            summary.add(SKIP_SALE_PRICE, amount)
        elif price != price.quantize(CENT):
            summary.add(SKIP_SALE_SUBCENT, amount)
        else:
            sale.lines.append((code, qty, price))
            summary.add(WRITTEN_LINES, amount)
            stats = self.products[code]
            name = " ".join(description.split())
            if name:
                stats.names[name] += 1
            stats.prices[price] += 1
            if not stats.first_ts or ts < stats.first_ts:
                stats.first_ts = ts
            if ts >= stats.last_ts:
                stats.last_ts, stats.last_price = ts, price

    def _read_credit_line(self, invoice, code, qty, price, amount, ts, customer):
        summary = self.summary
        note = self.credits.get(invoice)
        if note is None:
            note = self.credits[invoice] = CreditNote(invoice, ts, customer)
        elif ts < note.ts:
            note.ts = ts
        if code in SHIPPING_CODES or non_product_reason(code) is not None:
            summary.add(SKIP_CREDIT_NON_PRODUCT, amount)
            summary.non_product_codes[code] += 1
        elif qty >= 0 or price <= 0:
            summary.add(SKIP_CREDIT_SIGN, amount)
        elif not customer:
            summary.add(SKIP_CREDIT_GUEST, amount, lines=-qty)
        else:
            note.lines.append((code, -qty, price))


def product_rows(products: dict[str, ProductStats]) -> Iterator[list[str]]:
    for sku in sorted(products):
        stats = products[sku]
        name = stats.names.most_common(1)[0][0] if stats.names else f"StockCode {sku}"
        cost = (median(stats.prices) * COST_SHARE_OF_MEDIAN_PRICE).quantize(
            COST_PLACES, ROUND_HALF_UP
        )
        yield [
            sku,
            name,
            category_for(name),
            "",
            f"{cost}",
            f"{stats.last_price:.2f}",
            "0",
            "",
            "active",
            stats.first_ts[:10],
            "",
            "",
        ]


def convert(
    source: Path,
    outdir: Path,
    *,
    limit_lines: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Summary:
    """Read SOURCE, write the six import files into OUTDIR, return what was written and skipped."""
    conversion = Conversion(
        date_from=date_from.isoformat() if date_from else None,
        date_to=date_to.isoformat() if date_to else None,
    )
    conversion.read(read_rows(source, limit_lines))
    summary = conversion.summary
    outdir.mkdir(parents=True, exist_ok=True)

    unit_costs: dict[str, str] = {}
    products: list[list[str]] = []
    for row in product_rows(conversion.products):
        products.append(row)
        unit_costs[row[0]] = row[4]

    orders: list[SaleInvoice] = []
    for sale in conversion.sales.values():
        if sale.lines:
            orders.append(sale)
            if sale.shipping_lines:
                summary.add(WRITTEN_SHIPPING, sale.shipping_fee, lines=sale.shipping_lines)
        else:
            summary.sale_invoices_without_product_lines += 1
            if sale.shipping_lines:
                summary.add(SKIP_SHIPPING_ONLY, sale.shipping_fee, lines=sale.shipping_lines)

    # Orders before credit notes at the same minute: a same-minute cancellation is plausible.
    events: list[tuple[str, int, str, SaleInvoice | CreditNote]] = [
        (sale.ts, 0, sale.number, sale) for sale in orders
    ] + [(note.ts, 1, note.number, note) for note in conversion.credits.values()]
    events.sort(key=lambda event: event[:3])

    category_rows = [[ROOT_CATEGORY[0], ROOT_CATEGORY[1], ""]]
    category_rows += [[code, name, ROOT_CATEGORY[0]] for code, name, _ in CATEGORY_RULES]
    category_rows.append([FALLBACK_CATEGORY[0], FALLBACK_CATEGORY[1], ROOT_CATEGORY[0]])

    # (customer, sku) → [order_id, line_no, un-returned units], oldest first.
    open_units: dict[tuple[str, str], list[list]] = defaultdict(list)
    customers: dict[str, list[str]] = {}  # customer_id → [kind, country, created_at]
    with ExitStack() as stack:
        writers = {name: _open_writer(stack, outdir, name) for name in OUTPUT_FILES}
        writers["categories"].writerows(category_rows)
        writers["products"].writerows(products)
        orders_out, lines_out, returns_out = (
            writers["orders"],
            writers["order_lines"],
            writers["returns"],
        )
        rows = Counter(categories=len(category_rows), products=len(products))
        # Lines are written as they are produced: a million of them never sit in memory as rows.
        for ts, is_credit, number, record in events:
            placed_at = iso_london(ts)
            if is_credit:
                return_rows = _match_credit_note(record, placed_at, open_units, summary)
                returns_out.writerows(return_rows)
                rows["returns"] += len(return_rows)
                continue
            customer_id = record.customer or f"GUEST-{number}"
            known = customers.get(customer_id)
            if known is None:
                customers[customer_id] = [
                    "b2b" if record.customer else "b2c",
                    record.country,
                    placed_at,
                ]
            else:
                known[1] = record.country
            orders_out.writerow(
                [
                    number,
                    customer_id,
                    placed_at,
                    "webshop",
                    "unknown",
                    "delivered",
                    f"{cents(record.shipping_fee):.2f}",
                    "",
                ]
            )
            rows["orders"] += 1
            for line_no, (sku, qty, price) in enumerate(record.lines, start=1):
                lines_out.writerow(
                    [number, line_no, sku, qty, f"{price:.2f}", "0", "0", unit_costs[sku]]
                )
                if record.customer:
                    open_units[(record.customer, sku)].append([number, line_no, qty])
            rows["order_lines"] += len(record.lines)
        writers["customers"].writerows(
            [customer_id, "", "", kind, country, created_at]
            for customer_id, (kind, country, created_at) in sorted(customers.items())
        )
        rows["customers"] = len(customers)

    summary.rows = {name: rows[name] for name in OUTPUT_FILES}
    summary.registered_customers = sum(1 for kind, _, _ in customers.values() if kind == "b2b")
    summary.guest_customers = len(customers) - summary.registered_customers
    return summary


def _open_writer(stack: ExitStack, outdir: Path, name: str):
    handle = stack.enter_context((outdir / f"{name}.csv").open("w", encoding="utf-8", newline=""))
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(HEADERS[name])
    return writer


def _match_credit_note(
    note: CreditNote,
    received_at: str,
    open_units: dict[tuple[str, str], list[list]],
    summary: Summary,
) -> list[list[str]]:
    """Return rows for one credit note: each line takes units from the customer's most recent
    earlier order lines of its StockCode that still have un-returned units (greedy, newest first),
    never more than was ordered; what finds no such units is counted as unmatched."""
    taken: dict[tuple[str, int], list] = {}  # (order_id, line_no) → [units, refund]
    for sku, units, price in note.lines:
        left = units
        for entry in reversed(open_units.get((note.customer, sku), ())):
            if left == 0:
                break
            take = min(left, entry[2])
            if take == 0:
                continue
            entry[2] -= take
            left -= take
            matched = taken.setdefault((entry[0], entry[1]), [0, Decimal(0)])
            matched[0] += take
            matched[1] += take * price
            summary.add(WRITTEN_RETURNS, -take * price, lines=take)
        if left:
            summary.add(SKIP_CREDIT_NO_PURCHASE, -left * price, lines=left)
    if not taken:
        return []
    summary.credit_notes_with_returns += 1
    several_orders = len({order_id for order_id, _ in taken}) > 1
    rows = []
    for (order_id, line_no), (units, refund) in taken.items():
        return_id = f"{note.number}-{order_id}" if several_orders else note.number
        refund_amount = cents(refund)
        summary.refund_total += refund_amount
        rows.append(
            [
                return_id,
                order_id,
                str(line_no),
                str(units),
                "OTHER",
                received_at,
                "",
                "restock",
                f"{refund_amount:.2f}",
            ]
        )
    rows.sort(key=lambda row: (row[0], int(row[2])))
    return rows


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Convert UCI Online Retail invoice lines into shopmgr import files (DESIGN §8)."
    )
    parser.add_argument("source", type=Path, help="online_retail_2009_2011_combined.csv[.gz]")
    parser.add_argument("outdir", type=Path, help="folder for the six import CSV files")
    parser.add_argument(
        "--limit-lines", type=int, metavar="N", help="convert only the first N data lines of SOURCE"
    )
    parser.add_argument(
        "--from",
        dest="date_from",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="first invoice date (UK local) to convert",
    )
    parser.add_argument(
        "--to",
        dest="date_to",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="last invoice date (UK local) to convert, inclusive",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.source.is_file():
        print(f"no such file: {args.source}", file=sys.stderr)
        return 2
    summary = convert(
        args.source,
        args.outdir,
        limit_lines=args.limit_lines,
        date_from=args.date_from,
        date_to=args.date_to,
    )
    print(f"Online Retail {args.source} → {args.outdir}")
    print(summary.report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
