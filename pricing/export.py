"""The price feed for the shop system (DESIGN §8): CSV with the columns
sku, price, reference_price_30d, valid_from — a contract, the names stay.

For each product: the price in effect at the moment (imported prices and approved proposals; a
pending proposal is no PriceChange and never appears), when it became valid, and the lowest price
in effect during the 30 days before that (§11 PAngV; empty when the product had no earlier price).
Re-exportable as of any past date: only rows valid by then are read.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator

from django.db.models import Q

from shopmgr.core.dates import BERLIN, berlin_midnight_utc

from . import rules
from .models import PriceChange

COLUMNS = ("sku", "price", "reference_price_30d", "valid_from")


def as_of_moment(day: dt.date | None) -> dt.datetime | None:
    """`--as-of D` means the prices in effect at the end of Berlin day D (None: now)."""
    return None if day is None else berlin_midnight_utc(day + dt.timedelta(days=1)) - dt.timedelta(microseconds=1)


def feed_rows(*, moment: dt.datetime, scope: Q | None = None) -> Iterator[tuple[str, str, str, str]]:
    """One row per product with a price valid at `moment`, by SKU; one ordered query, streamed."""
    qs = PriceChange.objects.filter(valid_from__lte=moment)
    if scope is not None:
        qs = qs.filter(scope)
    rows = qs.order_by("product__sku", "valid_from").values_list("product__sku", "valid_from", "price", "kind")
    sku, history = None, []
    for row_sku, valid_from, price, kind in rows.iterator(chunk_size=20000):
        if row_sku != sku:
            if history:
                yield _row(sku, history)
            sku, history = row_sku, []
        history.append(rules.PricePoint(valid_from, price, kind))
    if history:
        yield _row(sku, history)


def _row(sku: str, history: list[rules.PricePoint]) -> tuple[str, str, str, str]:
    current = history[-1]
    reference = rules.lowest_price_before(history, current.valid_from)
    return (sku, f"{current.price:.2f}", "" if reference is None else f"{reference:.2f}",
            current.valid_from.astimezone(BERLIN).isoformat())


def write_feed(out, *, moment: dt.datetime, scope: Q | None = None) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    n = 0
    for row in feed_rows(moment=moment, scope=scope):
        writer.writerow(row)
        n += 1
    return n


def stream_feed(*, moment: dt.datetime, scope: Q | None = None) -> Iterator[str]:
    """The CSV as text chunks for a streaming download."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for i, row in enumerate(feed_rows(moment=moment, scope=scope)):
        writer.writerow(row)
        if i % 2000 == 1999:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
