"""The shop's three queues (money, fulfilment, mail) under names of one test's own.

Tests that start real workers share one Redis with the other test processes of the run (and with other runs on the
same machine), each on a database of its own: a worker taking another run's message would look for rows it cannot
see. So each such test keeps the routing table of marketplace/settings.py and prefixes every queue's name, in the
test process (what the services enqueue) and in its workers (what their tasks enqueue, and what they consume)."""

import json
from contextlib import contextmanager

import redis
from django.conf import settings

from marketplace.celery import app as celery_app

KINDS = ("money", "fulfilment", "mail")

# The worker process: the test's own queue names, then `celery worker` with the rest of the command line.
WORKER = """
import sys
from marketplace.celery import app
from tests.queues import own_routing
app.conf.update(own_routing(sys.argv[1]))
app.worker_main(["worker", *sys.argv[2:]])
"""


def queue_names(prefix: str) -> dict[str, str]:
    """Each kind's queue under this prefix: {"money": f"{prefix}money", ...}."""
    assert {queue.name for queue in settings.CELERY_TASK_QUEUES} == set(KINDS)
    return {kind: f"{prefix}{kind}" for kind in KINDS}


def own_routing(prefix: str) -> dict:
    """Celery's routing settings with every queue under ``prefix``; the patterns are the shop's own."""
    routes = {pattern: {**route, "queue": f"{prefix}{route['queue']}"}
              for pattern, route in settings.CELERY_TASK_ROUTES.items()}  # fmt: skip
    return {"task_routes": routes, "task_default_queue": f"{prefix}{settings.CELERY_TASK_DEFAULT_QUEUE}"}


@contextmanager
def routed_to_own_queues(prefix: str):
    """While inside, what this process enqueues goes to the prefixed queues (``update`` rebuilds Celery's router)."""
    celery_app.conf.update(own_routing(prefix))
    try:
        yield queue_names(prefix)
    finally:
        celery_app.conf.update(own_routing(""))


def forget_queues(prefix: str) -> None:
    """Delete what the test's queues left in Redis: messages, bindings, and messages taken but not acknowledged
    (by a worker killed, or stopped by a test that failed half way)."""
    names = set(queue_names(prefix).values())
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        for name in names:
            client.delete(name, f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}")
        for tag, value in client.hgetall("unacked").items():
            if json.loads(value)[2] in names:
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)
    finally:
        client.close()
