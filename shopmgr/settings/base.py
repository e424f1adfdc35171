"""Settings shared by every run mode. Everything configurable comes from one env object.

With nothing set, the project runs embedded: SQLite in var/, Celery eager, local-memory cache.
With DATABASE_URL and REDIS_URL set, it runs as in production (PostgreSQL, Redis, Celery workers).
"""

from decimal import Decimal
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-development-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "django_htmx",
    "shopmgr.core",
    "catalog",
    "pricing",
    "sales",
    "returns",
    "kpis",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "shopmgr.urls"
WSGI_APPLICATION = "shopmgr.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "shopmgr.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: without them a one-query view drops from ~1,200 to ~170 req/s.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 30
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")

# --- Cache ----------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- I18N -----------------------------------------------------------------------------------
LANGUAGE_CODE = env("DJANGO_LANGUAGE_CODE", default="de")
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

# --- Static ---------------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))

# --- Celery ---------------------------------------------------------------------------------
# Without REDIS_URL tasks run eagerly in the calling process (embedded mode).
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Nightly and periodic jobs (Europe/Berlin time), one entry each with what it does.
CELERY_BEAT_SCHEDULE: dict = {
    # Recompute the KPI facts of every day whose orders, returns, shipments, reviews, traffic,
    # spend, invoices or payments changed since the last successful run (DESIGN §7).
    "nightly-metrics": {"task": "kpis.nightly_metrics", "schedule": crontab(hour=2, minute=30)},
    # Propose a dunning run as of today for accounting to review and approve (issue 5).
    "nightly-dunning-proposal": {"task": "returns.nightly_dunning_proposal", "schedule": crontab(hour=3, minute=15)},
    # Elasticities, competitor positions and price suggestions for the next morning (issue 7).
    "nightly-price-suggestions": {"task": "pricing.nightly_suggestions", "schedule": crontab(hour=4, minute=30)},
    # Recompute the assortment analyses (ABC/XYZ, slow movers, GMROI, content) from the KPI facts
    # written by the 02:30 job (issue 6, docs/assortment.md).
    "nightly-assortment": {"task": "catalog.compute_assortment", "schedule": crontab(hour=4, minute=0)},
}

# --- Tables ---------------------------------------------------------------------------------
DJANGO_TABLES2_TEMPLATE = "core/table.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table"}

# --- Business settings ----------------------------------------------------------------------
SHOP_CURRENCY = "EUR"

# --- Dunning (returns/receivables, issue 5) ---------------------------------------------------
# Days a notice takes to reach the customer: default (§286(1) BGB) starts the day after receipt.
DUNNING_NOTICE_RECEIPT_DAYS = env.int("DUNNING_NOTICE_RECEIPT_DAYS", default=3)
# The creditor on letters and in the collection hand-over file (DOMAIN §1.4).
DUNNING_CREDITOR_NAME = env("DUNNING_CREDITOR_NAME", default="shopmgr Demo GmbH")
DUNNING_CREDITOR_ADDRESS = env("DUNNING_CREDITOR_ADDRESS", default="Musterstraße 1, 10115 Berlin")
DUNNING_CREDITOR_IBAN = env("DUNNING_CREDITOR_IBAN", default="DE02 1001 0010 0006 8201 01")

# KPIs (docs/kpis.md). Changing a cost setting takes effect on the next `compute_metrics --all`.
# Handling cost of one return (DB II), EUR net: DOMAIN §2.3 cites 6.95 per parcel (2021).
KPI_RETURN_HANDLING_COST = Decimal(env.str("KPI_RETURN_HANDLING_COST", default="6.95"))
# Payment fees as a fraction of the order's gross total, per payment method (DB II).
KPI_PAYMENT_FEES = {
    method: float(rate)
    for method, rate in env.dict(
        "KPI_PAYMENT_FEES", default={"paypal": "0.0249", "card": "0.014", "klarna": "0.0299", "invoice": "0.0"}
    ).items()
}
# Returns are counted against their order's day: a period's figures stay provisional this long.
KPI_PROVISIONAL_DAYS = env.int("KPI_PROVISIONAL_DAYS", default=30)
# Memory PostgreSQL may use per sort or hash while the facts of a range are computed (SET LOCAL).
KPI_WORK_MEM_MB = env.int("KPI_WORK_MEM_MB", default=0)  # 0: the server's own setting

