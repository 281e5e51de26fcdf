from celery import shared_task

from marketplace.ops import health


@shared_task(ignore_result=True)
def heartbeat_task() -> None:
    """Beat sends this every 30 s; a worker running it proves beat, the broker and a worker all work."""
    health.record_heartbeat()


@shared_task(ignore_result=True, acks_late=True)
def refresh_analytics_task() -> None:
    """Oscar's analytics counters, rebuilt from orders and baskets (marketplace.ops.analytics); idempotent."""
    from marketplace.ops import analytics

    analytics.refresh_records()


@shared_task(ignore_result=True, acks_late=True)
def send_product_alerts_task() -> None:
    """Oscar's stock alerts for products back in stock (marketplace.partner.alerts); an alert is sent once."""
    from marketplace.partner import alerts

    alerts.send_product_alerts()
