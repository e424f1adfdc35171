"""Returns (RMA), their lines and reasons."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["Return", "ReturnEvent", "ReturnLine", "ReturnReason", "ReturnRefund"]


class ReturnReason(models.Model):
    """Return reason codes (DOMAIN §2.3); the list is seeded by a migration and kept in the admin."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    label_en = models.CharField(_("label (English)"), max_length=100)
    label_de = models.CharField(_("label (German)"), max_length=100)
    merchant_fault = models.BooleanField(_("merchant's fault"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("return reason")
        verbose_name_plural = _("return reasons")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Return(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        RECEIVED = "received", _("received")
        INSPECTED = "inspected", _("inspected")
        REFUNDED = "refunded", _("refunded")
        REJECTED = "rejected", _("rejected")
        CLOSED = "closed", _("closed")

    class LegalBasis(models.TextChoices):
        WITHDRAWAL = "withdrawal", _("withdrawal (§355 BGB)")
        WARRANTY = "warranty", _("warranty (§437 BGB)")
        GOODWILL = "goodwill", _("goodwill")

    external_id = models.CharField(_("return no."), max_length=64, unique=True)
    order = models.ForeignKey("sales.Order", verbose_name=_("order"), on_delete=models.PROTECT, related_name="returns")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    legal_basis = models.CharField(
        _("legal basis"), max_length=16, choices=LegalBasis.choices, default=LegalBasis.WITHDRAWAL
    )
    requested_at = models.DateTimeField(_("requested at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    # Set when the return was rejected: its units then never count as returned.
    rejected = models.BooleanField(_("rejected"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    # The returns desk (docs/returns.md): when the customer declared the return, the delivery day
    # the withdrawal period ran from, its end (§355, §356, §193 BGB), and whether a late withdrawal
    # was accepted anyway as goodwill (flagged, never silently).
    declared_on = models.DateField(_("declared on"), null=True, blank=True)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    withdrawal_deadline = models.DateField(_("withdrawal period ends"), null=True, blank=True)
    late_withdrawal = models.BooleanField(_("late withdrawal accepted as goodwill"), default=False, db_default=False)
    # DB defaults too: the demo data and the CSV import insert returns in bulk without these columns.
    note = models.TextField(_("note"), blank=True, default="", db_default="")

    # When the row was last written (DB default on bulk inserts, auto_now on saves, set by
    # bulk.upsert on updates): the nightly metrics job recomputes the days of changed rows.
    changed_at = models.DateTimeField(auto_now=True, db_default=Now(), db_index=True, editable=False)

    class Meta:
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["received_at"]), models.Index(fields=["status"]),
            models.Index(fields=["requested_at"]),  # the returns list sorts by age
        ]

    def __str__(self) -> str:
        return self.external_id

    def get_absolute_url(self) -> str:
        return reverse("returns:detail", args=[self.pk])


class ReturnLine(models.Model):
    class Condition(models.TextChoices):
        A = "A", _("A – as new")
        B = "B", _("B – B-stock")
        C = "C", _("C – damaged")
        D = "D", _("D – unusable")

    class Disposition(models.TextChoices):
        RESTOCK = "restock", _("restock")
        REFURBISH = "refurbish", _("refurbish")
        WRITE_OFF = "write_off", _("write off")
        TO_SUPPLIER = "to_supplier", _("back to supplier")

    ret = models.ForeignKey(Return, verbose_name=_("return"), on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        "sales.OrderLine", verbose_name=_("order line"), on_delete=models.PROTECT, related_name="return_lines"
    )
    quantity = models.IntegerField(_("quantity"))
    reason = models.ForeignKey(ReturnReason, verbose_name=_("reason"), on_delete=models.PROTECT, related_name="+")
    # The order line's product, copied by the database whenever a line is written or an order
    # line's product changes (triggers of migration 0007, so COPY and imports fill it too): the
    # returns list finds a category's lines without reading 3 M order lines. Never set it in code.
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+",
        null=True, editable=False, db_index=False,
    )
    condition = models.CharField(_("condition"), max_length=1, choices=Condition.choices, blank=True, default="")
    disposition = models.CharField(_("disposition"), max_length=16, choices=Disposition.choices, blank=True, default="")
    refund_amount = models.DecimalField(_("refund"), max_digits=14, decimal_places=2, null=True, blank=True)

    # When the row was last written (DB default on bulk inserts, auto_now on saves, set by
    # bulk.upsert on updates): the nightly metrics job recomputes the days of changed rows.
    changed_at = models.DateTimeField(auto_now=True, db_default=Now(), db_index=True, editable=False)

    class Meta:
        verbose_name = _("return line")
        verbose_name_plural = _("return lines")
        ordering = ["ret", "order_line"]
        indexes = [
            # the returns list: whether a return has a line of the user's categories (or of a reason
            # and a category) without the table; a category's lines, or a reason's in a category
            models.Index(fields=["ret", "product", "reason"], name="return_line_ret_product"),
            models.Index(fields=["product", "ret"], name="return_line_product"),
            models.Index(fields=["reason", "product", "ret"], name="return_line_reason_product"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["ret", "order_line"], name="return_line_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="return_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(refund_amount__isnull=True) | Q(refund_amount__gte=0),
                name="return_line_refund_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ret_id}: {self.quantity} × {self.order_line_id}"

    def clean(self):
        """A return line returns a line of the return's own order (the KPI facts count it with the
        order its order line belongs to)."""
        super().clean()
        ret, order_line = getattr(self, "ret", None), getattr(self, "order_line", None)
        if ret is not None and order_line is not None and ret.order_id and order_line.order_id != ret.order_id:
            raise ValidationError({"order_line": _(
                "This order line belongs to another order (%(line_order)s), not to the return's order "
                "(%(order)s)."
            ) % {"line_order": order_line.order, "order": ret.order}})


class ReturnEvent(models.Model):
    """Who did what to a return, and when (DESIGN §2: every refund is recorded with user and time)."""

    class Action(models.TextChoices):
        OPENED = "opened", _("opened")
        RECEIVED = "received", _("parcel received")
        INSPECTED = "inspected", _("inspected")
        REFUNDED = "refunded", _("refunded")
        REJECTED = "rejected", _("rejected")
        CLOSED = "closed", _("closed")

    ret = models.ForeignKey(Return, verbose_name=_("return"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    note = models.TextField(_("note"), blank=True, default="")

    class Meta:
        verbose_name = _("return event")
        verbose_name_plural = _("return events")
        ordering = ["ret", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.ret_id}: {self.action}"


class ReturnRefund(models.Model):
    """A refund paid for a return (§357 BGB): the returned items' gross price, plus the standard
    outbound shipping on a full withdrawal, minus a deduction for loss of value (§357a) with its reason."""

    ret = models.ForeignKey(Return, verbose_name=_("return"), on_delete=models.PROTECT, related_name="refunds")
    items_amount = models.DecimalField(_("returned items (gross)"), max_digits=14, decimal_places=2)
    shipping_amount = models.DecimalField(_("outbound shipping"), max_digits=14, decimal_places=2, default=0)
    deduction = models.DecimalField(_("deduction for loss of value"), max_digits=14, decimal_places=2, default=0)
    deduction_reason = models.CharField(_("reason for the deduction"), max_length=300, blank=True, default="")
    amount = models.DecimalField(_("refund"), max_digits=14, decimal_places=2)
    method = models.CharField(_("payment method"), max_length=32, blank=True, default="")
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["ret", "at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="return_refund_amount_not_negative"),
            models.CheckConstraint(condition=Q(deduction__gte=0), name="return_refund_deduction_not_negative"),
            models.CheckConstraint(
                condition=Q(deduction=0) | ~Q(deduction_reason=""), name="return_refund_deduction_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ret_id}: {self.amount}"
