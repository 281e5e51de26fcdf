"""True Fans workers: the reminder for standing-order months that did not arrive (beat), and the operators' updates
to their supporters."""

import smtplib

from celery import shared_task
from django.db import OperationalError

TRANSIENT = (OperationalError, ConnectionError, TimeoutError)


@shared_task(bind=True, acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def remind_missed_months_task(self) -> int:
    from marketplace.supporters import services

    return services.remind_missed_months()  # one reminder per plan and due month: safe to run again


@shared_task(bind=True, acks_late=True, autoretry_for=(*TRANSIENT, smtplib.SMTPException), retry_backoff=True,
             max_retries=5)  # fmt: skip
def send_supporter_update_task(self, update_id: int) -> int:
    from marketplace.supporters import updates

    return updates.deliver_update(update_id=update_id)  # an UpdateDelivery row per supporter: safe to run again
