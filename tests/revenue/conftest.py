"""A shop with three operators, placing and paying orders the way checkout and staff do: Oscar's OrderCreator with
each operator's shipping charge, the offline (bank transfer) method, and staff confirming the transfer."""

import itertools
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from oscar.core.loading import get_model

from marketplace.celery import app as celery_app
from tests import factories
from tests.queues import KINDS, WORKER, forget_queues, queue_names, routed_to_own_queues

Country = get_model("address", "Country")

POLICY = {
    "campus_fund_minimum_percent": Decimal("5.00"), "marketing_percent": Decimal("5.00"),
    "royalty_percent": Decimal("3.00"), "card_fee_percent": Decimal("2.90"), "card_fee_fixed": Decimal("0.30"),
    "payout_threshold": Decimal("25.00"),
}  # fmt: skip
_numbers = itertools.count(700001)
ROOT = Path(__file__).resolve().parents[2]
VISIBILITY_TIMEOUT = 3  # seconds before Redis hands a message a dead worker took to another


@pytest.fixture
def staff():
    return factories.UserFactory(email="treasurer@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def shop(staff):
    """Berlin sells a certified printer (two mark holders), Lyon an uncertified mill, Nairobi a press whose
    certificate expired; each storefront gives its own campus fund percentage."""
    from marketplace.revenue import services

    services.set_policy(actor=staff, **POLICY)
    printer = factories.design(name="D3D printer")
    mill = factories.design(name="CNC mill", category_name="CNC circuit mills")
    press = factories.design(name="Brick press", category_name="Brick presses")
    alice, bob = factories.UserFactory(email="alice@example.com"), factories.UserFactory(email="bob@example.com")
    factories.certify(printer, holders=[alice, bob])
    factories.certify(press, holders=[factories.UserFactory(email="carol@example.com")], days_valid=-1)
    stores = {}
    for key, name, city, campus, shipping in (
        ("berlin", "Berlin Fab", "Berlin", "5.00", "12.50"),
        ("lyon", "Lyon Fab", "Lyon", "10.00", "0.00"),
        ("nairobi", "Nairobi Fab", "Nairobi", "7.50", "8.00"),
    ):
        store = factories.storefront(name, city=city)
        store.campus_fund_percent, store.shipping_charge = Decimal(campus), Decimal(shipping)
        store.save(update_fields=["campus_fund_percent", "shipping_charge"])
        stores[key] = store
    products = {key: factories.level_product(design, 1) for key, design in
                (("printer", printer), ("mill", mill), ("press", press))}  # fmt: skip
    for product in products.values():
        product.stockrecords.all().delete()
    offers = {
        "berlin-printer": factories.offer(stores["berlin"], products["printer"], price="900.00", stock=10_000),
        "lyon-mill": factories.offer(stores["lyon"], products["mill"], price="1400.00", stock=10_000),
        "nairobi-press": factories.offer(stores["nairobi"], products["press"], price="400.00", stock=10_000),
    }
    return {"stores": stores, "offers": offers, "holders": (alice, bob), "designs": (printer, mill, press)}


@pytest.fixture
def place_order():
    return _place_order


@pytest.fixture
def pay(staff, django_capture_on_commit_callbacks):
    """Staff confirm the bank transfer; what the payment enqueues on commit (the allocation) runs."""
    from marketplace.payments.services import confirm_offline_payment

    def pay(order):
        with django_capture_on_commit_callbacks(execute=True):
            confirm_offline_payment(order_id=order.pk, actor=staff, reference=f"SEPA {order.number}")
        return order.payment_events.get(event_type__code="paid")

    return pay


@pytest.fixture
def refund(staff, django_capture_on_commit_callbacks):
    """Staff refund part of one operator's part of an order by bank transfer; the reversal runs on commit."""
    from marketplace.fulfilment.models import OperatorOrder
    from marketplace.fulfilment.refunds import request_refund

    def refund(order, partner, amounts: dict, shipping_amount=Decimal("0.00")):
        part = OperatorOrder.objects.get(order=order, partner=partner)
        with django_capture_on_commit_callbacks(execute=True):
            return request_refund(part_id=part.pk, actor=staff, amounts=amounts, shipping_amount=shipping_amount,
                                  reason="Arrived damaged")  # fmt: skip

    return refund


def _place_order(offers: dict, *, shopper=None):
    """An order of ``offers`` (offer → quantity), placed as checkout places it, awaiting its bank transfer."""
    from marketplace.checkout.services import place_offline_order

    address = {"first_name": "Ada", "last_name": "Maker", "line1": "1 Workshop Lane", "line4": "Maysville",
               "postcode": "64469", "country": Country.objects.get(iso_3166_1_a2="US")}  # fmt: skip
    return place_offline_order(offers=list(offers.items()), shopper=shopper, address=address,
                               number=str(next(_numbers)), email="buyer@example.com")  # fmt: skip


# --- real Celery workers ----------------------------------------------------------------------------------------

# What the data migrations put in the database and the shop needs: a transactional test (another's, earlier in the
# run) ends with a flush that empties every table, and a serialized rollback cannot be mixed with such tests.


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@dataclass
class Worker:
    process: subprocess.Popen
    node: str
    log: Path

    def signal(self, number: int) -> None:
        os.killpg(self.process.pid, number)

    def kill(self) -> None:
        """SIGKILL to the worker and its pool at once, as when its machine dies: what it runs is neither finished
        nor acknowledged."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@dataclass
class Workers:
    """The shop's three queues under this test's own prefix (tests/queues.py), and the workers started on them."""

    prefix: str
    started: list
    tmp_path: Path
    visibility_timeout: int = VISIBILITY_TIMEOUT

    @property
    def queues(self) -> dict[str, str]:
        return queue_names(self.prefix)

    def start(self, *, pool: str = "solo", concurrency: int = 1, wait: bool = True, kinds=KINDS) -> Worker:
        """Start `celery worker` on this test's queues of those ``kinds`` (all three unless told), with a short
        visibility timeout; wait until it answers (unless ``wait`` is false: it starts taking messages before it
        answers a ping)."""
        number = len(self.started)
        node, log = f"{self.prefix}{number}@localhost", self.tmp_path / f"worker-{number}.log"
        env = {
            **os.environ, "DEBUG": "true", "DATABASE_URL": _database_url(), "REDIS_URL": settings.REDIS_URL,
            "CELERY_TASK_ALWAYS_EAGER": "false", "CELERY_VISIBILITY_TIMEOUT": str(self.visibility_timeout),
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }  # fmt: skip
        queues = ",".join(self.queues[kind] for kind in kinds)
        process = subprocess.Popen(  # a session of its own: killing it kills its pool's processes too
            [sys.executable, "-c", WORKER, self.prefix, f"--pool={pool}", f"--concurrency={concurrency}",
             "-Q", queues, "-n", node, "--without-gossip", "--without-mingle", "--loglevel=INFO"],
            cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        worker = Worker(process, node, log)
        self.started.append(worker)
        deadline = time.monotonic() + 60
        while wait and not celery_app.control.ping(destination=[node], timeout=1):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the Celery worker did not start:\n" + log.read_text())
        return worker

    def logs(self) -> str:
        return "".join(worker.log.read_text() for worker in self.started)

    def waiting(self, task: str = "", kinds=KINDS) -> int:
        """Messages (of ``task``, or all) in this test's queues of those ``kinds`` still in Redis: queued, or taken
        and not yet acknowledged."""
        queued, taken = self._messages(kinds)
        return sum(1 for message in queued + taken if task in message["headers"]["task"])

    def taken(self, task: str = "") -> list[dict]:
        """The headers (task name, task id, arguments) of the messages of this test's queues a worker took and has
        not acknowledged."""
        return [message["headers"] for message in self._messages(KINDS)[1] if task in message["headers"]["task"]]

    def _messages(self, kinds) -> tuple[list, list]:
        names = [self.queues[kind] for kind in kinds]
        client = redis.Redis.from_url(settings.REDIS_URL)
        try:
            queued = [json.loads(value) for name in names for value in client.lrange(name, 0, -1)]
            # an unacknowledged message is kept as [message, exchange, routing key] until it is acknowledged
            taken = [message for message, _, queue in map(json.loads, client.hvals("unacked")) if queue in names]
            return queued, taken
        finally:
            client.close()


@pytest.fixture
def celery_workers(tmp_path):
    """Real workers on Redis and PostgreSQL, on the shop's three queues named for this test alone (parallel runs
    never share one). While the test runs, tasks the services enqueue go to those queues and wait there for a
    worker."""
    workers = Workers(prefix=f"test-revenue-{uuid.uuid4().hex[:12]}-", started=[], tmp_path=tmp_path)
    celery_app.conf.task_always_eager = False
    try:
        with routed_to_own_queues(workers.prefix):
            yield workers
    finally:
        celery_app.conf.task_always_eager = True
        for worker in workers.started:
            if worker.process.poll() is None:
                worker.signal(signal.SIGCONT)  # in case a test failed while it was frozen
                worker.process.send_signal(signal.SIGTERM)
                try:
                    worker.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(worker.process.pid, signal.SIGKILL)
        forget_queues(workers.prefix)
