"""The dead-letter list: a task that failed for good is written down here for staff (admin: Failed tasks)."""

import json
import logging

from django.db.models.functions import Greatest

from marketplace.models import FailedTask

logger = logging.getLogger(__name__)
TRACEBACK_LINES = 30


def _json(value):
    return json.loads(json.dumps(value, default=repr))  # a task's arguments are JSON already; anything else as text


def record_failed_task(*, task_id: str, task_name: str, args, kwargs, exception: BaseException, traceback: str,
                       attempts: int) -> FailedTask:  # fmt: skip
    """One row per task id, however often its failure is reported (an eagerly run task reports it once per retry):
    it keeps the most attempts any report gave."""
    fields = {
        "task_name": task_name[:200], "args": _json(list(args or ())), "kwargs": _json(dict(kwargs or {})),
        "exception": repr(exception)[:500], "traceback": "\n".join(str(traceback).splitlines()[-TRACEBACK_LINES:]),
    }  # fmt: skip
    failed, created = FailedTask.objects.get_or_create(task_id=task_id, defaults={**fields, "attempts": attempts})
    if not created:
        FailedTask.objects.filter(pk=failed.pk).update(attempts=Greatest("attempts", attempts), **fields)
        failed.refresh_from_db()
    logger.error("task %s [%s] failed for good after %s attempt(s): %r", task_name, task_id, attempts, exception,
                 extra={"event": "task_dead_letter", "task": task_name, "task_id": task_id})  # fmt: skip
    return failed
