#!/usr/bin/env python3
"""Convert the Olist sample (Brazilian marketplace orders) into shopmgr import files (DESIGN §8).

Usage:
    python scripts/convert_olist.py SOURCE_DIR OUTDIR [--from YYYY-MM-DD --to YYYY-MM-DD]

SOURCE_DIR is ``../shared/data/olist-sample`` (Olist's own CSV files, ``../shared/data/README.md``;
licence CC BY-NC-SA 4.0: tests and local demos only, never committed). OUTDIR receives
categories.csv, products.csv, customers.csv, orders.csv, order_lines.csv, shipments.csv and
reviews.csv, to be imported in that order with ``python manage.py import_csv KIND FILE``.
--from/--to keep the orders whose purchase date (São Paulo local) lies in that inclusive range.
Standard library only. docs/olist.md explains the mapping; in short:

- Timestamps are naive São Paulo local time; they are written as ISO 8601 with the
  America/Sao_Paulo offset of that moment (Brazil still had summer time until 2019). The
  estimated delivery date is the shipment's promised_by.
- Money stays in BRL, unconverted. unit_price = the item's price, vat_rate 0 (the price is what
  the customer paid; Brazilian taxes are not VAT), quantity 1 (Olist lists each unit as an item).
  No costs in the source: unit_cost = 60 % of the product's median item price, 4 decimals.
- Categories: one root OLIST, a child per Olist category (code OL-<english name>, name the English
  translation), OL-UNCATEGORISED for products without one. Only products sold in range are written.
- Customers: customer_unique_id (Olist's customer_id changes with every order), kind b2c.
- Orders: channel marketplace; payment_method from the order's largest payment (credit_card and
  debit_card → card, boleto, voucher, anything else → unknown); status delivered, shipped,
  canceled/unavailable → cancelled, invoiced/processing/approved → paid, created → placed;
  shipping_fee = Σ freight_value of its items. An order without items is written without lines.
- Shipments: orders handed to the carrier (order_delivered_carrier_date): shipped_at = that moment,
  delivered_at = order_delivered_customer_date (may be empty), promised_by = the estimated
  delivery date, shipping_cost = Σ freight_value (Olist passes freight through), carrier "olist".
- Reviews: Olist reviews an order, shopmgr a product of an order: the order's latest review (by
  answer time) goes to the product of its first item; created_at = review_creation_date (a day,
  São Paulo midnight). Reviews of orders without items are skipped.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import statistics
import sys
from collections import Counter, defaultdict
from contextlib import ExitStack
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
ROOT = "OLIST"
UNCATEGORISED = "OL-UNCATEGORISED"
COST_SHARE = Decimal("0.6")
STATUS = {
    "delivered": "delivered", "shipped": "shipped", "canceled": "cancelled", "unavailable": "cancelled",
    "invoiced": "paid", "processing": "paid", "approved": "paid", "created": "placed",
}
PAYMENT = {"credit_card": "card", "debit_card": "card", "boleto": "boleto", "voucher": "voucher"}

FILES = {
    "categories": ["code", "name", "parent_code"],
    "products": ["sku", "name", "category_code", "supplier", "cost", "price", "vat_rate", "stock", "status",
                 "launched_on", "description", "image_count"],
    "customers": ["customer_id", "name", "email", "kind", "country", "created_at"],
    "orders": ["order_id", "customer_id", "placed_at", "channel", "payment_method", "status", "shipping_fee",
               "campaign_code"],
    "order_lines": ["order_id", "line_no", "sku", "quantity", "unit_price", "vat_rate", "discount", "unit_cost"],
    "shipments": ["order_id", "carrier", "shipped_at", "promised_by", "delivered_at", "shipping_cost"],
    "reviews": ["order_id", "sku", "rating", "created_at", "text"],
}


def read(source: Path, name: str) -> list[dict[str, str]]:
    with open(source / name, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def local(text: str) -> dt.datetime:
    """A naive São Paulo timestamp of the source as an aware datetime."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=SAO_PAULO)


def iso(text: str) -> str:
    return local(text).isoformat() if text else ""


def category_code(english: str) -> str:
    return "OL-" + english.upper().replace("_", "-")


@dataclass
class Summary:
    rows: dict[str, int] = field(default_factory=dict)
    skipped: Counter = field(default_factory=Counter)

    def lines(self) -> list[str]:
        out = [f"{name:<12} {count:>8,} rows" for name, count in self.rows.items()]
        out += [f"skipped: {reason:<50} {count:>6,}" for reason, count in sorted(self.skipped.items())]
        return out


