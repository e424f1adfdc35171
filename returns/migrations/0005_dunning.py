"""Dunning (DOMAIN §1): base rates, levels, dispute flags, payment entries, runs, notices, hand-over.

Seeds the base-rate table with the published values of DOMAIN §1.2 and the default levels of
DOMAIN §1.3 (payment reminder without a fee, first and second dunning notice with a cost-based fee,
hand-over announcement). Both stay editable in the admin.
"""

import datetime as dt
from decimal import Decimal

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

# (valid from, base rate %): Bundesbank, DOMAIN §1.2. 01.07.2026 is not published in the sources:
# enter it in the admin when known (runs warn while a half-year has no row).
BASE_RATES = [
    (dt.date(2020, 1, 1), "-0.88"), (dt.date(2020, 7, 1), "-0.88"),
    (dt.date(2021, 1, 1), "-0.88"), (dt.date(2021, 7, 1), "-0.88"),
    (dt.date(2022, 1, 1), "-0.88"), (dt.date(2022, 7, 1), "-0.88"),
    (dt.date(2023, 1, 1), "1.62"), (dt.date(2023, 7, 1), "3.12"),
    (dt.date(2024, 1, 1), "3.62"), (dt.date(2024, 7, 1), "3.37"),
    (dt.date(2025, 1, 1), "2.27"), (dt.date(2025, 7, 1), "1.27"),
    (dt.date(2026, 1, 1), "1.27"),
]
BASE_RATE_SOURCE = "Deutsche Bundesbank (DOMAIN §1.2)"

# Fee of a dunning notice: actual material cost only (BGH VIII ZR 95/18): postage of a standard
# letter 0.95 € + paper, print and envelope ≈ 0.10 €; staff and IT costs are not recoverable.
NOTICE_FEE = "1.05"

LEVELS = [
    # number, name (en), name (de), days overdue, minimum open amount, minimum interval, fee, text en, text de
    (1, "Payment reminder", "Zahlungserinnerung", 7, "1.00", 0, "0.00",
     "Our records show that the invoice below is still open. Perhaps it has been overlooked: please "
     "transfer the open amount within 10 days. If you have paid in the meantime, please disregard this "
     "letter.",
     "sicher haben Sie es nur übersehen: Die unten genannte Rechnung ist noch offen. Bitte überweisen Sie "
     "den offenen Betrag innerhalb von 10 Tagen. Sollten Sie inzwischen gezahlt haben, betrachten Sie "
     "dieses Schreiben bitte als gegenstandslos."),
    (2, "First dunning notice", "1. Mahnung", 21, "5.00", 14, NOTICE_FEE,
     "Despite our payment reminder we have not yet received your payment. You are in default of "
     "payment. Please transfer the total amount claimed below within 10 days.",
     "trotz unserer Zahlungserinnerung konnten wir noch keinen Zahlungseingang feststellen. Sie befinden "
     "sich im Zahlungsverzug. Bitte überweisen Sie den unten aufgeführten Gesamtbetrag innerhalb von 10 "
     "Tagen."),
    (3, "Second dunning notice", "2. Mahnung", 35, "5.00", 14, NOTICE_FEE,
     "The amount below is still unpaid despite our dunning notice. Please transfer it within 7 days. "
     "Otherwise we will hand the claim over to a collection agency, which will cause you further costs.",
     "leider ist der unten genannte Betrag trotz unserer Mahnung weiterhin offen. Bitte überweisen Sie "
     "ihn innerhalb von 7 Tagen. Andernfalls übergeben wir die Forderung einem Inkassounternehmen, "
     "wodurch Ihnen weitere Kosten entstehen."),
    (4, "Announcement of hand-over to a collection agency", "Ankündigung der Übergabe an ein Inkassobüro",
     49, "5.00", 14, "0.00",
     "As you have not responded to our reminders, we will hand the claim over to a collection agency "
     "unless the total amount below reaches us within 5 days.",
     "da Sie auf unsere Mahnungen nicht reagiert haben, übergeben wir die Forderung einem "
     "Inkassounternehmen, sofern der unten genannte Gesamtbetrag nicht innerhalb von 5 Tagen bei uns "
     "eingeht."),
]


