from celery import shared_task

from marketplace import health


@shared_task(ignore_result=True)
def heartbeat_task() -> None:
    """Beat sends this every 30 s; a worker running it proves beat, the broker and a worker all work."""
    health.record_heartbeat()