def convert(source: Path, outdir: Path, *, first: dt.date | None = None, last: dt.date | None = None) -> Summary:
    summary = Summary()
    translation = {r["product_category_name"]: r["product_category_name_english"]
                   for r in read(source, "product_category_name_translation.csv")}
    customers_of_order = {r["customer_id"]: r["customer_unique_id"] for r in read(source, "olist_customers_dataset.csv")}

    orders = []
    for r in read(source, "olist_orders_dataset.csv"):
        day = dt.date.fromisoformat(r["order_purchase_timestamp"][:10])
        if (first and day < first) or (last and day > last):
            summary.skipped["order outside --from/--to"] += 1
            continue
        orders.append(r)
    orders.sort(key=lambda r: (r["order_purchase_timestamp"], r["order_id"]))
    kept = {r["order_id"] for r in orders}

    items = defaultdict(list)
    for r in read(source, "olist_order_items_dataset.csv"):
        if r["order_id"] in kept:
            items[r["order_id"]].append(r)
    for lines in items.values():
        lines.sort(key=lambda r: int(r["order_item_id"]))

    payments = defaultdict(list)
    for r in read(source, "olist_order_payments_dataset.csv"):
        if r["order_id"] in kept:
            payments[r["order_id"]].append(r)

    # products sold in range: price history, category
    catalogue = {r["product_id"]: r for r in read(source, "olist_products_dataset.csv")}
    prices: dict[str, list[Decimal]] = defaultdict(list)
    launched: dict[str, str] = {}
    for order in orders:
        for item in items[order["order_id"]]:
            prices[item["product_id"]].append(Decimal(item["price"]))
            launched.setdefault(item["product_id"], order["order_purchase_timestamp"][:10])
    cost = {sku: (statistics.median(p) * COST_SHARE).quantize(Decimal("0.0001"), ROUND_HALF_UP)
            for sku, p in prices.items()}

    def product_category(sku: str) -> str:
        name = catalogue.get(sku, {}).get("product_category_name", "")
        return category_code(translation.get(name, name)) if name else UNCATEGORISED

    outdir.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        writers = {}
        for name, header in FILES.items():
            handle = stack.enter_context(open(outdir / f"{name}.csv", "w", encoding="utf-8", newline=""))
            writers[name] = csv.writer(handle)
            writers[name].writerow(header)
        codes = sorted({product_category(sku) for sku in prices})
        writers["categories"].writerow([ROOT, "Olist (Brazil)", ""])
        for code in codes:
            name = "Uncategorised" if code == UNCATEGORISED else code[3:].replace("-", " ").title()
            writers["categories"].writerow([code, name, ROOT])
        summary.rows["categories"] = len(codes) + 1

        for sku in sorted(prices):
            info = catalogue.get(sku, {})
            name = f"{product_category(sku)[3:].replace('-', ' ').title()} {sku[:8]}"
            writers["products"].writerow([
                sku, name, product_category(sku), "", cost[sku], prices[sku][-1], "0", "", "active",
                launched[sku], "", info.get("product_photos_qty", ""),
            ])
        summary.rows["products"] = len(prices)

        first_order: dict[str, str] = {}
        for order in orders:
            first_order.setdefault(customers_of_order[order["customer_id"]], order["order_purchase_timestamp"])
        for customer, placed in sorted(first_order.items()):
            writers["customers"].writerow([customer, "", "", "b2c", "Brazil", iso(placed)])
        summary.rows["customers"] = len(first_order)

        lines_written = shipments = 0
        for order in orders:
            order_id, lines = order["order_id"], items[order["order_id"]]
            paid = sorted(payments[order_id], key=lambda p: (-Decimal(p["payment_value"]), p["payment_sequential"]))
            method = PAYMENT.get(paid[0]["payment_type"], "unknown") if paid else "unknown"
            freight = sum((Decimal(i["freight_value"]) for i in lines), Decimal(0))
            if not lines:
                summary.skipped["(written) order without items"] += 1
            writers["orders"].writerow([
                order_id, customers_of_order[order["customer_id"]], iso(order["order_purchase_timestamp"]),
                "marketplace", method, STATUS.get(order["order_status"], "placed"), freight, "",
            ])
            for item in lines:
                writers["order_lines"].writerow([
                    order_id, item["order_item_id"], item["product_id"], 1, item["price"], "0", "0",
                    cost[item["product_id"]],
                ])
                lines_written += 1
            if order["order_delivered_carrier_date"]:
                writers["shipments"].writerow([
                    order_id, "olist", iso(order["order_delivered_carrier_date"]),
                    order["order_estimated_delivery_date"][:10], iso(order["order_delivered_customer_date"]),
                    freight,
                ])
                shipments += 1
            elif order["order_delivered_customer_date"]:
                summary.skipped["delivery without a carrier date"] += 1
        summary.rows["orders"] = len(orders)
        summary.rows["order_lines"] = lines_written
        summary.rows["shipments"] = shipments

        latest: dict[str, dict[str, str]] = {}
        for review in read(source, "olist_order_reviews_dataset.csv"):
            if review["order_id"] not in kept:
                continue
            known = latest.get(review["order_id"])
            if known is not None:
                summary.skipped["earlier review of the same order"] += 1
                if (known["review_answer_timestamp"], known["review_id"]) > (
                        review["review_answer_timestamp"], review["review_id"]):
                    continue
            latest[review["order_id"]] = review
        reviews = 0
        for order in orders:
            review = latest.get(order["order_id"])
            if review is None:
                continue
            lines = items[order["order_id"]]
            if not lines:
                summary.skipped["review of an order without items"] += 1
                continue
            writers["reviews"].writerow([
                order["order_id"], lines[0]["product_id"], review["review_score"],
                iso(review["review_creation_date"]), review["review_comment_message"].strip(),
            ])
            reviews += 1
        summary.rows["reviews"] = reviews
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", type=Path)
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--from", dest="first", type=dt.date.fromisoformat)
    parser.add_argument("--to", dest="last", type=dt.date.fromisoformat)
    args = parser.parse_args(argv)
    if args.first and args.last and args.first > args.last:
        parser.error(f"--from {args.first} is after --to {args.last}")
    summary = convert(args.source, args.outdir, first=args.first, last=args.last)
    print("\n".join(summary.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
