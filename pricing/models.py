"""Price history and competitor prices."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PriceChange(models.Model):
    """One gross consumer price valid from a moment on. The current price is the latest valid one."""

    class Kind(models.TextChoices):
        REGULAR = "regular", _("regular")
        SALE = "sale", _("sale")

    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.CASCADE,
        related_name="price_changes",
    )
    price = models.DecimalField(_("gross price"), max_digits=14, decimal_places=2)
    valid_from = models.DateTimeField(_("valid from"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.REGULAR)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    reason = models.CharField(_("why"), max_length=300, blank=True, default="")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("price change")
        verbose_name_plural = _("price changes")
        ordering = ["product", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["product", "valid_from"], name="price_change_unique_moment"),
            models.CheckConstraint(condition=Q(price__gte=0), name="price_change_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.price} from {self.valid_from:%Y-%m-%d %H:%M}"


class CompetitorPrice(models.Model):
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.CASCADE,
        related_name="competitor_prices",
    )
    competitor = models.CharField(_("competitor"), max_length=100)
    price = models.DecimalField(_("gross price"), max_digits=14, decimal_places=2)
    observed_at = models.DateTimeField(_("observed at"))

    class Meta:
        verbose_name = _("competitor price")
        verbose_name_plural = _("competitor prices")
        ordering = ["product", "-observed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "competitor", "observed_at"], name="competitor_price_unique"
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="competitor_price_not_negative"),
        ]
        indexes = [models.Index(fields=["product", "observed_at"])]

    def __str__(self) -> str:
        return f"{self.competitor}: {self.price}"
