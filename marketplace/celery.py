"""The Celery app, wired the documented Django way: settings under the CELERY_ namespace, tasks autodiscovered.

Every task uses ``Task`` below: what it enqueues on commit never breaks the request that committed (the database
is the outbox: a sweep redoes what a lost message would have done), and a task that fails for good is written to
the dead-letter list (``FailedTask``) that staff see in the admin."""

import functools
import logging
import os

from celery import Celery, signals
from celery.contrib.django.task import DjangoTask
from django.db import close_old_connections, transaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
logger = logging.getLogger(__name__)


class Task(DjangoTask):
    def delay_on_commit(self, *args, **kwargs) -> None:
        # robust: the data is committed; a broker that is down is logged (Django logs it), not raised to the user
        transaction.on_commit(functools.partial(self.delay, *args, **kwargs), robust=True)

    def apply_async_on_commit(self, *args, **kwargs) -> None:
        transaction.on_commit(functools.partial(self.apply_async, *args, **kwargs), robust=True)

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        """Called once the task has failed for good (retries exhausted, or an error it does not retry)."""
        from marketplace.ops.dead_letters import record_failed_task

        try:
            record_failed_task(
                task_id=task_id, task_name=self.name, args=args, kwargs=kwargs, exception=exc,
                traceback=einfo.traceback if einfo else "", attempts=self.request.retries + 1,
            )  # fmt: skip
        except Exception:  # the database may be what failed: never hide the task's own error behind this one
            logger.exception("could not record the failed task %s [%s]", self.name, task_id)


app = Celery("marketplace", task_cls=Task)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The shop's upkeep (the heartbeat, analytics, product alerts) lives in marketplace.ops, a package of the
# `marketplace` app rather than an app of its own, so the discovery above does not find it: named here, or no worker
# would know beat's tasks. tests/project/test_queues.py checks every beat entry names a task a worker knows.
app.autodiscover_tasks(["marketplace.ops"])


@signals.task_prerun.connect
@signals.task_postrun.connect
def _check_database_connection(sender=None, **kwargs) -> None:
    """Around each task, what Django does around each request: a connection that is broken, past CONN_MAX_AGE or
    left in a failed transaction is closed (the next query opens a new one); a healthy one is kept, since
    CELERY_DB_REUSE_MAX stops Celery closing it every time. An eager task runs inside its caller's transaction."""
    if not getattr(sender.request, "is_eager", False):
        close_old_connections()
