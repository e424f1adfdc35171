"""Invoice.is_open: "money open" stored on the invoice, kept by the database.

The open items filter invoices by amount − Σ payments ≥ 0.005 (returns.receivables.selectors), a
correlated sum PostgreSQL cannot index: it walked the due-date index and summed the payments of every
invoice it met (B2B, customer-name search: 20–150 ms of SQL at 1M orders). With the flag and a
partial index of the open invoices (7 %) in the list's order it walks only those.

The rule, as of a day D: round(amount − Σ payments with paid_on ≤ D, 2) ≥ 0.005. The flag holds it
for D = the UTC day of the write (never later than the Berlin day the application counts in).
Payments are positive (check constraint), so an invoice closed on that day is closed on every later
day: "not open" stays true for every as-of day from the write on, and the readers use the flag only
for as-of days not before today. A payment dated after the write day leaves the flag open until the
invoice is written again (a row too many for a list that keeps its exact check, never one too few).

Kept by triggers, whichever path writes (ORM, COPY of seed_demo, the CSV import's upsert, admin, raw
SQL):
- a payment inserted, updated (amount, day, or moved to another invoice) or deleted: its invoices
  are recomputed in the same statement (PostgreSQL: once per statement, set-based, from transition
  tables — a COPY of 14k payments is one join, and works without the payment indexes, which
  seed_demo drops while loading);
- an invoice inserted: open unless its amount is under half a cent (a new invoice has no payments —
  and "open" is the safe side if it had);
- an invoice's amount changed, or its flag written by anyone but these triggers (Model.save()
  writes every column, possibly a flag read before a payment came): recomputed.
PostgreSQL locks the invoices before summing their payments, so that of two transactions writing
payments of one invoice, the later one sums after the earlier one committed (READ COMMITTED).
SQLite gets row triggers too (its payment indexes stay while seeding) and a right flag, but the
lists read it on PostgreSQL only: a later migration that makes SQLite rebuild sales_invoice or
sales_payment would drop these triggers silently (tests/receivables/test_open_flag.py checks they
exist).
"""

from django.db import migrations, models

# The day the flag is computed for: UTC, never later than Berlin's day (the application's "today").
PG_DAY = "(now() AT TIME ZONE 'UTC')::date"

POSTGRES_FORWARD = [
    # no payment may be written between the backfill and the commit without the triggers
    "LOCK TABLE sales_payment IN SHARE ROW EXCLUSIVE MODE",
    f"""
    CREATE FUNCTION sales_invoices_recompute_open(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
        IF ids IS NULL THEN
            RETURN;
        END IF;
        -- Lock first: the sum below then reads (new snapshot) whatever an earlier writer committed.
        PERFORM 1 FROM sales_invoice WHERE id = ANY(ids) ORDER BY id FOR NO KEY UPDATE;
        UPDATE sales_invoice i SET is_open = c.open
        FROM (
            SELECT i2.id, round(i2.amount - coalesce(s.paid, 0), 2) >= 0.005 AS open
            FROM sales_invoice i2
            LEFT JOIN (
                -- a join, not `invoice_id = ANY(ids)`: plpgsql's generic plan searches a parameter
                -- array row by row (seed_demo, no payment index: 4 s per 11k invoices instead of 0.1)
                SELECT p.invoice_id, sum(p.amount) AS paid
                FROM unnest(ids) AS u(id) JOIN sales_payment p ON p.invoice_id = u.id
                WHERE p.paid_on <= {PG_DAY}
                GROUP BY p.invoice_id
            ) s ON s.invoice_id = i2.id
            WHERE i2.id = ANY(ids)
        ) c
        WHERE i.id = c.id AND i.is_open IS DISTINCT FROM c.open;
    END $$
    """,
    """
    CREATE FUNCTION sales_payment_invoice_open() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        ids bigint[];
    BEGIN
        IF TG_OP = 'INSERT' THEN
            SELECT array_agg(DISTINCT invoice_id) INTO ids FROM new_payments;
        ELSIF TG_OP = 'DELETE' THEN
            SELECT array_agg(DISTINCT invoice_id) INTO ids FROM old_payments;
        ELSE
            SELECT array_agg(DISTINCT invoice_id) INTO ids
            FROM (SELECT invoice_id FROM new_payments UNION SELECT invoice_id FROM old_payments) c;
        END IF;
        PERFORM sales_invoices_recompute_open(ids);
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER sales_payment_open_ins AFTER INSERT ON sales_payment
    REFERENCING NEW TABLE AS new_payments FOR EACH STATEMENT EXECUTE FUNCTION sales_payment_invoice_open()
    """,
    """
    CREATE TRIGGER sales_payment_open_upd AFTER UPDATE ON sales_payment
    REFERENCING NEW TABLE AS new_payments OLD TABLE AS old_payments
    FOR EACH STATEMENT EXECUTE FUNCTION sales_payment_invoice_open()
    """,
    """
    CREATE TRIGGER sales_payment_open_del AFTER DELETE ON sales_payment
    REFERENCING OLD TABLE AS old_payments FOR EACH STATEMENT EXECUTE FUNCTION sales_payment_invoice_open()
    """,
    f"""
    CREATE FUNCTION sales_invoice_open() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            NEW.is_open := round(NEW.amount, 2) >= 0.005;
        ELSE
            NEW.is_open := round(NEW.amount - coalesce((
                SELECT sum(amount) FROM sales_payment WHERE invoice_id = NEW.id AND paid_on <= {PG_DAY}
            ), 0), 2) >= 0.005;
        END IF;
        RETURN NEW;
    END $$
    """,
    "CREATE TRIGGER sales_invoice_open_ins BEFORE INSERT ON sales_invoice FOR EACH ROW EXECUTE FUNCTION sales_invoice_open()",
    # The payment trigger's own update (trigger depth 1, the flag only) is already computed.
    """
    CREATE TRIGGER sales_invoice_open_upd BEFORE UPDATE OF amount, is_open ON sales_invoice FOR EACH ROW
    WHEN (OLD.amount IS DISTINCT FROM NEW.amount OR (OLD.is_open IS DISTINCT FROM NEW.is_open AND pg_trigger_depth() = 0))
    EXECUTE FUNCTION sales_invoice_open()
    """,
]
# Backfill, after the partial index is built (on the then empty set: an index built after this update
# in the same transaction would be unusable for queries of transactions older than it — indcheckxmin).
# The column came with default false; set the open ones (7 %: few rows rewritten).
POSTGRES_BACKFILL = [
    f"""
    UPDATE sales_invoice i SET is_open = true
    FROM (
        SELECT i2.id FROM sales_invoice i2
        LEFT JOIN (SELECT invoice_id, sum(amount) AS paid FROM sales_payment WHERE paid_on <= {PG_DAY}
                   GROUP BY invoice_id) s ON s.invoice_id = i2.id
        WHERE round(i2.amount - coalesce(s.paid, 0), 2) >= 0.005
    ) o
    WHERE i.id = o.id
    """,
    "ANALYZE sales_invoice",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS sales_invoice_open_upd ON sales_invoice",
    "DROP TRIGGER IF EXISTS sales_invoice_open_ins ON sales_invoice",
    "DROP FUNCTION IF EXISTS sales_invoice_open()",
    "DROP TRIGGER IF EXISTS sales_payment_open_del ON sales_payment",
    "DROP TRIGGER IF EXISTS sales_payment_open_upd ON sales_payment",
    "DROP TRIGGER IF EXISTS sales_payment_open_ins ON sales_payment",
    "DROP FUNCTION IF EXISTS sales_payment_invoice_open()",
    "DROP FUNCTION IF EXISTS sales_invoices_recompute_open(bigint[])",
]

