"""Database side of the demo seeder: which tables it fills, flushing them, and a fast bulk load.

On PostgreSQL the load follows the manual's advice for populating a database: foreign keys,
unique constraints and secondary indexes of the filled tables are dropped for the load and
created again afterwards, inside the same transaction. The schema after the load is the schema
before it (names and definitions are read from the catalogue, not hard-coded), the foreign keys
are validated when they are added back, and a failure rolls everything back. Building an index
once is several times cheaper than maintaining it row by row (measured: 3 M order lines load in
23 s with their indexes, in 6 s + 7 s without), and a deferred foreign key checks each row
separately at commit.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

from django.apps import apps
from django.db import connection, models

from catalog.models import Category, Product, Supplier
from pricing.models import CompetitorPrice, PriceChange
from returns.models import Return, ReturnLine
from sales.models import (
    Customer,
    Invoice,
    MarketingSpend,
    Order,
    OrderLine,
    Payment,
    Review,
    Shipment,
    TrafficDay,
)

# Every table the seeder fills, parents first.
SEEDED_MODELS: tuple[type[models.Model], ...] = (
    Category, Supplier, Product, PriceChange, CompetitorPrice, Customer, Order, OrderLine, Shipment,
    Invoice, Payment, Return, ReturnLine, Review, TrafficDay, MarketingSpend,
)


def dependent_models(roots=SEEDED_MODELS) -> list[type[models.Model]]:
    """The seeded models and every model that (transitively) points at one of them.

    Those rows cannot outlive a flush: category managers, KPI facts, dunning notices, ...
    Users, groups and return reasons are only pointed *at*, so they stay.
    """
    found = list(roots)
    changed = True
    while changed:
        changed = False
        for model in apps.get_models(include_auto_created=True):
            if model in found:
                continue
            if any(f.is_relation and f.related_model in found for f in model._meta.concrete_fields):
                found.append(model)
                changed = True
    return found


def shop_data_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in SEEDED_MODELS if m._default_manager.exists()}


def settle_deferred_checks() -> None:
    """Run the foreign-key checks still deferred in this transaction (PostgreSQL).

    TRUNCATE and ALTER TABLE refuse tables with pending trigger events; they only exist when the
    caller wrote rows earlier in the same transaction (tests do).
    """
    if connection.vendor == "postgresql":
        connection.check_constraints()


def flush_shop_data() -> list[str]:
    """Delete the rows of the seeded tables and of everything depending on them. Returns the tables."""
    tables = [m._meta.db_table for m in dependent_models()]
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(q(t) for t in tables)}")
        else:
            # SQLite: foreign keys are deferred, so the order of the deletes does not matter.
            for table in reversed(tables):
                cursor.execute(f"DELETE FROM {q(table)}")
    return tables


def category_managers() -> list[tuple[str, int]]:
    """(category code, user id) of the current assignments, to restore them after a flush."""
    through = Category.managers.through
    return list(through.objects.order_by("id").values_list("category__code", "user_id"))


def restore_category_managers(assignments: list[tuple[str, int]]) -> int:
    if not assignments:
        return 0
    through = Category.managers.through
    ids = dict(Category.objects.filter(code__in={code for code, _ in assignments}).values_list("code", "id"))
    rows = [through(category_id=ids[code], user_id=user) for code, user in assignments if code in ids]
    through.objects.bulk_create(rows)
    return len(rows)


_FOREIGN_KEYS_SQL = """
SELECT c.conrelid::regclass::text, quote_ident(c.conname), pg_get_constraintdef(c.oid)
FROM pg_constraint c
WHERE c.contype = 'f' AND (c.conrelid = ANY(%(oids)s) OR c.confrelid = ANY(%(oids)s))
ORDER BY 1, 2
"""
_UNIQUE_SQL = """
SELECT c.conrelid::regclass::text, quote_ident(c.conname), pg_get_constraintdef(c.oid)
FROM pg_constraint c
WHERE c.contype = 'u' AND c.conrelid = ANY(%(oids)s)
ORDER BY 1, 2
"""
_INDEXES_SQL = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i
WHERE i.indrelid = ANY(%(oids)s) AND NOT i.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)
ORDER BY 1
"""


@contextmanager
def bulk_load(models_: tuple[type[models.Model], ...] = SEEDED_MODELS, *, timings: dict | None = None):
    """Drop and afterwards recreate the secondary structures of the tables being filled (PostgreSQL).

    Must run inside the caller's transaction. On SQLite it does nothing.
    """
    if connection.vendor != "postgresql":
        yield
        return
    tables = [m._meta.db_table for m in models_]
    with connection.cursor() as cursor:
        cursor.execute("SELECT array_agg(to_regclass(t)::oid) FROM unnest(%s::text[]) AS t", [tables])
        oids = cursor.fetchone()[0]
        cursor.execute(_FOREIGN_KEYS_SQL, {"oids": oids})
        foreign_keys = cursor.fetchall()
        cursor.execute(_UNIQUE_SQL, {"oids": oids})
        uniques = cursor.fetchall()
        cursor.execute(_INDEXES_SQL, {"oids": oids})
        indexes = cursor.fetchall()
        for table, name, _ in foreign_keys + uniques:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # Index builds sort in memory when they may; the machine has plenty for a one-off load.
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        for table, name, definition in uniques:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
        for _, definition in indexes:
            cursor.execute(definition)
        if timings is not None:
            timings["indexes"] = time.perf_counter() - started
            started = time.perf_counter()
        for table, name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
        if timings is not None:
            timings["foreign keys"] = time.perf_counter() - started


def analyze(models_: tuple[type[models.Model], ...] = SEEDED_MODELS) -> None:
    """Fresh planner statistics, so that the first dashboards after seeding plan well."""
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {', '.join(q(m._meta.db_table) for m in models_)}")
        else:
            cursor.execute("ANALYZE")


def vacuum_invoices() -> None:
    """After the seed committed: the open-flag trigger (sales/migrations/0005) rewrote each paid
    invoice once as its payments arrived, leaving a dead row version per paid invoice, and
    autovacuum may be off (it is on the project's machines). PostgreSQL only, and only outside a
    transaction (VACUUM cannot run inside one: in tests the rows stay)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) sales_invoice")
