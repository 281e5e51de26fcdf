from celery import shared_task
from django.db import OperationalError


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError, ConnectionError), retry_backoff=True,
             max_retries=5)  # fmt: skip
def ask_operators_task(self, version_id: int) -> None:
    from marketplace.contract import services

    services.ask_operators(version_id=version_id)  # asks each operator once, however often it runs
