"""A real Celery worker process, on Redis and PostgreSQL, runs a task whose effect lands in the database."""

import time

import pytest
from oscar.core.loading import get_model

from marketplace.checkout.tasks import send_order_placed_email_task
from tests.factories import UserFactory, create_order

CommunicationEvent = get_model("order", "CommunicationEvent")


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_real_worker_sends_the_order_placed_email_once(celery_worker):
    # given a placed order, committed so that the worker's own connection sees it
    order = create_order(user=UserFactory(email="buyer@example.com"))

    # when the task is sent twice through Redis to a real worker
    for _ in range(2):
        send_order_placed_email_task.apply_async(kwargs={"order_id": order.pk}, queue=celery_worker["queue"])

    # then the worker records exactly one order-placed event and writes one email
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if celery_worker["log"].read_text().count("succeeded") >= 2:
            break
        time.sleep(0.3)
    else:
        pytest.fail("the worker did not run both tasks:\n" + celery_worker["log"].read_text())
    sent = list(celery_worker["mail"].glob("*.log"))
    assert CommunicationEvent.objects.filter(order=order, event_type__code="ORDER_PLACED").count() == 1
    assert len(sent) == 1
    assert str(order.number) in sent[0].read_text()
