"""Background work survives what production does to it: workers killed with SIGKILL again and again, a broker that
goes away while orders are paid, and a task that fails every time.

The database is the outbox: a captured payment, a settled refund and a paid line are facts in PostgreSQL; the
messages in Redis only say "do it now". What a lost message would have done, the beat sweeps
(``allocate_missed_payments_task``, ``fulfil_missed_lines_task``) do; what a redelivered message does twice, the
unique ledger reference (and the line's fulfilment row lock) does once."""

# ruff: noqa: F811  (the fixtures imported from tests/revenue/conftest.py are test arguments here)
import json
import logging
import signal
import socket
import subprocess
import time
import uuid
from contextlib import contextmanager
from copy import copy
from itertools import cycle

import pytest
import redis
from django.db import OperationalError, connection, transaction
from oscar.core.loading import get_model

from marketplace.celery import app as celery_app
from marketplace.fulfilment.models import LineFulfilment, OperatorOrder
from marketplace.fulfilment.refunds import request_refund
from marketplace.fulfilment.tasks import fulfil_missed_lines_task
from marketplace.models import FailedTask
from marketplace.payments.services import confirm_offline_payment
from marketplace.revenue import selectors, services, verification
from marketplace.revenue.models import JournalEntry
from marketplace.revenue.tasks import allocate_missed_payments_task, allocate_payment_task
from tests.revenue.conftest import celery_workers, place_order, shop, staff  # noqa: F401  (fixtures)

Order = get_model("order", "Order")
Line = get_model("order", "Line")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")


def _wait_for(condition, *, seconds: float, what: str, log=lambda: "") -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen in {seconds} s:\n{log()[-5000:]}")
        time.sleep(0.05)


# --- a task that always fails -----------------------------------------------------------------------------------


@contextmanager
def _failures_not_raised():
    """Run tasks in-process as a worker does: a failure ends the task (and is reported) instead of reaching the
    caller; raising it would stop an in-process task at its first retry, before it fails for good."""
    celery_app.conf.task_eager_propagates = False
    try:
        yield
    finally:
        celery_app.conf.task_eager_propagates = True


@pytest.mark.django_db
def test_a_task_that_always_fails_stops_after_its_retries_with_backoff_and_lands_in_the_dead_letters(monkeypatch):
    # given the allocation of a payment whose database connection fails every time
    attempts, countdowns = [], []

    def unreachable(*, payment_event_id):
        attempts.append(payment_event_id)
        raise OperationalError("could not connect to server: Connection refused")

    retry = allocate_payment_task.retry

    def recorded_retry(*args, **kwargs):
        countdowns.append(kwargs.get("countdown"))
        return retry(*args, **kwargs)

    monkeypatch.setattr(services, "allocate_payment", unreachable)
    monkeypatch.setattr(allocate_payment_task, "retry", recorded_retry)

    # when it runs (in-process, each retry at once)
    with _failures_not_raised():
        result = allocate_payment_task.delay(payment_event_id=4242)

    # then it ran once and retried max_retries (8) times, each retry waiting up to twice as long as the one before
    # (full jitter: a random wait between 0 and 1, 2, 4, ... 128 s), and gave up with the error
    assert result.state == "FAILURE" and isinstance(result.result, OperationalError)
    assert allocate_payment_task.max_retries == 8
    assert len(attempts) == 9 and len(countdowns) == 9  # the ninth call to retry raises the error instead
    for number, countdown in enumerate(countdowns[:8]):
        assert 0 <= countdown <= 2**number
    # and one dead letter says which task, with what, why and how often
    failed = FailedTask.objects.get()
    assert failed.task_name == "marketplace.revenue.tasks.allocate_payment_task"
    assert failed.kwargs == {"payment_event_id": 4242} and failed.attempts == 9
    assert "Connection refused" in failed.exception and "OperationalError" in failed.traceback


