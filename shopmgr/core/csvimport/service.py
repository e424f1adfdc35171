"""The import service: one CSV file of one kind, all or nothing (DESIGN §8)."""

from __future__ import annotations

import logging
from pathlib import Path

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from .base import ImportContext, ImportResult, Kind, read_table
from .kinds import KINDS

logger = logging.getLogger(__name__)


def import_csv_file(*, kind: str, path: str | Path, by=None) -> ImportResult:
    """Import `path` as `kind` and report what happened.

    The whole file is read and checked first; every problem is collected with its line and
    column. A file with any error stores nothing. Otherwise all rows are written in one
    transaction: a known key updates its row, an identical row is left alone, so importing the
    same file twice changes nothing. Implausible but well-formed values are imported and reported
    as warnings. `by` (a user or None) is recorded on price changes and returns it creates.
    """
    result = ImportResult(kind=kind, path=str(path))
    spec = KINDS.get(kind)
    if spec is None:
        result.error(None, None, f"unknown kind {kind!r}; known kinds: {', '.join(KINDS)}")
        return result

    try:
        return _import(spec, path, result, by)
    finally:
        for column in spec.columns:
            if hasattr(column.parse, "cache_clear"):
                column.parse.cache_clear()


def _import(spec: Kind, path: str | Path, result: ImportResult, by) -> ImportResult:
    table = read_table(spec, path, result)
    if table is None:
        return result
    ctx = ImportContext(now=timezone.now(), by=by)
    try:
        with transaction.atomic():
            plan = spec.prepare(table, result, ctx)
            if result.errors:
                return result
            result.created, result.existing = spec.write(table, plan, ctx)
    except DatabaseError as exc:
        # A constraint the checks above do not know about, or a concurrent change: nothing is kept.
        logger.warning("import of %s as %s failed in the database: %s", path, spec.name, exc)
        result.error(None, None, f"the database refused the import, nothing was stored: {exc}".strip())
        return result
    if result.created >= ANALYZE_AFTER_ROWS:
        analyze_tables(spec)
    return result


# A bulk import into a fresh database leaves its tables without planner statistics until
# autovacuum analyses them, and autovacuum may be off (it is on the project's machines): the next
# statements (the key figures, the lists) would then be planned blind. A big import analyses
# what it wrote (sampling: about 0.1–0.5 s for a million rows).
ANALYZE_AFTER_ROWS = 1000


def analyze_tables(spec: Kind) -> None:
    """ANALYZE the tables an import of `spec` writes (PostgreSQL; SQLite plans without it)."""
    if connection.vendor != "postgresql":
        return
    tables = [spec.model._meta.db_table, *(m._meta.db_table for m in spec.also_writes)]
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(connection.ops.quote_name(t) for t in tables)}")
