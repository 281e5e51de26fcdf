"""Revenue allocation throughput with a real worker (issue 10): orders allocated per second on PostgreSQL.

    .venv/bin/python -m bench.allocation [--orders 10000] [--runs 3] [--pool solo|prefork] [--concurrency 1]
        [--prefetch-multiplier N] [--prefill] [--reuse-seed]

1. A fresh PostgreSQL database (``alloc_bench``): migrated, the demo shop loaded (six storefronts, thirteen designs,
   two of them OSE Certified with two mark holders each), then ``--templates`` orders placed the way checkout places
   them (``place_offline_order``: Oscar's OrderCreator, each operator's shipping charge, a payment source). These
   are copied, in bulk, into ``--orders`` paid orders: the order, its lines and line prices, its shipping address,
   its operator parts (now "being prepared"), its payment source debited (a third by card, so the card fee is split
   too, the rest by bank transfer), its "Paid" payment event over every line and its row waiting for allocation:
   what ``confirm_offline_payment`` and the Stripe webhook leave behind. Nothing is allocated: copying enqueues
   nothing.
   The seeded database is kept as ``alloc_bench_seed``; every run starts from a fresh copy of it.
2. One real Celery worker (``celery -A marketplace worker``, one process; ``--pool``/``--concurrency`` say which
   pool) on Redis db 12, then one ``allocate_payment_task`` per payment, as the payment hand-off enqueues it. Timed
   from the first enqueue to the last allocation committed; the worker's pace (its first allocation to its last) is
   shown too, as it is all that ``--prefill`` (every task enqueued before the worker starts) measures. Each task
   allocates the payments waiting in batches (``ALLOCATION_BATCH``, one transaction each), so most tasks find their
   payment booked already.
3. ``verify_ledger`` must find zero drift, every payment must have exactly one allocation; a few more payments (not
   waiting, so the worker leaves them) are allocated in this process to count the queries of one allocation and of
   a batch. The worker is stopped whatever happens.
"""

import argparse
import contextlib
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVER = "postgres://postgres@127.0.0.1:5432"
DB_NAME, SEED_DB = "alloc_bench", "alloc_bench_seed"
REDIS_URL = "redis://127.0.0.1:6379/12"
QUEUE = "alloc-bench"
NODE = "alloc-bench@localhost"
CHUNK = 1000
SAMPLE = 24  # paid orders kept back from the worker, allocated here to count queries
TARGET = 500  # orders per second, with one worker (issue 10)


def _environment(work: Path) -> dict:
    """The production-like settings, for this process and the worker: DEBUG off, PostgreSQL, Redis."""
    return {
        "DATABASE_URL": f"{SERVER}/{DB_NAME}", "REDIS_URL": REDIS_URL, "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64), "ALLOWED_HOSTS": "localhost", "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "MEDIA_ROOT": str(work / "media"), "PRIVATE_MEDIA_ROOT": str(work / "private"),
    }  # fmt: skip


# --- databases --------------------------------------------------------------------------------------------------


def _server_sql(*statements: str) -> None:
    import psycopg2

    connection = psycopg2.connect(f"{SERVER}/postgres")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


def _database_exists(name: str) -> bool:
    import psycopg2

    connection = psycopg2.connect(f"{SERVER}/postgres")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return cursor.fetchone() is not None
    finally:
        connection.close()


def _fresh_copy() -> None:
    """alloc_bench again, as the seed left it."""
    from django.db import connections

    connections.close_all()
    _server_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)", f"CREATE DATABASE {DB_NAME} TEMPLATE {SEED_DB}")


# --- seeding ----------------------------------------------------------------------------------------------------


def _seed(*, orders: int, templates: int) -> None:
    from django.core.management import call_command
    from django.db import connection, connections

    from marketplace.celery import app as celery_app

    connections.close_all()
    _server_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)", f"DROP DATABASE IF EXISTS {SEED_DB} WITH (FORCE)",
                f"CREATE DATABASE {DB_NAME}")  # fmt: skip
    started = time.monotonic()
    print("seed: migrating a fresh database ...", flush=True)
    call_command("migrate", verbosity=0)
    print(f"seed: migrated in {time.monotonic() - started:.0f} s; loading the demo shop", flush=True)
    celery_app.conf.task_always_eager = True  # the demo's own tasks run here, as in the embedded default
    try:
        from marketplace.demo import load_demo

        load_demo(report=lambda line: print(f"seed:   {line}", flush=True))
    finally:
        celery_app.conf.task_always_eager = False
    placed = _place_templates(templates)
    _copy_paid_orders(placed, orders + SAMPLE)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connections.close_all()
    _server_sql(f"CREATE DATABASE {SEED_DB} TEMPLATE {DB_NAME}")
    print(f"seed: done in {time.monotonic() - started:.0f} s, kept as {SEED_DB}", flush=True)


