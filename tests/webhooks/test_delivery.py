"""Delivering an event: retried with backoff (1 min, 5 min, 30 min, 2 h, 12 h, then failed) when the operator's
system answers an error or does not answer in time; each attempt logged; never sent twice by a rerun or by two
workers; sent again by hand with the same event id."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from marketplace.webhooks import events, services, signing
from marketplace.webhooks.models import Delivery
from marketplace.webhooks.tasks import deliver_due_task, deliver_task

pytestmark = pytest.mark.django_db


def _test_delivery(endpoint, capture) -> Delivery:
    with capture(execute=True):
        event = events.test_event(endpoint=endpoint)
    return Delivery.objects.get(event=event)


def test_errors_and_timeouts_are_retried_after_growing_waits_then_delivered(
    endpoint, receiver, clock, django_capture_on_commit_callbacks
):
    # given the operator's system answers 500, then is too slow, then 503, then 200
    receiver.plan = [(500, 0), (200, 1.2), (503, 0)]
    delivery = _test_delivery(endpoint, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (Delivery.PENDING, 1, 500)
    first_wait = delivery.next_attempt_at - timezone.now()
    assert timedelta(seconds=55) < first_wait <= timedelta(seconds=60)

    # when the sweep runs before the wait is over, nothing is sent
    assert deliver_due_task() == 0
    assert len(receiver.requests) == 1

    waits = []
    for _attempt in range(3):
        delivery.refresh_from_db()
        clock.move_to(delivery.next_attempt_at + timedelta(seconds=1))
        deliver_due_task()
        delivery.refresh_from_db()
        if delivery.next_attempt_at:
            waits.append(round((delivery.next_attempt_at - timezone.now()).total_seconds() / 60))

    # then it was delivered at the fourth attempt, after waits of 1, 5 and 30 minutes
    assert waits == [5, 30]
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (Delivery.DELIVERED, 4, 200)
    log = list(delivery.attempt_log.order_by("number"))
    assert [attempt.status_code for attempt in log] == [500, None, 503, 200]
    assert "timed out" in log[1].error and log[0].response_excerpt == '{"error": "planned"}'
    assert all(attempt.duration_ms >= 0 and attempt.request_headers["OSS-Event"] for attempt in log)
    # every attempt carried the same event id and body, each signed afresh
    bodies = {request["body"] for request in receiver.requests}
    assert len(bodies) == 1 and len(receiver.requests) == 4
    assert all(signing.verify(r["body"], r["headers"]["OSS-Signature"], endpoint.secret) for r in receiver.requests)


def test_after_the_last_wait_a_delivery_has_failed(endpoint, receiver, clock, django_capture_on_commit_callbacks):
    receiver.plan = [(500, 0)] * 10
    delivery = _test_delivery(endpoint, django_capture_on_commit_callbacks)
    for _attempt in range(len(services.BACKOFF)):
        delivery.refresh_from_db()
        clock.move_to(delivery.next_attempt_at + timedelta(seconds=1))
        deliver_due_task()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (Delivery.FAILED, 6, None)
    clock.move_to(timezone.now() + timedelta(days=2))
    assert deliver_due_task() == 0 and len(receiver.requests) == 6


def test_a_rerun_or_a_second_worker_sends_nothing_twice(endpoint, receiver, django_capture_on_commit_callbacks):
    delivery = _test_delivery(endpoint, django_capture_on_commit_callbacks)
    assert Delivery.objects.get(pk=delivery.pk).status == Delivery.DELIVERED

    assert deliver_task(delivery_id=delivery.pk) == "not due"  # the broker hands the task out again
    assert deliver_due_task() == 0
    assert len(receiver.requests) == 1

    # two workers at once: the first claims the attempt, the second finds it taken
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.PENDING, next_attempt_at=timezone.now())
    assert services._claim(delivery.pk, timezone.now()) is True
    assert services.deliver(delivery_id=delivery.pk) == "not due"
    assert len(receiver.requests) == 1


def test_a_delivery_whose_worker_died_mid_send_is_sent_by_the_sweep(
    endpoint, receiver, clock, django_capture_on_commit_callbacks
):
    receiver.plan = [(500, 0)]
    delivery = _test_delivery(endpoint, django_capture_on_commit_callbacks)
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.SENDING, claimed_at=timezone.now())
    assert deliver_due_task() == 0  # a worker may still be sending it
    clock.move_to(timezone.now() + services.STALE_SENDING + timedelta(seconds=1))
    assert deliver_due_task() == 1
    assert Delivery.objects.get(pk=delivery.pk).status == Delivery.DELIVERED


def test_send_again_keeps_the_event_id_and_is_rate_limited(
    endpoint, receiver, clock, django_capture_on_commit_callbacks
):
    delivery = _test_delivery(endpoint, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.replay(delivery=delivery)
    first, again = receiver.requests
    assert first["headers"]["OSS-Event"] == again["headers"]["OSS-Event"] == delivery.event.public_id
    assert json.loads(first["body"])["id"] == json.loads(again["body"])["id"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.DELIVERED, 2)
    assert [attempt.manual for attempt in delivery.attempt_log.order_by("number")] == [False, True]

    with pytest.raises(ValidationError, match="less than a minute ago"):
        services.replay(delivery=delivery)
    clock.move_to(timezone.now() + timedelta(seconds=61))
    with django_capture_on_commit_callbacks(execute=True):
        services.replay(delivery=delivery)
    assert len(receiver.requests) == 3


def test_signatures_are_refused_when_tampered_old_or_keyed_otherwise():
    body = b'{"id":"evt_1","type":"test"}'
    header = signing.sign(body, "whsec_a")
    assert signing.verify(body, header, "whsec_a")
    assert not signing.verify(body + b" ", header, "whsec_a")
    assert not signing.verify(body, header, "whsec_b")
    old = signing.sign(body, "whsec_a", timestamp=int(timezone.now().timestamp()) - 301)
    assert not signing.verify(body, old, "whsec_a")
    assert signing.verify(body, old, "whsec_a", tolerance=400)
    assert not signing.verify(body, "t=abc,v1=00", "whsec_a") and not signing.verify(body, "", "whsec_a")


def test_a_rolled_secret_signs_the_next_attempt(endpoint, receiver, django_capture_on_commit_callbacks):
    old = endpoint.secret
    services.roll_secret(endpoint=endpoint)
    _test_delivery(endpoint, django_capture_on_commit_callbacks)
    [request] = receiver.requests
    assert signing.verify(request["body"], request["headers"]["OSS-Signature"], endpoint.secret)
    assert not signing.verify(request["body"], request["headers"]["OSS-Signature"], old)
