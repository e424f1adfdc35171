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


# --- Assortment analysis and listing decisions (issue 6, docs/assortment.md) ------------------

RATE_FIELD = {"max_digits": 9, "decimal_places": 4}
MONEY = {"max_digits": 14, "decimal_places": 2, "default": 0}


class AssortmentRules(models.Model):
    """Thresholds of the analyses for one category and everything below it (until a sub-category
    has rules of its own). Its products form one ABC population. Without any row the settings'
    defaults apply and each root category is a population."""

    class AbcBasis(models.TextChoices):
        NET_REVENUE = "net_revenue", _("net revenue after returns")
        GROSS_PROFIT = "gross_profit", _("gross profit")

    category = models.OneToOneField(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="assortment_rules"
    )
    abc_basis = models.CharField(_("ABC by"), max_length=16, choices=AbcBasis.choices, default=AbcBasis.NET_REVENUE)
    abc_a = models.DecimalField(_("A up to (cumulative share)"), max_digits=5, decimal_places=4, default="0.80")
    abc_b = models.DecimalField(_("B up to (cumulative share)"), max_digits=5, decimal_places=4, default="0.95")
    xyz_x = models.DecimalField(_("X below (CV)"), max_digits=6, decimal_places=4, default="0.25")
    xyz_y = models.DecimalField(_("Y below (CV)"), max_digits=6, decimal_places=4, default="0.50")
    months = models.PositiveSmallIntegerField(_("complete months analysed"), default=12)
    min_description_length = models.PositiveIntegerField(_("minimum description length"), default=200)
    min_images = models.PositiveSmallIntegerField(_("minimum number of images"), default=3)
    required_attributes = models.JSONField(_("required attributes"), default=list, blank=True)
    slow_doi_days = models.PositiveIntegerField(_("slow mover above (days of inventory)"), default=180)
    slow_no_sale_days = models.PositiveIntegerField(_("slow mover after (days without a sale)"), default=90)
    dead_no_sale_days = models.PositiveIntegerField(_("dead stock after (days without a sale)"), default=180)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("assortment rules")
        verbose_name_plural = _("assortment rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(abc_a__gt=0, abc_a__lt=models.F("abc_b"), abc_b__lte=1), name="assortment_abc_increasing"
            ),
            models.CheckConstraint(condition=Q(xyz_x__gt=0, xyz_x__lt=models.F("xyz_y")), name="assortment_xyz_increasing"),
            models.CheckConstraint(condition=Q(months__gte=3, months__lte=36), name="assortment_months_range"),
            models.CheckConstraint(
                condition=Q(slow_no_sale_days__lt=models.F("dead_no_sale_days")), name="assortment_slow_before_dead"
            ),
        ]

    def __str__(self) -> str:
        return str(self.category)


