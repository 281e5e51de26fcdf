"""One settings module, read from the environment (cookiecutter-django style).

The embedded default needs no server: SQLite in ``var/``, Celery tasks run in-process, files on local disk.
Set ``DATABASE_URL``, ``REDIS_URL`` and ``STRIPE_*`` for the production-like stack.
"""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse_lazy
from kombu import Exchange, Queue
from oscar.defaults import *  # noqa: F403 - Oscar's documented way to get its defaults

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable (a long random string), "
            "or DEBUG=true for local development."
        )
    SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105 - DEBUG only
elif not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("insecure")):
    raise ImproperlyConfigured("SECRET_KEY is too weak for DEBUG=false: use at least 50 random characters.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is not set: list the host names this shop answers to.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Apps -----------------------------------------------------------------------------------------------------
from oscar import INSTALLED_APPS as OSCAR_APPS  # noqa: E402

FORKED_APPS = {
    "oscar.apps.catalogue.apps.CatalogueConfig": "catalog.apps.CatalogueConfig",
    "oscar.apps.checkout.apps.CheckoutConfig": "marketplace.checkout.apps.CheckoutConfig",
    "oscar.apps.search.apps.SearchConfig": "marketplace.search.apps.SearchConfig",
    "oscar.apps.dashboard.catalogue.apps.CatalogueDashboardConfig": (
        "marketplace.dashboard_catalogue.apps.CatalogueDashboardConfig"
    ),
    "oscar.apps.partner.apps.PartnerConfig": "marketplace.partner.apps.PartnerConfig",
    "oscar.apps.basket.apps.BasketConfig": "marketplace.basket.apps.BasketConfig",
    "oscar.apps.dashboard.orders.apps.OrdersDashboardConfig": "marketplace.dashboard_orders.apps.OrdersDashboardConfig",
    "oscar.apps.shipping.apps.ShippingConfig": "marketplace.shipping.apps.ShippingConfig",
    "oscar.apps.offer.apps.OfferConfig": "marketplace.offer.apps.OfferConfig",
    "oscar.apps.dashboard.apps.DashboardConfig": "marketplace.dashboard.apps.DashboardConfig",  # its tables
}
INSTALLED_APPS = [FORKED_APPS.get(app, app) for app in OSCAR_APPS] + [
    "django.contrib.humanize",
    "sorl.thumbnail",
    "marketplace",
    "tiers",
    "marketplace.contract",
    "marketplace.specs",
    "marketplace.storefronts",
    "certification",
    "marketplace.payments",
    "marketplace.lifecycle",
    "marketplace.fulfilment",
    "marketplace.revenue",
    "marketplace.supporters",
    "marketplace.campaigns",
    "marketplace.stewardship",
    "marketplace.webhooks",
    "marketplace.notifications",
    "marketplace.orderflow",
    "marketplace.api",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # the reference pages' scripts, from our own static files
    "axes",
    "csp",
    "django.forms",  # Django's widget templates, for FORM_RENDERER below
]

SITE_ID = 1
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

MIDDLEWARE = [
    # First: load balancers probe by IP over plain HTTP, before host validation and the HTTPS redirect.
    "marketplace.ops.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "marketplace.accounts.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "marketplace.storefronts.hosts.CustomHostMiddleware",  # "/" on a storefront's own host name is its branded page
    "django.contrib.sessions.middleware.SessionMiddleware",
    "marketplace.ops.db_router.ReadYourWritesMiddleware",  # public reads from replicas; off without any replica
    "django.middleware.common.CommonMiddleware",
    "marketplace.campaigns.attribution.CampaignLinkMiddleware",  # ?ref= / ?utm_*: the cookie, then the bare URL
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware",
    "oscar.apps.basket.middleware.BasketMiddleware",
    "marketplace.accounts.security.HostilePathMiddleware",  # a NUL in the path, a text for an id: the shop's 404
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: turns a lockout into a 429 page
]

ROOT_URLCONF = "marketplace.urls"
# The shop's account that shoppers paying by bank transfer pay into (shown on the thank-you page and in the order
# e-mail, with the order number as the reference). The defaults are a demo's: set the real ones in production.
BANK_TRANSFER_HOLDER = env.str("BANK_TRANSFER_HOLDER", default="Open Source Store (demo account)")
BANK_TRANSFER_IBAN = env.str("BANK_TRANSFER_IBAN", default="DE89 3704 0044 0532 0130 00")
BANK_TRANSFER_BIC = env.str("BANK_TRANSFER_BIC", default="COBADEFF")  # the 8-letter BIC of the placeholder IBAN's bank
# An order waiting for its bank transfer: the shopper is reminded after this many days, and the order is cancelled
# (its stock released) after that many; both are shown to the shopper with the bank details.
BANK_TRANSFER_REMIND_AFTER_DAYS = env.int("BANK_TRANSFER_REMIND_AFTER_DAYS", default=7)
BANK_TRANSFER_CANCEL_AFTER_DAYS = env.int("BANK_TRANSFER_CANCEL_AFTER_DAYS", default=14)
if not 0 < BANK_TRANSFER_REMIND_AFTER_DAYS < BANK_TRANSFER_CANCEL_AFTER_DAYS:
    raise ImproperlyConfigured("BANK_TRANSFER_REMIND_AFTER_DAYS must be at least 1 and under ..._CANCEL_AFTER_DAYS.")
# The shop's address as shoppers reach it (scheme, host and port): every link in an e-mail starts with it.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# A shipped part nobody marked delivered (neither the shopper nor the operator) is taken as delivered this many days
# after it shipped (fulfilment.services.deliver_shipped_parts, hourly).
DELIVERED_AFTER_DAYS = env.int("DELIVERED_AFTER_DAYS", default=14)
# an expired form explained in the shop's layout
CSRF_FAILURE_VIEW = "marketplace.accounts.security.csrf_failure"
WSGI_APPLICATION = "marketplace.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.template.context_processors.i18n",
                "django.contrib.messages.context_processors.messages",
                "oscar.apps.search.context_processors.search_form",
                "oscar.apps.checkout.context_processors.checkout",
                "marketplace.accounts.facts.notifications",  # Oscar's count, lazily, with the account bar's other facts
                "oscar.core.context_processors.metadata",
            ],
        },
    }
]

