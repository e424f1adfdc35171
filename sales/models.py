"""Customers, orders and their lines, shipments, invoices, payments, reviews, traffic, spend."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Customer(models.Model):
    class Kind(models.TextChoices):
        B2C = "b2c", _("consumer (B2C)")
        B2B = "b2b", _("business (B2B)")

    external_id = models.CharField(_("customer no."), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True, default="")
    email = models.CharField(_("e-mail"), max_length=254, blank=True, default="")
    kind = models.CharField(_("kind"), max_length=3, choices=Kind.choices, default=Kind.B2C)
    country = models.CharField(_("country"), max_length=64, blank=True, default="")
    created_at = models.DateTimeField(_("customer since"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["external_id"]

    def __str__(self) -> str:
        return f"{self.external_id} {self.name}".strip()


class Order(models.Model):
    class Status(models.TextChoices):
        PLACED = "placed", _("placed")
        PAID = "paid", _("paid")
        SHIPPED = "shipped", _("shipped")
        DELIVERED = "delivered", _("delivered")
        CANCELLED = "cancelled", _("cancelled")

    external_id = models.CharField(_("order no."), max_length=64, unique=True)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="orders"
    )
    placed_at = models.DateTimeField(_("placed at"))
    channel = models.CharField(_("channel"), max_length=32)
    payment_method = models.CharField(_("payment method"), max_length=32)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    shipping_fee = models.DecimalField(_("shipping fee (gross)"), max_digits=14, decimal_places=2, default=0)
    campaign_code = models.CharField(_("campaign"), max_length=64, blank=True, default="")

    # When the row was last written (DB default on bulk inserts, auto_now on saves, set by
    # bulk.upsert on updates): the nightly metrics job recomputes the days of changed rows.
    changed_at = models.DateTimeField(auto_now=True, db_default=Now(), db_index=True, editable=False)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at"]
        constraints = [
            models.CheckConstraint(condition=Q(shipping_fee__gte=0), name="order_shipping_fee_not_negative"),
        ]
        indexes = [
            models.Index(fields=["placed_at"]),
            models.Index(fields=["customer", "placed_at"]),
        ]

    def __str__(self) -> str:
        return self.external_id

    def get_absolute_url(self) -> str:
        return reverse("admin:sales_order_change", args=[self.pk])


class OrderLine(models.Model):
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveIntegerField(_("line"))
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="order_lines"
    )
    quantity = models.IntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price (gross)"), max_digits=14, decimal_places=2)
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=5, decimal_places=4)
    discount = models.DecimalField(_("discount (gross, whole line)"), max_digits=14, decimal_places=2, default=0)
    unit_cost = models.DecimalField(_("unit cost (net)"), max_digits=14, decimal_places=4)
    # round((quantity × unit_price − discount) / (1 + vat_rate), 2), computed once on write.
    net_amount = models.DecimalField(_("line net"), max_digits=14, decimal_places=2)

    # When the row was last written (DB default on bulk inserts, auto_now on saves, set by
    # bulk.upsert on updates): the nightly metrics job recomputes the days of changed rows.
    changed_at = models.DateTimeField(auto_now=True, db_default=Now(), db_index=True, editable=False)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="order_line_unique_no"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="order_line_price_not_negative"),
            models.CheckConstraint(condition=Q(discount__gte=0), name="order_line_discount_not_negative"),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="order_line_cost_not_negative"),
            models.CheckConstraint(
                condition=Q(vat_rate__gte=0, vat_rate__lt=1), name="order_line_vat_rate_fraction"
            ),
        ]
        indexes = [models.Index(fields=["product", "order"])]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.line_no}"


class Shipment(models.Model):
    order = models.OneToOneField(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="shipment")
    carrier = models.CharField(_("carrier"), max_length=64)
    shipped_at = models.DateTimeField(_("shipped at"))
    promised_by = models.DateField(_("promised by"))
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    shipping_cost = models.DecimalField(_("shipping cost (net)"), max_digits=14, decimal_places=2, default=0)

    # When the row was last written (DB default on bulk inserts, auto_now on saves, set by
    # bulk.upsert on updates): the nightly metrics job recomputes the days of changed rows.
    changed_at = models.DateTimeField(auto_now=True, db_default=Now(), db_index=True, editable=False)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["-shipped_at"]
        constraints = [
            models.CheckConstraint(condition=Q(shipping_cost__gte=0), name="shipment_cost_not_negative"),
        ]
        indexes = [models.Index(fields=["delivered_at"])]

    def __str__(self) -> str:
        return f"{self.carrier} {self.order_id}"


class Invoice(models.Model):
    number = models.CharField(_("invoice no."), max_length=64, unique=True)
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="invoices")
    issued_on = models.DateField(_("issued on"))
    due_on = models.DateField(_("due on"))
    amount = models.DecimalField(_("amount (gross)"), max_digits=14, decimal_places=2)
    # The invoice told a consumer about the 30-day default rule of §286(3) BGB.
    default_notice = models.BooleanField(_("§286(3) notice on invoice"), default=False)
    # Money open on the day of the last write (the UTC day, never later than Berlin's): amount −
    # Σ payments dated up to that day, rounded to cents, ≥ 0.005 — the rule of
    # returns.receivables.selectors.open_invoices. Kept by database triggers (sales 0005) in the
    # same statement as every insert, update or delete of a payment, every new invoice (open unless
    # its amount is under half a cent) and every change of an invoice's amount, whichever path
    # writes them (ORM, COPY, upsert, admin, raw SQL); a value written here by anyone else is
    # recomputed. Payments are positive, so an invoice closed on that day stays closed on every later
    # day: "not open" is true for any as-of day from then on (a payment dated in the future leaves
    # it open until written again — a row too many for the lists, never one too few). The lists
    # filter on it through a partial index on PostgreSQL and keep their exact check.
    is_open = models.BooleanField(_("open"), default=True, db_default=True, editable=False)

    # When the row was last written (DB default on bulk inserts, auto_now on saves, set by
    # bulk.upsert on updates): the nightly metrics job recomputes the days of changed rows.
    changed_at = models.DateTimeField(auto_now=True, db_default=Now(), db_index=True, editable=False)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_on", "number"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="invoice_amount_not_negative"),
            models.CheckConstraint(condition=Q(due_on__gte=models.F("issued_on")), name="invoice_due_after_issue"),
        ]
        indexes = [
            models.Index(fields=["issued_on"]), models.Index(fields=["due_on"]),
            # the open items sort by amount: read the largest first instead of sorting every invoice
            models.Index(fields=["amount"]),
            # the open items (7 % of the invoices) in the list's order
            models.Index(fields=["due_on", "number"], condition=Q(is_open=True), name="invoice_open_due"),
        ]

    def __str__(self) -> str:
        return self.number


class Payment(models.Model):
    invoice = models.ForeignKey(Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="payments")
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    method = models.CharField(_("method"), max_length=32, blank=True, default="")

    # When the row was last written (DB default on bulk inserts, auto_now on saves, set by
    # bulk.upsert on updates): the nightly metrics job recomputes the days of changed rows.
    changed_at = models.DateTimeField(auto_now=True, db_default=Now(), db_index=True, editable=False)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-paid_on"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            # The import key: one invoice, one day, one amount.
            models.UniqueConstraint(fields=["invoice", "paid_on", "amount"], name="payment_unique_key"),
        ]
        indexes = [models.Index(fields=["paid_on"])]

    def __str__(self) -> str:
        return f"{self.invoice_id} {self.amount} {self.paid_on}"


class Review(models.Model):
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="reviews")
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.CASCADE, related_name="reviews"
    )
    rating = models.PositiveSmallIntegerField(_("rating"))
    created_at = models.DateTimeField(_("written at"))
    text = models.TextField(_("text"), blank=True, default="")

    # When the row was last written (DB default on bulk inserts, auto_now on saves, set by
    # bulk.upsert on updates): the nightly metrics job recomputes the days of changed rows.
    changed_at = models.DateTimeField(auto_now=True, db_default=Now(), db_index=True, editable=False)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["order", "product"], name="review_unique_order_product"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"),
        ]
        indexes = [models.Index(fields=["created_at"]), models.Index(fields=["product", "created_at"])]

    def __str__(self) -> str:
        return f"{self.rating}★ {self.product_id}"


class TrafficDay(models.Model):
    date = models.DateField(_("date"))
    channel = models.CharField(_("channel"), max_length=32)
    sessions = models.PositiveIntegerField(_("sessions"))

    # When the row was last written (DB default on bulk inserts, auto_now on saves, set by
    # bulk.upsert on updates): the nightly metrics job recomputes the days of changed rows.
    changed_at = models.DateTimeField(auto_now=True, db_default=Now(), db_index=True, editable=False)

    class Meta:
        verbose_name = _("traffic day")
        verbose_name_plural = _("traffic days")
        ordering = ["-date", "channel"]
        constraints = [models.UniqueConstraint(fields=["date", "channel"], name="traffic_unique_day_channel")]

    def __str__(self) -> str:
        return f"{self.date} {self.channel}: {self.sessions}"


class MarketingSpend(models.Model):
    date = models.DateField(_("date"))
    channel = models.CharField(_("channel"), max_length=32)
    campaign_code = models.CharField(_("campaign"), max_length=64, blank=True, default="")
    amount = models.DecimalField(_("amount (net)"), max_digits=14, decimal_places=2)

    # When the row was last written (DB default on bulk inserts, auto_now on saves, set by
    # bulk.upsert on updates): the nightly metrics job recomputes the days of changed rows.
    changed_at = models.DateTimeField(auto_now=True, db_default=Now(), db_index=True, editable=False)

    class Meta:
        verbose_name = _("marketing spend")
        verbose_name_plural = _("marketing spend")
        ordering = ["-date", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["date", "channel", "campaign_code"], name="spend_unique_key"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="spend_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.channel} {self.amount}"
