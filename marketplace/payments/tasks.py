from celery import shared_task
from django.db import OperationalError


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError, ConnectionError), retry_backoff=True,
             max_retries=8)  # fmt: skip
def process_webhook_event_task(self, webhook_event_id: int) -> None:
    from marketplace.payments import services

    services.process_webhook_event(webhook_event_id=webhook_event_id)  # does nothing if already processed