@pytest.mark.django_db
def test_staff_read_dead_letters_and_the_ledger_in_the_admin_and_change_or_delete_nothing(admin_client, monkeypatch):
    from marketplace.revenue.models import Account, AllocationPolicy, Payout

    monkeypatch.setattr(services, "allocate_payment", lambda **kwargs: 1 / 0)  # a bug: no retry helps
    with _failures_not_raised():
        allocate_payment_task.delay(payment_event_id=7)
    failed = FailedTask.objects.get()
    assert failed.attempts == 1  # not a transient error: never retried

    page = admin_client.get("/admin/marketplace/failedtask/")
    assert page.status_code == 200 and "marketplace.revenue.tasks.allocate_payment_task" in page.content.decode()
    detail = admin_client.get(f"/admin/marketplace/failedtask/{failed.pk}/change/")
    assert detail.status_code == 200 and "ZeroDivisionError" in detail.content.decode()
    assert admin_client.post(f"/admin/marketplace/failedtask/{failed.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.get("/admin/marketplace/failedtask/add/").status_code == 403
    # the ledger's records: no add, no delete (nor the bulk delete action), no edit of an entry
    for model in (FailedTask, Account, AllocationPolicy, JournalEntry, Payout):
        opts = model._meta
        assert admin_client.get(f"/admin/{opts.app_label}/{opts.model_name}/add/").status_code == 403
        changelist = admin_client.get(f"/admin/{opts.app_label}/{opts.model_name}/")
        assert changelist.status_code == 200 and "delete_selected" not in changelist.content.decode()
    assert "/admin/revenue/posting/" not in admin_client.get("/admin/").content.decode()  # postings: inline only


# --- workers killed with SIGKILL, twenty times ------------------------------------------------------------------


def _unacked_tags(queue: str) -> set[str]:
    """The delivery tags of this queue's messages a worker took and has not acknowledged (a message handed out
    again gets a new tag)."""
    client = redis.Redis.from_url(celery_app.conf.broker_url)
    try:
        return {tag for tag, value in client.hgetall("unacked").items() if json.loads(value)[2] == queue}
    finally:
        client.close()


ORDERS, KILLS = 1000, 20


def _paid_orders_cloned_from(templates: list, count: int) -> list[int]:
    """``count`` paid orders, copies of the ``templates`` (placed and paid through the services): their lines, their
    operators' parts and one captured payment each, written in bulk. What allocation reads is what a real paid order
    has; only Oscar's checkout bookkeeping (baskets, sources, stock) is not copied."""
    paid_type = PaymentEventType.objects.get(code="paid")
    plans = [templates[i % len(templates)] for i in range(count)]
    orders = []
    for number, template in enumerate(plans):
        order = copy(template)
        order.pk = order.id = None
        order.number, order.basket_id = f"C{uuid.uuid4().hex[:8]}{number:05d}", None
        orders.append(order)
    Order.objects.bulk_create(orders, batch_size=500)
    lines, parts, events = [], [], []
    for order, template in zip(orders, plans, strict=True):
        for line in template._lines:
            clone = copy(line)
            clone.pk = clone.id = None
            clone.order = order
            lines.append(clone)
        for part in template._parts:
            clone = copy(part)
            clone.pk = clone.id = None
            clone.order = order
            parts.append(clone)
        events.append(PaymentEvent(order=order, amount=order.total_incl_tax, reference="SEPA bulk",
                                   event_type=paid_type))  # fmt: skip
    Line.objects.bulk_create(lines, batch_size=1000)
    OperatorOrder.objects.bulk_create(parts, batch_size=1000)
    PaymentEvent.objects.bulk_create(events, batch_size=1000)
    return [event.pk for event in events]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_workers_killed_twenty_times_allocate_a_thousand_paid_orders_exactly_once(
    seeded,
    shop,
    place_order,
    staff,
    celery_workers,
):
    # given 1,000 paid orders (three placed and paid through the services, the rest copies of them) whose
    # allocations wait in Redis
    workers = celery_workers
    templates = []
    with transaction.atomic():
        for offer in shop["offers"].values():
            order = place_order({offer: 1})
            confirm_offline_payment(order_id=order.pk, actor=staff)
            order.refresh_from_db()
            order._lines, order._parts = list(order.lines.all()), list(OperatorOrder.objects.filter(order=order))
            templates.append(order)
    redis.Redis.from_url(celery_app.conf.broker_url).delete(*workers.queues.values())  # the templates' own tasks
    with transaction.atomic():
        ids = _paid_orders_cloned_from(templates, ORDERS - len(templates))
    payments = dict(PaymentEvent.objects.filter(event_type__code="paid").values_list("pk", "amount"))
    assert len(payments) == ORDERS and set(ids) < set(payments)
    for payment_event_id in sorted(payments):
        allocate_payment_task.delay(payment_event_id=payment_event_id)
    assert workers.waiting("allocate_payment_task") == ORDERS
    allocated = JournalEntry.objects.filter(kind=JournalEntry.ALLOCATION)

    # when a worker is killed with SIGKILL twenty times, each time while it holds allocations it has not
    # acknowledged, and a new one started at once
    held_when_killed = []
    for _ in range(KILLS):
        before, held_before = allocated.count(), _unacked_tags(workers.queues["money"])
        worker = workers.start(pool="prefork", concurrency=4, wait=False)
        _wait_for(lambda before=before: allocated.count() >= before + 10, seconds=240, what="progress",
                  log=lambda worker=worker: worker.log.read_text())  # fmt: skip
        for _ in range(500):  # frozen at a moment it holds messages, so the kill surely interrupts work
            worker.signal(signal.SIGSTOP)
            held = _unacked_tags(workers.queues["money"]) - held_before
            if held:
                break
            worker.signal(signal.SIGCONT)
            time.sleep(0.005)
        worker.kill()
        held_when_killed.append(len(held))
    killed_at = allocated.count()
    time.sleep(workers.visibility_timeout + 0.5)  # what the last one held becomes visible again
    workers.start(pool="prefork", concurrency=4)  # the last one is left to finish
    _wait_for(lambda: not workers.waiting("allocate_payment_task"), seconds=240, what="the queue drained",
              log=lambda: f"{allocated.count()} allocated, {workers.waiting()} waiting\n{workers.logs()}")  # fmt: skip
    # Messages an earlier killed worker held come back after the visibility timeout, which a running worker checks
    # only now and then; the beat sweep (the database as outbox) books whatever is still missing. Either way: once.

    def all_booked():
        if allocated.count() < ORDERS:
            _run_here(allocate_missed_payments_task)
        return allocated.count() == ORDERS

    _wait_for(all_booked, seconds=120, what="every allocation, including those the killed workers held",
              log=lambda: f"{allocated.count()} allocated, {workers.waiting()} waiting\n{workers.logs()}")  # fmt: skip

    # then the workers were killed in the middle of the work, holding messages, twenty times
    assert len(held_when_killed) == KILLS and all(held_when_killed), held_when_killed
    assert killed_at < ORDERS
    # and every payment is allocated exactly once, to the cent, and the ledger balances
    booked = sorted(allocated.values_list("reference", "amount"))
    assert booked == sorted((f"payment:{pk}", amount) for pk, amount in payments.items())
    assert services.unallocated_payment_ids() == []
    assert selectors.ledger_total() == 0 and not selectors.unbalanced_entries().exists()
    assert verification.verify().problems == []
    assert not FailedTask.objects.exists()


# --- the broker goes away while orders are paid -----------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Broker:
    """A Redis of this test's own on a free port (the shared one on 6379 is never stopped)."""

    def __init__(self, tmp_path):
        self.port, self.tmp_path, self.process = _free_port(), tmp_path, None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        _wait_for(self._answers, seconds=10, what="redis-server starting")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)

    def _answers(self) -> bool:
        try:
            return redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping()
        except redis.ConnectionError:
            return False


