"""Allocation on real Celery workers, Redis and PostgreSQL: a payment delivered several times at once is booked
once, and a worker killed in the middle of a batch loses nothing and books nothing twice."""

import re
import signal
import threading
import time
from contextlib import contextmanager
from itertools import cycle

import pytest
from django.db import connection, transaction
from oscar.core.loading import get_model

from marketplace.payments.services import confirm_offline_payment
from marketplace.revenue import selectors, services
from marketplace.revenue.models import JournalEntry, PendingAllocation, Posting
from marketplace.revenue.tasks import allocate_payment_task

PaymentEvent = get_model("order", "PaymentEvent")
FINISHED = re.compile(r"allocate_payment_task\[[0-9a-f-]+\] (succeeded|raised)")
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _wait_for(condition, *, seconds: float, workers, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen in {seconds} s:\n{workers.logs()[-5000:]}")
        time.sleep(0.2)


def _sessions_waiting_for_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


@contextmanager
def _reference_held(reference: str):
    """Another session holds an uncommitted entry with this reference, so every worker that tries to book it waits
    on the unique index; it rolls back on leaving the block, and the waiting workers race."""
    holding, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                JournalEntry.objects.create(reference=reference, kind=JournalEntry.ALLOCATION, amount=0)
                holding.set()
                release.wait(timeout=60)
                transaction.set_rollback(True)
        finally:
            connection.close()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert holding.wait(timeout=10)
    try:
        yield
    finally:
        release.set()
        thread.join(timeout=10)


def test_a_payment_delivered_three_times_at_once_is_allocated_once(seeded, shop, place_order, staff, celery_workers):
    # given a paid order whose allocation waits in Redis, and two more deliveries of it
    workers = celery_workers
    order = place_order(dict.fromkeys(shop["offers"].values(), 1))
    confirm_offline_payment(order_id=order.pk, actor=staff)  # enqueues its allocation on commit
    payment = order.payment_events.get()
    allocate_payment_task.delay(payment_event_id=payment.pk)
    allocate_payment_task.delay(payment_event_id=payment.pk)

    # when three worker processes take them at once and all reach the booking together
    with _reference_held(f"payment:{payment.pk}"):
        workers.start(pool="prefork", concurrency=4)
        _wait_for(lambda: _sessions_waiting_for_a_lock() >= 3, seconds=30, workers=workers,
                  what="three allocations waiting on the same booking")  # fmt: skip
    _wait_for(lambda: len(FINISHED.findall(workers.logs())) >= 3, seconds=30, workers=workers,
              what="all three allocations")  # fmt: skip

    # then one of them booked it and the others saw it booked; none failed
    log = workers.logs()
    assert FINISHED.findall(log) == ["succeeded"] * 3, log
    assert "ERROR" not in log, log
    entry = JournalEntry.objects.get(order=order)
    assert entry.reference == f"payment:{payment.pk}" and entry.amount == payment.amount
    assert Posting.objects.filter(entry__kind=JournalEntry.ALLOCATION).count() == entry.postings.count()
    assert selectors.ledger_total() == 0


BATCH = 200


def test_a_worker_killed_in_the_middle_of_a_batch_allocates_every_order_exactly_once(
    seeded, shop, place_order, staff, celery_workers
):
    # given a batch of paid orders whose allocations (and fulfilments) wait in Redis: no worker runs yet
    workers = celery_workers
    offers = cycle(shop["offers"].values())
    with transaction.atomic():
        orders = [place_order({next(offers): 1}) for _ in range(BATCH)]
        for order in orders:
            confirm_offline_payment(order_id=order.pk, actor=staff)
    payments = dict(PaymentEvent.objects.filter(order__in=orders).values_list("pk", "amount"))
    # an allocation, a fulfilment and the shopper's "payment received" e-mail each
    assert len(payments) == BATCH and workers.waiting() == 3 * BATCH
    allocated = JournalEntry.objects.filter(kind=JournalEntry.ALLOCATION)

    # when a worker starts on them and is killed in the middle of its batch: while it books them, in one
    # transaction, another session holds one of the references, so the worker waits there, holding messages. One
    # child, so one batch takes every waiting payment (four would each take allocations from the money queue at
    # once and share the payments out, SKIP LOCKED, and those without the held one would book theirs).
    held = f"payment:{sorted(payments)[BATCH // 2]}"
    with _reference_held(held):
        first = workers.start(pool="prefork", concurrency=1)
        _wait_for(lambda: _sessions_waiting_for_a_lock() >= 1 and workers.taken("allocate_payment_task"), seconds=60,
                  workers=workers, what="a batch in the middle of its booking")  # fmt: skip
        first.signal(signal.SIGSTOP)
        in_flight = workers.taken("allocate_payment_task")
        first.kill()
    assert in_flight, "the worker never held an allocation"
    time.sleep(1)  # the killed worker's session, freed from its wait, finds its client gone and rolls back
    assert allocated.count() == 0, "a batch was booked in part"
    assert PendingAllocation.objects.count() == BATCH
    time.sleep(workers.visibility_timeout + 0.5)  # what it had taken becomes visible again

    # and another worker takes over
    workers.start(pool="prefork", concurrency=4)
    _wait_for(lambda: allocated.count() == BATCH and not workers.waiting("allocate_payment_task"), seconds=90,
              workers=workers, what="the rest of the batch, and what the killed worker had taken")  # fmt: skip

    # then what the killed worker held was handed to the new one, every order is allocated, exactly once, and the
    # ledger balances
    second_log = workers.started[1].log.read_text()
    for message in in_flight:
        assert f"allocate_payment_task[{message['id']}] succeeded" in second_log
    booked = list(allocated.values_list("reference", "amount"))
    assert sorted(booked) == sorted((f"payment:{pk}", amount) for pk, amount in payments.items())
    assert services.unallocated_payment_ids() == [] and not PendingAllocation.objects.exists()
    assert selectors.ledger_total() == 0
    assert not selectors.unbalanced_entries().exists()
