"""The returns desk: declaration and withdrawal-period facts on a return, its audit events and refunds."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0003_changed_at"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="return",
            name="declared_on",
            field=models.DateField(blank=True, null=True, verbose_name="declared on"),
        ),
        migrations.AddField(
            model_name="return",
            name="delivered_on",
            field=models.DateField(blank=True, null=True, verbose_name="delivered on"),
        ),
        migrations.AddField(
            model_name="return",
            name="late_withdrawal",
            field=models.BooleanField(db_default=False, default=False, verbose_name="late withdrawal accepted as goodwill"),
        ),
        migrations.AddField(
            model_name="return",
            name="note",
            field=models.TextField(blank=True, db_default="", default="", verbose_name="note"),
        ),
        migrations.AddField(
            model_name="return",
            name="withdrawal_deadline",
            field=models.DateField(blank=True, null=True, verbose_name="withdrawal period ends"),
        ),
        migrations.CreateModel(
            name="ReturnEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("action", models.CharField(choices=[("opened", "opened"), ("received", "parcel received"), ("inspected", "inspected"), ("refunded", "refunded"), ("rejected", "rejected"), ("closed", "closed")], max_length=16, verbose_name="action")),
                ("at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="at")),
                ("note", models.TextField(blank=True, default="", verbose_name="note")),
                ("by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="by")),
                ("ret", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="events", to="returns.return", verbose_name="return")),
            ],
            options={
                "verbose_name": "return event",
                "verbose_name_plural": "return events",
                "ordering": ["ret", "at", "pk"],
            },
        ),
        migrations.CreateModel(
            name="ReturnRefund",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("items_amount", models.DecimalField(decimal_places=2, max_digits=14, verbose_name="returned items (gross)")),
                ("shipping_amount", models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name="outbound shipping")),
                ("deduction", models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name="deduction for loss of value")),
                ("deduction_reason", models.CharField(blank=True, default="", max_length=300, verbose_name="reason for the deduction")),
                ("amount", models.DecimalField(decimal_places=2, max_digits=14, verbose_name="refund")),
                ("method", models.CharField(blank=True, default="", max_length=32, verbose_name="payment method")),
                ("at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="at")),
                ("by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="by")),
                ("ret", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="refunds", to="returns.return", verbose_name="return")),
            ],
            options={
                "verbose_name": "refund",
                "verbose_name_plural": "refunds",
                "ordering": ["ret", "at"],
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("amount__gte", 0)), name="return_refund_amount_not_negative"),
                    models.CheckConstraint(condition=models.Q(("deduction__gte", 0)), name="return_refund_deduction_not_negative"),
                    models.CheckConstraint(condition=models.Q(("deduction", 0), models.Q(("deduction_reason", ""), _negated=True), _connector="OR"), name="return_refund_deduction_has_reason"),
                ],
            },
        ),
    ]
