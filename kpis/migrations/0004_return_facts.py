"""Day × product × reason × channel facts of returns (kpis/return_models.py)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("kpis", "0003_product_facts"),
        ("returns", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="DailyReturnFact",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField()),
                ("channel", models.CharField(max_length=32)),
                ("returned_units", models.IntegerField(default=0)),
                ("returned_value", models.DecimalField(decimal_places=10, default=0, max_digits=28)),
                ("return_lines", models.IntegerField(default=0)),
                ("returns", models.IntegerField(default=0)),
                ("returns_share", models.DecimalField(decimal_places=10, default=0, max_digits=28)),
                ("orders_returned", models.IntegerField(default=0)),
                ("restocked_units", models.IntegerField(default=0)),
                ("refurbished_units", models.IntegerField(default=0)),
                ("to_supplier_units", models.IntegerField(default=0)),
                ("written_off_units", models.IntegerField(default=0)),
                ("written_off_cost", models.DecimalField(decimal_places=10, default=0, max_digits=28)),
                ("refunded", models.DecimalField(decimal_places=10, default=0, max_digits=28)),
                ("product", models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                              related_name="+", to="catalog.product")),
                ("reason", models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                             related_name="+", to="returns.returnreason")),
            ],
            options={
                "indexes": [models.Index(fields=["day", "product"], name="kpis_dailyr_day_141573_idx")],
                "constraints": [
                    models.UniqueConstraint(fields=("product", "day", "reason", "channel"),
                                            name="daily_return_fact_unique"),
                ],
            },
        ),
    ]
