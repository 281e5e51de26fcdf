"""Apartment Fab's webhook endpoint, with a few deliveries in its log. The demo never calls anything: the endpoint
points at the demo shop's own receiver (``/webhooks/demo-receiver/<id>/``, routed only when DEBUG is on, which checks
the signature), and its log is recorded as data: a paid part delivered at once, a refund delivered at the second
attempt after a 500, an out-of-stock event still waiting for its retry, and a test event."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from marketplace.fulfilment.models import OperatorOrder
from marketplace.payments.models import Refund
from marketplace.storefronts.models import Storefront
from marketplace.webhooks import events, services
from marketplace.webhooks.models import (
    OFFER_OUT_OF_STOCK,
    PART_PAID,
    PART_REFUNDED,
    TEST,
    Attempt,
    Delivery,
    Endpoint,
    Event,
)

STOREFRONT = "apartment-fab"
DESCRIPTION = "Print farm queue (the demo's own receiver)"


def _record(endpoint, *, event_type, key, data, answers, age: timedelta) -> None:
    """An event and its delivery with ``answers`` (status codes, None for a timeout) as its attempts so far."""
    if Event.objects.filter(key=key).exists():
        return
    started = timezone.now() - age
    event = Event.objects.create(storefront=endpoint.storefront, type=event_type, key=key, data=data)
    Event.objects.filter(pk=event.pk).update(created_at=started)
    event.refresh_from_db()
    delivery = Delivery.objects.create(event=event, endpoint=endpoint, next_attempt_at=started)
    payload = services.body(event)
    for number, status in enumerate(answers, start=1):
        moment = started + timedelta(minutes=sum(services.BACKOFF[: number - 1]) // 60)
        ok = status is not None and status < 300
        excerpt = f'{{"received": "{event.public_id}"}}' if ok else ('{"error": "database locked"}' if status else "")
        Attempt.objects.create(
            delivery=delivery, number=number, started_at=moment, duration_ms=140 if status else 10000,
            url=endpoint.url, request_headers=services.headers(delivery, payload, timestamp=int(moment.timestamp())),
            status_code=status, succeeded=ok, response_excerpt=excerpt, error="" if status else "timed out: timed out",
        )  # fmt: skip
    last = answers[-1]
    delivered = last is not None and last < 300
    failures = 0 if delivered else len(answers)
    Delivery.objects.filter(pk=delivery.pk).update(
        attempts=len(answers), failures=failures, last_status_code=last,
        status=Delivery.DELIVERED if delivered else Delivery.PENDING,
        delivered_at=started if delivered else None,
        next_attempt_at=None if delivered else timezone.now() + timedelta(seconds=services.BACKOFF[failures - 1]),
    )  # fmt: skip


def load_webhooks() -> Endpoint | None:
    storefront = Storefront.objects.filter(slug=STOREFRONT).select_related("partner").first()
    if storefront is None or storefront.partner_id is None:
        return None
    endpoint = Endpoint.objects.filter(storefront=storefront, description=DESCRIPTION).first()
    if endpoint is None:
        endpoint = Endpoint.objects.create(storefront=storefront, url="https://placeholder.invalid/",
                                           events=[PART_PAID, PART_REFUNDED, OFFER_OUT_OF_STOCK],
                                           description=DESCRIPTION)  # fmt: skip
        endpoint.url = settings.SITE_URL.rstrip("/") + f"/webhooks/demo-receiver/{endpoint.pk}/"  # DEBUG only
        endpoint.save(update_fields=["url"])
    parts = OperatorOrder.objects.filter(partner=storefront.partner).exclude(
        status__in=(OperatorOrder.AWAITING_PAYMENT, OperatorOrder.CANCELLED)
    ).select_related("order").order_by("-pk")  # fmt: skip
    for age, part in enumerate(parts[:2], start=1):
        _record(endpoint, event_type=PART_PAID, key=f"{PART_PAID}:{part.pk}", data=events.part_data(part),
                answers=[200], age=timedelta(days=age * 3))  # fmt: skip
    refund = Refund.objects.filter(operator_order__partner=storefront.partner, status=Refund.SUCCEEDED).first()
    if refund is not None:
        _record(endpoint, event_type=PART_REFUNDED, key=f"{PART_REFUNDED}:{refund.pk}",
                data=events.refund_data(refund), answers=[500, 200], age=timedelta(days=2))  # fmt: skip
    offer = storefront.partner.stockrecords.select_related("product").filter(num_in_stock__isnull=False).first()
    if offer is not None:
        data = events.offer_data(offer)
        data["offer"].update(num_in_stock=offer.num_allocated or 0, available=0)  # as it stood when it ran out
        _record(endpoint, event_type=OFFER_OUT_OF_STOCK, key=f"demo:{OFFER_OUT_OF_STOCK}:{offer.pk}", data=data,
                answers=[503, None], age=timedelta(minutes=7))  # fmt: skip
    _record(endpoint, event_type=TEST, key=f"demo:{TEST}:{endpoint.pk}", answers=[200], age=timedelta(minutes=2),
            data={"message": "A test event from the Open Source Store: your endpoint is reachable and verifies "
                             "signatures.", "endpoint_url": endpoint.url})  # fmt: skip
    return endpoint
