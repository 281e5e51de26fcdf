import os
import socket
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection

from marketplace.celery import app as celery_app

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(autouse=True, scope="session")
def _tasks_run_in_process():
    """Tests run tasks in-process unless a test asks for a real worker (see ``celery_worker``)."""
    celery_app.conf.task_always_eager = True
    yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many users; the production hasher is deliberately slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    """Each test's rows are rolled back without signals: pages (and the menu's categories, the shipping countries)
    cached by an earlier test must not be served."""
    from catalog.templatetags.nav_tags import forget_menu_categories
    from marketplace.checkout.forms import forget_shipping_countries
    from marketplace.ops import pagecache

    pagecache.retire_all()
    forget_menu_categories()
    forget_shipping_countries()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The cache outlives each test's rolled-back rows and, in Redis, the whole run: the rate limits' counters of
    an earlier test (or of yesterday's run) must not refuse this one. Only this process's keys are deleted: Redis
    also holds the other test processes' keys (their own prefix) and the Celery broker's queues."""
    from django.core.cache import cache

    if hasattr(cache, "delete_pattern"):  # django-redis
        cache.delete_pattern("*")
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _many_shoppers_from_one_address(settings):
    """Every test client comes from 127.0.0.1: the suite checks out and registers as many e-mails from it as it
    likes. The tests of the limit itself (``email_check_limit``) set the shipped one."""
    settings.EMAIL_CHECK_LIMIT = 1_000_000


@pytest.fixture(autouse=True)
def _fresh_thumbnail_store(settings, request):
    """sorl-thumbnail remembers each thumbnail it made in the cache (Redis, shared by a worker's tests) and in a
    table rolled back after each test: a thumbnail an earlier test made under its own MEDIA_ROOT must not be
    believed to exist in this one's. Each test gets keys of its own; files already on disk are found again."""
    settings.THUMBNAIL_KEY_PREFIX = f"sorl-thumbnail-{abs(hash(request.node.nodeid))}"


def _redis_reachable() -> bool:
    if not settings.REDIS_URL:
        return False
    url = urlparse(settings.REDIS_URL)
    try:
        with socket.create_connection((url.hostname or "127.0.0.1", url.port or 6379), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture
def real_services():
    """PostgreSQL and Redis for tests marked ``services``: skipped on a laptop without them, a failure in CI."""
    missing = []
    if connection.vendor != "postgresql":
        missing.append("PostgreSQL (set DATABASE_URL=postgres://...)")
    if not _redis_reachable():
        missing.append("Redis (set REDIS_URL=redis://...)")
    if missing:
        message = "needs " + " and ".join(missing)
        if IN_CI:
            pytest.fail(f"CI=true but this test {message}")
        pytest.skip(message)


def pytest_collection_modifyitems(items):
    for item in items:
        if item.get_closest_marker("services"):
            item.fixturenames.insert(0, "real_services")


@pytest.fixture
def two_operators():
    """Berlin Fab ships a printer (shipping 7.50); Lyon Fab sells a distribution licence (it holds the mark) and a
    physical mill (shipping 4.00)."""
    from tests import factories

    printer = factories.level_product(factories.design(name="D3D printer"), 1, title="D3D printer, assembled")
    mill_design = factories.design(name="CNC mill", category_name="CNC circuit mills")
    mill = factories.level_product(mill_design, 1, title="CNC mill, assembled")
    licence = factories.level_product(mill_design, 3, title="CNC mill distribution licence")
    for product in (printer, mill, licence):
        product.stockrecords.all().delete()
    berlin = factories.storefront("Berlin Fab", city="Berlin")
    lyon = factories.storefront("Lyon Fab", city="Lyon")
    berlin.shipping_charge, lyon.shipping_charge = Decimal("7.50"), Decimal("4.00")
    berlin.save(update_fields=["shipping_charge"])
    lyon.save(update_fields=["shipping_charge"])
    factories.certify(mill_design, holders=[lyon.operator])
    return {
        "berlin": berlin, "lyon": lyon,
        "printer": factories.offer(berlin, printer, price="900.00"),
        "mill": factories.offer(lyon, mill, price="1400.00"),
        "licence": factories.offer(lyon, licence, price="5000.00", stock=None),
    }  # fmt: skip


# The data migrations that seed what the shop needs (countries, levels and product classes, tiers, shipping event
# types, the allocation policy and shared ledger accounts); each adds only what is missing.
SEED_MIGRATIONS = [
    ("marketplace", "0001_countries"), ("catalogue", "0034_levels_and_goods"), ("tiers", "0002_the_six_tiers"),
    ("marketplace", "0002_shipping_event_types"), ("revenue", "0002_default_policy_and_shared_accounts"),
    ("certification", "0002_certifiers_group"), ("notifications", "0002_event_types"),
    ("notifications", "0003_seats_and_licence"), ("notifications", "0004_people_event_types"),
    ("notifications", "0005_community_event_types"), ("specs", "0002_questions_v1"),
    ("notifications", "0006_stewardship_event_types"),
]  # fmt: skip


@pytest.fixture
def seeded(transactional_db):
    """Seed a committed database again: a transactional test before this one emptied every table (Django's flush
    re-creates content types, permissions and the site, not what data migrations added)."""
    from django.apps import apps
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection)
    with connection.schema_editor() as editor:
        for app_label, name in SEED_MIGRATIONS:
            for operation in loader.get_migration(app_label, name).operations:
                operation.code(apps, editor)


@pytest.fixture
def recorded_stripe(settings):
    """Stripe's Connect endpoints, answered from recorded responses (localstripe serves none of them)."""
    from tests.recorded_stripe import RecordedStripe

    stripe = RecordedStripe()
    settings.STRIPE_SECRET_KEY = "sk_test_recorded"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_recorded"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_recorded"
    settings.STRIPE_API_BASE = stripe.base
    yield stripe
    stripe.stop()


@pytest.fixture
def clock(monkeypatch):
    """The time Django's ``timezone.now`` tells, moved on by the test (the database's own clock is not)."""
    from django.utils import timezone

    class Clock:
        offset = timedelta(0)

        def move_to(self, moment):
            self.offset = moment - real_now()

    real_now, clock = timezone.now, Clock()
    monkeypatch.setattr(timezone, "now", lambda: real_now() + clock.offset)
    return clock
