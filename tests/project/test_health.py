"""Health endpoints: liveness touches nothing; readiness checks the database, Redis and the worker heartbeat, and
reports a stopped one as not ready (503). Stopped services are real: closed ports and a Redis server we stop."""

import json
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.celery import app as celery_app
from marketplace.ops import health
from marketplace.ops.tasks import heartbeat_task
from tests.conftest import IN_CI
from tests.project.test_deploy import production_process

ROOT = Path(__file__).resolve().parents[2]

# Asks the app, in a process of its own configured only by its environment, as a load balancer would: by address,
# over plain HTTP (the production settings redirect everything else to HTTPS and refuse unknown hosts).
PROBE = """
import json, sys
import django
django.setup()
from django.test import Client
if sys.argv[2] == "heartbeat":
    from marketplace.ops.tasks import heartbeat_task
    heartbeat_task()
answer = Client(HTTP_HOST="10.0.0.7").get(sys.argv[1])
print(json.dumps({"status": answer.status_code, "body": answer.json(), "cache": answer["Cache-Control"]}))
"""


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the socket is closed


def _probe(path: str, *, heartbeat: bool = False, **env) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, path, "heartbeat" if heartbeat else "-"],
        cwd=ROOT, env=production_process(**env), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _statuses(answer: dict) -> dict:
    return {name: check["status"] for name, check in answer["body"]["checks"].items()}


def _postgres_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def tasks_go_to_a_worker():
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = True


# --- in the test process ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_liveness_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        answer = client.get("/health/live/")
    assert answer.status_code == 200 and answer.json() == {"status": "alive"}
    assert "no-store" in answer["Cache-Control"]
    assert not answer.cookies


@pytest.mark.django_db
def test_readiness_reads_only_and_reports_what_the_embedded_default_does_not_use(client):
    with CaptureQueriesContext(connection) as queries:
        answer = client.get("/health/ready/")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["status"] == "ready"
    checks = answer.json()["checks"]
    assert checks["database"] == {"status": "ok"}
    assert checks["redis"] == ({"status": "ok"} if settings.REDIS_URL else {"status": "not used"})
    assert checks["worker"] == {"status": "not used"}  # tasks run in-process here
    assert queries.captured_queries and all(q["sql"].lstrip().upper().startswith("SELECT") for q in queries)
    assert "no-store" in answer["Cache-Control"] and not answer.cookies


@pytest.mark.django_db
def test_readiness_waits_for_a_recent_worker_heartbeat_when_a_worker_runs_the_tasks(
    client, monkeypatch, settings, tasks_go_to_a_worker
):
    monkeypatch.setattr(health, "HEARTBEAT_KEY", f"test-heartbeat-{uuid.uuid4().hex}")  # parallel runs share Redis

    no_beat = client.get("/health/ready/")
    assert no_beat.status_code == 503
    assert no_beat.json()["checks"]["worker"] == {"status": "fail", "error": "no worker heartbeat yet"}

    heartbeat_task()
    assert client.get("/health/ready/").json()["checks"]["worker"] == {"status": "ok", "age_seconds": 0}

    health.cache.set(health.HEARTBEAT_KEY, time.time() - settings.HEALTH_WORKER_MAX_AGE - 5)
    stale = client.get("/health/ready/")
    assert stale.status_code == 503 and stale.json()["checks"]["worker"]["status"] == "fail"


def test_beat_sends_the_heartbeat_often_enough_for_the_readiness_check():
    entry = settings.CELERY_BEAT_SCHEDULE["worker-heartbeat"]
    assert entry["task"] == heartbeat_task.name and entry["task"] in celery_app.tasks
    assert entry["schedule"] * 3 <= settings.HEALTH_WORKER_MAX_AGE


# --- a process of its own, with production settings, against stopped services -----------------------------------


def test_a_load_balancer_probe_by_address_over_http_is_answered_under_production_settings(tmp_path):
    answer = _probe("/health/live/", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert answer["status"] == 200 and answer["body"] == {"status": "alive"}  # no redirect to HTTPS, no 400


def test_an_unreachable_database_is_not_ready(tmp_path):
    answer = _probe("/health/ready/", DATABASE_URL=f"postgres://postgres@127.0.0.1:{_closed_port()}/shop", REDIS_URL="")
    assert answer["status"] == 503 and answer["body"]["status"] == "not ready"
    assert _statuses(answer) == {"database": "fail", "redis": "not used", "worker": "not used"}
    assert answer["body"]["checks"]["database"]["error"] == "OperationalError"  # no host or port given away
    assert "no-store" in answer["cache"]


def test_an_unreachable_redis_is_not_ready(tmp_path):
    answer = _probe("/health/ready/", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
                    REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0")  # fmt: skip
    assert answer["status"] == 503
    # the heartbeat lives in Redis too, so the worker cannot be vouched for either
    assert _statuses(answer) == {"database": "ok", "redis": "fail", "worker": "fail"}


@pytest.mark.services
@pytest.mark.django_db
def test_ready_with_everything_up_and_not_ready_once_redis_stops(tmp_path):
    if not shutil.which("redis-server"):
        if IN_CI:
            pytest.fail("CI=true but redis-server is missing: this test starts and stops a Redis of its own")
        pytest.skip("needs redis-server to start and stop a Redis of its own")
    port = _closed_port()
    redis_server = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.1)
        env = {"DATABASE_URL": _postgres_url(), "REDIS_URL": f"redis://127.0.0.1:{port}/0"}

        up = _probe("/health/ready/", heartbeat=True, **env)  # a worker ran the heartbeat task just now
        assert up["status"] == 200, up
        assert _statuses(up) == {"database": "ok", "redis": "ok", "worker": "ok"}

        redis_server.terminate()
        redis_server.wait(timeout=20)
        down = _probe("/health/ready/", **env)
        assert down["status"] == 503 and _statuses(down) == {"database": "ok", "redis": "fail", "worker": "fail"}
    finally:
        if redis_server.poll() is None:
            redis_server.kill()
            redis_server.wait(timeout=10)


@pytest.mark.services
@pytest.mark.django_db
def test_a_real_worker_run_by_beats_schedule_makes_the_shop_ready(celery_worker, client, tasks_go_to_a_worker):
    health.cache.delete(health.HEARTBEAT_KEY)
    assert client.get("/health/ready/").status_code == 503

    heartbeat_task.apply_async(queue=celery_worker["queue"])  # what beat sends every 30 s

    deadline = time.monotonic() + 30
    while (answer := client.get("/health/ready/")).status_code != 200:
        assert time.monotonic() < deadline, answer.json()
        time.sleep(0.3)
    assert answer.json()["checks"]["worker"]["status"] == "ok"
