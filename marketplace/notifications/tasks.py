from celery import shared_task
from django.db import OperationalError

TRANSIENT = (OperationalError, ConnectionError, TimeoutError)


@shared_task(bind=True, acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=8)
def send_order_email_task(self, *, order_id: int, code: str, key: str, **extra) -> bool:
    """Send one e-mail about an order (once per key: a repeated or retried task sends nothing)."""
    from marketplace.notifications import context_objects, services

    return services.send(order_id=order_id, code=code, key=key, **context_objects.load(extra))
