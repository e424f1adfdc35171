"""Receivables follow-up: dunning levels, base rates, runs, notices and the hand-over (DOMAIN §1)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

__all__ = [
    "BaseRate",
    "DunningLevel",
    "DunningBlock",
    "PaymentEntry",
    "DunningRun",
    "DunningRunLine",
    "DunningNotice",
    "CollectionHandover",
    "HandedOverInvoice",
]

MONEY = {"max_digits": 14, "decimal_places": 2}


class BaseRate(models.Model):
    """The Bundesbank's base rate (Basiszinssatz, §247 BGB); seeded with DOMAIN §1.2, kept in the admin."""

    valid_from = models.DateField(_("valid from"), unique=True)
    rate = models.DecimalField(_("base rate (%)"), max_digits=6, decimal_places=2)
    source = models.CharField(_("source"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("base rate")
        verbose_name_plural = _("base rates")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.valid_from.isoformat()}: {self.rate} %"


class DunningLevel(models.Model):
    """One step of the dunning procedure (DOMAIN §1.3, admin-editable). The last level announces the
    hand-over to a collection agency: invoices that received it can be handed over."""

    number = models.PositiveSmallIntegerField(_("level"), unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_de = models.CharField(_("name (German)"), max_length=100)
    days_overdue = models.PositiveIntegerField(_("days overdue"))
    min_open_amount = models.DecimalField(_("minimum open amount"), default=0, **MONEY)
    min_interval_days = models.PositiveIntegerField(_("minimum days since the last notice"), default=0)
    fee = models.DecimalField(
        _("fee"), default=0, help_text=_("Actual material cost only (print, postage): BGH VIII ZR 95/18."), **MONEY
    )
    letter_text_en = models.TextField(_("letter text (English)"))
    letter_text_de = models.TextField(_("letter text (German)"))

    class Meta:
        verbose_name = _("dunning level")
        verbose_name_plural = _("dunning levels")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(condition=Q(fee__gte=0), name="dunning_level_fee_not_negative"),
            models.CheckConstraint(condition=Q(min_open_amount__gte=0), name="dunning_level_minimum_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name(get_language() or 'de')}"

    def clean(self):
        """Levels escalate: a later level must start at more days overdue than every earlier one."""
        from returns import dunning

        others = DunningLevel.objects.exclude(pk=self.pk) if self.pk else DunningLevel.objects.all()
        levels = [dunning.Level(number=n, days_overdue=d) for n, d in others.values_list("number", "days_overdue")]
        if self.number is not None and self.days_overdue is not None:
            try:
                dunning.check_level_days([*levels, dunning.Level(number=self.number, days_overdue=self.days_overdue)])
            except dunning.LevelOrderError as exc:
                raise ValidationError({"days_overdue": _(
                    "The days overdue must increase from level to level: level %(number)s (%(days)s days) must "
                    "start later than level %(previous)s (%(previous_days)s days)."
                ) % {"number": exc.number, "days": exc.days, "previous": exc.previous,
                     "previous_days": exc.previous_days}}) from exc

    def name(self, language: str) -> str:
        return self.name_de if language.startswith("de") else self.name_en

    def letter_text(self, language: str) -> str:
        return self.letter_text_de if language.startswith("de") else self.letter_text_en


class DunningBlock(models.Model):
    """A dispute flag on an invoice: while active, no dunning. Who set it and who lifted it, when."""

    invoice = models.ForeignKey(
        "sales.Invoice", verbose_name=_("invoice"), on_delete=models.CASCADE, related_name="dunning_blocks"
    )
    reason = models.CharField(_("reason"), max_length=300)
    created_at = models.DateTimeField(_("set at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("set by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("lifted by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        verbose_name = _("dispute flag")
        verbose_name_plural = _("dispute flags")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice"], condition=Q(lifted_at__isnull=True), name="dunning_block_one_active_per_invoice"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id}: {self.reason}"

    @property
    def active(self) -> bool:
        return self.lifted_at is None


class PaymentEntry(models.Model):
    """Who entered a payment by hand and when (imported payments have none)."""

    payment = models.OneToOneField(
        "sales.Payment", verbose_name=_("payment"), on_delete=models.CASCADE, related_name="entry"
    )
    overpayment = models.BooleanField(_("marked as overpayment"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True, default="")
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("payment entry")
        verbose_name_plural = _("payment entries")
        ordering = ["-entered_at"]

    def __str__(self) -> str:
        return f"{self.payment_id} by {self.entered_by_id}"


class DunningRun(models.Model):
    """A proposal as of a day; approval turns its lines (not excluded, with a level) into notices."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        APPROVED = "approved", _("approved")
        DISCARDED = "discarded", _("discarded")

    class Trigger(models.TextChoices):
        NIGHTLY = "nightly", _("nightly")
        BUTTON = "button", _("button")
        COMMAND = "command", _("command")

    as_of = models.DateField(_("as of"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED)
    trigger = models.CharField(_("started by"), max_length=16, choices=Trigger.choices, default=Trigger.BUTTON)
    created_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    warnings = models.JSONField(_("warnings"), default=list, blank=True)

    class Meta:
        verbose_name = _("dunning run")
        verbose_name_plural = _("dunning runs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="approved", approved_at__isnull=False) | ~Q(status="approved"),
                name="dunning_run_approved_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.as_of.isoformat()} ({self.status})"


class DunningRunLine(models.Model):
    """One open invoice in a run: the level it qualifies for and its claim, or why it does not."""

    run = models.ForeignKey(DunningRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="lines")
    invoice = models.ForeignKey(
        "sales.Invoice", verbose_name=_("invoice"), on_delete=models.CASCADE, related_name="dunning_lines"
    )
    level = models.ForeignKey(
        DunningLevel, verbose_name=_("level"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    days_overdue = models.IntegerField(_("days overdue"))
    open_amount = models.DecimalField(_("open amount"), **MONEY)
    fee = models.DecimalField(_("fees"), **MONEY)
    interest = models.DecimalField(_("interest"), **MONEY)
    total = models.DecimalField(_("total"), **MONEY)
    blocked_reason = models.CharField(_("reason"), max_length=32, blank=True, default="")
    excluded = models.BooleanField(_("excluded"), default=False)

    class Meta:
        verbose_name = _("dunning run line")
        verbose_name_plural = _("dunning run lines")
        ordering = ["run", "invoice__due_on", "invoice"]
        constraints = [
            models.UniqueConstraint(fields=["run", "invoice"], name="dunning_run_line_unique_invoice"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.invoice_id}"


class DunningNotice(models.Model):
    """A notice sent (reminder, dunning notice, hand-over announcement) with its claim broken down."""

    invoice = models.ForeignKey(
        "sales.Invoice", verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="dunning_notices"
    )
    run = models.ForeignKey(DunningRun, verbose_name=_("run"), on_delete=models.PROTECT, related_name="notices")
    level = models.ForeignKey(DunningLevel, verbose_name=_("level"), on_delete=models.PROTECT, related_name="+")
    sent_on = models.DateField(_("date"))
    principal = models.DecimalField(_("invoice amount"), **MONEY)
    paid = models.DecimalField(_("part payments"), **MONEY)
    open_amount = models.DecimalField(_("open amount"), **MONEY)
    level_fee = models.DecimalField(_("fee of this notice"), **MONEY)
    earlier_fees = models.DecimalField(_("fees of earlier notices"), **MONEY)
    flat_fee = models.DecimalField(_("flat fee §288(5) BGB"), **MONEY)
    fee = models.DecimalField(_("fees"), **MONEY)
    interest = models.DecimalField(_("interest"), **MONEY)
    total = models.DecimalField(_("total claimed"), **MONEY)
    default_from = models.DateField(_("in default since"), null=True, blank=True)
    # The interest segments as computed: [{start, end, days, principal, base_rate, rate, interest}].
    interest_detail = models.JSONField(_("interest in detail"), default=list, blank=True)
    language = models.CharField(_("language"), max_length=8, default="de")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("dunning notice")
        verbose_name_plural = _("dunning notices")
        ordering = ["-sent_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "level"], name="dunning_notice_one_per_level"),
            models.CheckConstraint(condition=Q(total__gte=0), name="dunning_notice_total_not_negative"),
        ]
        indexes = [models.Index(fields=["invoice", "sent_on"])]

    def __str__(self) -> str:
        return f"{self.invoice_id} L{self.level_id} {self.sent_on.isoformat()}"


class CollectionHandover(models.Model):
    """One export to the collection agency: who, when, which invoices (DOMAIN §1.4)."""

    created_at = models.DateTimeField(_("handed over at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("handed over by"), null=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    as_of = models.DateField(_("as of"))
    csv_text = models.TextField(_("export file"), blank=True, default="")

    class Meta:
        verbose_name = _("collection hand-over")
        verbose_name_plural = _("collection hand-overs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.as_of.isoformat()} #{self.pk}"


class HandedOverInvoice(models.Model):
    """An invoice handed to the collection agency: it leaves the dunning runs for good."""

    handover = models.ForeignKey(
        CollectionHandover, verbose_name=_("hand-over"), on_delete=models.CASCADE, related_name="items"
    )
    invoice = models.OneToOneField(
        "sales.Invoice", verbose_name=_("invoice"), on_delete=models.CASCADE, related_name="handed_over"
    )
    open_amount = models.DecimalField(_("open amount"), **MONEY)
    interest = models.DecimalField(_("interest"), **MONEY)
    fee = models.DecimalField(_("fees"), **MONEY)
    total = models.DecimalField(_("total"), **MONEY)

    class Meta:
        verbose_name = _("handed-over invoice")
        verbose_name_plural = _("handed-over invoices")
        ordering = ["handover", "invoice"]

    def __str__(self) -> str:
        return str(self.invoice_id)