def _place_templates(count: int) -> list:
    """Orders placed the way checkout places them, from random offers of every active storefront (1 to 4 lines,
    several operators, certified and uncertified designs, every level): awaiting payment, never paid."""
    from django.db import transaction
    from oscar.core.loading import get_model

    from marketplace.checkout.services import place_offline_order
    from marketplace.storefronts.models import Storefront

    StockRecord = get_model("partner", "StockRecord")
    Country = get_model("address", "Country")
    partners = Storefront.objects.filter(partner__isnull=False).values_list("partner_id", flat=True)
    # restocked, so that the copies of these orders stay within what was in stock
    StockRecord.objects.filter(partner_id__in=partners, num_in_stock__isnull=False).update(num_in_stock=1_000_000)
    offers = list(StockRecord.objects.filter(partner_id__in=partners, price__gt=0).select_related("product")
                  .order_by("pk"))  # fmt: skip
    address = {"first_name": "Ada", "last_name": "Maker", "line1": "1 Workshop Lane", "line4": "Maysville",
               "postcode": "64469", "country": Country.objects.get(iso_3166_1_a2="US")}  # fmt: skip
    chance = random.Random(10)
    placed = []
    for index in range(count):
        chosen = chance.sample(offers, k=chance.choice((1, 1, 2, 2, 3, 4)))
        basket = [(offer, 1 if offer.product.design_id and chance.random() < 0.7 else 2) for offer in chosen]
        with transaction.atomic():
            placed.append(place_offline_order(offers=basket, address=address, number=f"AT{index + 1:05d}",
                                              email=f"buyer{index}@example.com"))  # fmt: skip
    print(f"seed: placed {count} orders through checkout (OrderCreator) to copy", flush=True)
    return placed