# Widgets render through TEMPLATES, so templates/ overrides Oscar's widget templates too (its image input).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Everyone signs in with their e-mail (staff in the dashboard and the admin too): no username login (Django's
# ModelBackend), which would be a second login to each account with a lockout count of its own.
AUTHENTICATION_BACKENDS = [
    # first: refuses a locked-out login before any password check
    "marketplace.accounts.security.LoginRateLimitBackend",
    "marketplace.accounts.security.EmailBackend",  # Oscar's, hashing once for an unknown e-mail too (same time)
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_REDIRECT_URL = "/"

# --- Data -----------------------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if "DATABASE_URL" not in os.environ:
    VAR_DIR.mkdir(exist_ok=True)  # the embedded default keeps its SQLite file in the git-ignored var/
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A database that stops answering fails a request (and the readiness check) in seconds, not minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", env.int("DB_CONNECT_TIMEOUT", 5))

# Read replicas (marketplace/ops/db_router.py): DATABASE_REPLICA_URLS lists PostgreSQL streaming replicas of
# DATABASE_URL, comma separated; each becomes a database alias (replica1, replica2, ...) that the public pages' reads
# go to. A client that wrote reads the primary for REPLICA_PIN_SECONDS; a replica more than REPLICA_MAX_LAG_SECONDS
# behind, or down, is left out (each process trusts its last check for REPLICA_CHECK_SECONDS, and retries a replica
# that refused a connection after REPLICA_RETRY_SECONDS). Empty (the default): one database, no router. In tests
# each replica is a mirror of the test database.
DATABASE_REPLICAS = []
for _number, _url in enumerate(env.list("DATABASE_REPLICA_URLS", default=[]), start=1):
    _replica = env.db_url_config(_url)
    if "postgresql" not in DATABASES["default"]["ENGINE"] or "postgresql" not in _replica["ENGINE"]:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URLS lists PostgreSQL streaming replicas of a PostgreSQL DATABASE_URL "
            "(postgres://user:password@host:port/name, comma separated)."
        )
    _replica.update(
        ATOMIC_REQUESTS=False,
        CONN_MAX_AGE=DATABASES["default"]["CONN_MAX_AGE"],
        CONN_HEALTH_CHECKS=True,
        TEST={"MIRROR": "default"},
    )
    # A replica that does not answer is left out after this many seconds, and the page read from the primary.
    _replica.setdefault("OPTIONS", {}).setdefault("connect_timeout", env.int("REPLICA_CONNECT_TIMEOUT", default=2))
    DATABASES[f"replica{_number}"] = _replica
    DATABASE_REPLICAS.append(f"replica{_number}")
