"""Daily KPI facts, the scopes they are kept for, nightly runs, targets and API tokens.

A *scope* is a set of categories whose figures must be exact on their own: the whole shop, every
category node with everything below it, and every set of categories some category manager holds.
Order counts are not additive across categories (an order spans several), so every scope keeps
its own rows. Money and units are additive; order-level money (shipping cost, payment fees, return
handling, receivables, marketing spend) is shared out to a scope by the order's line-net share.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

# Shares of order-level money are fractions of cents: keep ten places, round once when read.
MONEY = {"max_digits": 28, "decimal_places": 10, "default": 0}


class FactScope(models.Model):
    class Kind(models.TextChoices):
        ALL = "all", _("whole shop")
        CATEGORY = "category", _("category with sub-categories")
        GROUP = "group", _("categories of a manager")

    key = models.CharField(max_length=300, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    category = models.ForeignKey(
        "catalog.Category", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The categories (any level) whose products' lines belong to this scope.
    categories = models.ManyToManyField("catalog.Category", through="FactScopeCategory", related_name="fact_scopes")
    # When the scope's facts were last computed for every day (new scopes need a full backfill).
    complete = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("fact scope")
        verbose_name_plural = _("fact scopes")

    def __str__(self) -> str:
        return self.key


class FactScopeCategory(models.Model):
    scope = models.ForeignKey(FactScope, on_delete=models.CASCADE, related_name="members")
    category = models.ForeignKey("catalog.Category", on_delete=models.CASCADE, related_name="scope_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "category"], name="fact_scope_member_unique")]
        indexes = [models.Index(fields=["category", "scope"])]

    def __str__(self) -> str:
        return f"{self.scope_id}: {self.category_id}"


# The measures of a DailyFact row (kpis/facts.py FACT_COLUMNS and the spend share).
FACT_MEASURES = [
    "orders_all", "orders_cancelled", "orders", "units_sold", "revenue", "cogs_sold", "returned_units",
    "returned_value", "cogs_restocked", "orders_returned", "returns_count", "shipping_cost", "payment_fees",
    "new_customers", "shipments_delivered", "shipments_on_time", "delivery_days_sum", "reviews",
    "rating_sum", "reviews_positive", "receivables_change", "overdue_change", "marketing_spend",
]


class DailyFact(models.Model):
    """Additive measures of one Berlin day, one scope, one channel (the order's channel).

    Order-based measures sit on the day the order was placed (cohort view: returns count against
    their order's day); shipment measures on the day of delivery; reviews on the day written;
    receivables as changes on the day they happen (issued, fell due, paid).
    """

    day = models.DateField()
    scope = models.ForeignKey(FactScope, on_delete=models.CASCADE, related_name="facts")
    channel = models.CharField(max_length=32)
    # orders placed that day
    orders_all = models.IntegerField(default=0)
    orders_cancelled = models.IntegerField(default=0)
    orders = models.IntegerField(default=0)
    units_sold = models.IntegerField(default=0)
    revenue = models.DecimalField(**MONEY)
    cogs_sold = models.DecimalField(**MONEY)
    returned_units = models.IntegerField(default=0)
    returned_value = models.DecimalField(**MONEY)
    cogs_restocked = models.DecimalField(**MONEY)
    orders_returned = models.IntegerField(default=0)
    returns_count = models.DecimalField(**MONEY)  # returns, shared out by line-net share
    shipping_cost = models.DecimalField(**MONEY)
    payment_fees = models.DecimalField(**MONEY)
    marketing_spend = models.DecimalField(**MONEY)  # the scope's share of the day's spend
    new_customers = models.IntegerField(default=0)
    # shipments delivered that day
    shipments_delivered = models.IntegerField(default=0)
    shipments_on_time = models.IntegerField(default=0)
    delivery_days_sum = models.DecimalField(**MONEY)
    # reviews written that day
    reviews = models.IntegerField(default=0)
    rating_sum = models.IntegerField(default=0)
    reviews_positive = models.IntegerField(default=0)
    # receivables: change of the open and the overdue amount on that day
    receivables_change = models.DecimalField(**MONEY)
    overdue_change = models.DecimalField(**MONEY)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "day", "channel"], name="daily_fact_unique")]
        indexes = [
            models.Index(fields=["day"]),
            # The dashboards sum a scope's days: with every measure in the index they read it alone
            # (index-only, PostgreSQL; other databases leave the index out). /kpis/ over 365 days
            # at 1M orders: 108 → 35 ms in the database.
            models.Index(fields=["scope", "day"], include=["channel", *FACT_MEASURES], name="daily_fact_covering"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.scope_id} {self.channel}"


class DailyChannelFact(models.Model):
    """Shop-wide figures that belong to no category: sessions and marketing spend per channel."""

    day = models.DateField()
    channel = models.CharField(max_length=32)
    sessions = models.IntegerField(default=0)
    marketing_spend = models.DecimalField(**MONEY)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "channel"], name="daily_channel_fact_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.channel}"


class MetricsRun(models.Model):
    """One run of the metrics job: the checkpoint of the nightly work and what managers see."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("skipped (another run was active)")

    class Trigger(models.TextChoices):
        NIGHTLY = "nightly", _("nightly")
        MANUAL = "manual", _("manual")

    trigger = models.CharField(_("trigger"), max_length=16, choices=Trigger.choices, default=Trigger.NIGHTLY)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Rows changed after this moment were looked for (the previous successful run's start).
    changes_since = models.DateTimeField(_("changes since"), null=True, blank=True)
    days_total = models.IntegerField(_("days in total"), default=0)
    days_done = models.IntegerField(_("days done"), default=0)
    days_failed = models.IntegerField(_("days failed"), default=0)
    rows = models.IntegerField(_("rows"), default=0)
    error = models.TextField(_("error"), blank=True, default="")
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)

    class Meta:
        verbose_name = _("metrics run")
        verbose_name_plural = _("metrics runs")
        ordering = ["-started_at"]
        constraints = [
            # The lock: at most one run is running at any time, whoever starts it.
            models.UniqueConstraint(fields=["status"], condition=Q(status="running"), name="one_running_metrics_run"),
        ]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.get_status_display()}"


class MetricsRunDay(models.Model):
    class Part(models.TextChoices):
        # every fact of the day
        WHOLE = "whole", _("whole day")
        # only the return figures: the day's only changes since its facts were computed were returns
        RETURNS = "returns", _("return figures")

    run = models.ForeignKey(MetricsRun, on_delete=models.CASCADE, related_name="days", verbose_name=_("run"))
    day = models.DateField(_("day"))
    part = models.CharField(_("part"), max_length=8, choices=Part.choices, default=Part.WHOLE)
    status = models.CharField(_("status"), max_length=16, choices=MetricsRun.Status.choices,
                              default=MetricsRun.Status.RUNNING)
    rows = models.IntegerField(_("rows"), default=0)
    error = models.TextField(_("error"), blank=True, default="")

    class Meta:
        verbose_name = _("day of a metrics run")
        verbose_name_plural = _("days of the run")
        constraints = [models.UniqueConstraint(fields=["run", "day"], name="metrics_run_day_unique")]
        indexes = [models.Index(fields=["status", "day"])]

    def __str__(self) -> str:
        return f"{self.run_id} {self.day} {self.status}"


class KpiTarget(models.Model):
    """A shop manager's target for one KPI in one month, for the whole shop or one category."""

    kpi = models.CharField(_("key figure"), max_length=64)
    month = models.DateField(_("month"), help_text=_("first day of the month"))
    category = models.ForeignKey(
        "catalog.Category", verbose_name=_("category"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="kpi_targets",
    )
    value = models.DecimalField(_("target"), max_digits=18, decimal_places=4)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["kpi", "month", "category"], name="kpi_target_unique_category",
                                    condition=Q(category__isnull=False)),
            models.UniqueConstraint(fields=["kpi", "month"], name="kpi_target_unique_shop",
                                    condition=Q(category__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.kpi} {self.month:%Y-%m} {self.value}"


def new_token_key() -> str:
    return secrets.token_urlsafe(32)


class ApiToken(models.Model):
    """A per-user token for BI tools (`Authorization: Token <key>`); admins issue and revoke."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, help_text=_("what the token is for, e.g. Power BI"))
    key = models.CharField(max_length=64, unique=True, default=new_token_key, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} – {self.name}"


class DailyProductFact(models.Model):
    """Line measures of one Berlin day, one product, one channel (orders placed that day).

    Serves the product table of a category's key figures; every measure is additive over days.
    """

    day = models.DateField()
    # (no index of its own: it would take every inserted row to a random leaf page; a product's
    # facts are always read for a range of days, through the key below)
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+", db_index=False)
    channel = models.CharField(max_length=32)
    orders = models.IntegerField(default=0)
    units_sold = models.IntegerField(default=0)
    revenue = models.DecimalField(**MONEY)
    cogs_sold = models.DecimalField(**MONEY)
    returned_units = models.IntegerField(default=0)
    returned_value = models.DecimalField(**MONEY)
    cogs_restocked = models.DecimalField(**MONEY)

    class Meta:
        # Day first: a day's recompute deletes and inserts one contiguous stretch of the key (with
        # the product first, its few thousand rows landed on as many leaf pages: 285 of 350 ms).
        constraints = [
            models.UniqueConstraint(fields=["day", "product", "channel"], name="daily_product_fact_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.product_id} {self.channel}"


class StaleDay(models.Model):
    """A day whose facts a deleted row, or a row whose date moved, left stale (kpis/stale.py).

    Written by database triggers in the transaction of the change; the nightly run recomputes the
    days of the rows recorded since the last successful run, then forgets the older ones.
    """

    at = models.DateTimeField(null=True)  # a timestamp whose Berlin day is stale …
    day = models.DateField(null=True)  # … or the day itself
    # a customer whose first order may have moved (no foreign key: the customer may be gone too)
    customer_id = models.BigIntegerField(null=True)
    recorded_at = models.DateTimeField(db_default=Now(), db_index=True)

    def __str__(self) -> str:
        return f"{self.at or self.day} ({self.recorded_at:%Y-%m-%d %H:%M})"


from .return_models import DailyReturnFact  # noqa: E402,F401