def _copy_paid_orders(templates: list, count: int) -> None:
    """``count`` paid orders, copies of ``templates`` with their own rows: what a confirmed payment leaves."""
    from django.db import transaction
    from django.utils import timezone
    from oscar.core.loading import get_model

    from marketplace.checkout.services import OFFLINE_SOURCE_CODE, OFFLINE_SOURCE_NAME
    from marketplace.fulfilment.models import OperatorOrder
    from marketplace.payments.services import STRIPE_SOURCE_CODE
    from marketplace.revenue.models import PendingAllocation

    Order, Line, LinePrice = (get_model("order", name) for name in ("Order", "Line", "LinePrice"))
    ShippingAddress, OrderStatusChange = get_model("order", "ShippingAddress"), get_model("order", "OrderStatusChange")
    PaymentEvent, PaymentEventType = get_model("order", "PaymentEvent"), get_model("order", "PaymentEventType")
    PaymentEventQuantity = get_model("order", "PaymentEventQuantity")
    Source, SourceType = get_model("payment", "Source"), get_model("payment", "SourceType")
    paid = PaymentEventType.objects.get_or_create(code="paid", defaults={"name": "Paid"})[0]
    bank = SourceType.objects.get_or_create(code=OFFLINE_SOURCE_CODE, defaults={"name": OFFLINE_SOURCE_NAME})[0]
    card = SourceType.objects.get_or_create(code=STRIPE_SOURCE_CODE, defaults={"name": "Card (Stripe)"})[0]
    shapes = [
        (order, order.shipping_address, list(order.lines.order_by("pk")), list(LinePrice.objects.filter(order=order)),
         list(OperatorOrder.objects.filter(order=order)))
        for order in templates
    ]  # fmt: skip
    lines_total = 0
    started, now = time.monotonic(), timezone.now()

    for first in range(0, count, CHUNK):
        numbers = range(first, min(first + CHUNK, count))
        picked = [shapes[number % len(shapes)] for number in numbers]
        with transaction.atomic():
            addresses = ShippingAddress.objects.bulk_create([_copy(shape[1]) for shape in picked])
            orders = Order.objects.bulk_create([
                _copy(template, number=f"AB{number + 1:07d}", basket_id=None, shipping_address_id=address.pk,
                     status="Paid", guest_email=f"buyer{number}@example.com", date_placed=now)
                for number, (template, *_), address in zip(numbers, picked, addresses, strict=True)
            ])  # fmt: skip
            lines, line_shapes = [], []
            for order, (_, _, template_lines, _, _) in zip(orders, picked, strict=True):
                for line in template_lines:
                    lines.append(_copy(line, order_id=order.pk))
                    line_shapes.append(line.pk)
            lines = Line.objects.bulk_create(lines)
            line_ids = iter(line.pk for line in lines)
            new_line = {}  # (order pk, template line pk) -> new line pk
            for order, (_, _, template_lines, _, _) in zip(orders, picked, strict=True):
                for line in template_lines:
                    new_line[order.pk, line.pk] = next(line_ids)
            LinePrice.objects.bulk_create([
                _copy(price, order_id=order.pk, line_id=new_line[order.pk, price.line_id])
                for order, (_, _, _, prices, _) in zip(orders, picked, strict=True) for price in prices
            ])  # fmt: skip
            OperatorOrder.objects.bulk_create([
                _copy(part, order_id=order.pk, status=OperatorOrder.TO_FULFIL)
                for order, (*_, parts) in zip(orders, picked, strict=True) for part in parts
            ])  # fmt: skip
            by_card = [number % 3 == 0 for number in numbers]
            Source.objects.bulk_create([
                Source(order=order, source_type=card if is_card else bank, currency=order.currency,
                       amount_allocated=order.total_incl_tax, amount_debited=order.total_incl_tax,
                       reference=f"pi_bench_{order.number}" if is_card else order.number)
                for order, is_card in zip(orders, by_card, strict=True)
            ])  # fmt: skip
            OrderStatusChange.objects.bulk_create(
                [OrderStatusChange(order=order, old_status="Pending", new_status="Paid") for order in orders]
            )
            events = PaymentEvent.objects.bulk_create([
                PaymentEvent(order=order, amount=order.total_incl_tax, event_type=paid,
                             reference=f"pi_bench_{order.number}" if is_card else f"SEPA {order.number}")
                for order, is_card in zip(orders, by_card, strict=True)
            ])  # fmt: skip
            PendingAllocation.objects.bulk_create([
                PendingAllocation(payment_event=event) for event, number in zip(events, numbers, strict=True)
                if number < count - SAMPLE  # the sample is kept back from the worker
            ])  # fmt: skip
            PaymentEventQuantity.objects.bulk_create([
                PaymentEventQuantity(event=event, line_id=new_line[order.pk, line.pk], quantity=line.quantity)
                for event, order, (_, _, template_lines, _, _) in zip(events, orders, picked, strict=True)
                for line in template_lines
            ])  # fmt: skip
        lines_total += len(lines)
        done = numbers[-1] + 1
        rate = done / (time.monotonic() - started)
        print(f"seed: {done}/{count} paid orders ({lines_total} lines), {rate:.0f} orders/s", flush=True)


def _copy(row, **fields):
    """An unsaved copy of ``row`` with ``fields`` changed."""
    values = {
        field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields if not field.primary_key
    }
    return type(row)(**{**values, **fields})


# --- the run ----------------------------------------------------------------------------------------------------


@dataclass
class Run:
    number: int
    orders: int
    seconds: float | None  # from the first enqueue to the last allocation
    rate: float | None
    pace: float  # the worker's, from its first allocation to its last
    drift: str
    exactly_once: bool


def _payments() -> tuple[list[int], list[int]]:
    """The paid orders' payment events: those for the worker, and the sample kept back."""
    from oscar.core.loading import get_model

    PaymentEvent = get_model("order", "PaymentEvent")
    ids = list(PaymentEvent.objects.filter(event_type__code="paid", order__number__startswith="AB")
               .order_by("pk").values_list("pk", flat=True))  # fmt: skip
    return ids[:-SAMPLE], ids[-SAMPLE:]


def _start_worker(args, env: dict, log: Path) -> subprocess.Popen:
    from marketplace.celery import app as celery_app

    command = [str(Path(sys.executable).parent / "celery"), "-A", "marketplace", "worker"]
    command += [f"--pool={args.pool}", f"--concurrency={args.concurrency}", "-Q", QUEUE, "-n", NODE,
                "--without-gossip", "--without-mingle", f"--loglevel={args.loglevel}"]  # fmt: skip
    if args.prefetch_multiplier:
        command.append(f"--prefetch-multiplier={args.prefetch_multiplier}")
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=log.open("w"),
                               stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 60
    while not celery_app.control.ping(destination=[NODE], timeout=1):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the worker did not start:\n" + log.read_text()[-3000:])
    return process