# Returns list and return analytics (docs/return-analytics.md).
# A received return not inspected after this many days is in the inspection queue.
RETURNS_INSPECTION_QUEUE_DAYS = env.int("RETURNS_INSPECTION_QUEUE_DAYS", default=3)
# "Needs a look": a product whose unit return rate is at least this multiple of its category's,
RETURNS_NEEDS_LOOK_FACTOR = Decimal(env.str("RETURNS_NEEDS_LOOK_FACTOR", default="1.5"))
# with at least this many units sold in the period (fewer say little about a rate).
RETURNS_NEEDS_LOOK_MIN_UNITS = env.int("RETURNS_NEEDS_LOOK_MIN_UNITS", default=20)

# Returns desk (docs/returns.md): the cheapest standard outbound shipping rate, EUR gross. A full
# withdrawal refunds the order's shipping fee up to this (§357(2) BGB: no express surcharge).
RETURNS_STANDARD_SHIPPING_GROSS = Decimal(env.str("RETURNS_STANDARD_SHIPPING_GROSS", default="4.95"))

# Assortment analyses (issue 6, docs/assortment.md): the defaults where a category has no rules of
# its own (a shop or category manager sets those under Assortment › category › Rules).
ASSORTMENT_ABC_A = Decimal(env.str("ASSORTMENT_ABC_A", default="0.80"))  # A up to 80 % cumulative share
ASSORTMENT_ABC_B = Decimal(env.str("ASSORTMENT_ABC_B", default="0.95"))  # B up to 95 %, C the rest
ASSORTMENT_XYZ_X = Decimal(env.str("ASSORTMENT_XYZ_X", default="0.25"))  # X: CV below 0.25
ASSORTMENT_XYZ_Y = Decimal(env.str("ASSORTMENT_XYZ_Y", default="0.50"))  # Y: CV below 0.50, Z above
ASSORTMENT_MONTHS = env.int("ASSORTMENT_MONTHS", default=12)  # complete calendar months for ABC and XYZ
ASSORTMENT_MIN_DESCRIPTION_LENGTH = env.int("ASSORTMENT_MIN_DESCRIPTION_LENGTH", default=200)
ASSORTMENT_MIN_IMAGES = env.int("ASSORTMENT_MIN_IMAGES", default=3)
ASSORTMENT_REQUIRED_ATTRIBUTES = env.list("ASSORTMENT_REQUIRED_ATTRIBUTES", default=["brand"])

# --- Pricing (issue 7, docs/pricing.md) --------------------------------------------------------
# Guardrails of categories without a PriceRule (admin: Pricing › Price rules), fractions.
PRICING_DEFAULT_MARGIN_FLOOR = Decimal(env.str("PRICING_DEFAULT_MARGIN_FLOOR", default="0.15"))
PRICING_DEFAULT_MAX_STEP = Decimal(env.str("PRICING_DEFAULT_MAX_STEP", default="0.10"))
PRICING_DEFAULT_COMPETITOR_BAND = Decimal(env.str("PRICING_DEFAULT_COMPETITOR_BAND", default="0.15"))
PRICING_DEFAULT_PRICE_ENDING = env.int("PRICING_DEFAULT_PRICE_ENDING", default=99)
PRICING_DEFAULT_CEILING_FACTOR = Decimal(env.str("PRICING_DEFAULT_CEILING_FACTOR", default="4"))
# Elasticity: weeks of history read, and what a product needs for an estimate of its own.
PRICING_HISTORY_WEEKS = env.int("PRICING_HISTORY_WEEKS", default=104)
PRICING_MIN_WEEKS = env.int("PRICING_MIN_WEEKS", default=12)
PRICING_MIN_DISTINCT_PRICES = env.int("PRICING_MIN_DISTINCT_PRICES", default=3)
# No suggestion when the elasticity's standard error is above this (too uncertain).
PRICING_MAX_STD_ERROR = env.float("PRICING_MAX_STD_ERROR", default=0.5)
# Competitor observations older than this are left out of the market position.
PRICING_COMPETITOR_DAYS = env.int("PRICING_COMPETITOR_DAYS", default=30)
# "Far from the market": our price at least this fraction above or below the competitors' median.
PRICING_MARKET_GAP = Decimal(env.str("PRICING_MARKET_GAP", default="0.15"))
# Markdown: phase-out products (and slow movers) should sell their stock within this many weeks.
PRICING_MARKDOWN_WEEKS = env.int("PRICING_MARKDOWN_WEEKS", default=8)
# Cost shares per unit when no KPI facts exist yet (otherwise the last 90 days of facts are used).
PRICING_FALLBACK_SHIPPING_PER_UNIT = Decimal(env.str("PRICING_FALLBACK_SHIPPING_PER_UNIT", default="3.00"))
PRICING_FALLBACK_PAYMENT_SHARE = Decimal(env.str("PRICING_FALLBACK_PAYMENT_SHARE", default="0.015"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}
