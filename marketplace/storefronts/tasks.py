from celery import shared_task
from django.db import OperationalError


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError, ConnectionError), retry_backoff=True,
             max_retries=5)  # fmt: skip
def send_storefront_event_email_task(self, event_id: int) -> None:
    from marketplace.storefronts import services

    services.send_event_email(event_id=event_id)  # sends nothing if already sent
