import stripe
from celery import shared_task
from django.db import OperationalError

TRANSIENT = (OperationalError, ConnectionError, stripe.APIConnectionError, stripe.RateLimitError)


@shared_task(bind=True, acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=8)
def process_webhook_event_task(self, webhook_event_id: int) -> None:
    from marketplace.payments import services

    services.process_webhook_event(webhook_event_id=webhook_event_id)  # does nothing if already processed


@shared_task(bind=True, acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=8)
def submit_stripe_refund_task(self, refund_id: int) -> None:
    from marketplace.payments import refunds

    refunds.submit_stripe_refund(refund_id=refund_id)  # does nothing once Stripe has the refund


@shared_task(bind=True, acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def reconcile_payments_task(self) -> None:
    from marketplace.payments import reconcile, services

    services.apply_waiting_events()  # stored events not applied yet (no one answered, or their task failed)
    reconcile.reconcile_payments()  # completes only what Stripe settled and we have not: safe to run again