def seed(apps, schema_editor):
    """Idempotent: the tests call it again after a flush of every table."""
    BaseRate = apps.get_model("returns", "BaseRate")
    DunningLevel = apps.get_model("returns", "DunningLevel")
    for valid_from, rate in BASE_RATES:
        BaseRate.objects.get_or_create(valid_from=valid_from, defaults={"rate": Decimal(rate), "source": BASE_RATE_SOURCE})
    if not DunningLevel.objects.exists():
        for number, name_en, name_de, days, minimum, interval, fee, text_en, text_de in LEVELS:
            DunningLevel.objects.create(
                number=number, name_en=name_en, name_de=name_de, days_overdue=days,
                min_open_amount=Decimal(minimum), min_interval_days=interval, fee=Decimal(fee),
                letter_text_en=text_en, letter_text_de=text_de,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0004_desk"),
        ("sales", "0002_changed_at"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='BaseRate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('valid_from', models.DateField(unique=True, verbose_name='valid from')),
                ('rate', models.DecimalField(decimal_places=2, max_digits=6, verbose_name='base rate (%)')),
                ('source', models.CharField(blank=True, default='', max_length=200, verbose_name='source')),
            ],
            options={
                'verbose_name': 'base rate',
                'verbose_name_plural': 'base rates',
                'ordering': ['-valid_from'],
            },
        ),
        migrations.CreateModel(
            name='CollectionHandover',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='handed over at')),
                ('as_of', models.DateField(verbose_name='as of')),
                ('csv_text', models.TextField(blank=True, default='', verbose_name='export file')),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='handed over by')),
            ],
            options={
                'verbose_name': 'collection hand-over',
                'verbose_name_plural': 'collection hand-overs',
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='DunningLevel',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveSmallIntegerField(unique=True, verbose_name='level')),
                ('name_en', models.CharField(max_length=100, verbose_name='name (English)')),
                ('name_de', models.CharField(max_length=100, verbose_name='name (German)')),
                ('days_overdue', models.PositiveIntegerField(verbose_name='days overdue')),
                ('min_open_amount', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='minimum open amount')),
                ('min_interval_days', models.PositiveIntegerField(default=0, verbose_name='minimum days since the last notice')),
                ('fee', models.DecimalField(decimal_places=2, default=0, help_text='Actual material cost only (print, postage): BGH VIII ZR 95/18.', max_digits=14, verbose_name='fee')),
                ('letter_text_en', models.TextField(verbose_name='letter text (English)')),
                ('letter_text_de', models.TextField(verbose_name='letter text (German)')),
            ],
            options={
                'verbose_name': 'dunning level',
                'verbose_name_plural': 'dunning levels',
                'ordering': ['number'],
                'constraints': [models.CheckConstraint(condition=models.Q(('fee__gte', 0)), name='dunning_level_fee_not_negative'), models.CheckConstraint(condition=models.Q(('min_open_amount__gte', 0)), name='dunning_level_minimum_not_negative')],
            },
        ),
        migrations.CreateModel(
            name='DunningRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('as_of', models.DateField(verbose_name='as of')),
                ('status', models.CharField(choices=[('proposed', 'proposed'), ('approved', 'approved'), ('discarded', 'discarded')], default='proposed', max_length=16, verbose_name='status')),
                ('trigger', models.CharField(choices=[('nightly', 'nightly'), ('button', 'button'), ('command', 'command')], default='button', max_length=16, verbose_name='started by')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='proposed at')),
                ('approved_at', models.DateTimeField(blank=True, null=True, verbose_name='approved at')),
                ('warnings', models.JSONField(blank=True, default=list, verbose_name='warnings')),
                ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='approved by')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='proposed by')),
            ],
            options={
                'verbose_name': 'dunning run',
                'verbose_name_plural': 'dunning runs',
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='DunningNotice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sent_on', models.DateField(verbose_name='date')),
                ('principal', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='invoice amount')),
                ('paid', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='part payments')),
                ('open_amount', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='open amount')),
                ('level_fee', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='fee of this notice')),
                ('earlier_fees', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='fees of earlier notices')),
                ('flat_fee', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='flat fee §288(5) BGB')),
                ('fee', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='fees')),
                ('interest', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='interest')),
                ('total', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='total claimed')),
                ('default_from', models.DateField(blank=True, null=True, verbose_name='in default since')),
                ('interest_detail', models.JSONField(blank=True, default=list, verbose_name='interest in detail')),
                ('language', models.CharField(default='de', max_length=8, verbose_name='language')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='approved by')),
                ('invoice', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='dunning_notices', to='sales.invoice', verbose_name='invoice')),
                ('level', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='returns.dunninglevel', verbose_name='level')),
                ('run', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='notices', to='returns.dunningrun', verbose_name='run')),
            ],
            options={
                'verbose_name': 'dunning notice',
                'verbose_name_plural': 'dunning notices',
                'ordering': ['-sent_on', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='DunningRunLine',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('days_overdue', models.IntegerField(verbose_name='days overdue')),
                ('open_amount', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='open amount')),
                ('fee', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='fees')),
                ('interest', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='interest')),
                ('total', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='total')),
                ('blocked_reason', models.CharField(blank=True, default='', max_length=32, verbose_name='reason')),
                ('excluded', models.BooleanField(default=False, verbose_name='excluded')),
                ('invoice', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='dunning_lines', to='sales.invoice', verbose_name='invoice')),
                ('level', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='returns.dunninglevel', verbose_name='level')),
                ('run', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lines', to='returns.dunningrun', verbose_name='run')),
            ],
            options={
                'verbose_name': 'dunning run line',
                'verbose_name_plural': 'dunning run lines',
                'ordering': ['run', 'invoice__due_on', 'invoice'],
            },
        ),
        migrations.CreateModel(
            name='HandedOverInvoice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('open_amount', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='open amount')),
                ('interest', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='interest')),
                ('fee', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='fees')),
                ('total', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='total')),
                ('handover', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='returns.collectionhandover', verbose_name='hand-over')),
                ('invoice', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='handed_over', to='sales.invoice', verbose_name='invoice')),
            ],
            options={
                'verbose_name': 'handed-over invoice',
                'verbose_name_plural': 'handed-over invoices',
                'ordering': ['handover', 'invoice'],
            },
        ),
        migrations.CreateModel(
            name='PaymentEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('overpayment', models.BooleanField(default=False, verbose_name='marked as overpayment')),
                ('note', models.CharField(blank=True, default='', max_length=300, verbose_name='note')),
                ('entered_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='entered at')),
                ('entered_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='entered by')),
                ('payment', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='entry', to='sales.payment', verbose_name='payment')),
            ],
            options={
                'verbose_name': 'payment entry',
                'verbose_name_plural': 'payment entries',
                'ordering': ['-entered_at'],
            },
        ),
        migrations.CreateModel(
            name='DunningBlock',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.CharField(max_length=300, verbose_name='reason')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='set at')),
                ('lifted_at', models.DateTimeField(blank=True, null=True, verbose_name='lifted at')),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='set by')),
                ('invoice', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='dunning_blocks', to='sales.invoice', verbose_name='invoice')),
                ('lifted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='lifted by')),
            ],
            options={
                'verbose_name': 'dispute flag',
                'verbose_name_plural': 'dispute flags',
                'ordering': ['-created_at'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('lifted_at__isnull', True)), fields=('invoice',), name='dunning_block_one_active_per_invoice')],
            },
        ),
        migrations.AddConstraint(
            model_name='dunningrun',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('approved_at__isnull', False), ('status', 'approved')), models.Q(('status', 'approved'), _negated=True), _connector='OR'), name='dunning_run_approved_has_time'),
        ),
        migrations.AddIndex(
            model_name='dunningnotice',
            index=models.Index(fields=['invoice', 'sent_on'], name='returns_dun_invoice_c472ca_idx'),
        ),
        migrations.AddConstraint(
            model_name='dunningnotice',
            constraint=models.UniqueConstraint(fields=('invoice', 'level'), name='dunning_notice_one_per_level'),
        ),
        migrations.AddConstraint(
            model_name='dunningnotice',
            constraint=models.CheckConstraint(condition=models.Q(('total__gte', 0)), name='dunning_notice_total_not_negative'),
        ),
        migrations.AddConstraint(
            model_name='dunningrunline',
            constraint=models.UniqueConstraint(fields=('run', 'invoice'), name='dunning_run_line_unique_invoice'),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