def _stop_worker(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)  # its own session: the pool's processes too
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _clear_queue() -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.delete(QUEUE, "unacked", "unacked_index", "unacked_mutex")
    finally:
        client.close()


def _enqueue(ids: list[int]) -> None:
    """One allocation task per payment, as the payment hand-off enqueues it (here on the benchmark's queue)."""
    from marketplace.celery import app as celery_app
    from marketplace.revenue.tasks import allocate_payment_task

    with celery_app.producer_or_acquire() as producer:
        for payment_event_id in ids:
            allocate_payment_task.apply_async(kwargs={"payment_event_id": payment_event_id}, queue=QUEUE,
                                              producer=producer)  # fmt: skip


def _run(number: int, args, env: dict, work: Path) -> Run:
    """Time from the first enqueue to the last allocation committed; and the worker's own pace, from its first
    allocation to its last. With ``--prefill`` every task is enqueued before the worker starts (the queue a worker
    finds after an outage), so only the worker's pace is measured."""
    from django.db import connections
    from django.db.models import Max, Min
    from django.utils import timezone

    from marketplace.revenue.models import JournalEntry

    _fresh_copy()
    _clear_queue()
    ids, sample = _payments()
    allocations = JournalEntry.objects.filter(kind=JournalEntry.ALLOCATION, order__number__startswith="AB")
    log = work / f"worker-{number}.log"
    started_at, started = timezone.now(), time.monotonic()
    if args.prefill:
        _enqueue(ids)
        print(f"run {number}: enqueued {len(ids)} allocations in {time.monotonic() - started:.1f} s", flush=True)
    worker = _start_worker(args, env, log)
    try:
        if not args.prefill:
            print(f"run {number}: worker up; enqueueing {len(ids)} allocations", flush=True)
            started_at, started = timezone.now(), time.monotonic()
            _enqueue(ids)
            print(f"run {number}: enqueued in {time.monotonic() - started:.1f} s", flush=True)
        done, last_print = 0, 0.0
        deadline = time.monotonic() + args.timeout
        while done < len(ids):
            time.sleep(0.1)
            done = allocations.count()
            now = time.monotonic()
            if now - last_print >= 2 or done >= len(ids):
                print(f"run {number}:   {done}/{len(ids)} allocated, {done / (now - started):.0f} orders/s",
                      flush=True)  # fmt: skip
                last_print = now
            if now > deadline or worker.poll() is not None:
                raise RuntimeError(f"stopped at {done}/{len(ids)}; worker log: {log}")
    finally:
        _stop_worker(worker)
        _clear_queue()
    first, last = allocations.aggregate(first=Min("date_created"), last=Max("date_created")).values()
    seconds = None if args.prefill else (last - started_at).total_seconds()
    pace = (len(ids) - 1) / (last - first).total_seconds()
    if seconds:
        print(f"run {number}: {len(ids)} orders allocated {seconds:.2f} s after the first enqueue: "
              f"{len(ids) / seconds:.0f} orders/s", flush=True)  # fmt: skip
    print(f"run {number}: the worker's pace, first to last allocation: {pace:.0f} orders/s", flush=True)
    if number == 1:
        _count_queries(sample)
    exactly_once = _exactly_once()
    drift = _verify_ledger(env)
    connections.close_all()
    return Run(number, len(ids), seconds, len(ids) / seconds if seconds else None, pace, drift, exactly_once)


