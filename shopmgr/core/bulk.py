"""Bulk writes for imports and demo data: COPY on PostgreSQL, batched statements on SQLite.

Both functions take *field names* of a model and rows of plain Python values in that order
(foreign keys as ids, i.e. pass "category" with the category's pk). They must run inside a
transaction owned by the caller, so that a failure stores nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from itertools import islice

from django.db import connection, models

SQLITE_BATCH = 500
CHANGE_STAMP = "changed_at"


def _now_sql() -> str:
    if connection.vendor == "postgresql":
        return "clock_timestamp()"
    return "STRFTIME('%Y-%m-%d %H:%M:%f', 'NOW')"


def _columns(model: type[models.Model], fields: Sequence[str]) -> list[models.Field]:
    return [model._meta.get_field(name) for name in fields]


def _copy_value(field: models.Field, value):
    if value is not None and isinstance(field, models.JSONField):
        return json.dumps(value)
    return value


def _batches(rows: Iterable[Sequence], size: int):
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def copy_insert(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert rows as fast as the database allows. Returns the number of rows written."""
    cols = _columns(model, fields)
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c.column) for c in cols)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            json_idx = [i for i, c in enumerate(cols) if isinstance(c, models.JSONField)]
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    if json_idx:
                        row = list(row)
                        for i in json_idx:
                            row[i] = _copy_value(cols[i], row[i])
                    copy.write_row(row)
                    count += 1
            return count
        placeholders = ", ".join(["%s"] * len(cols))
        sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"
        for batch in _batches(rows, SQLITE_BATCH):
            prepared = [
                [c.get_db_prep_value(v, connection, prepared=False) for c, v in zip(cols, row, strict=True)]
                for row in batch
            ]
            cursor.executemany(sql, prepared)
            count += len(batch)
    return count


def upsert(
    model: type[models.Model],
    key: Sequence[str],
    fields: Sequence[str],
    rows: Iterable[Sequence],
) -> int:
    """Insert rows, or update the row with the same key where one exists.

    `fields` must start with the key fields. A row whose values equal the stored ones is left
    untouched (PostgreSQL: `IS DISTINCT FROM`), so importing the same file twice changes nothing.
    Returns the number of rows given.
    """
    assert list(fields[: len(key)]) == list(key), "fields must start with the key"
    cols = _columns(model, fields)
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    names = ", ".join(q(c.column) for c in cols)
    key_names = ", ".join(q(c.column) for c in cols[: len(key)])
    value_cols = cols[len(key):]
    if value_cols:
        assignments = ", ".join(f"{q(c.column)} = EXCLUDED.{q(c.column)}" for c in value_cols)
        if CHANGE_STAMP in {f.name for f in model._meta.concrete_fields} and CHANGE_STAMP not in fields:
            # the nightly metrics job looks for rows changed since its last run
            assignments += f", {q(CHANGE_STAMP)} = {_now_sql()}"
        changed = " OR ".join(
            f"{table}.{q(c.column)} IS DISTINCT FROM EXCLUDED.{q(c.column)}"
            if connection.vendor == "postgresql"
            else f"{table}.{q(c.column)} IS NOT EXCLUDED.{q(c.column)}"
            for c in value_cols
        )
        on_conflict = f"ON CONFLICT ({key_names}) DO UPDATE SET {assignments} WHERE {changed}"
    else:
        on_conflict = f"ON CONFLICT ({key_names}) DO NOTHING"

    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            tmp = q(f"tmp_upsert_{model._meta.db_table}")
            cursor.execute(f"DROP TABLE IF EXISTS {tmp}")
            cursor.execute(
                f"CREATE TEMP TABLE {tmp} ON COMMIT DROP AS SELECT {names} FROM {table} WITH NO DATA"
            )
            json_idx = [i for i, c in enumerate(cols) if isinstance(c, models.JSONField)]
            with cursor.cursor.copy(f"COPY {tmp} ({names}) FROM STDIN") as copy:
                for row in rows:
                    if json_idx:
                        row = list(row)
                        for i in json_idx:
                            row[i] = _copy_value(cols[i], row[i])
                    copy.write_row(row)
                    count += 1
            cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {tmp} {on_conflict}")
            cursor.execute(f"DROP TABLE {tmp}")
            return count
        placeholders = ", ".join(["%s"] * len(cols))
        sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders}) {on_conflict}"
        for batch in _batches(rows, SQLITE_BATCH):
            prepared = [
                [c.get_db_prep_value(v, connection, prepared=False) for c, v in zip(cols, row, strict=True)]
                for row in batch
            ]
            cursor.executemany(sql, prepared)
            count += len(batch)
    return count


def reset_sequences(*models_: type[models.Model]) -> None:
    """After COPY with explicit ids, move PostgreSQL's id sequences past the largest id."""
    if connection.vendor != "postgresql":
        return
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(models_)):
            cursor.execute(sql)
