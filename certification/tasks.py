from celery import shared_task
from django.db import OperationalError


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError, ConnectionError), retry_backoff=True,
             max_retries=5)  # fmt: skip
def issue_certificate_task(self, application_id: int) -> None:
    from certification import services

    services.issue_certificate(application_id=application_id)  # returns the existing certificate on a re-run