def _count_queries(sample: list[int]) -> None:
    """Allocate the kept-back payments here: half one by one, counting each one's queries, the other half as one
    batch (as a worker allocates what waits)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from oscar.core.loading import get_model

    from marketplace.revenue import services

    Line = get_model("order", "Line")
    PaymentEvent = get_model("order", "PaymentEvent")
    by_lines: dict[int, list[int]] = {}
    singles, batch = sample[: len(sample) // 2], sample[len(sample) // 2 :]
    for payment_event_id in singles:
        order_id = PaymentEvent.objects.values_list("order_id", flat=True).get(pk=payment_event_id)
        lines = Line.objects.filter(order_id=order_id).count()
        with CaptureQueriesContext(connection) as queries:
            services.allocate_payment(payment_event_id=payment_event_id)
        by_lines.setdefault(lines, []).append(len(queries))
    summary = ", ".join(f"{lines} line(s): {min(counts)}-{max(counts)}" for lines, counts in sorted(by_lines.items()))
    every = [count for counts in by_lines.values() for count in counts]
    print(f"queries per allocation (in-process, {len(every)} payments one by one): mean "
          f"{statistics.mean(every):.1f}; {summary}")  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        booked = services.allocate_payments(batch)
    print(f"queries for a batch of {booked} payments: {len(queries)}")


def _exactly_once() -> bool:
    from django.db.models import Count
    from oscar.core.loading import get_model

    from marketplace.revenue.models import JournalEntry

    PaymentEvent = get_model("order", "PaymentEvent")
    paid = {f"payment:{pk}" for pk in PaymentEvent.objects.filter(event_type__code="paid").values_list("pk", flat=True)}
    booked = dict(JournalEntry.objects.filter(kind=JournalEntry.ALLOCATION).values_list("reference")
                  .annotate(count=Count("pk")).values_list("reference", "count"))  # fmt: skip
    sample = set(_payments()[1])
    missing = {ref for ref in paid - set(booked) if int(ref.split(":")[1]) not in sample}
    twice = {ref for ref, count in booked.items() if count != 1}
    unknown = set(booked) - paid
    ok = not (missing or twice or unknown)
    print(
        f"exactly once: {len(booked)} allocation entries for {len(paid)} payments; missing {len(missing)}, "
        f"booked more than once {len(twice)}, without a payment {len(unknown)}: {'OK' if ok else 'FAILED'}"
    )
    return ok


def _verify_ledger(env: dict) -> str:
    result = subprocess.run([sys.executable, "manage.py", "verify_ledger"], cwd=ROOT, env={**os.environ, **env},
                            capture_output=True, text=True, timeout=600)  # fmt: skip
    output = (result.stdout + result.stderr).strip()
    print("verify_ledger:\n  " + output.replace("\n", "\n  "), flush=True)
    return "zero drift" if result.returncode == 0 else "DRIFT"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=1, help="runs, each on a fresh copy of the seeded database")
    parser.add_argument("--templates", type=int, default=60, help="orders placed through checkout, then copied")
    parser.add_argument("--pool", default="solo", choices=("solo", "prefork", "threads"))
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--prefetch-multiplier", type=int, default=0, help="default: the settings' (1)")
    parser.add_argument("--loglevel", default="INFO", help="the worker's; INFO as docker-compose runs it")
    parser.add_argument("--prefill", action="store_true", help="enqueue every task before the worker starts")
    parser.add_argument("--reuse-seed", action="store_true", help=f"use {SEED_DB} if it has as many orders")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds a run may take")
    args = parser.parse_args(argv)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the worker is stopped on the way out
    work = Path(tempfile.mkdtemp(prefix="alloc-bench-"))
    env = _environment(work)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import logging

    logging.getLogger().setLevel(logging.WARNING)  # this process's own (the demo's tasks); the worker logs as usual

    if not (args.reuse_seed and _database_exists(SEED_DB) and _seeded_orders() == args.orders + SAMPLE):
        _seed(orders=args.orders, templates=args.templates)
    runs = []
    try:
        for number in range(1, args.runs + 1):
            runs.append(_run(number, args, env, work))
    finally:
        from django.db import connections

        connections.close_all()
    worker = f"{args.pool}, concurrency {args.concurrency}, prefetch multiplier {args.prefetch_multiplier or 1}"
    print(f"\nRevenue allocation, one worker ({worker}), PostgreSQL + Redis; worker logs in {work}")
    print(f"{'run':>4} {'orders':>7} {'seconds':>8} {'orders/s':>9} {'worker pace':>12}  ledger      each payment once")
    for run in runs:
        seconds, rate = (f"{run.seconds:.2f}", f"{run.rate:.0f}") if run.rate else ("-", "-")
        print(f"{run.number:>4} {run.orders:>7} {seconds:>8} {rate:>9} {run.pace:>12.0f}  {run.drift:<11} "
              f"{'yes' if run.exactly_once else 'NO'}")  # fmt: skip
    for name, values in (("orders/s from the first enqueue", [run.rate for run in runs if run.rate]),
                         ("worker pace", [run.pace for run in runs])):  # fmt: skip
        if values:
            print(f"{name}: best {max(values):.0f}, median {statistics.median(values):.0f} (target {TARGET})")
    ok = all(run.drift == "zero drift" and run.exactly_once for run in runs)
    return 0 if ok else 1


def _seeded_orders() -> int:
    import psycopg2

    with contextlib.closing(psycopg2.connect(f"{SERVER}/{SEED_DB}")) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM order_order WHERE number LIKE 'AB%%'")
        return cursor.fetchone()[0]


if __name__ == "__main__":
    sys.exit(main())