if DATABASE_REPLICAS:
    DATABASE_ROUTERS = ["marketplace.ops.db_router.ReplicaRouter"]
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=10)
REPLICA_MAX_LAG_SECONDS = env.int("REPLICA_MAX_LAG_SECONDS", default=5)
REPLICA_CHECK_SECONDS = env.int("REPLICA_CHECK_SECONDS", default=2)
REPLICA_RETRY_SECONDS = env.int("REPLICA_RETRY_SECONDS", default=30)
if min(REPLICA_MAX_LAG_SECONDS, REPLICA_CHECK_SECONDS, REPLICA_RETRY_SECONDS) < 0:
    raise ImproperlyConfigured("REPLICA_MAX_LAG_SECONDS, REPLICA_CHECK_SECONDS and REPLICA_RETRY_SECONDS must be 0+.")
if REPLICA_PIN_SECONDS < REPLICA_MAX_LAG_SECONDS + REPLICA_CHECK_SECONDS:
    # A replica read that long after a write could miss it: the client would not read its own write.
    raise ImproperlyConfigured(
        f"REPLICA_PIN_SECONDS ({REPLICA_PIN_SECONDS}) must be at least REPLICA_MAX_LAG_SECONDS + REPLICA_CHECK_SECONDS "
        f"({REPLICA_MAX_LAG_SECONDS + REPLICA_CHECK_SECONDS}): a client reads the primary until a replica is sure to "
        "have its writes."
    )

# DATABASE_POOLER=pgbouncer: DATABASE_URL is pgbouncer in transaction mode in front of the primary. No server-side
# cursors (they outlive the transaction pgbouncer lends a server connection for) and no connection kept between
# requests (pgbouncer keeps them). The replica URLs are direct connections.
DATABASE_POOLER = env.str("DATABASE_POOLER", default="")
if DATABASE_POOLER not in ("", "pgbouncer"):
    raise ImproperlyConfigured(f"DATABASE_POOLER is {DATABASE_POOLER!r}: set it to pgbouncer, or leave it empty.")
if DATABASE_POOLER:
    if "postgresql" not in DATABASES["default"]["ENGINE"]:
        raise ImproperlyConfigured("DATABASE_POOLER=pgbouncer needs a PostgreSQL DATABASE_URL (pgbouncer's).")
    DATABASES["default"].update(DISABLE_SERVER_SIDE_CURSORS=True, CONN_MAX_AGE=0)

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            # Parallel test processes share one Redis but not one database: each keeps its own keys.
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="oss") + os.environ.get("PYTEST_XDIST_WORKER", ""),
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 5, "SOCKET_TIMEOUT": 5},  # a stopped Redis fails fast
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Django's database session store (marketplace.accounts.sessions). With Redis, sessions are read from Redis on every
# request and written through to the database, which keeps them when Redis restarts (it keeps nothing on disk here).
SESSION_ENGINE = "marketplace.accounts.sessions." + ("cached_db" if REDIS_URL else "db")

# Catalogue pages for anonymous shoppers are served from the cache for this long at most (marketplace.ops.pagecache);
# any change they show retires them at once. 0 turns it off. Several web processes need the shared cache (Redis).
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)

