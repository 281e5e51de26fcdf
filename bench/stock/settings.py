"""Settings of the stock Oscar peer shop: Oscar's apps unchanged, as in Oscar's "Building your own shop".

Only what a person deploying stock Oscar would set: the database from ``DATABASE_URL`` (PostgreSQL in the
benchmark), persistent connections, haystack's Whoosh backend (with the ``simple`` backend Oscar 4.2's browse pages
list no products), guest checkout, the shop currency, and no outgoing mail.
"""

from pathlib import Path

import environ
from oscar import INSTALLED_APPS as OSCAR_APPS
from oscar.defaults import *  # noqa: F403 - Oscar's documented way to get its defaults

BASE_DIR = Path(__file__).resolve().parents[2]
BENCH_DIR = BASE_DIR / "var" / "bench"

env = environ.Env()

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY", default="stock-oscar-bench-key-for-a-local-benchmark-only-0123456789")
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [*OSCAR_APPS, "sorl.thumbnail"]  # Oscar's docs list sorl.thumbnail, its default thumbnailer
SITE_ID = 1
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "oscar.apps.basket.middleware.BasketMiddleware",
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware",
]
ROOT_URLCONF = "bench.stock.urls"
WSGI_APPLICATION = "bench.stock.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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
                "oscar.apps.communication.notifications.context_processors.notifications",
                "oscar.core.context_processors.metadata",
            ],
        },
    }
]
AUTHENTICATION_BACKENDS = [
    "oscar.apps.customer.auth_backends.EmailBackend",
    "django.contrib.auth.backends.ModelBackend",
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BENCH_DIR / 'stock.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True  # as Oscar's docs recommend
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)  # as our shop, for a fair comparison
BENCH_DIR.mkdir(parents=True, exist_ok=True)

# Default LocMem cache, database sessions: Django's and Oscar's defaults.
HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": "haystack.backends.whoosh_backend.WhooshEngine",
        "PATH": str(BENCH_DIR / f"whoosh-{Path(str(DATABASES['default']['NAME'])).stem}"),
    }
}

STATIC_URL = "/static/"
STATIC_ROOT = BENCH_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = BENCH_DIR / "media"

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.dummy.EmailBackend")

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

OSCAR_SHOP_NAME = "Stock Oscar"
OSCAR_DEFAULT_CURRENCY = "USD"  # the generated prices are in US dollars, as in our shop
OSCAR_ALLOW_ANON_CHECKOUT = True
OSCAR_INITIAL_ORDER_STATUS = "Pending"
OSCAR_INITIAL_LINE_STATUS = "Pending"
OSCAR_ORDER_STATUS_PIPELINE = {"Pending": ("Being processed", "Cancelled"), "Being processed": (), "Cancelled": ()}
