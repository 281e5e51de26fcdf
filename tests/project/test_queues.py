# ruff: noqa: F811  (the fixtures imported from tests/revenue/conftest.py are test arguments here)
"""Three queues by kind of work (marketplace/settings.py, CELERY_TASK_ROUTES): money (payments and the ledger),
fulfilment (lines, notices, deliveries, certification, the shop's upkeep) and mail (e-mails to shoppers). Every task
of ours is placed in one on purpose, beat's too; and a worker started on one queue takes that queue's work only."""

import time
from fnmatch import fnmatchcase

import pytest
import redis
from django.conf import settings

from marketplace.celery import app as celery_app
from marketplace.notifications.models import OrderEmail
from marketplace.payments.services import confirm_offline_payment
from marketplace.revenue.models import JournalEntry
from tests.revenue.conftest import celery_workers, place_order, shop, staff  # noqa: F401  (fixtures)

OURS = ("marketplace.", "certification.", "tiers.", "catalog.")
# Where each of our tasks modules belongs, and why: a new tasks module fails here until it is placed.
KIND = {
    "marketplace.payments.tasks": "money",  # webhooks, Stripe refunds, reconciliation
    "marketplace.revenue.tasks": "money",  # allocation, reversals, payouts, transfers
    "marketplace.fulfilment.tasks": "fulfilment",  # lines, operator and shopper notices, deliveries, unpaid orders
    "marketplace.storefronts.tasks": "fulfilment",
    "certification.tasks": "fulfilment",
    "marketplace.ops.tasks": "fulfilment",  # product alerts, analytics, the heartbeat
    "marketplace.notifications.tasks": "mail",
    "marketplace.checkout.tasks": "mail",
    "marketplace.storefronts.tasks.send_storefront_event_email_task": "mail",  # an e-mail to the operator
    "marketplace.contract.tasks": "mail",  # operators asked to accept a new Social Contract version
    "marketplace.supporters.tasks": "mail",  # True Fans reminders and operators' updates to supporters
    "marketplace.webhooks.tasks": "fulfilment",  # signed events to operators' systems, and their sweep
}


def _our_tasks() -> list[str]:
    celery_app.loader.import_default_modules()  # every app's tasks module, as a worker imports them at start
    return sorted(name for name in celery_app.tasks if name.startswith(OURS))


def _queue(name: str, options: dict | None = None) -> str:
    """The queue a message for this task goes to, as the app sends it (a worker's retry, beat's entry alike)."""
    return celery_app.amqp.router.route(dict(options or {}), name)["queue"].name


def test_every_task_of_ours_is_routed_to_its_kind_s_queue_on_purpose():
    tasks = _our_tasks()
    assert {"marketplace.revenue.tasks.allocate_payment_task", "marketplace.ops.tasks.heartbeat_task"} <= set(tasks)
    for name in tasks:
        # a pattern of the table matches it: the default queue catches only what nobody placed
        assert any(fnmatchcase(name, pattern) for pattern in settings.CELERY_TASK_ROUTES), f"{name} is not routed"
        assert _queue(name) == KIND.get(name, KIND[name.rsplit(".", 1)[0]]), name
    assert {_queue(name) for name in tasks} == {"money", "fulfilment", "mail"}


def test_the_ledger_never_waits_behind_e_mail_or_deliveries():
    assert _queue("marketplace.revenue.tasks.allocate_payment_task") == "money"
    assert _queue("marketplace.payments.tasks.process_webhook_event_task") == "money"
    assert _queue("marketplace.notifications.tasks.send_order_email_task") == "mail"
    assert _queue("marketplace.fulfilment.tasks.fulfil_line_task") == "fulfilment"
    assert _queue("some.other.task") == "fulfilment"  # unplaced work still lands where a worker listens


def test_beat_s_entries_follow_the_same_routes():
    tasks = set(_our_tasks())
    queues = {}
    for entry, schedule in settings.CELERY_BEAT_SCHEDULE.items():
        assert schedule["task"] in tasks, entry
        assert "queue" not in schedule.get("options", {}), entry  # no entry routes around the table
        queues[entry] = _queue(schedule["task"], schedule.get("options"))
        assert queues[entry] == KIND[schedule["task"].rsplit(".", 1)[0]], entry
    assert queues["run-payouts"] == queues["allocate-missed-payments"] == queues["reconcile-payments"] == "money"
    assert queues["fulfil-missed-lines"] == queues["remind-and-cancel-unpaid"] == "fulfilment"


def test_a_message_reaches_its_one_queue():
    """Each queue is bound by an exchange and routing key of its own (as Celery binds a queue it creates): a money
    message is never also delivered to the mail queue."""
    declared = {queue.name: queue for queue in settings.CELERY_TASK_QUEUES}
    assert {(queue.exchange.name, queue.routing_key) for queue in declared.values()} == {
        ("money", "money"), ("fulfilment", "fulfilment"), ("mail", "mail")}  # fmt: skip
    for task, kind in (("marketplace.revenue.tasks.allocate_payment_task", "money"),
                       ("marketplace.notifications.tasks.send_order_email_task", "mail")):  # fmt: skip
        sent_to = celery_app.amqp.router.route({}, task)["queue"]
        assert (sent_to.exchange.name, sent_to.routing_key) == (kind, kind)


# --- real workers, each on its own queue ------------------------------------------------------------------------


def _wait_for(condition, *, seconds: float, what: str, workers) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen in {seconds} s:\n{workers.logs()[-5000:]}")
        time.sleep(0.2)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_worker_takes_only_its_own_queue_s_work(seeded, shop, place_order, staff, celery_workers):
    # given an order staff mark paid: its allocation (money), the start of its delivery (fulfilment) and the
    # shopper's "payment received" e-mail (mail) are enqueued on commit, each to its own queue
    workers = celery_workers
    order = place_order({shop["offers"]["lyon-mill"]: 1})
    confirm_offline_payment(order_id=order.pk, actor=staff)
    payment = order.payment_events.get(event_type__code="paid")
    client = redis.Redis.from_url(settings.REDIS_URL)
    queued = lambda kind: client.llen(workers.queues[kind])  # noqa: E731 - the list Redis keeps for that queue
    assert queued("money") == 1 and queued("fulfilment") >= 1 and queued("mail") >= 1

    # when a worker consumes the mail queue only
    workers.start(kinds=("mail",))

    # then the e-mail is sent, and the allocation still waits in Redis: nothing is booked
    _wait_for(lambda: workers.waiting(kinds=("mail",)) == 0, seconds=60, what="the mail queue drained",
              workers=workers)  # fmt: skip
    assert OrderEmail.objects.filter(order=order, code="PAYMENT_RECEIVED").exists()
    time.sleep(2)  # time enough for a worker that (wrongly) listened to money to take it
    assert queued("money") == 1 and workers.waiting("allocate_payment_task") == 1
    assert not JournalEntry.objects.filter(reference=f"payment:{payment.pk}").exists()
    assert "allocate_payment_task[" not in workers.logs()  # never received (the banner lists every task)

    # when a worker for the money queue starts
    workers.start(kinds=("money",))

    # then it books the allocation; the fulfilment queue's work is still untouched, waiting for its own pool
    _wait_for(lambda: JournalEntry.objects.filter(reference=f"payment:{payment.pk}").exists(), seconds=60,
              what="the allocation booked", workers=workers)  # fmt: skip
    _wait_for(lambda: workers.waiting(kinds=("money",)) == 0, seconds=30, what="the money queue drained",
              workers=workers)  # fmt: skip
    assert queued("fulfilment") >= 1
    assert "fulfil_order_task[" not in workers.logs()
    client.close()
