"""Webhook deliveries, sent by a worker: each task loads a delivery by id and sends its due attempt (a rerun, or two
workers at once, send nothing twice); the sweep sends what is due if a task was lost or a retry came due."""

from celery import shared_task
from django.db import OperationalError

from marketplace.webhooks import services


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def deliver_task(*, delivery_id: int) -> str:
    return services.deliver(delivery_id=delivery_id)


@shared_task(acks_late=True)
def deliver_due_task() -> int:
    due = services.due_delivery_ids()
    for delivery_id in due:
        deliver_task.delay(delivery_id=delivery_id)
    return len(due)