def _run_here(task):
    """Run a beat task in this process and return its answer (``.result``: ``.get()`` refuses to run where an
    earlier test in the same process marked joins as blocking)."""
    result = task.apply()
    assert result.successful(), result.traceback
    return result.result


def _use_broker(url: str) -> None:
    from kombu import pools

    celery_app.conf.broker_url = url
    # kombu keeps its connection and producer pools in process-wide registries keyed by connection: clear them, or
    # a later test in this process would be handed the pool closed here.
    pools.reset()
    celery_app._pool, celery_app.amqp._producer_pool = None, None


@pytest.fixture
def broker(tmp_path):
    """The app's broker is this test's own Redis, tasks go to it (not run in-process), and publishing gives up fast
    when it is down."""
    own = Broker(tmp_path)
    own.start()
    saved = (celery_app.conf.broker_url, celery_app.conf.task_publish_retry_policy, celery_app.conf.task_always_eager)
    _use_broker(own.url)
    celery_app.conf.task_publish_retry_policy = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1}
    celery_app.conf.task_always_eager = False
    try:
        yield own
    finally:
        celery_app.conf.task_publish_retry_policy, celery_app.conf.task_always_eager = saved[1], saved[2]
        _use_broker(saved[0])
        if own.process.poll() is None:
            own.stop()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_orders_paid_while_the_broker_is_down_are_allocated_and_fulfilled_by_the_sweeps(
    seeded,
    shop,
    place_order,
    staff,
    broker,
    caplog,
):
    # given orders awaiting their bank transfers, from all three operators
    offers = cycle(shop["offers"].values())
    orders = [place_order({next(offers): 1, next(offers): 2}) for _ in range(3)]
    paid_before = JournalEntry.objects.count()

    # when Redis goes away and staff confirm the transfers (each in its own request's transaction) and refund a line
    broker.stop()
    caplog.set_level(logging.ERROR, logger="django.db.backends.base")
    for order in orders:
        confirm_offline_payment(order_id=order.pk, actor=staff, reference="SEPA")  # does not raise
    line = orders[0].lines.order_by("pk").first()
    part = OperatorOrder.objects.get(order=orders[0], partner_id=line.partner_id)
    refund = request_refund(part_id=part.pk, actor=staff, amounts={line.pk: line.line_price_incl_tax},
                            reason="Arrived damaged")  # fmt: skip

    # then every payment is recorded and nothing was enqueued; each failure to enqueue is logged
    assert all(Order.objects.get(pk=order.pk).status == "Paid" for order in orders)
    payments = dict(PaymentEvent.objects.filter(order__in=orders, event_type__code="paid").values_list("pk", "amount"))
    assert len(payments) == 3 and JournalEntry.objects.count() == paid_before
    assert not LineFulfilment.objects.exists()
    lost = [record.getMessage() for record in caplog.records if "in on_commit()" in record.getMessage()]
    emails = [message for message in lost if "send_later" in message]
    # three allocations, three orders' fulfilment and the refund's reversal, which the sweeps redo below
    assert len(lost) - len(emails) == 7, lost
    assert len(emails) == 4, lost  # their e-mails to the shoppers: logged, and the order pages show the same

    # when Redis is back: the next payment is enqueued again, and the beat sweeps run
    broker.start()
    late = place_order({shop["offers"]["lyon-mill"]: 1})
    confirm_offline_payment(order_id=late.pk, actor=staff)
    # allocation, fulfilment, and the shopper's e-mail, each on the queue of its kind
    queues = redis.Redis.from_url(broker.url)
    assert [queues.llen(kind) for kind in ("money", "fulfilment", "mail")] == [1, 1, 1]
    swept_payments = _run_here(allocate_missed_payments_task)
    swept_lines = _run_here(fulfil_missed_lines_task)

    # then everything paid while the broker was down is allocated once, the refund reversed, every line delivered
    # (or waiting for its operator to ship), and the sweeps find nothing more to do
    assert swept_payments == 3 + 1 + 1  # three lost allocations, the refund's reversal, the late one (queued)
    assert swept_lines == 2 * 3 + 1  # two lines an order, one in the late one
    for pk, amount in payments.items():
        assert JournalEntry.objects.get(reference=f"payment:{pk}").amount == amount
    assert JournalEntry.objects.get(reference=f"refund:{refund.pk}").amount == refund.amount
    paid_lines = Line.objects.filter(order__in=[*orders, late])
    assert LineFulfilment.objects.filter(line__in=paid_lines).count() == paid_lines.count() == 7
    assert not LineFulfilment.objects.filter(state=LineFulfilment.FAILED).exists()
    assert _run_here(allocate_missed_payments_task) == 0 and _run_here(fulfil_missed_lines_task) == 0
    assert selectors.ledger_total() == 0 and verification.verify().problems == []
    connection.close()