# Haystack stays installed because Oscar imports it; our catalogue and search pages are served from the ORM
# (marketplace/search), so no search engine is needed. See ECOSYSTEM.md on the `simple` backend.
HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}
HAYSTACK_SIGNAL_PROCESSOR = "haystack.signals.BaseSignalProcessor"

# --- Celery ---------------------------------------------------------------------------------------------------
# Without a broker the tasks run in-process, so a fresh machine needs no server.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_TASK_ALWAYS_EAGER = env.bool(
    "CELERY_TASK_ALWAYS_EAGER", default=not (REDIS_URL or "CELERY_BROKER_URL" in os.environ)
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
# A money system: a task is acknowledged only once it has run, and re-queued if its worker dies.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A message a killed worker took is handed out again after this many seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_TIME_LIMIT = 300
# A worker keeps its database connection from one task to the next, as a web process keeps it from one request to
# the next (CONN_MAX_AGE, CONN_HEALTH_CHECKS; marketplace.celery checks it around each task). Without this Celery
# closes it around every task, and each task pays for a new PostgreSQL connection.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = "UTC"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # workers log through LOGGING below (JSON lines in production)
# Three queues by kind of work, each served by a worker pool sized on its own (docker-compose.yml: worker-money,
# worker-fulfilment, worker-mail), so a slow mail server or a burst of deliveries never delays the ledger.
# The one table: every task of ours matches a pattern on purpose (tests/project/test_queues.py), beat's too.
CELERY_TASK_ROUTES = {
    "marketplace.payments.tasks.*": {"queue": "money"},  # webhooks, Stripe refunds, reconciliation
    "marketplace.revenue.tasks.*": {"queue": "money"},  # allocation, reversals, payouts, transfers
    "marketplace.fulfilment.tasks.*": {"queue": "fulfilment"},  # lines, notices, deliveries, unpaid orders
    "marketplace.storefronts.tasks.*": {"queue": "fulfilment"},
    "certification.tasks.*": {"queue": "fulfilment"},
    "marketplace.ops.tasks.*": {"queue": "fulfilment"},  # product alerts, analytics, the heartbeat
    "marketplace.notifications.tasks.*": {"queue": "mail"},  # every e-mail to a shopper about an order
    "marketplace.checkout.tasks.*": {"queue": "mail"},  # the order-placed e-mail
    # an e-mail too (to the storefront's operator), though its module's other tasks are fulfilment's
    "marketplace.storefronts.tasks.send_storefront_event_email_task": {"queue": "mail"},
    "marketplace.contract.tasks.*": {"queue": "mail"},  # operators asked to accept a new Social Contract version
    "marketplace.supporters.tasks.*": {"queue": "mail"},  # True Fans reminders and operators' updates to supporters
    "marketplace.webhooks.tasks.*": {"queue": "fulfilment"},  # signed events to operators' systems, and their sweep
}
# Declared, so a worker started without -Q consumes all three; each is bound to its own exchange and routing key
# (as Celery declares a queue it creates), so a message reaches its one queue only.
CELERY_TASK_QUEUES = [Queue(name, Exchange(name), routing_key=name) for name in ("money", "fulfilment", "mail")]
# Anything unrouted lands where a worker listens (a queue no pool consumes would keep it forever): fulfilment, the
# general-purpose pool.
CELERY_TASK_DEFAULT_QUEUE = "fulfilment"
CELERY_BEAT_SCHEDULE = {
    # The sweep allocates any captured payment whose allocation task was lost; payouts run nightly.
    "allocate-missed-payments": {"task": "marketplace.revenue.tasks.allocate_missed_payments_task", "schedule": 600},
    "fulfil-missed-lines": {"task": "marketplace.fulfilment.tasks.fulfil_missed_lines_task", "schedule": 600},
    "deliver-shipped-parts": {"task": "marketplace.fulfilment.tasks.deliver_shipped_parts_task", "schedule": 3600},
    # Unpaid bank-transfer orders: a reminder after BANK_TRANSFER_REMIND_AFTER_DAYS, cancelled after ..._CANCEL_...
    "remind-and-cancel-unpaid": {
        "task": "marketplace.fulfilment.tasks.remind_and_cancel_unpaid_task", "schedule": 3600,
    },  # fmt: skip
    "run-payouts": {"task": "marketplace.revenue.tasks.run_payouts_task", "schedule": crontab(hour=3, minute=0)},
    # Completes card payments and refunds Stripe settled whose webhook never arrived.
    "reconcile-payments": {"task": "marketplace.payments.tasks.reconcile_payments_task", "schedule": 900},
    # Oscar's analytics counters (dashboard reports), rebuilt from orders and baskets instead of per request.
    "refresh-analytics": {"task": "marketplace.ops.tasks.refresh_analytics_task", "schedule": 3600},
    # Oscar's "Notify me" stock alerts for products back in stock (OSCAR_EAGER_ALERTS is off); each is sent once.
    "send-product-alerts": {"task": "marketplace.ops.tasks.send_product_alerts_task", "schedule": 300},
    # True Fans: a supporter whose standing-order month has not arrived SUPPORTER_REMIND_AFTER_DAYS after its day
    "remind-missed-supporter-months": {
        "task": "marketplace.supporters.tasks.remind_missed_months_task",
        "schedule": crontab(hour=9, minute=0),
    },
    # Webhook deliveries due (a retry after its backoff, or a task that was lost).
    "deliver-due-webhooks": {"task": "marketplace.webhooks.tasks.deliver_due_task", "schedule": 60},
    # Proves beat, broker and a worker all work: the readiness check reads the time it writes.
    "worker-heartbeat": {"task": "marketplace.ops.tasks.heartbeat_task", "schedule": 30, "options": {"expires": 30}},
}
# Readiness fails when no worker has written its heartbeat for this long (seconds).
HEALTH_WORKER_MAX_AGE = env.int("HEALTH_WORKER_MAX_AGE", default=180)

