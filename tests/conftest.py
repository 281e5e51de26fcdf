import os
import socket
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
