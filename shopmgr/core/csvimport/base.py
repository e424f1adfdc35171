"""The import framework: read one CSV file of one kind, parse every row, collect every problem.

A kind (see the modules next to this one) declares its columns and implements two steps:

- `prepare` resolves references with a few set-based queries, applies the rules that span rows
  (unknown order, over-return, cycles in the category tree) and returns a plan;
- `write` stores the plan with `shopmgr.core.bulk.upsert`.

The service runs `prepare` and `write` in one transaction and calls `write` only when the whole
file is free of errors, so a file with one bad row stores nothing (DESIGN §2, §8).

Rows are plain lists of parsed values in column order (no dicts, no model instances): an import
of a million order lines must stay well under a minute and a few hundred megabytes.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any, ClassVar

from django.db import connection, models

from shopmgr.core import bulk
from shopmgr.core.dates import BERLIN

from .parsing import FieldError, Noted, Parser

# Product descriptions may be long; the csv module's default limit is 128 KiB per field.
csv.field_size_limit(max(csv.field_size_limit(), 16 * 1024 * 1024))

# A file that names more than this many distinct keys of a table, and at least a quarter of the
# table, is matched against the whole table in one query instead of in chunks.
WHOLE_TABLE_MIN_KEYS = 20_000


@dataclass(frozen=True)
class Problem:
    """An error or a warning: where (line counted with the header as line 1, column) and why."""

    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                f"line {self.line}" if self.line is not None else "",
                f"column {self.column}" if self.column else "",
            )
            if part
        )
        return f"{where}: {self.message}" if where else self.message


@dataclass
class ImportResult:
    """What an import did: rows read, rows created, rows matched by key, errors and warnings.

    `errors` non-empty means nothing was stored.
    """

    kind: str
    path: str
    rows: int = 0
    created: int = 0
    existing: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, line: int | None, column: str | None, message: str) -> None:
        self.errors.append(Problem(line, column, message))

    def warn(self, line: int | None, column: str | None, message: str) -> None:
        self.warnings.append(Problem(line, column, message))

    def sorted_errors(self) -> list[Problem]:
        return sorted(self.errors, key=lambda p: (p.line or 0))

    def sorted_warnings(self) -> list[Problem]:
        return sorted(self.warnings, key=lambda p: (p.line or 0))

    def summary(self) -> str:
        if self.errors:
            return (
                f"{self.kind}: {len(self.errors)} error(s) in {self.rows} row(s) of {self.path}; "
                "nothing was imported"
            )
        return (
            f"{self.kind}: {self.rows} row(s) read, {self.created} new, {self.existing} already known "
            f"(updated where a value differed), {len(self.warnings)} warning(s)"
        )


@dataclass(frozen=True)
class Column:
    """One CSV column.

    `required` columns must be in the header and non-empty in every row. An optional column that
    is empty gives `default`; an optional column that is absent from the header leaves the stored
    value of known rows alone (`keep_when_absent`) and gives `default` to new rows.
    `field` is the model field the value is written to (None: the kind maps it itself).
    """

    name: str
    parse: Parser
    required: bool = True
    default: Any = None
    field: str | None = None
    keep_when_absent: bool = True


@dataclass
class Table:
    """The parsed rows of one file. A cell that failed to parse holds None."""

    columns: tuple[Column, ...]
    present: frozenset[str]
    rows: list[list] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)

    def index(self, name: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.name == name)

    def has(self, name: str) -> bool:
        return name in self.present

    def distinct(self, name: str) -> set:
        i = self.index(name)
        return {row[i] for row in self.rows if row[i] is not None}


@dataclass(frozen=True)
class ImportContext:
    """The moment of the import (one value for every row) and who started it."""

    now: dt.datetime
    by: Any = None


class Kind:
    """Base class of an importable kind. Subclasses set the class attributes and `prepare`."""

    name: ClassVar[str]
    model: ClassVar[type[models.Model]]
    # other tables an import of this kind writes (analysed with `model`'s after a big import)
    also_writes: ClassVar[tuple[type[models.Model], ...]] = ()
    columns: ClassVar[tuple[Column, ...]]
    key: ClassVar[tuple[str, ...]]
    # Values a kind appends to each row (in check_row or prepare) and the fields they fill.
    computed_fields: ClassVar[tuple[str, ...]] = ()
    # Fields written only when a row is created (never overwritten on re-import).
    insert_only: ClassVar[dict[str, Any]] = {}

    def check_row(self, row: list, line: int, result: ImportResult) -> None:
        """Rules within one fully parsed row that the column parsers cannot see."""

    def prepare(self, table: Table, result: ImportResult, ctx: ImportContext) -> Any:
        """Resolve references and check rules across rows; return what `write` needs."""
        return None

    def write(self, table: Table, plan: Any, ctx: ImportContext) -> tuple[int, int]:
        """Store the rows; returns (created, existing). Default: one upsert of the mapped fields."""
        before = self.model.objects.count()
        write_columns(self, table)
        created = self.model.objects.count() - before
        return created, len(table.rows) - created

    @classmethod
    def column_names(cls) -> list[str]:
        return [c.name for c in cls.columns]

    @classmethod
    def describe(cls) -> str:
        """"sku, price, valid_from, kind*  (key: sku + valid_from)"."""
        columns = ", ".join(c.name if c.required else f"{c.name}*" for c in cls.columns)
        return f"{columns}  (key: {' + '.join(cls.key)})"


# --- reading ------------------------------------------------------------------------------


def read_table(kind: Kind, path: str | Path, result: ImportResult) -> Table | None:
    """Parse the whole file; every problem goes into `result`. None when the file is unreadable."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return _read_rows(kind, handle, result)
    except FileNotFoundError:
        result.error(None, None, f"file not found: {path}")
    except IsADirectoryError:
        result.error(None, None, f"not a file: {path}")
    except UnicodeDecodeError:
        result.errors.clear()
        result.warnings.clear()
        result.rows = 0
        line, message = _locate_decode_error(path)
        result.error(line, None, message)
    return None


