"""Two workers that take the same delivery at the same moment (a broker's redelivery and the sweep) send it once:
the conditional UPDATE that claims an attempt lets one of them through, on PostgreSQL as in production."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from marketplace.webhooks import services
from marketplace.webhooks.models import Delivery, Event
from tests import factories

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_workers_racing_for_one_delivery_send_it_once(seeded, receiver):
    store = factories.storefront("Apartment Fab")
    endpoint = services.register_endpoint(storefront=store, url=receiver.url, events=["part.paid"])
    event = Event.objects.create(storefront=store, type="test", data={})
    delivery = Delivery.objects.create(event=event, endpoint=endpoint, next_attempt_at=timezone.now())
    receiver.plan = [(200, 0.3)]  # a slow answer: the others arrive while the first is still sending
    start, outcomes = threading.Barrier(4), []

    def worker():
        try:
            start.wait()
            outcomes.append(services.deliver(delivery_id=delivery.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["delivered", "not due", "not due", "not due"]
    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.attempt_log.count()) == (Delivery.DELIVERED, 1, 1)
