"""Field parsers for CSV imports (DESIGN §8).

A parser takes the stripped, non-empty text of one cell and returns the Python value, or raises
`FieldError` with a reason that completes the sentence "column X: <reason>, got "<text>"".
Parsers of values that repeat a lot (prices, rates, codes) memoise their results: a file of a
million order lines holds only a few thousand distinct prices, and a dict hit is far cheaper
than parsing a Decimal again.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from shopmgr.core.dates import BERLIN

UTC = dt.UTC
MEMO_LIMIT = 200_000
DB_INT_MAX = 2**31 - 1

Parser = Callable[[str], Any]

_DECIMAL_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_COMMA_DECIMAL_RE = re.compile(r"[+-]?\d+,\d+")
_INTEGER_RE = re.compile(r"[+-]?\d+")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


class FieldError(ValueError):
    """A cell that cannot be read; the message is the reason, shown with line and column."""


class Noted(NamedTuple):
    """A parsed value with a warning attached (well-formed but worth a look)."""

    value: Any
    note: str


def memoised(parse: Parser) -> Parser:
    """Cache results (and the reasons of failures) by cell text, up to MEMO_LIMIT distinct texts.

    The cache lives as long as the parser; `cache_clear()` empties it (the service does so after
    every import, so that a long-running process does not keep the values of old files).
    """
    memo: dict[str, Any] = {}

    def cached(text: str):
        try:
            hit = memo[text]
        except KeyError:
            try:
                hit = parse(text)
            except FieldError as exc:
                hit = _Failure(str(exc))
            if len(memo) < MEMO_LIMIT:
                memo[text] = hit
        if type(hit) is _Failure:
            raise FieldError(hit.reason)  # a fresh exception: a re-raised one would grow its traceback
        return hit

    cached.cache_clear = memo.clear  # type: ignore[attr-defined]
    return cached


class _Failure(NamedTuple):
    reason: str


def text(max_length: int | None = None) -> Parser:
    def parse(value: str) -> str:
        if max_length is not None and len(value) > max_length:
            raise FieldError(f"must be at most {max_length} characters long (has {len(value)})")
        return value

    return parse


def code(max_length: int) -> Parser:
    """An identifier that also goes into a materialised path: no slashes, no inner spaces."""

    def parse(value: str) -> str:
        if len(value) > max_length:
            raise FieldError(f"must be at most {max_length} characters long (has {len(value)})")
        if "/" in value or any(ch.isspace() for ch in value):
            raise FieldError("must not contain '/' or spaces")
        return value

    return parse


def _bound_text(min_value, max_value, min_exclusive: bool, max_exclusive: bool) -> str:
    parts = []
    if min_value is not None:
        parts.append(f"> {min_value}" if min_exclusive else f">= {min_value}")
    if max_value is not None:
        parts.append(f"< {max_value}" if max_exclusive else f"<= {max_value}")
    return " and ".join(parts)


def integer(*, min_value: int | None = None, max_value: int = DB_INT_MAX, min_exclusive: bool = False) -> Parser:
    if max_value < DB_INT_MAX:
        low = min_value + 1 if min_exclusive else min_value
        reason = f"must be a whole number from {low} to {max_value}"
    else:
        bounds = _bound_text(min_value, None, min_exclusive, False)
        reason = f"must be a whole number {bounds}".rstrip()

    def parse(value: str) -> int:
        if not _INTEGER_RE.fullmatch(value):
            raise FieldError(reason)
        number = int(value)
        if min_value is not None and (number <= min_value if min_exclusive else number < min_value):
            raise FieldError(reason)
        if number > max_value:
            raise FieldError(reason if max_value < DB_INT_MAX else f"must be at most {max_value}")
        return number

    return memoised(parse)


def decimal(
    *,
    places: int,
    max_digits: int = 14,
    min_value: Decimal | int | None = 0,
    max_value: Decimal | int | None = None,
    min_exclusive: bool = False,
    max_exclusive: bool = False,
    what: str = "a number",
    example: str = "12.50",
) -> Parser:
    """A decimal with `.` as separator, at most `places` decimals and `max_digits` digits."""
    low = None if min_value is None else Decimal(min_value)
    high = None if max_value is None else Decimal(max_value)
    bounds = _bound_text(min_value, max_value, min_exclusive, max_exclusive)
    range_reason = f"must be {what} {bounds}"
    limit = Decimal(10) ** (max_digits - places)
    step = Decimal(1).scaleb(-places)

    def parse(value: str) -> Decimal:
        if not _DECIMAL_RE.fullmatch(value):
            if _COMMA_DECIMAL_RE.fullmatch(value):
                raise FieldError(f"must be {what} with '.' as decimal separator, like {example}")
            raise FieldError(f"must be {what} like {example}")
        try:
            number = Decimal(value)
        except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid text
            raise FieldError(f"must be {what} like {example}") from exc
        if low is not None and (number <= low if min_exclusive else number < low):
            raise FieldError(range_reason)
        if high is not None and (number >= high if max_exclusive else number > high):
            raise FieldError(range_reason)
        if abs(number) >= limit:
            raise FieldError(f"must be below {limit}")
        exponent = number.as_tuple().exponent
        if exponent < -places:
            if number != number.quantize(step):
                raise FieldError(f"must have at most {places} decimal places")
            number = number.quantize(step)  # "12.500" is 12.50
        return number

    return memoised(parse)


def money(*, positive: bool = False) -> Parser:
    """An amount in EUR: at most 2 decimals, not negative (or > 0 when `positive`)."""
    return decimal(places=2, min_exclusive=positive, what="an amount")


VAT_RATE = decimal(places=4, max_digits=5, max_value=1, max_exclusive=True, what="a VAT rate", example="0.19")


def date(value: str) -> dt.date:
    if not _DATE_RE.fullmatch(value):
        raise FieldError("must be a date like 2026-03-29")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise FieldError("must be a real calendar date like 2026-03-29") from exc


_TIMESTAMP_REASON = "must be a timestamp like 2026-03-29T00:30:00+01:00"


def _aware_utc(value: str) -> dt.datetime | Noted:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise FieldError(_TIMESTAMP_REASON) from exc
    if parsed.tzinfo is not None:
        return parsed.astimezone(UTC)
    return berlin_local_to_utc(parsed)


def berlin_local_to_utc(local: dt.datetime) -> dt.datetime | Noted:
    """Read a naive wall-clock time as Europe/Berlin and return it in UTC.

    Times in the spring-forward gap do not exist and times in the autumn hour exist twice; both
    are read the way zoneinfo reads them (the offset in force before the switch) and flagged.
    """
    aware = local.replace(tzinfo=BERLIN)
    utc = aware.astimezone(UTC)
    if local.month not in (3, 10):  # EU clock changes happen in March and October only
        return utc
    if utc.astimezone(BERLIN).replace(tzinfo=None) != local:
        return Noted(utc, f"{local:%Y-%m-%d %H:%M} does not exist in Berlin (clock change); "
                          f"read as {utc:%Y-%m-%d %H:%M} UTC - give an offset to be exact")
    if aware.replace(fold=1).utcoffset() != aware.utcoffset():
        return Noted(utc, f"{local:%Y-%m-%d %H:%M} occurs twice in Berlin (clock change); "
                          f"read as summer time ({utc:%Y-%m-%d %H:%M} UTC) - give an offset to be exact")
    return utc


def timestamp(value: str) -> dt.datetime | Noted:
    """ISO 8601 with offset; without offset the time is Berlin local time. Stored aware in UTC."""
    if len(value) <= 10 or value[10] not in "T t":
        raise FieldError(_TIMESTAMP_REASON)
    return _aware_utc(value)


def date_or_timestamp(value: str) -> dt.datetime | Noted:
    """A timestamp, or a date meaning Berlin midnight of that day."""
    if len(value) == 10:
        day = date(value)
        return berlin_local_to_utc(dt.datetime(day.year, day.month, day.day))  # noqa: DTZ001
    if value[10:11] not in ("T", "t", " "):
        raise FieldError("must be a date like 2026-03-29 or a timestamp like 2026-03-29T00:30:00+01:00")
    return _aware_utc(value)


_TRUE = {"true", "1", "yes", "y", "ja", "x"}
_FALSE = {"false", "0", "no", "n", "nein"}


def boolean(value: str) -> bool:
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise FieldError("must be true or false")


def choice(values: Iterable[str]) -> Parser:
    """One of a fixed set of codes, case-insensitive; returns the canonical spelling."""
    canonical = {v.lower(): v for v in values}
    listed = ", ".join(canonical.values())

    def parse(value: str) -> str:
        try:
            return canonical[value.lower()]
        except KeyError:
            raise FieldError(f"must be one of {listed}") from None

    return memoised(parse)
