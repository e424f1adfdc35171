"""Database triggers that note the days a deleted row, or a row whose date moved, leaves stale.

`changed_at` tells the nightly run which rows are new or changed, and so the days they count on
now; it cannot tell the day a row counted on before it moved or was deleted. These triggers write
that day to `kpis_staleday` (kpis.models.StaleDay) in the same transaction as the change, whoever
makes it (the ORM, the CSV import's upsert, the admin, raw SQL); `kpis.services.dirty_days` reads
them. On PostgreSQL only: SQLite (the embedded demo database) rebuilds a table for many schema
changes, which drops the triggers on it and breaks those that name it; there a deleted or moved
row waits for `compute_metrics --all` as before.

What each change leaves stale (docs/kpis.md, "Which days the nightly run recomputes"):
- an order deleted, or moved to another time or customer: its old day, and its customer's first
  order (a new customer may now be counted on another day);
- an order line deleted or moved to another order: the old order's day, its shipment's delivery
  day and its invoices' days (the lines decide the scopes and the shares);
- a shipment deleted or its delivery moved: the old delivery day and its order's day (shipping cost);
- a return or return line deleted or moved: its order's day (cohort view);
- a review, traffic or marketing spend deleted or moved: its old day;
- an invoice or payment deleted or moved: the days it counted on (issue, the day after due, the
  payments and their overdue reductions).
Not covered: a product moving to another category (that changes every day it sold: recompute with
`compute_metrics --all`).
"""

from __future__ import annotations

from dataclasses import dataclass

TABLE = "kpis_staleday"


@dataclass(frozen=True)
class Trigger:
    name: str
    table: str
    event: str  # "DELETE" or "UPDATE"
    rows: str  # a SELECT of (at, day, customer_id) over OLD; {next_day(..)} / {greatest(..)} spelled per database
    when: str = ""  # UPDATE only: the columns whose change makes the old day stale


def _order_days(order: str) -> str:
    """The days an order's lines count on: its own, its shipment's delivery, its invoices'."""
    return " UNION ALL ".join([
        f"SELECT o.placed_at, NULL, NULL FROM sales_order o WHERE o.id = {order}",
        f"SELECT s.delivered_at, NULL, NULL FROM sales_shipment s WHERE s.order_id = {order}"
        " AND s.delivered_at IS NOT NULL",
        f"SELECT NULL, i.issued_on, NULL FROM sales_invoice i WHERE i.order_id = {order}",
        f"SELECT NULL, {{next_day:i.due_on}}, NULL FROM sales_invoice i WHERE i.order_id = {order}",
        f"SELECT NULL, {{greatest_paid:y.paid_on|i.due_on}}, NULL FROM sales_payment y"
        f" JOIN sales_invoice i ON i.id = y.invoice_id WHERE i.order_id = {order}",
    ])


def _invoice_days(invoice: str, issued_on: str, due_on: str) -> str:
    return " UNION ALL ".join([
        f"SELECT NULL, {issued_on}, NULL",
        f"SELECT NULL, {{next_day:{due_on}}}, NULL",
        f"SELECT NULL, y.paid_on, NULL FROM sales_payment y WHERE y.invoice_id = {invoice}",
        f"SELECT NULL, {{greatest_paid:y.paid_on|{due_on}}}, NULL FROM sales_payment y WHERE y.invoice_id = {invoice}",
    ])


ORDER_OF_RETURN = "(SELECT r.order_id FROM returns_return r WHERE r.id = OLD.ret_id)"