class AssortmentRun(models.Model):
    """One computation of the analyses (nightly or by command); visible to managers."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    trigger = models.CharField(max_length=16, default="nightly")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    as_of = models.DateField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    products = models.IntegerField(default=0)
    seconds = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.as_of} {self.status}"


class ProductAnalysis(models.Model):
    """The nightly analyses of one product (DOMAIN §4); the product list reads it, never the facts."""

    product = models.OneToOneField(
        Product, primary_key=True, on_delete=models.CASCADE, related_name="analysis", db_constraint=True
    )
    # the ABC population: the category whose rules apply (or the product's root category)
    group = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+", db_index=False)
    abc_class = models.CharField(_("ABC"), max_length=1)
    abc_value = models.DecimalField(_("ABC value"), **MONEY)
    abc_cumulative_share = models.DecimalField(_("cumulative share"), **RATE_FIELD, default=0)
    xyz_class = models.CharField(_("XYZ"), max_length=1)
    cv = models.DecimalField(_("CV"), max_digits=9, decimal_places=4, null=True, blank=True)
    monthly = models.JSONField(default=list)  # [{"m": "2026-01", "u": units, "r": net revenue, "ru": returned, "gp": ...}]
    units_12m = models.IntegerField(default=0)
    revenue_12m = models.DecimalField(_("net revenue (12 months)"), **MONEY)
    gross_profit_12m = models.DecimalField(_("gross profit (12 months)"), **MONEY)
    units_90d = models.IntegerField(_("units (90 days)"), default=0)
    revenue_90d = models.DecimalField(_("net revenue (90 days)"), **MONEY)
    margin_90d = models.DecimalField(_("gross profit (90 days)"), **MONEY)
    gross_margin_90d = models.DecimalField(_("gross margin (90 days)"), **RATE_FIELD, null=True, blank=True)
    returned_units_90d = models.IntegerField(default=0)
    return_rate_90d = models.DecimalField(_("return rate (90 days)"), **RATE_FIELD, null=True, blank=True)
    days_of_inventory = models.DecimalField(_("days of inventory"), max_digits=10, decimal_places=1, null=True, blank=True)
    last_sale_on = models.DateField(_("last sale"), null=True, blank=True)
    days_since_last_sale = models.IntegerField(_("days since the last sale"), null=True, blank=True)
    sell_through = models.DecimalField(_("sell-through (90 days)"), **RATE_FIELD, null=True, blank=True)
    movement = models.CharField(_("movement"), max_length=8, blank=True, default="")
    content_score = models.PositiveSmallIntegerField(_("content score"), default=0)
    content_gaps = models.JSONField(default=list)
    not_as_described_units_12m = models.IntegerField(default=0)
    not_as_described_rate = models.DecimalField(**RATE_FIELD, null=True, blank=True)
    rating_avg = models.DecimalField(_("rating"), max_digits=3, decimal_places=2, null=True, blank=True)
    review_count = models.IntegerField(default=0)
    delist_score = models.PositiveSmallIntegerField(_("delist score"), default=0)
    rank_sales = models.PositiveSmallIntegerField(default=0)
    rank_returns = models.PositiveSmallIntegerField(default=0)
    rank_margin = models.PositiveSmallIntegerField(default=0)
    rank_content = models.PositiveSmallIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("product analysis")
        verbose_name_plural = _("product analyses")
        indexes = [
            models.Index(fields=["group", "abc_class", "xyz_class"], name="catalog_pa_matrix"),
            models.Index(fields=["group", "-delist_score"], name="catalog_pa_delist"),
            models.Index(fields=["group", "content_score"], name="catalog_pa_content"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.abc_class}{self.xyz_class}"

    @property
    def matrix_cell(self) -> str:
        return f"{self.abc_class}{self.xyz_class}"


class CategoryAnalysis(models.Model):
    """Per category (its whole subtree): GMROI and the counts the workbench shows."""

    category = models.OneToOneField(Category, primary_key=True, on_delete=models.CASCADE, related_name="analysis")
    products = models.IntegerField(default=0)
    revenue_12m = models.DecimalField(**MONEY)
    cogs_12m = models.DecimalField(**MONEY)
    inventory_at_cost = models.DecimalField(**MONEY)
    gmroi = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    slow_movers = models.IntegerField(default=0)
    dead_stock = models.IntegerField(default=0)
    dead_stock_at_cost = models.DecimalField(**MONEY)
    content_score_avg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.category_id} GMROI {self.gmroi}"


class ListingProposal(models.Model):
    """A category manager's proposal to list, phase out or delist a product; a shop manager who
    did not propose it approves or rejects it (four eyes, DESIGN §5)."""

    class Action(models.TextChoices):
        LIST = "list", _("list")
        PHASE_OUT = "phase_out", _("phase out")
        DELIST = "delist", _("delist")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="listing_proposals")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("note"), blank=True, default="")

    class Meta:
        verbose_name = _("listing proposal")
        verbose_name_plural = _("listing proposals")
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["product"], condition=Q(status="pending"), name="listing_one_pending_per_product"
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("proposed_by")),
                name="listing_four_eyes",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="listing_reason_given"),
        ]
        indexes = [models.Index(fields=["status", "-proposed_at"], name="catalog_lp_status")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.product_id} ({self.status})"

    TARGET_STATUS = {
        "list": Product.Status.ACTIVE,
        "phase_out": Product.Status.PHASE_OUT,
        "delist": Product.Status.DELISTED,
    }
    ALLOWED_FROM = {
        "list": {Product.Status.PROPOSED, Product.Status.PHASE_OUT, Product.Status.DELISTED},
        "phase_out": {Product.Status.ACTIVE},
        "delist": {Product.Status.ACTIVE, Product.Status.PHASE_OUT, Product.Status.PROPOSED},
    }

    @property
    def target_status(self) -> str:
        return self.TARGET_STATUS[self.action]


class ProductStatusChange(models.Model):
    """Who changed a product's status, when and why (the assortment history on the product page)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=16, choices=Product.Status.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=Product.Status.choices)
    changed_at = models.DateTimeField(_("changed at"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    proposal = models.ForeignKey(ListingProposal, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.from_status} → {self.to_status}"