# --- Payments -------------------------------------------------------------------------------------------------
# Stripe is offered only when all three are set; the offline method (bank transfer) is always there.
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")  # e.g. a localstripe server in tests
# Connect: the signing secret of the Stripe endpoint for connected accounts' events (account.updated).
STRIPE_CONNECT_WEBHOOK_SECRET = env.str("STRIPE_CONNECT_WEBHOOK_SECRET", default="")

# --- Files ----------------------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Files sold as digital goods: never under MEDIA_URL; served only through a signed, expiring download link.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=VAR_DIR / "private")
DOWNLOAD_LINK_MAX_AGE = env.int("DOWNLOAD_LINK_MAX_AGE", default=7 * 24 * 3600)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Backups --------------------------------------------------------------------------------------------------
# django-dbbackup, driven by `manage.py backup_db` / `restore_db` (marketplace/ops/backups.py): each backup is the
# database, the media and the digital goods' files, three files in BACKUP_DIR named by one time, e.g.
# oss-default-database-2027-01-01-030000.psql.bin, oss-media-2027-01-01-030000.tar, oss-digital-goods-...tar.
INSTALLED_APPS += ["dbbackup"]
BACKUP_DIR = env.path("BACKUP_DIR", default=VAR_DIR / "backups")
STORAGES["dbbackup"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(BACKUP_DIR)},
}
DBBACKUP_CONNECTOR_MAPPING = {
    # pg_dump's custom format, restored by pg_restore --clean --if-exists --single-transaction (the client tools of
    # the server's major version on PATH); the embedded SQLite through its online backup API, safe while it serves.
    "django.db.backends.postgresql": "dbbackup.db.postgresql.PgDumpBinaryConnector",
    "django.db.backends.sqlite3": "dbbackup.db.sqlite.SqliteBackupConnector",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A backup restores into a database owned by another role (a new server, a copy for support) as it is.
    DBBACKUP_CONNECTORS = {"default": {"PG_OPTIONS": "--no-owner --no-privileges"}}
# Keep the newest BACKUP_KEEP database backups and BACKUP_KEEP_MEDIA of each kind of files; older ones are deleted
# after each backup. The names say the database alias ("default") and the kind of files: retention relies on it.
DBBACKUP_CLEANUP_KEEP = env.int("BACKUP_KEEP", default=14)
DBBACKUP_CLEANUP_KEEP_MEDIA = env.int("BACKUP_KEEP_MEDIA", default=DBBACKUP_CLEANUP_KEEP)
if DBBACKUP_CLEANUP_KEEP < 1 or DBBACKUP_CLEANUP_KEEP_MEDIA < 1:
    raise ImproperlyConfigured("BACKUP_KEEP and BACKUP_KEEP_MEDIA must be 1 or more: 0 would delete every backup.")
DBBACKUP_FILENAME_TEMPLATE = "oss-{databasename}-database-{datetime}.{extension}"
DBBACKUP_MEDIA_FILENAME_TEMPLATE = "oss-{servername}-{datetime}.{extension}"

# --- Mail -----------------------------------------------------------------------------------------------------
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="shop@opensource.store")

