import logging

from celery import shared_task
from django.db import OperationalError

logger = logging.getLogger(__name__)

TRANSIENT = (OperationalError, ConnectionError, TimeoutError)


@shared_task(bind=True, acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=8)
def fulfil_order_task(self, order_id: int) -> None:
    """Tell each operator about its paid part, and deliver every line in a task of its own."""
    from marketplace.fulfilment import services

    for line_id in services.paid_line_ids(order_id=order_id):
        fulfil_line_task.delay(line_id=line_id)
    for part_id in services.part_ids(order_id=order_id):
        notify_operator_task.delay(part_id=part_id)


@shared_task(bind=True, acks_late=True, max_retries=6)
def fulfil_line_task(self, line_id: int) -> None:
    from marketplace.fulfilment import delivery

    try:
        delivery.fulfil_line(line_id=line_id)  # does nothing if already delivered
    except TRANSIENT as error:
        if self.request.retries >= self.max_retries:
            delivery.record_failure(line_id=line_id, error=f"gave up after {self.request.retries} retries: {error!r}")
            raise
        raise self.retry(exc=error, countdown=min(2**self.request.retries, 300)) from error
    except Exception as error:  # a bug or bad data: no retry helps; staff see it on the line and in the log
        logger.exception("fulfilment of order line %s failed", line_id)
        delivery.record_failure(line_id=line_id, error=repr(error))


@shared_task(bind=True, acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def fulfil_missed_lines_task(self) -> int:
    """The sweep: a paid line whose fulfilment task was lost (a broker restart, a killed worker) is delivered here."""
    from marketplace.fulfilment import delivery, services

    missed = services.unfulfilled_paid_line_ids()
    for line_id in missed:
        try:
            delivery.fulfil_line(line_id=line_id)  # does nothing if delivered in the meantime
        except TRANSIENT:
            raise
        except Exception as error:  # as fulfil_line_task: staff see it on the line; the sweep goes on
            logger.exception("fulfilment of order line %s failed", line_id)
            delivery.record_failure(line_id=line_id, error=repr(error))
    return len(missed)


@shared_task(bind=True, acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=8)
def notify_operator_task(self, part_id: int) -> None:
    from marketplace.fulfilment import services

    services.notify_operator(part_id=part_id)  # once per part


@shared_task(bind=True, acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=8)
def notify_shopper_shipped_task(self, part_id: int) -> None:
    from marketplace.fulfilment import services

    services.notify_shopper_shipped(part_id=part_id)  # once per part


@shared_task(bind=True, acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def deliver_shipped_parts_task(self) -> int:
    """Parts shipped ``DELIVERED_AFTER_DAYS`` ago that nobody marked delivered are taken as delivered."""
    from marketplace.fulfilment import services

    return services.deliver_shipped_parts()


@shared_task(bind=True, acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def remind_and_cancel_unpaid_task(self) -> dict:
    from marketplace.fulfilment import unpaid

    return unpaid.remind_and_cancel()  # each reminder and cancellation once: safe to run again
