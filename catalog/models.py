"""Categories (a tree with their managers), suppliers and products."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

PATH_SEPARATOR = "/"


class Category(models.Model):
    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    # Materialised path "/ROOT/CHILD/": a category's subtree is path__startswith=its path.
    path = models.CharField(max_length=1000, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("managers"), blank=True,
        related_name="managed_categories",
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["path"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs):
        self.path = self.compute_path()
        self.depth = self.path.count(PATH_SEPARATOR) - 2
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("catalog:category-detail", args=[self.code])

    def compute_path(self) -> str:
        parent_path = self.parent.path if self.parent_id else PATH_SEPARATOR
        return f"{parent_path}{self.code}{PATH_SEPARATOR}"


class Supplier(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    lead_time_days = models.PositiveSmallIntegerField(_("lead time (days)"), default=7)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ACTIVE = "active", _("active")
        PHASE_OUT = "phase_out", _("phase-out")
        DELISTED = "delisted", _("delisted")

    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=300)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="products"
    )
    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="products",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    cost = models.DecimalField(_("net unit cost"), max_digits=14, decimal_places=4)
    # Current gross price, kept in step with the latest valid pricing.PriceChange by the services.
    price = models.DecimalField(_("gross price"), max_digits=14, decimal_places=2)
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=5, decimal_places=4, default="0.19")
    stock = models.IntegerField(_("stock"), default=0)
    launched_on = models.DateField(_("launched on"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True, default="")
    image_count = models.PositiveSmallIntegerField(_("images"), default=0)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["sku"]
        constraints = [
            models.CheckConstraint(condition=Q(cost__gte=0), name="product_cost_not_negative"),
            models.CheckConstraint(condition=Q(price__gte=0), name="product_price_not_negative"),
            models.CheckConstraint(
                condition=Q(vat_rate__gte=0, vat_rate__lt=1), name="product_vat_rate_fraction"
            ),
            models.CheckConstraint(condition=Q(stock__gte=0), name="product_stock_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("catalog:product-detail", args=[self.pk])