# SQLite (make run, tests): row triggers (its payment indexes stay while seeding). date('now') is the
# UTC day. Recursive triggers are off by default; the WHERE clauses stop a second round anyway.
SQLITE_OPEN = """(ROUND(sales_invoice.amount - COALESCE((
    SELECT SUM(p.amount) FROM sales_payment p WHERE p.invoice_id = sales_invoice.id AND p.paid_on <= date('now')
), 0), 2) >= 0.005)"""
SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER sales_payment_open_ins AFTER INSERT ON sales_payment
    BEGIN
        UPDATE sales_invoice SET is_open = {SQLITE_OPEN} WHERE id = NEW.invoice_id AND is_open IS NOT {SQLITE_OPEN};
    END
    """,
    f"""
    CREATE TRIGGER sales_payment_open_upd AFTER UPDATE ON sales_payment
    BEGIN
        UPDATE sales_invoice SET is_open = {SQLITE_OPEN}
        WHERE id IN (NEW.invoice_id, OLD.invoice_id) AND is_open IS NOT {SQLITE_OPEN};
    END
    """,
    f"""
    CREATE TRIGGER sales_payment_open_del AFTER DELETE ON sales_payment
    BEGIN
        UPDATE sales_invoice SET is_open = {SQLITE_OPEN} WHERE id = OLD.invoice_id AND is_open IS NOT {SQLITE_OPEN};
    END
    """,
    f"""
    CREATE TRIGGER sales_invoice_open_ins AFTER INSERT ON sales_invoice
    BEGIN
        UPDATE sales_invoice SET is_open = {SQLITE_OPEN} WHERE id = NEW.id AND is_open IS NOT {SQLITE_OPEN};
    END
    """,
    f"""
    CREATE TRIGGER sales_invoice_open_upd AFTER UPDATE OF amount, is_open ON sales_invoice
    BEGIN
        UPDATE sales_invoice SET is_open = {SQLITE_OPEN} WHERE id = NEW.id AND is_open IS NOT {SQLITE_OPEN};
    END
    """,
]
SQLITE_BACKFILL = [f"UPDATE sales_invoice SET is_open = {SQLITE_OPEN}"]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS sales_invoice_open_upd",
    "DROP TRIGGER IF EXISTS sales_invoice_open_ins",
    "DROP TRIGGER IF EXISTS sales_payment_open_del",
    "DROP TRIGGER IF EXISTS sales_payment_open_upd",
    "DROP TRIGGER IF EXISTS sales_payment_open_ins",
]


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ('sales', '0004_invoice_amount_index'),
    ]

    operations = [
        # false first: the backfill then rewrites only the open invoices, not 93 % of the table
        migrations.AddField(
            model_name='invoice',
            name='is_open',
            field=models.BooleanField(db_default=False, default=True, editable=False, verbose_name='open'),
        ),
        # new rows: open (the rows there keep false until the backfill; SQLite remakes the table here,
        # which would drop triggers on it — so they come after)
        migrations.AlterField(
            model_name='invoice',
            name='is_open',
            field=models.BooleanField(db_default=True, default=True, editable=False, verbose_name='open'),
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
        migrations.AddIndex(
            model_name='invoice',
            index=models.Index(condition=models.Q(('is_open', True)), fields=['due_on', 'number'], name='invoice_open_due'),
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRES_BACKFILL, "sqlite": SQLITE_BACKFILL}), migrations.RunPython.noop,
        ),
    ]