# --- Security -------------------------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
OSCAR_BASKET_COOKIE_SECURE = SESSION_COOKIE_SECURE
OSCAR_RECENTLY_VIEWED_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Content Security Policy (django-csp). Scripts run only from the shop's own static files, plus the one inline script
# of each page (Oscar's onload block, in templates/oscar/base.html), which carries the response's nonce: a script
# planted in a page by anyone never runs, and no page loads a script, style or font from another host. The one
# exception is the page that takes a card, which loads Stripe.js from Stripe as Stripe requires
# (marketplace.accounts.security.allow_stripe). Styles keep 'unsafe-inline' for the storefronts' own colours.
from csp.constants import NONCE, NONE, SELF  # noqa: E402

_CSP = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# CSP_REPORT_ONLY=true sends the same policy as Content-Security-Policy-Report-Only (to try a change safely).
if env.bool("CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP

# Login rate limiting (django-axes) on every login form: the shop's, the checkout's, the dashboard's, the admin's. After
# AXES_FAILURE_LIMIT wrong passwords for one login from one client address, that pair is locked (HTTP 429) for
# AXES_COOLOFF_MINUTES; a guesser cannot lock the real owner out from elsewhere. A login is the e-mail in any letter
# case (marketplace.accounts.security.login_name). The client address is REMOTE_ADDR, unless the request comes from
# one of TRUSTED_PROXIES (IP addresses or networks, comma separated): then it is read from X-Forwarded-For, the entry
# TRUSTED_PROXY_COUNT from the right (see marketplace.accounts.security.client_ip).
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "marketplace.accounts.security.client_ip"
AXES_USERNAME_CALLABLE = "marketplace.accounts.security.login_name"
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_proxy!r} is no IP address or network; list the proxies' addresses or networks, "
            "comma separated (e.g. 172.20.0.0/16,10.0.0.5)."
        ) from None
# Password reset requests (marketplace.accounts.password_reset): at most PASSWORD_RESET_LIMIT in
# PASSWORD_RESET_LIMIT_MINUTES from one client address, and as many for one e-mail, whether or not it has an account.
PASSWORD_RESET_LIMIT = env.int("PASSWORD_RESET_LIMIT", default=5)
PASSWORD_RESET_LIMIT_MINUTES = env.int("PASSWORD_RESET_LIMIT_MINUTES", default=60)
# Forms that say whether an e-mail has an account (registration, guest checkout; marketplace.accounts.email_checks):
# at most EMAIL_CHECK_LIMIT different e-mails in EMAIL_CHECK_LIMIT_MINUTES from one client address.
EMAIL_CHECK_LIMIT = env.int("EMAIL_CHECK_LIMIT", default=10)
EMAIL_CHECK_LIMIT_MINUTES = env.int("EMAIL_CHECK_LIMIT_MINUTES", default=60)

