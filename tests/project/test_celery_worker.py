"""A real Celery worker process, on Redis and PostgreSQL, runs a task whose effect lands in the database."""

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
from oscar.core.loading import get_model

from marketplace.celery import app as celery_app
from marketplace.checkout.tasks import send_order_placed_email_task
from tests.factories import UserFactory, create_order

CommunicationEvent = get_model("order", "CommunicationEvent")
ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def celery_worker(tmp_path):
    """Start `celery worker` on a queue of its own (so parallel test runs never share one) and stop it after."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    node = f"{queue}@localhost"
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "marketplace",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "-n",
            node,
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=(tmp_path / "worker.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    celery_app.conf.task_always_eager = False
    try:
        deadline = time.monotonic() + 60
        while not celery_app.control.ping(destination=[node], timeout=1):
            if worker.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the Celery worker did not start:\n" + (tmp_path / "worker.log").read_text())
        yield {"queue": queue, "mail": tmp_path / "mail", "log": tmp_path / "worker.log"}
    finally:
        celery_app.conf.task_always_eager = True
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_real_worker_sends_the_order_placed_email_once(celery_worker):
    # given a placed order, committed so that the worker's own connection sees it
    order = create_order(user=UserFactory(email="buyer@example.com"))

    # when the task is sent twice through Redis to a real worker
    for _ in range(2):
        send_order_placed_email_task.apply_async(kwargs={"order_id": order.pk}, queue=celery_worker["queue"])

    # then the worker records exactly one order-placed event and writes one email
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if celery_worker["log"].read_text().count("succeeded") >= 2:
            break
        time.sleep(0.3)
    else:
        pytest.fail("the worker did not run both tasks:\n" + celery_worker["log"].read_text())
    sent = list(celery_worker["mail"].glob("*.log"))
    assert CommunicationEvent.objects.filter(order=order, event_type__code="ORDER_PLACED").count() == 1
    assert len(sent) == 1
    assert str(order.number) in sent[0].read_text()
