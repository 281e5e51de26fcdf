from celery import shared_task
from django.db import OperationalError

from marketplace.checkout import services


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError, ConnectionError),
    retry_backoff=True,
    max_retries=5,
)
def send_order_placed_email_task(self, order_id: int) -> None:
    services.send_order_placed_email(order_id=order_id)  # sends nothing if already sent
