"""The returns kind: historical returns (RMA) with their lines."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from returns.models import Return, ReturnLine, ReturnReason
from sales.models import Order, OrderLine
from shopmgr.core.money import to_cents

from . import parsing as p
from .base import (
    Column,
    ImportContext,
    ImportResult,
    Kind,
    Table,
    chunks,
    fetch_map,
    fmt,
    upsert_keeping,
    warn_future,
    write_columns,
)

# Column positions in a row.
RETURN_ID, ORDER_ID, LINE_NO, QUANTITY, REASON, RECEIVED_AT, CONDITION, DISPOSITION, REFUND = range(9)


@dataclass
class ReturnPlan:
    returns: dict[str, tuple]  # return_id -> (order pk, received_at) from the file


class ReturnsKind(Kind):
    """returns: one row per returned order line, keyed by (return_id, line_no).

    Rules: a return belongs to one order (all its rows, and the stored return, agree); the
    order must have the line; the units returned from an order line, over every return line
    stored or in the file (a re-imported row replaces its stored self), never exceed the units
    ordered. Imported returns are historical, so they are stored as closed.
    """

    name = "returns"
    model = ReturnLine
    also_writes = (Return,)
    columns = (
        Column("return_id", p.text(64), field="ret"),
        Column("order_id", p.text(64)),
        Column("line_no", p.integer(min_value=0, min_exclusive=True), field="order_line"),
        Column("quantity", p.integer(min_value=0, min_exclusive=True), field="quantity"),
        Column("reason", p.text(32), field="reason"),
        Column("received_at", p.timestamp),
        Column("condition", p.choice(ReturnLine.Condition.values), required=False, default="", field="condition"),
        Column("disposition", p.choice(ReturnLine.Disposition.values), field="disposition"),
        Column("refund_amount", p.money(), required=False, field="refund_amount"),
    )
    key = ("return_id", "line_no")

    def prepare(self, table: Table, result: ImportResult, ctx: ImportContext) -> ReturnPlan:
        rows, lines = table.rows, table.lines
        self._resolve_reasons(table, result)

        orders = fetch_map(Order.objects, "external_id", ("pk", "placed_at"), table.distinct("order_id"))
        returns: dict[str, tuple] = {}
        first_line: dict[str, int] = {}
        for row, line in zip(rows, lines, strict=True):
            return_id, order_id, received_at = row[RETURN_ID], row[ORDER_ID], row[RECEIVED_AT]
            if order_id is not None and order_id not in orders:
                result.error(line, "order_id", f'unknown order "{order_id}"')
            if return_id is None or order_id is None:
                continue
            if return_id not in returns:
                returns[return_id] = (order_id, received_at)
                first_line[return_id] = line
                continue
            first_order, first_received = returns[return_id]
            if order_id != first_order:
                result.error(line, "order_id", f'return {return_id} is for order "{first_order}" '
                                               f"(line {first_line[return_id]}); a return has one order")
            if received_at is not None and first_received is not None and received_at != first_received:
                result.error(line, "received_at", f"return {return_id} was received at {fmt(first_received)} "
                                                  f"(line {first_line[return_id]}); one return, one receipt")

        stored = fetch_map(
            Return.objects.select_for_update(of=("self",)), "external_id", ("order__external_id",), set(returns)
        )
        for return_id, (order_id, _) in returns.items():
            if return_id in stored and stored[return_id] != order_id:
                result.error(first_line[return_id], "order_id",
                             f'return {return_id} is stored for order "{stored[return_id]}"; '
                             "a return cannot move to another order")

        order_lines = self._order_lines({pk for pk, _ in orders.values()})
        for row, line in zip(rows, lines, strict=True):
            order = orders.get(row[ORDER_ID])
            if order is None or row[LINE_NO] is None:
                row[LINE_NO] = None
                continue
            order_line = order_lines.get((order[0], row[LINE_NO]))
            if order_line is None:
                result.error(line, "line_no", f'order "{row[ORDER_ID]}" has no line {row[LINE_NO]}')
                row[LINE_NO] = None
                continue
            if row[RECEIVED_AT] is not None and row[RECEIVED_AT] < order[1]:
                result.warn(line, "received_at",
                            f"is before the order was placed ({fmt(row[RECEIVED_AT])} < {fmt(order[1])})")
            self._warn_refund_above_value(row, line, order_line, result)
            row[LINE_NO] = order_line  # (pk, quantity, unit_price, discount) until the write

        self._check_over_return(table, result)
        warn_future(table, result, "received_at", ctx.now)
        return ReturnPlan(
            returns={rid: (orders[o][0], received) for rid, (o, received) in returns.items() if o in orders},
        )

    @staticmethod
    def _resolve_reasons(table: Table, result: ImportResult) -> None:
        reasons = {code.lower(): pk for code, pk in ReturnReason.objects.values_list("code", "pk")}
        for row, line in zip(table.rows, table.lines, strict=True):
            if row[REASON] is None:
                continue
            pk = reasons.get(row[REASON].lower())
            if pk is None:
                result.error(line, "reason", f'unknown return reason code "{row[REASON]}" '
                                             f"(known: {', '.join(sorted(c.upper() for c in reasons))})")
            row[REASON] = pk

    @staticmethod
    def _order_lines(order_pks: set[int]) -> dict[tuple[int, int], tuple]:
        """(order pk, line_no) -> (pk, quantity, unit_price, discount), locked against changes."""
        found: dict[tuple[int, int], tuple] = {}
        for batch in chunks(order_pks):
            for order_pk, line_no, *values in (
                OrderLine.objects.select_for_update()
                .filter(order_id__in=batch)
                .values_list("order_id", "line_no", "pk", "quantity", "unit_price", "discount")
            ):
                found[(order_pk, line_no)] = tuple(values)
        return found

    @staticmethod
    def _warn_refund_above_value(row: list, line: int, order_line: tuple, result: ImportResult) -> None:
        refund, quantity = row[REFUND], row[QUANTITY]
        if refund is None or quantity is None:
            return
        _, ordered, unit_price, discount = order_line
        value = to_cents((ordered * unit_price - discount) * quantity / ordered)
        if refund > value:
            result.warn(line, "refund_amount", f"{refund} is more than the {value} paid for the returned units")

    @staticmethod
    def _check_over_return(table: Table, result: ImportResult) -> None:
        in_file: dict[int, list[tuple[int, int]]] = defaultdict(list)  # order line pk -> [(line, qty)]
        file_keys: set[tuple[str, int]] = set()
        ordered: dict[int, int] = {}
        for row, line in zip(table.rows, table.lines, strict=True):
            order_line = row[LINE_NO]
            if order_line is None or row[QUANTITY] is None or row[RETURN_ID] is None:
                continue
            in_file[order_line[0]].append((line, row[QUANTITY]))
            file_keys.add((row[RETURN_ID], order_line[0]))
            ordered[order_line[0]] = order_line[1]
        stored: dict[int, int] = defaultdict(int)
        for batch in chunks(in_file):
            for order_line_pk, return_id, quantity in ReturnLine.objects.filter(order_line_id__in=batch).values_list(
                "order_line_id", "ret__external_id", "quantity"
            ):
                if (return_id, order_line_pk) not in file_keys:
                    stored[order_line_pk] += quantity
        for order_line_pk, entries in in_file.items():
            total = stored[order_line_pk] + sum(quantity for _, quantity in entries)
            if total > ordered[order_line_pk]:
                for line, _ in entries:
                    result.error(
                        line, "quantity",
                        f"returns of this order line would total {total} unit(s) "
                        f"({stored[order_line_pk]} stored before, {total - stored[order_line_pk]} in this file) "
                        f"but only {ordered[order_line_pk]} were ordered",
                    )

    def write(self, table: Table, plan: ReturnPlan, ctx: ImportContext) -> tuple[int, int]:
        closed = Return.Status.CLOSED.value
        upsert_keeping(
            Return,
            ["external_id"],
            ["external_id", "order", "status", "received_at"],
            [(rid, order, closed, received) for rid, (order, received) in plan.returns.items()],
            keep={
                "legal_basis": Return.LegalBasis.WITHDRAWAL.value,
                "rejected": False,
                "created_by": ctx.by.pk if ctx.by else None,
            },
        )
        return_pks = fetch_map(Return.objects, "external_id", ("pk",), set(plan.returns))
        for row in table.rows:
            row[RETURN_ID] = return_pks[row[RETURN_ID]]
            row[LINE_NO] = row[LINE_NO][0]
        before = ReturnLine.objects.count()
        write_columns(self, table)
        created = ReturnLine.objects.count() - before
        return created, len(table.rows) - created