# --- Locale ---------------------------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
LANGUAGES = [("en-us", "English")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Oscar ----------------------------------------------------------------------------------------------------
OSCAR_SHOP_NAME = "Open Source Store"
OSCAR_SHOP_TAGLINE = "Open source goods, made near you"
OSCAR_HOMEPAGE = reverse_lazy("landing")  # "Home" in breadcrumbs: the landing page, not the product grid
OSCAR_DEFAULT_CURRENCY = env.str("SHOP_CURRENCY", default="USD")
OSCAR_FROM_EMAIL = DEFAULT_FROM_EMAIL
OSCAR_ALLOW_ANON_CHECKOUT = True
OSCAR_DASHBOARD_NAVIGATION = [
    {**item, "children": [*item["children"], {"label": "Designs", "url_name": "dashboard:catalogue-design-list"},
                          {"label": "QC checklists", "url_name": "lifecycle:checklists",
                           "access_fn": lambda user, *args, **kwargs: user.is_staff}]}
    if any(child.get("url_name") == "dashboard:catalogue-product-list" for child in item.get("children", []))
    else item
    for item in OSCAR_DASHBOARD_NAVIGATION  # noqa: F405 - from oscar.defaults
]
OSCAR_DASHBOARD_NAVIGATION += [  # noqa: F405
    {
        "label": "My storefront",
        "icon": "fas fa-store",
        "children": [
            {
                "label": "My offers",
                "url_name": "storefronts:offers",
                "access_fn": lambda user, *args, **kwargs: hasattr(user, "storefront"),
            },
            {
                "label": "Settings and tier",
                "url_name": "storefronts:dashboard",
                "access_fn": lambda user, *args, **kwargs: hasattr(user, "storefront"),
            },
            {
                "label": "Marketing pool",
                "url_name": "campaigns:pool",
                "access_fn": lambda user, *args, **kwargs: hasattr(user, "storefront"),
            },
            {
                "label": "True Fans supporters",
                "url_name": "supporters:dashboard",
                "access_fn": lambda user, *args, **kwargs: hasattr(user, "storefront"),
            },
            {
                "label": "Updates to supporters",
                "url_name": "supporters:updates",
                "access_fn": lambda user, *args, **kwargs: hasattr(user, "storefront"),
            },
            {
                "label": "Repair and take-back requests",
                "url_name": "stewardship:operator-requests",
                "access_fn": lambda user, *args, **kwargs: hasattr(user, "storefront"),
            },
            {
                "label": "API tokens",
                "url_name": "apitokens:list",
                "access_fn": lambda user, *args, **kwargs: hasattr(user, "storefront"),
            },
            {
                "label": "Webhooks",
                "url_name": "webhooks:list",
                "access_fn": lambda user, *args, **kwargs: hasattr(user, "storefront"),
            },
        ],
    },
    {
        "label": "Certification",
        "icon": "fas fa-certificate",
        "url_name": "certification:queue",
        "access_fn": lambda user, *args, **kwargs: user.groups.filter(name="Certifiers").exists(),
    },
    {
        "label": "Storefronts",
        "icon": "fas fa-store-alt",
        "url_name": "storefronts:staff-list",
        "access_fn": lambda user, *args, **kwargs: user.is_staff,
    },
    {
        "label": "My revenue",
        "icon": "fas fa-coins",
        "url_name": "revenue:operator",
        "access_fn": lambda user, *args, **kwargs: hasattr(user, "storefront"),
    },
    {
        "label": "Revenue",
        "icon": "fas fa-balance-scale",
        "url_name": "revenue:staff",
        "access_fn": lambda user, *args, **kwargs: user.is_staff,
    },
    # The community economy's staff pages, in one menu so the bar fits at 1280 px.
    {
        "label": "Community",
        "icon": "fas fa-hands-helping",
        "access_fn": lambda user, *args, **kwargs: user.is_staff,
        "children": [
            {
                "label": "Marketing campaigns",
                "url_name": "campaigns:staff",
                "access_fn": lambda user, *args, **kwargs: user.is_staff,
            },
            {
                "label": "Campus fund disbursements",
                "url_name": "revenue:disbursements",
                "access_fn": lambda user, *args, **kwargs: user.is_staff,
            },
            {
                "label": "True Fans supporters per storefront",
                "url_name": "supporters:staff",
                "access_fn": lambda user, *args, **kwargs: user.is_staff,
            },
            {
                "label": "True Fans standing orders",
                "url_name": "supporters:standing-orders",
                "access_fn": lambda user, *args, **kwargs: user.is_staff,
            },
            {
                "label": "Stewardship: repairs and take-back",
                "url_name": "stewardship:staff",
                "access_fn": lambda user, *args, **kwargs: user.is_staff,
            },
            {
                "label": "Social Contract versions",
                "url_name": "contract:staff",
                "access_fn": lambda user, *args, **kwargs: user.is_staff,
            },
        ],
    },
]
# Webhooks to operators: https only and public addresses only (never our own network), unless these say otherwise
# (tests and the demo use a receiver on 127.0.0.1).
WEBHOOKS_ALLOW_HTTP = env.bool("WEBHOOKS_ALLOW_HTTP", default=False)
WEBHOOKS_ALLOW_PRIVATE = env.bool("WEBHOOKS_ALLOW_PRIVATE", default=False)
WEBHOOKS_MAX_ENDPOINTS = env.int("WEBHOOKS_MAX_ENDPOINTS", default=5)
OSCAR_EAGER_ALERTS = False  # stock alerts go out from a beat task (send-product-alerts), not inside every stock write
# Full-cost accounting prices embodied carbon per kg CO2e (0.19: about 190 USD/t, the US EPA's 2023 social cost
# of carbon).
CARBON_PRICE_PER_KG_CO2E = env.str("CARBON_PRICE_PER_KG_CO2E", default="0.19")
# True Fans: days after a standing order's monthly day before its supporter is reminded (once) that it did not arrive.
SUPPORTER_REMIND_AFTER_DAYS = env.int("SUPPORTER_REMIND_AFTER_DAYS", default=7)
# The least share of revenue a storefront gives to the campus fund (the revenue issue moves it to a staff policy).
CAMPUS_FUND_MINIMUM_PERCENT = env.str("CAMPUS_FUND_MINIMUM_PERCENT", default="5.00")
# OSE Certified: approvals a certificate needs, and how long it stays valid.
CERTIFICATION_REQUIRED_APPROVALS = 2
CERTIFICATE_VALID_DAYS = env.int("CERTIFICATE_VALID_DAYS", default=3 * 365)
OSCAR_INITIAL_ORDER_STATUS = "Pending"
OSCAR_INITIAL_LINE_STATUS = "Pending"
OSCAR_ORDER_STATUS_PIPELINE = {
    "Pending": ("Paid", "Cancelled"),
    "Paid": ("Complete", "Cancelled"),
    "Complete": (),
    "Cancelled": (),
}
OSCAR_LINE_STATUS_PIPELINE = OSCAR_ORDER_STATUS_PIPELINE

# Logs go to the console: readable text with DEBUG, one JSON object a line in production (LOG_FORMAT=text|json).
# Money events are logged by `marketplace.money`: payments and refunds with their fields (event, order, amount,
# currency) as JSON keys; the ledger's entries and payouts with order and amount in the message.
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured("LOG_FORMAT must be 'text' or 'json'.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "marketplace.money": {"level": "INFO"},
        "stripe": {"level": "INFO"},  # its DEBUG lines carry whole responses, which may include card details
    },
}

# The API (marketplace/api): open data anonymously, each operator's own storefront by its token. Every list is
# paginated and filtered; anonymous clients are throttled per address (API_ANON_RATE).
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": [],  # the open endpoints are anonymous; the operator's set their own
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env.str("API_ANON_RATE", default="120/minute")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Open Source Store API",
    "DESCRIPTION": "Open data on designs, products, storefronts, certificates and the campus fund; each operator's "
    "offers, order parts and revenue by its own token.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