def _locate_decode_error(path: str | Path) -> tuple[int | None, str]:
    data = Path(path).read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        start_of_line = data.rfind(b"\n", 0, exc.start) + 1
        return line, (
            f"the file is not UTF-8: byte 0x{data[exc.start]:02x} at character {exc.start - start_of_line + 1} "
            "cannot be read (an export in Windows-1252 or Latin-1?); save the file as UTF-8 and import "
            "it again"
        )
    return None, "the file is not UTF-8; save it as UTF-8 and import it again"  # pragma: no cover


def _read_rows(kind: Kind, handle, result: ImportResult) -> Table | None:
    reader = csv.reader(handle)
    try:
        header = next(reader)
    except StopIteration:
        result.error(None, None, "the file is empty: expected a header row")
        return None
    except csv.Error as exc:
        result.error(1, None, f"cannot read the header as CSV: {exc}")
        return None

    position: dict[str, int] = {}
    for i, raw_name in enumerate(header):
        name = raw_name.strip().lower()
        if not name:
            continue
        if name in position:
            result.error(1, name, "the column appears twice in the header")
        position.setdefault(name, i)
    known = {c.name for c in kind.columns}
    for column in kind.columns:
        if column.required and column.name not in position:
            result.error(1, column.name, "required column is missing from the header")
    for name in position:
        if name not in known:
            result.warn(1, name, "unknown column, ignored")
    if result.errors:
        return None

    table = Table(columns=kind.columns, present=frozenset(n for n in position if n in known))
    plan = [
        (c.name, position.get(c.name), c.parse, c.required, c.default) for c in kind.columns
    ]
    key_idx = [table.index(name) for name in kind.key]
    single_key = key_idx[0] if len(key_idx) == 1 else None
    width = len(header)
    seen: dict[Any, int] = {}
    rows_append, lines_append = table.rows.append, table.lines.append
    error, warn, check_row = result.error, result.warn, kind.check_row
    previous_end = reader.line_num
    try:
        for record in reader:
            line = previous_end + 1
            previous_end = reader.line_num
            if len(record) != width or not record[0]:
                if not "".join(record).strip():
                    continue  # blank line
                if len(record) != width:
                    error(line, None, f"has {len(record)} values, the header has {width}")
                    continue
            values = []
            append = values.append
            ok = True
            for name, idx, parse, required, default in plan:
                if idx is None:
                    append(default)
                    continue
                cell = record[idx].strip()
                if not cell:
                    if required:
                        error(line, name, "is required")
                        ok = False
                        append(None)
                    else:
                        append(default)
                    continue
                try:
                    value = parse(cell)
                except FieldError as exc:
                    error(line, name, f'{exc}, got "{_shorten(cell)}"')
                    ok = False
                    append(None)
                    continue
                if type(value) is Noted:
                    warn(line, name, value.note)
                    value = value.value
                append(value)
            if ok:
                check_row(values, line, result)
                key = values[single_key] if single_key is not None else tuple(values[i] for i in key_idx)
                first = seen.setdefault(key, line)
                if first != line:
                    error(line, kind.key[0], f"duplicate key {_describe_key(kind, values, key_idx)} "
                                             f"(already on line {first})")
            rows_append(values)
            lines_append(line)
    except csv.Error as exc:
        result.error(reader.line_num, None, f"cannot read the line as CSV: {exc}")
    result.rows = len(table.rows)
    return table


def _shorten(cell: str, limit: int = 60) -> str:
    return cell if len(cell) <= limit else cell[: limit - 1] + "…"


def _describe_key(kind: Kind, values: list, key_idx: list[int]) -> str:
    return ", ".join(f"{name}={_display(values[i])}" for name, i in zip(kind.key, key_idx, strict=True))


