"""Health endpoints for load balancers and orchestrators.

``/health/live/``   the process answers; touches neither the database nor Redis (restart the process when it fails).
``/health/ready/``  the process can serve: the database answers a query, Redis a ping (when ``REDIS_URL`` is set)
                    and a Celery worker ran the heartbeat task lately (when tasks do not run in-process). 200 when
                    every check passes, 503 when one fails; a check the embedded default does not use says so.

Both answer JSON, are never cached, need no login and write nothing. They are served by a middleware placed first,
because load balancers probe by address over plain HTTP: before host validation and the HTTPS redirect.
"""

import logging
import time

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import HttpResponseNotAllowed, JsonResponse
from django.utils.cache import add_never_cache_headers

from marketplace.celery import app as celery_app

logger = logging.getLogger(__name__)

HEARTBEAT_KEY = "health:worker-heartbeat"
OK, FAIL, NOT_USED = "ok", "fail", "not used"


class NotReady(Exception):
    pass


def record_heartbeat() -> float:
    """Write the time a worker ran the heartbeat task (beat sends it every 30 s) where every web process reads it."""
    now = time.time()
    cache.set(HEARTBEAT_KEY, now, timeout=24 * 3600)
    return now


def check_database() -> dict:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"status": OK}


def check_redis() -> dict:
    if not settings.REDIS_URL:
        return {"status": NOT_USED}
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return {"status": OK}


def check_worker() -> dict:
    if celery_app.conf.task_always_eager:
        return {"status": NOT_USED}  # tasks run in-process: there is no worker to wait for
    beat = cache.get(HEARTBEAT_KEY)
    if beat is None:
        raise NotReady("no worker heartbeat yet")
    age = round(time.time() - float(beat))
    if age > settings.HEALTH_WORKER_MAX_AGE:
        raise NotReady(f"last worker heartbeat {age} s ago")
    return {"status": OK, "age_seconds": age}


CHECKS = {"database": check_database, "redis": check_redis, "worker": check_worker}


def _json(body: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(body, status=status)
    add_never_cache_headers(response)
    return response


def live(request) -> JsonResponse:
    return _json({"status": "alive"})


def ready(request) -> JsonResponse:
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except NotReady as exc:
            results[name] = {"status": FAIL, "error": str(exc)}
        except Exception as exc:  # noqa: BLE001 - any failure of a dependency means "not ready"
            logger.warning("readiness check %s failed: %r", name, exc)
            # the class only: the message can name hosts and ports, and this page needs no login
            results[name] = {"status": FAIL, "error": type(exc).__name__}
    is_ready = all(result["status"] != FAIL for result in results.values())
    return _json({"status": "ready" if is_ready else "not ready", "checks": results}, status=200 if is_ready else 503)


ENDPOINTS = {"/health/live/": live, "/health/ready/": ready}


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        endpoint = ENDPOINTS.get(request.path_info)
        if endpoint is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return endpoint(request)
