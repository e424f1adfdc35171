"""Kinds of the price history: prices (PriceChange rows) and competitor prices."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Subquery

from catalog.models import Product
from pricing.models import CompetitorPrice, PriceChange

from . import parsing as p
from .base import (
    Column,
    ImportContext,
    Kind,
    Table,
    chunks,
    fetch_map,
    resolve,
    warn_future,
    write_columns,
)


class PricesKind(Kind):
    """prices: a price history. Each row is a PriceChange valid from `valid_from` (a date means
    Berlin midnight). Afterwards every product of the file shows its latest price valid now."""

    name = "prices"
    model = PriceChange
    columns = (
        Column("sku", p.text(64), field="product"),
        Column("price", p.money(), field="price"),
        Column("valid_from", p.date_or_timestamp, field="valid_from"),
        Column("kind", p.choice(PriceChange.Kind.values), required=False,
               default=PriceChange.Kind.REGULAR.value, field="kind"),
    )
    key = ("sku", "valid_from")

    def prepare(self, table, result, ctx):
        products = fetch_map(Product.objects, "sku", ("pk",), table.distinct("sku"))
        resolve(table, result, "sku", products, "product")

    def write(self, table: Table, plan, ctx: ImportContext) -> tuple[int, int]:
        before = PriceChange.objects.count()
        write_columns(
            self, table,
            insert_only={"reason": "import", "created_by": ctx.by.pk if ctx.by else None, "created_at": ctx.now},
        )
        created = PriceChange.objects.count() - before
        product_pks = {row[0] for row in table.rows}
        for batch in chunks(product_pks):
            self.sync_current_prices(batch, ctx)
        return created, len(table.rows) - created

    @staticmethod
    def sync_current_prices(product_pks: list[int], ctx: ImportContext) -> int:
        """Set Product.price to the latest PriceChange valid now, where that differs."""
        valid = PriceChange.objects.filter(product=OuterRef("pk"), valid_from__lte=ctx.now)
        current = Subquery(valid.order_by("-valid_from").values("price")[:1])
        return (
            Product.objects.filter(pk__in=product_pks)
            .filter(Exists(valid))
            .exclude(price=current)
            .update(price=current)
        )


class CompetitorPricesKind(Kind):
    name = "competitor_prices"
    model = CompetitorPrice
    columns = (
        Column("sku", p.text(64), field="product"),
        Column("competitor", p.text(100), field="competitor"),
        Column("price", p.money(), field="price"),
        Column("observed_at", p.timestamp, field="observed_at"),
    )
    key = ("sku", "competitor", "observed_at")

    def prepare(self, table, result, ctx):
        products = fetch_map(Product.objects, "sku", ("pk",), table.distinct("sku"))
        resolve(table, result, "sku", products, "product")
        warn_future(table, result, "observed_at", ctx.now)
