"""The order line's product on the return line (ReturnLine.product), kept by the database.

The returns list filters returns by the category of their lines' products. Through the order line
that meant reading up to 3 M order lines (a rare reason in one category: 0.4–1 s at 1M orders);
with the product on the line it is an index of the return lines. Triggers copy the product from
the order line whenever a return line is inserted (ORM, bulk_create, COPY of seed_demo, CSV
imports) or its order line changes, and follow an order line whose product changes, so the copy
can never differ from `order_line.product`.
"""

import django.db.models.deletion
from django.db import migrations, models

POSTGRES_FORWARD = [
    """
    CREATE FUNCTION returns_returnline_product() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.product_id := (SELECT product_id FROM sales_orderline WHERE id = NEW.order_line_id);
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER returns_returnline_product BEFORE INSERT OR UPDATE OF order_line_id, product_id
    ON returns_returnline FOR EACH ROW EXECUTE FUNCTION returns_returnline_product()
    """,
    """
    CREATE FUNCTION returns_orderline_product() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE returns_returnline SET product_id = NEW.product_id WHERE order_line_id = NEW.id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER returns_orderline_product AFTER UPDATE OF product_id ON sales_orderline
    FOR EACH ROW WHEN (OLD.product_id IS DISTINCT FROM NEW.product_id)
    EXECUTE FUNCTION returns_orderline_product()
    """,
    """
    UPDATE returns_returnline rl SET product_id = ol.product_id
    FROM sales_orderline ol WHERE ol.id = rl.order_line_id
    """,
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS returns_orderline_product ON sales_orderline",
    "DROP FUNCTION IF EXISTS returns_orderline_product()",
    "DROP TRIGGER IF EXISTS returns_returnline_product ON returns_returnline",
    "DROP FUNCTION IF EXISTS returns_returnline_product()",
]
# SQLite (make run): AFTER triggers that update the row (recursive triggers are off by default)
SQLITE_FORWARD = [
    """
    CREATE TRIGGER returns_returnline_product_ins AFTER INSERT ON returns_returnline
    BEGIN
        UPDATE returns_returnline SET product_id = (SELECT product_id FROM sales_orderline WHERE id = NEW.order_line_id)
        WHERE id = NEW.id;
    END
    """,
    """
    CREATE TRIGGER returns_returnline_product_upd AFTER UPDATE OF order_line_id, product_id ON returns_returnline
    BEGIN
        UPDATE returns_returnline SET product_id = (SELECT product_id FROM sales_orderline WHERE id = NEW.order_line_id)
        WHERE id = NEW.id;
    END
    """,
    """
    CREATE TRIGGER returns_orderline_product AFTER UPDATE OF product_id ON sales_orderline
    WHEN OLD.product_id IS NOT NEW.product_id
    BEGIN
        UPDATE returns_returnline SET product_id = NEW.product_id WHERE order_line_id = NEW.id;
    END
    """,
    """
    UPDATE returns_returnline SET product_id = (
        SELECT product_id FROM sales_orderline WHERE sales_orderline.id = returns_returnline.order_line_id)
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS returns_orderline_product",
    "DROP TRIGGER IF EXISTS returns_returnline_product_upd",
    "DROP TRIGGER IF EXISTS returns_returnline_product_ins",
]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in statements.get(vendor, []):
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0002_assortment'),
        ('returns', '0006_return_requested_at_index'),
        ('sales', '0003_customer_search'),
    ]

    operations = [
        migrations.AddField(
            model_name='returnline',
            name='product',
            field=models.ForeignKey(db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.product', verbose_name='product'),
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
        migrations.AddIndex(
            model_name='returnline',
            index=models.Index(fields=['ret', 'product', 'reason'], name='return_line_ret_product'),
        ),
        migrations.AddIndex(
            model_name='returnline',
            index=models.Index(fields=['product', 'ret'], name='return_line_product'),
        ),
        migrations.AddIndex(
            model_name='returnline',
            index=models.Index(fields=['reason', 'product', 'ret'], name='return_line_reason_product'),
        ),
    ]
