from celery import shared_task
from django.db import OperationalError

TRANSIENT = (OperationalError, ConnectionError)


@shared_task(bind=True, acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=8)
def allocate_payment_task(self, payment_event_id: int) -> None:
    from marketplace.revenue import services

    # this payment and any others waiting, a batch per transaction; then this one again, in case it was captured
    # before payments waited in the database (a message from an older release): nothing if it is booked
    services.allocate_waiting_payments()
    services.allocate_payment(payment_event_id=payment_event_id)


@shared_task(bind=True, acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=8)
def reverse_refund_task(self, refund_id: int) -> None:
    from marketplace.revenue import reversals

    reversals.reverse_refund(refund_id=refund_id)  # does nothing if already reversed


@shared_task(bind=True, acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def allocate_missed_payments_task(self) -> int:
    """The sweep: a payment whose allocation task was lost (a broker restart, a killed worker) is allocated here, and
    a settled refund whose reversal was lost is reversed."""
    from marketplace.revenue import reversals, services

    booked = services.allocate_waiting_payments(max_batches=200)  # up to 100,000 payments whose tasks were lost
    booked += services.allocate_payments(services.unallocated_payment_ids())  # and those that failed before
    refunds = reversals.unreversed_refund_ids()
    for refund_id in refunds:
        reversals.reverse_refund(refund_id=refund_id)
    return booked + len(refunds)


@shared_task(bind=True, acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def run_payouts_task(self) -> int:
    from marketplace.revenue import payouts as paying

    return len(paying.run_payouts())


@shared_task(bind=True, acks_late=True, retry_backoff=True, max_retries=8)
def transfer_payout_task(self, payout_id: int) -> None:
    import stripe

    from marketplace.revenue import payouts as paying

    try:
        paying.transfer_payout(payout_id=payout_id)  # once: keyed by the payout's id
    except (stripe.APIConnectionError, stripe.RateLimitError, *TRANSIENT) as error:
        raise self.retry(exc=error) from error