def _display(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.astimezone(BERLIN).isoformat()
    return str(value)


def fmt(moment: dt.datetime) -> str:
    """A timestamp as a Berlin wall-clock time, the way the people reading warnings think."""
    return moment.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M")


def warn_future(table: Table, result: ImportResult, column: str, now: dt.datetime) -> None:
    i = table.index(column)
    for row, line in zip(table.rows, table.lines, strict=True):
        if row[i] is not None and row[i] > now:
            result.warn(line, column, f"lies in the future ({fmt(row[i])})")


# --- looking things up --------------------------------------------------------------------


def chunk_size() -> int:
    # SQLite refuses more than 999 parameters per statement in Django's default build.
    return 900 if connection.vendor == "sqlite" else 5000


def chunks(values: Iterable, size: int | None = None) -> Iterator[list]:
    size = size or chunk_size()
    batch: list = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def fetch_map(queryset: models.QuerySet, key_field: str, value_fields: Sequence[str], keys: set) -> dict:
    """{key: value or tuple of values} for the stored rows whose `key_field` is in `keys`.

    Set-based: chunks of a few thousand keys via `__in`, or one pass over the whole table when
    the file names a large part of it.
    """
    found: dict = {}
    if not keys:
        return found
    single = len(value_fields) == 1
    whole_table = len(keys) >= WHOLE_TABLE_MIN_KEYS and queryset.model._default_manager.count() <= 4 * len(keys)
    batches = [None] if whole_table else chunks(keys)
    for batch in batches:
        qs = queryset if batch is None else queryset.filter(**{f"{key_field}__in": batch})
        for key, *values in qs.values_list(key_field, *value_fields).iterator(chunk_size=10_000):
            if batch is None and key not in keys:
                continue
            found[key] = values[0] if single else tuple(values)
    return found


def resolve(
    table: Table,
    result: ImportResult,
    column: str,
    found: dict,
    what: str,
    pick: Callable[[Any], Any] | None = None,
) -> None:
    """Replace each reference in `column` by `pick(found[value])`; report unknown values."""
    i = table.index(column)
    for row, line in zip(table.rows, table.lines, strict=True):
        value = row[i]
        if value is None:
            continue
        try:
            target = found[value]
        except KeyError:
            result.error(line, column, f'unknown {what} "{_shorten(str(value))}"')
            row[i] = None
            continue
        row[i] = pick(target) if pick else target


def stored_values(
    model: type[models.Model], key_fields: Sequence[str], value_fields: Sequence[str], keys: Iterable
) -> dict:
    """{key: tuple of `value_fields`} for the keys (single values or tuples) already stored."""
    keys = set(keys)
    found: dict = {}
    if not keys:
        return found
    n = len(key_fields)
    firsts = {k[0] for k in keys} if n > 1 else keys
    for batch in chunks(firsts):
        qs = (
            model.objects.select_for_update()
            .filter(**{f"{key_fields[0]}__in": batch})
            .values_list(*key_fields, *value_fields)
        )
        for values in qs:
            key = values[0] if n == 1 else values[:n]
            if key in keys:
                found[key] = values[n:]
    return found


# --- writing ------------------------------------------------------------------------------


def row_getter(indices: Sequence[int]) -> Callable[[Sequence], tuple]:
    """A fast function picking `indices` out of a row, always returning a tuple."""
    if len(indices) == 1:
        i = indices[0]
        return lambda row: (row[i],)
    return itemgetter(*indices)


def write_columns(kind: Kind, table: Table, *, insert_only: dict[str, Any] | None = None) -> None:
    """Upsert the table's rows by the kind's key, mapping columns to model fields.

    Key columns come first; optional columns absent from the header are written to new rows only
    (their default) so that a file without, say, `image_count` does not wipe stored values.
    The rows hold database values by now (references resolved to ids by `prepare`).
    """
    columns = kind.columns
    position = {c.name: i for i, c in enumerate(columns)}
    key_idx = [position[name] for name in kind.key]
    written = [
        i for i, c in enumerate(columns)
        if c.field and i not in key_idx and (c.required or c.name in table.present or not c.keep_when_absent)
    ]
    absent = {
        c.field: c.default
        for i, c in enumerate(columns)
        if c.field and i not in key_idx and i not in written
    }
    computed = list(range(len(columns), len(columns) + len(kind.computed_fields)))
    order = key_idx + written + computed
    fields = [columns[i].field for i in key_idx + written] + list(kind.computed_fields)
    key_fields = fields[: len(key_idx)]
    getter = row_getter(order)
    keep = {**kind.insert_only, **absent, **(insert_only or {})}
    upsert_keeping(kind.model, key_fields, fields, (getter(r) for r in table.rows), keep)


def upsert_keeping(
    model: type[models.Model],
    key_fields: Sequence[str],
    fields: Sequence[str],
    rows: Iterable[tuple],
    keep: dict[str, Any],
) -> None:
    """`bulk.upsert`, except that the `keep` fields are only set on new rows (to the given value).

    INSERT … ON CONFLICT needs every NOT NULL column even for a row that will be updated, so a
    stored row gets its own stored values of the `keep` fields; the upsert then sees no change
    there and leaves them alone.
    """
    if not keep:
        bulk.upsert(model, key_fields, fields, rows)
        return
    rows = list(rows)
    n = len(key_fields)
    key_of = itemgetter(*range(n))  # one key field: the value itself
    stored = stored_values(model, key_fields, list(keep), (key_of(r) for r in rows))
    defaults = tuple(keep.values())
    bulk.upsert(
        model, key_fields, [*fields, *keep], (r + stored.get(key_of(r), defaults) for r in rows)
    )