TRIGGERS = [
    Trigger("order_del", "sales_order", "DELETE", "SELECT OLD.placed_at, NULL, OLD.customer_id"),
    Trigger("order_upd", "sales_order", "UPDATE", "SELECT OLD.placed_at, NULL, OLD.customer_id",
            when="placed_at customer_id"),
    Trigger("line_del", "sales_orderline", "DELETE", _order_days("OLD.order_id")),
    Trigger("line_upd", "sales_orderline", "UPDATE", _order_days("OLD.order_id"), when="order_id"),
    Trigger("shipment_del", "sales_shipment", "DELETE",
            "SELECT OLD.delivered_at, NULL, NULL UNION ALL "
            "SELECT o.placed_at, NULL, NULL FROM sales_order o WHERE o.id = OLD.order_id"),
    Trigger("shipment_upd", "sales_shipment", "UPDATE",
            "SELECT OLD.delivered_at, NULL, NULL UNION ALL "
            "SELECT o.placed_at, NULL, NULL FROM sales_order o WHERE o.id = OLD.order_id",
            when="delivered_at order_id"),
    Trigger("return_del", "returns_return", "DELETE",
            "SELECT o.placed_at, NULL, NULL FROM sales_order o WHERE o.id = OLD.order_id"),
    Trigger("return_upd", "returns_return", "UPDATE",
            "SELECT o.placed_at, NULL, NULL FROM sales_order o WHERE o.id = OLD.order_id", when="order_id"),
    Trigger("returnline_del", "returns_returnline", "DELETE",
            f"SELECT o.placed_at, NULL, NULL FROM sales_order o WHERE o.id = {ORDER_OF_RETURN}"),
    Trigger("returnline_upd", "returns_returnline", "UPDATE",
            f"SELECT o.placed_at, NULL, NULL FROM sales_order o WHERE o.id = {ORDER_OF_RETURN}",
            when="ret_id order_line_id"),
    Trigger("review_del", "sales_review", "DELETE", "SELECT OLD.created_at, NULL, NULL"),
    Trigger("review_upd", "sales_review", "UPDATE", "SELECT OLD.created_at, NULL, NULL",
            when="created_at order_id product_id"),
    Trigger("traffic_del", "sales_trafficday", "DELETE", "SELECT NULL, OLD.date, NULL"),
    Trigger("traffic_upd", "sales_trafficday", "UPDATE", "SELECT NULL, OLD.date, NULL", when="date"),
    Trigger("spend_del", "sales_marketingspend", "DELETE", "SELECT NULL, OLD.date, NULL"),
    Trigger("spend_upd", "sales_marketingspend", "UPDATE", "SELECT NULL, OLD.date, NULL", when="date"),
    Trigger("invoice_del", "sales_invoice", "DELETE", _invoice_days("OLD.id", "OLD.issued_on", "OLD.due_on")),
    Trigger("invoice_upd", "sales_invoice", "UPDATE", _invoice_days("OLD.id", "OLD.issued_on", "OLD.due_on"),
            when="issued_on due_on order_id"),
    Trigger("payment_del", "sales_payment", "DELETE",
            "SELECT NULL, OLD.paid_on, NULL UNION ALL "
            "SELECT NULL, {greatest_paid:OLD.paid_on|i.due_on}, NULL FROM sales_invoice i WHERE i.id = OLD.invoice_id"),
    Trigger("payment_upd", "sales_payment", "UPDATE",
            "SELECT NULL, OLD.paid_on, NULL UNION ALL "
            "SELECT NULL, {greatest_paid:OLD.paid_on|i.due_on}, NULL FROM sales_invoice i WHERE i.id = OLD.invoice_id",
            when="paid_on invoice_id"),
]


def _spell(sql: str, vendor: str) -> str:
    """Fill in {next_day:x} and {greatest_paid:paid|due} (max(paid, due + 1 day)) for the database."""
    import re

    def next_day(x: str) -> str:
        return f"({x} + 1)" if vendor == "postgresql" else f"date({x}, '+1 day')"

    def repl(match: re.Match) -> str:
        kind, arg = match.group(1), match.group(2)
        if kind == "next_day":
            return next_day(arg)
        paid, due = arg.split("|")
        fn = "GREATEST" if vendor == "postgresql" else "MAX"
        return f"{fn}({paid}, {next_day(due)})"

    sql = re.sub(r"\{(next_day|greatest_paid):([^}]*)\}", repl, sql)
    if vendor == "postgresql":  # a UNION of untyped NULLs would take them for text
        sql = sql.replace("SELECT NULL, ", "SELECT NULL::timestamptz, ")
        sql = sql.replace(", NULL, NULL", ", NULL::date, NULL::bigint")
        sql = sql.replace(", NULL, OLD.customer_id", ", NULL::date, OLD.customer_id")
        sql = re.sub(r", NULL(?=\s|$)", ", NULL::bigint", sql)
    return sql


def _changed(columns: str, vendor: str) -> str:
    op = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    return " OR ".join(f"OLD.{c} {op} NEW.{c}" for c in columns.split())


def create_sql(vendor: str) -> list[str]:
    statements = []
    for t in TRIGGERS:
        name = f"kpis_stale_{t.name}"
        insert = f"INSERT INTO {TABLE} (at, day, customer_id) {_spell(t.rows, vendor)};"
        when = f"WHEN ({_changed(t.when, vendor)})" if t.when else ""
        if vendor == "postgresql":
            statements.append(
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {insert} RETURN NULL; END $$"
            )
            statements.append(
                f"CREATE TRIGGER {name} AFTER {t.event} ON {t.table} FOR EACH ROW {when} EXECUTE FUNCTION {name}()"
            )
        else:
            statements.append(f"CREATE TRIGGER {name} AFTER {t.event} ON {t.table} FOR EACH ROW {when} BEGIN {insert} END")
    return statements


def drop_sql(vendor: str) -> list[str]:
    statements = []
    for t in TRIGGERS:
        name = f"kpis_stale_{t.name}"
        if vendor == "postgresql":
            statements += [f"DROP TRIGGER IF EXISTS {name} ON {t.table}", f"DROP FUNCTION IF EXISTS {name}()"]
        else:
            statements.append(f"DROP TRIGGER IF EXISTS {name}")
    return statements


def create_triggers(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in create_sql("postgresql"):
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in drop_sql("postgresql"):
            schema_editor.execute(statement)
