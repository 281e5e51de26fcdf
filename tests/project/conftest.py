"""A real Celery worker for the tests that need one (on Redis and PostgreSQL)."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from marketplace.celery import app as celery_app
from tests.queues import WORKER, forget_queues, queue_names, routed_to_own_queues

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def celery_worker(tmp_path):
    """Start `celery worker` on the shop's three queues, named for this test alone (parallel runs share Redis, not
    a database: tests/queues.py), and stop it after. What the test process enqueues goes to those queues too;
    ``queue`` is the default one (fulfilment), for a task sent to a queue by name."""
    prefix = f"test-{uuid.uuid4().hex[:12]}-"
    node = f"{prefix}worker@localhost"
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
    }
    queues = queue_names(prefix)
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, prefix, "--pool=solo", "-Q", ",".join(queues.values()), "-n", node,
         "--without-gossip", "--without-mingle", "--loglevel=INFO"],
        cwd=ROOT,
        env=env,
        stdout=(tmp_path / "worker.log").open("w"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    celery_app.conf.task_always_eager = False
    try:
        with routed_to_own_queues(prefix):
            deadline = time.monotonic() + 60
            while not celery_app.control.ping(destination=[node], timeout=1):
                if worker.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("the Celery worker did not start:\n" + (tmp_path / "worker.log").read_text())
            yield {"queue": queues["fulfilment"], "queues": queues, "mail": tmp_path / "mail",
                   "log": tmp_path / "worker.log"}  # fmt: skip
    finally:
        celery_app.conf.task_always_eager = True
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        forget_queues(prefix)
