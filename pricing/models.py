"""Price history and competitor prices."""

from decimal import Decimal

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


class PriceRule(models.Model):
    """Guardrails of a category and everything below it (the nearest rule up the tree applies;
    without any, the PRICING_DEFAULT_* settings)."""

    category = models.OneToOneField(
        "catalog.Category", verbose_name=_("category"), on_delete=models.CASCADE, related_name="price_rule",
    )
    margin_floor = models.DecimalField(
        _("margin floor"), max_digits=5, decimal_places=4, default=Decimal("0.15"),
        help_text=_("Lowest net margin (p_net − c)/p_net a price may have, e.g. 0.15 for 15 %."),
    )
    max_step = models.DecimalField(
        _("maximum step"), max_digits=5, decimal_places=4, default=Decimal("0.10"),
        help_text=_("Largest change of one suggestion as a fraction of the current price."),
    )
    competitor_band_below = models.DecimalField(
        _("competitor band below"), max_digits=5, decimal_places=4, null=True, blank=True, default=Decimal("0.15"),
        help_text=_("Never suggest more than this fraction below the competitors' median (empty: no bound)."),
    )
    competitor_band_above = models.DecimalField(
        _("competitor band above"), max_digits=5, decimal_places=4, null=True, blank=True, default=Decimal("0.15"),
        help_text=_("Never suggest more than this fraction above the competitors' median (empty: no bound)."),
    )
    price_ending = models.PositiveSmallIntegerField(
        _("price ending (cents)"), default=99, help_text=_("Suggested prices end in these cents, e.g. 99 for .99."),
    )
    ceiling_factor = models.DecimalField(
        _("ceiling factor"), max_digits=6, decimal_places=2, null=True, blank=True, default=Decimal("4"),
        help_text=_("Never suggest more than this multiple of the full unit cost (empty: no ceiling)."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("price rule")
        verbose_name_plural = _("price rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(margin_floor__gte=0, margin_floor__lt=1), name="price_rule_margin_fraction"
            ),
            models.CheckConstraint(condition=Q(max_step__gt=0, max_step__lt=1), name="price_rule_step_fraction"),
            models.CheckConstraint(condition=Q(price_ending__lte=99), name="price_rule_ending_cents"),
        ]

    def __str__(self) -> str:
        return str(self.category)


class PricingRun(models.Model):
    """One nightly (or manual) computation of elasticities, competitor positions and suggestions."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RUNNING)
    trigger = models.CharField(_("trigger"), max_length=16, default="nightly")
    products = models.IntegerField(_("products"), default=0)
    suggestions = models.IntegerField(_("suggestions"), default=0)
    # outcome code -> number of products, e.g. {"inelastic": 812, "too_uncertain": 4031}
    outcomes = models.JSONField(_("outcomes"), default=dict, blank=True)
    # the cost shares used (shipping per unit, payment fee share, return handling) and their source
    cost_basis = models.JSONField(_("cost basis"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True, default="")

    class Meta:
        verbose_name = _("pricing run")
        verbose_name_plural = _("pricing runs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.status}"


class ProductElasticity(models.Model):
    """The latest elasticity of a product, from its own weeks or pooled over its category."""

    class Source(models.TextChoices):
        PRODUCT = "product", _("own sales history")
        CATEGORY = "category", _("pooled over the category")

    product = models.OneToOneField(
        "catalog.Product", verbose_name=_("product"), on_delete=models.CASCADE, related_name="elasticity",
    )
    elasticity = models.FloatField(_("elasticity"))
    std_error = models.FloatField(_("standard error"), null=True, blank=True)
    r_squared = models.FloatField(_("R²"), null=True, blank=True)
    weeks = models.IntegerField(_("weeks"))
    distinct_prices = models.IntegerField(_("distinct prices"))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    weekly_units = models.DecimalField(_("units per week (recent)"), max_digits=12, decimal_places=2, default=0)
    return_rate = models.DecimalField(_("return rate"), max_digits=6, decimal_places=4, default=0)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("elasticity")
        verbose_name_plural = _("elasticities")

    def __str__(self) -> str:
        return f"{self.product_id}: {self.elasticity:.2f}"


class CompetitorPosition(models.Model):
    """Our place in the market per product, from each competitor's latest observation of the last
    PRICING_COMPETITOR_DAYS days (recomputed nightly; the gap to our live price is computed on read)."""

    product = models.OneToOneField(
        "catalog.Product", verbose_name=_("product"), on_delete=models.CASCADE, related_name="competitor_position",
    )
    competitors = models.IntegerField(_("competitors"))
    cheapest = models.DecimalField(_("cheapest competitor"), max_digits=14, decimal_places=2)
    median = models.DecimalField(_("competitor median"), max_digits=14, decimal_places=2)
    highest = models.DecimalField(_("dearest competitor"), max_digits=14, decimal_places=2)
    observed_until = models.DateTimeField(_("latest observation"))
    # each competitor's latest price, cheapest first: our rank is computed against the live price
    prices = models.JSONField(_("competitor prices"), default=list, blank=True)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("competitor position")
        verbose_name_plural = _("competitor positions")

    def __str__(self) -> str:
        return f"{self.product_id}: median {self.median}"

    def rank_of(self, price: Decimal) -> int:
        """1 + the competitors cheaper than `price` (ties count in our favour)."""
        return 1 + sum(1 for p in self.prices if Decimal(p) < price)


class PriceSuggestion(models.Model):
    """The latest suggestion for one product (one row per product and run; a run replaces the
    rows of the run before). Products without a suggestion keep a row that says why."""

    class Kind(models.TextChoices):
        OPTIMUM = "optimum", _("profit optimum")
        MARKDOWN = "markdown", _("markdown to clear stock")

    class Outcome(models.TextChoices):
        SUGGESTED = "suggested", _("suggested")
        NO_CHANGE = "no_change", _("already at the suggested price")
        NO_ELASTICITY = "no_elasticity", _("too little sales history")
        TOO_UNCERTAIN = "too_uncertain", _("elasticity too uncertain")
        INELASTIC = "inelastic", _("elasticity not below −1")
        NO_PRICE = "no_price", _("no current price")

    run = models.ForeignKey(PricingRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="suggestion_rows")
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.CASCADE, related_name="price_suggestions",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OPTIMUM)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, db_index=True)
    current_price = models.DecimalField(_("current price"), max_digits=14, decimal_places=2, null=True)
    suggested_price = models.DecimalField(_("suggested price"), max_digits=14, decimal_places=2, null=True, blank=True)
    change = models.DecimalField(_("change"), max_digits=7, decimal_places=4, null=True, blank=True)
    unit_cost = models.DecimalField(_("full unit cost (net)"), max_digits=14, decimal_places=4, null=True)
    elasticity = models.FloatField(_("elasticity"), null=True, blank=True)
    optimum_price = models.DecimalField(_("optimum (gross)"), max_digits=14, decimal_places=2, null=True, blank=True)
    bound_by = models.CharField(_("bound by"), max_length=32, blank=True, default="")
    below_floor = models.BooleanField(_("below the margin floor"), default=False)
    contribution_change = models.DecimalField(
        _("contribution change per week"), max_digits=14, decimal_places=2, null=True, blank=True,
    )
    reference_30d = models.DecimalField(
        _("30-day low after the change"), max_digits=14, decimal_places=2, null=True, blank=True,
    )
    # the explanation: [{"code": ..., "values": {...}}, ...], rendered in the reader's language
    steps = models.JSONField(_("explanation"), default=list)
    created_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("price suggestion")
        verbose_name_plural = _("price suggestions")
        constraints = [models.UniqueConstraint(fields=["run", "product", "kind"], name="price_suggestion_unique")]
        # the list pages read one run's rows, by outcome, best contribution first
        indexes = [
            models.Index(fields=["run", "outcome", "-contribution_change"], name="price_sugg_run_outcome"),
            models.Index(fields=["run", "-contribution_change"], name="price_sugg_run_contrib"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.suggested_price or self.outcome}"


class PriceProposal(models.Model):
    """A price a category manager (or shop manager) proposes; another shop manager approves it
    (four eyes), which writes the PriceChange row in the same transaction."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.CASCADE, related_name="price_proposals",
    )
    price = models.DecimalField(_("proposed price"), max_digits=14, decimal_places=2)
    kind = models.CharField(_("kind"), max_length=16, choices=PriceChange.Kind.choices, default=PriceChange.Kind.REGULAR)
    # The price the proposal was made against: approval refuses when it has changed (optimistic check).
    base_price = models.DecimalField(_("price when proposed"), max_digits=14, decimal_places=2)
    starts_at = models.DateTimeField(_("valid from"), null=True, blank=True,
                                     help_text=_("Empty: from the moment of approval."))
    ends_at = models.DateTimeField(_("sale ends"), null=True, blank=True)
    reason = models.CharField(_("why"), max_length=300)
    override_reason = models.CharField(_("reason to go below the margin floor"), max_length=300, blank=True, default="")
    suggestion = models.ForeignKey(
        PriceSuggestion, verbose_name=_("suggestion"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="proposals",
    )
    explanation = models.JSONField(_("explanation"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=300, blank=True, default="")
    price_change = models.OneToOneField(
        PriceChange, verbose_name=_("price change"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="proposal",
    )

    class Meta:
        verbose_name = _("price proposal")
        verbose_name_plural = _("price proposals")
        ordering = ["-proposed_at"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="price_proposal_positive"),
            # one open proposal per product: a second would race the first one's optimistic check
            models.UniqueConstraint(
                fields=["product"], condition=Q(status="pending"), name="price_proposal_one_pending",
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("proposed_by")),
                name="price_proposal_four_eyes",
            ),
        ]
        indexes = [models.Index(fields=["status", "proposed_at"])]

    def __str__(self) -> str:
        return f"{self.product_id} → {self.price} ({self.status})"
