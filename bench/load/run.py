"""The load run: guest shoppers browse, fill baskets and check out (bank transfer) against a production-like stack
on loopback, then the database is checked.

    .venv/bin/python -m bench.load.run                      # the full run: 50 users for 10 minutes (`make load`)
    .venv/bin/python -m bench.load.run --users 10 --minutes 1
    .venv/bin/python -m bench.load.run --cluster            # issue 24: two web nodes, a replica, two workers, kills

What it does, all on 127.0.0.1 and under var/bench/load/ (git-ignored):

1. a fresh PostgreSQL database ``load_run`` (dropped if it exists), migrated, with the demo shop and synthetic
   designs (``generate_designs``); some offers get only a few units, so shoppers race for the last ones;
2. gunicorn (2 sync workers, DEBUG off, static files by whitenoise) on port 8201 and a Celery worker, both on
   Redis database 11;
3. locust, headless (``bench/load/locustfile.py``); meanwhile sold-out low-stock offers are restocked by a few
   units every minute (the way an operator would: a locked row, ``num_in_stock`` only), so races go on all run;
4. afterwards, with the web stopped: no stock below zero or allocated beyond stock, every allocation accounted
   for by an order line, one order per basket and per checkout, unique order numbers, the orders the shoppers saw
   are exactly the orders in the database; then every order placed is confirmed paid through the application's
   own service (``confirm_offline_payment``, as staff do), the worker allocates the revenue and fulfils the lines,
   nothing fails, and ``manage.py verify_ledger`` finds zero drift.

It prints a summary (and writes ``summary.json`` and ``summary.md``) and exits non-zero when a check fails or the
error rate is 0.1% or more. Every process it starts is stopped before it returns, also on failure.
"""

import argparse
import contextlib
import csv
import datetime
import json
import math
import os
import platform
import random
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
OUT = BASE_DIR / "var" / "bench" / "load"
BIN = Path(sys.executable).parent
DB_NAME = "load_run"
PG_ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
REDIS_URL = "redis://127.0.0.1:6379/11"
ERROR_BUDGET = 0.001  # the error rate must stay under 0.1%
STAFF_EMAIL = "staff@demo.opensource.store"
SEARCH_TERMS = "press printer mill solar+kiln tablet potatoes turbine robot+arm licence training brick pump"


def shop_env(port: int) -> dict:
    """Production settings (DEBUG off, whitenoise, JSON logs), except what plain HTTP on loopback needs."""
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "load-run-only-5b1f0c2e9a7d4e63b8c1f2a9d0e7c6b5a4f3e2d1c0b9a8f7e6d5",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{port}",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": "load",
        "EMAIL_CHECK_LIMIT": "1000000",  # every shopper checks out as a guest from 127.0.0.1
        # No TLS on loopback: no redirect to https, cookies over plain http, no HSTS.
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "false",
        "SECURE_HSTS_PRELOAD": "false",
        "STATIC_ROOT": str(OUT / "static"),
        "MEDIA_ROOT": str(OUT / "media"),
        "PRIVATE_MEDIA_ROOT": str(OUT / "private"),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(OUT / "mail"),
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "WARNING",
        "STRIPE_SECRET_KEY": "",  # bank transfer only: no card payments, nothing leaves the machine
        "STRIPE_PUBLISHABLE_KEY": "",
        "STRIPE_WEBHOOK_SECRET": "",
        "PYTHONUNBUFFERED": "1",
    }


def configure(*, out: Path, database: str, redis_db: int) -> None:
    """Where a run writes, and the database and Redis database it owns (the cluster run has its own)."""
    global OUT, DB_NAME, DATABASE_URL, REDIS_URL
    OUT, DB_NAME = out, database
    DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{database}"
    REDIS_URL = f"redis://127.0.0.1:6379/{redis_db}"


def say(text: str) -> None:
    print(f"[{datetime.datetime.now():%H:%M:%S}] {text}", flush=True)


# --- processes --------------------------------------------------------------------------------------------------


class Service:
    """A process of ours in its own process group, logging to a file; stopped by its id (TERM, then KILL)."""

    def __init__(self, name: str, argv: list[str], env: dict, log: Path):
        self.name, self.log = name, log
        self.handle = open(log, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            argv, env=env, cwd=BASE_DIR, stdout=self.handle, stderr=subprocess.STDOUT, start_new_session=True
        )

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 30) -> None:
        if self.running():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.handle.close()


def manage(env: dict, *args: str, log: Path | None = None, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], env=env, cwd=BASE_DIR, capture_output=True, text=True, check=False
    )
    if log is not None:
        with open(log, "a") as handle:
            handle.write(f"$ manage.py {' '.join(args)}\n{result.stdout}{result.stderr}\n")
    if check and result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout[-2000:]}{result.stderr[-4000:]}")
    return result


def wait_for_http(url: str, timeout: float, service: Service) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not service.running():
            raise RuntimeError(f"{service.name} exited; see {service.log}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
            if response.status == 200:
                return
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def wait_for_worker(env: dict, service: Service, timeout: float, node: str = "load@127.0.0.1") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not service.running():
            raise RuntimeError(f"the Celery worker exited; see {service.log}")
        ping = subprocess.run(
            [str(BIN / "celery"), "-A", "marketplace", "inspect", "ping", "-d", node, "--timeout", "3"],
            env=env, cwd=BASE_DIR, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if ping.returncode == 0 and "pong" in ping.stdout:
            return
        time.sleep(1)
    raise RuntimeError(f"the Celery worker did not answer a ping within {timeout:.0f} s")


# --- the shop's data --------------------------------------------------------------------------------------------


def fresh_database() -> None:
    import psycopg2

    connection = psycopg2.connect(PG_ADMIN_DSN)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {DB_NAME}")
    connection.close()


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()  # the run's own database (11; the cluster run 12): queue, cache


def prepare(env: dict, designs: int, notes: list[str]) -> None:
    setup_log = OUT / "setup.log"
    setup_log.write_text("")
    say(f"creating database {DB_NAME}, migrating")
    fresh_database()
    flush_redis()
    manage(env, "migrate", "--no-input", "-v", "0", log=setup_log)
    say("loading the demo shop")
    manage(env, "load_demo", log=setup_log)
    if designs:
        say(f"generating {designs} synthetic designs")
        result = manage(env, "generate_designs", "--count", str(designs), log=setup_log, check=False)
        if result.returncode:
            notes.append(f"generate_designs --count {designs} failed (exit {result.returncode}): demo data only")
            say(f"generate_designs failed; going on with the demo shop only (see {setup_log})")
    say("collecting static files")
    manage(env, "collectstatic", "--no-input", "-v", "0", log=setup_log)


def django_setup(env: dict) -> None:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    sys.path.insert(0, str(BASE_DIR))
    import logging

    import django

    django.setup()
    logging.getLogger("marketplace.money").setLevel(logging.WARNING)  # the web and worker logs have them


def tune_stock(rng: random.Random, count: int) -> list[int]:
    """Give ``count`` synthetic offers only 1-3 units. Returns the low-stock offers' ids: these, and the demo
    operators' offers that have 3 units or fewer left."""
    from django.db import connection
    from django.db.models import F
    from django.db.models.functions import Coalesce
    from oscar.core.loading import get_model

    StockRecord = get_model("partner", "StockRecord")
    tracked = StockRecord.objects.filter(product__product_class__track_stock=True, num_in_stock__isnull=False)
    synthetic = list(tracked.filter(product__slug__startswith="synthetic-").order_by("pk").values_list("pk", flat=True))
    hot = rng.sample(synthetic, min(count, len(synthetic)))
    for pk in hot:
        StockRecord.objects.filter(pk=pk).update(num_in_stock=Coalesce(F("num_allocated"), 0) + rng.randint(1, 3))
    demo = tracked.exclude(product__slug__startswith="synthetic-").annotate(
        left=F("num_in_stock") - Coalesce(F("num_allocated"), 0)
    )
    hot += list(demo.filter(left__lte=3).values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would have by now on a shop that has been up a while
    return sorted(hot)


def targets(hot_offers: list[int]) -> dict:
    """What the shoppers visit: every design, product, category and storefront, the low-stock products."""
    from catalog.models import Category, Design, Product
    from marketplace.browse import selectors
    from marketplace.storefronts.models import Storefront

    products = Product.objects.browsable().only("pk", "slug")
    hot = Product.objects.filter(stockrecords__pk__in=hot_offers).distinct().only("pk", "slug")
    return {
        "designs": list(Design.objects.order_by("pk").values_list("slug", flat=True)),
        "products": [product.get_absolute_url() for product in products],
        "hot_products": [product.get_absolute_url() for product in hot],
        "categories": [category.get_absolute_url() for category in Category.objects.filter(is_public=True)],
        "stores": list(Storefront.objects.filter(status=Storefront.ACTIVE).values_list("slug", flat=True)),
        "search_terms": SEARCH_TERMS.split(),
        "catalogue_pages": max(1, math.ceil(selectors.browsable_products().count() / 20)),
        "design_pages": max(1, math.ceil(Design.objects.count() / 24)),
    }


def stock_snapshot() -> dict[int, int]:
    from oscar.core.loading import get_model

    StockRecord = get_model("partner", "StockRecord")
    return {pk: allocated or 0 for pk, allocated in StockRecord.objects.values_list("pk", "num_allocated")}


class Restocker(threading.Thread):
    """Every ``every`` seconds, a sold-out low-stock offer gets 1-3 more units, as its operator would add them:
    the row locked, only ``num_in_stock`` written (concurrent checkouts keep their allocations), the save's
    signals sent."""

    def __init__(self, offers: list[int], every: float, rng: random.Random):
        super().__init__(name="restocker", daemon=True)
        self.offers, self.every, self.rng = offers, every, rng
        self.stopping = threading.Event()
        self.units = self.rounds = 0
        self.error: str | None = None

    def run(self) -> None:
        from django.db import connection, transaction
        from oscar.core.loading import get_model

        StockRecord = get_model("partner", "StockRecord")
        try:
            while not self.stopping.wait(self.every):
                self.rounds += 1
                for pk in self.offers:
                    with transaction.atomic():
                        record = StockRecord.objects.select_for_update().get(pk=pk)
                        if record.net_stock_level is not None and record.net_stock_level <= 0:
                            added = self.rng.randint(1, 3)
                            record.num_in_stock += added
                            record.save(update_fields=["num_in_stock"])
                            self.units += added
        except Exception as error:  # reported in the summary; the run goes on without restocking
            self.error = repr(error)
        finally:
            connection.close()


# --- checks -----------------------------------------------------------------------------------------------------


class Checks:
    def __init__(self):
        self.results: list[tuple[str, bool, str]] = []

    def add(self, name: str, passed: bool, detail: str = "") -> bool:
        self.results.append((name, bool(passed), detail))
        say(f"{'PASS' if passed else 'FAIL'}  {name}{': ' + detail if detail else ''}")
        return passed

    @property
    def failed(self) -> list[str]:
        return [name for name, passed, _ in self.results if not passed]


def check_stock_and_orders(
    checks: Checks, allocated_before: dict[int, int], first_order_id: int, seen: list[str], unanswered: tuple = ()
):
    """``unanswered``: guest e-mails of checkouts whose "place order" got no answer from the shop (a web node killed
    while placing it: the shopper saw an error). Such an order may exist without having been shown."""
    from django.db.models import Count, F, Q, Sum
    from oscar.core.loading import get_model

    StockRecord = get_model("partner", "StockRecord")
    Order = get_model("order", "Order")
    Line = get_model("order", "Line")

    negative = StockRecord.objects.filter(Q(num_in_stock__lt=0) | Q(num_allocated__lt=0)).count()
    checks.add("no stock record below zero", negative == 0, f"{negative} with num_in_stock or num_allocated < 0")
    over = StockRecord.objects.filter(num_in_stock__isnull=False, num_allocated__gt=F("num_in_stock")).count()
    checks.add("nothing allocated beyond stock (no oversell)", over == 0, f"{over} with num_allocated > num_in_stock")

    run_orders = Order.objects.filter(pk__gte=first_order_id)
    sold = dict(
        Line.objects.filter(order__in=run_orders, stockrecord__isnull=False)
        .values("stockrecord").annotate(units=Sum("quantity")).values_list("stockrecord", "units")
    )  # fmt: skip
    drift = []
    tracked = StockRecord.objects.filter(product__product_class__track_stock=True, num_in_stock__isnull=False)
    for pk, allocated in tracked.values_list("pk", "num_allocated"):
        if (allocated or 0) - allocated_before.get(pk, 0) != sold.get(pk, 0):
            drift.append(pk)
    checks.add(
        "every allocated unit belongs to an order line",
        not drift,
        f"{sum(sold.values())} units sold in {run_orders.count()} orders; offers that drifted: {drift[:10]}",
    )

    by_basket = Order.objects.exclude(basket_id=None).values("basket_id").annotate(n=Count("pk")).filter(n__gt=1)
    checks.add("one order per basket", not by_basket.exists(), f"{by_basket.count()} baskets with 2+ orders")
    numbers = Order.objects.values("number").annotate(n=Count("pk")).filter(n__gt=1)
    checks.add("order numbers unique", not numbers.exists(), f"{numbers.count()} numbers used twice")
    by_email = run_orders.values("guest_email").annotate(n=Count("pk")).filter(n__gt=1)
    checks.add("one order per checkout", not by_email.exists(), f"{by_email.count()} checkouts placed twice")

    in_db = set(run_orders.values_list("number", flat=True))
    checks.add("shoppers placed orders", bool(in_db), f"{len(in_db)} orders")
    seen_set = set(seen)
    unshown = in_db - seen_set
    lost = run_orders.filter(number__in=unshown, guest_email__in=unanswered)
    lost_answers = set(lost.values_list("number", flat=True))
    checks.add(
        "the orders the shoppers were shown are the orders placed",
        in_db - lost_answers == seen_set and len(seen) == len(seen_set),
        f"{len(in_db)} in the database, {len(seen)} thank-you pages; "
        + (f"{len(lost_answers)} placed whose answer was lost (the shopper saw an error): {sorted(lost_answers)}; "
           if unanswered else "")
        + f"not shown: {sorted(unshown - lost_answers)[:5]}, shown but missing: {sorted(seen_set - in_db)[:5]}",
    )  # fmt: skip
    return list(run_orders.order_by("pk").values_list("pk", flat=True))


def confirm_payments(order_ids: list[int]) -> tuple[int, list[str]]:
    """Staff confirm every bank transfer, through the service behind the dashboard's "Confirm payment received"."""
    from django.contrib.auth import get_user_model

    from marketplace.payments.services import confirm_offline_payment

    staff = get_user_model().objects.get(email=STAFF_EMAIL)
    confirmed, errors = 0, []
    for order_id in order_ids:
        try:
            confirm_offline_payment(order_id=order_id, actor=staff, reference="load run: transfer received")
            confirmed += 1
        except Exception as error:
            errors.append(f"order {order_id}: {error!r}")
    return confirmed, errors


def queue_length() -> int:
    """Messages waiting in the shop's queues (money, fulfilment, mail: CELERY_TASK_QUEUES)."""
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(REDIS_URL)
    return sum(client.llen(queue.name) for queue in settings.CELERY_TASK_QUEUES)


def wait_for_allocations(order_ids: list[int], worker: Service, timeout: float) -> dict:
    """Wait until the worker has allocated every payment and started the delivery of every paid line."""
    from django.db import connection
    from oscar.core.loading import get_model

    from marketplace.fulfilment.models import LineFulfilment
    from marketplace.revenue.services import unallocated_payment_ids

    Line = get_model("order", "Line")
    lines = Line.objects.filter(order_id__in=order_ids)
    deadline, state = time.monotonic() + timeout, {}
    started = time.monotonic()
    while time.monotonic() < deadline and worker.running():
        state = {
            "unallocated payments": len(unallocated_payment_ids()),
            "lines without fulfilment": lines.filter(fulfilment__isnull=True).count(),
            "fulfilments pending": LineFulfilment.objects.filter(line__in=lines, state=LineFulfilment.PENDING).count(),
            "queued tasks": queue_length(),
        }
        connection.close()
        if not any(state.values()):
            break
        time.sleep(2)
    state["seconds"] = round(time.monotonic() - started, 1)
    return state


def check_after_payments(checks: Checks, order_ids: list[int], state: dict, env: dict) -> None:
    from django.db.models import Count
    from oscar.core.loading import get_model

    from marketplace.fulfilment.models import LineFulfilment

    Order = get_model("order", "Order")
    waiting = {key: value for key, value in state.items() if key != "seconds" and value}
    checks.add("the worker allocated and fulfilled everything", not waiting,
               f"in {state.get('seconds')} s; left: {waiting or 'nothing'}")  # fmt: skip
    statuses = dict(Order.objects.filter(pk__in=order_ids).values_list("status").annotate(n=Count("pk")))
    # Complete comes after Paid once every line is delivered (the cluster run confirms transfers during the run).
    checks.add("every order placed is paid", set(statuses) <= {"Paid", "Complete"}, f"{statuses}")
    fulfilments = dict(
        LineFulfilment.objects.filter(line__order_id__in=order_ids).values_list("state").annotate(n=Count("pk"))
    )
    checks.add("no failed fulfilment", not fulfilments.get(LineFulfilment.FAILED), f"{fulfilments}")
    ledger = manage(env, "verify_ledger", check=False)
    report = (ledger.stdout + ledger.stderr).strip().splitlines()
    checks.add("verify_ledger: balanced, zero drift", ledger.returncode == 0, " | ".join(report[:4]))


# --- results ----------------------------------------------------------------------------------------------------


def read_stats(prefix: Path) -> tuple[list[dict], dict]:
    rows, total = [], {}
    with open(f"{prefix}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            item = {
                "name": row["Name"] if row["Type"] != "" else row["Name"],
                "method": row["Type"],
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "median": _num(row["50%"]),
                "p95": _num(row["95%"]),
                "p99": _num(row["99%"]),
                "max": _num(row["Max Response Time"]),
            }
            if row["Name"] == "Aggregated":
                total = item
            else:
                rows.append(item)
    return rows, total


def _num(value: str):
    try:
        return round(float(value))
    except ValueError:
        return None


def read_failures(prefix: Path) -> list[str]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [f"{row['Occurrences']}x {row['Method']} {row['Name']}: {row['Error']}" for row in rows]


def server_statuses(access_log: Path) -> Counter:
    statuses: Counter = Counter()
    if access_log.exists():
        for line in access_log.read_text(errors="replace").splitlines():
            match = re.search(r'" (\d{3}) ', line)
            if match:
                statuses[match.group(1)] += 1
    return statuses


def error_lines(log: Path) -> dict:
    """ERROR lines in a JSON log; Oscar logs a lost race for the last units ("unable to place order") as an error
    too, though the shopper gets the right answer: those are counted apart."""
    counts = Counter()
    if log.exists():
        for line in log.read_text(errors="replace").splitlines():
            if '"level": "ERROR"' in line:
                counts["lost stock races" if "unable to place order" in line else "other"] += 1
    return dict(counts)


def peak_rss(services: list[Service], peaks: dict) -> None:
    import psutil

    for service in services:
        with contextlib.suppress(psutil.Error):
            parent = psutil.Process(service.process.pid)
            total = sum(p.memory_info().rss for p in [parent, *parent.children(recursive=True)])
            peaks[service.name] = max(peaks.get(service.name, 0), total)


def machine() -> str:
    import psutil

    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores ({cpu}), {psutil.virtual_memory().total / 2**30:.0f} GiB RAM, Linux"


def markdown(summary: dict) -> str:
    out = [
        f"Run {summary['started']} on {summary['machine']}; Python {summary['python']}, PostgreSQL and Redis local.",
        "",
        f"Command: `{summary['command']}`",
        "",
        f"- {summary['users']} users, {summary['minutes']} min, think time {summary['think']} s; "
        f"{summary['requests']:,} requests, {summary['failures']} failed: error rate "
        f"**{summary['error_rate'] * 100:.3f}%**; {summary['rps']:.1f} requests/s",
        "- outcomes: " + ", ".join(f"{k} {v:,}" for k, v in sorted(summary["outcomes"].items())),
        f"- server status codes: {summary['server_statuses']}; ERROR log lines: web "
        f"{summary['error_log_lines']['web'] or 'none'}, worker {summary['error_log_lines']['worker'] or 'none'}",
        f"- restocked {summary['restocked_units']} units; peak memory: "
        + ", ".join(f"{k} {v / 2**20:.0f} MiB" for k, v in summary["peak_rss"].items()),
        "",
        "| request | count | failed | req/s | p50 ms | p95 ms | p99 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in [*summary["stats"], summary["total"]]:
        out.append(
            f"| {row['method']} {row['name']} | {row['requests']:,} | {row['failures']} | {row['rps']:.2f} | "
            f"{row['median']} | {row['p95']} | {row['p99']} | {row['max']} |"
        )
    out += ["", "| check | result | detail |", "| --- | --- | --- |"]
    for name, passed, detail in summary["checks"]:
        out.append(f"| {name} | {'pass' if passed else '**FAIL**'} | {detail.replace('|', '/')} |")
    if summary["notes"]:
        out += ["", *[f"Note: {note}" for note in summary["notes"]]]
    return "\n".join(out) + "\n"


# --- the run ----------------------------------------------------------------------------------------------------


def summary_of(*, started, command: str, args, stats, total: dict, outcomes: dict, restocker, peaks, checks,
               notes) -> dict:
    """What every load run reports (the cluster run adds its own): the run, its requests, outcomes and checks."""
    error_rate = total["failures"] / total["requests"] if total.get("requests") else 1.0
    return {
        "started": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "python": platform.python_version(),
        "command": command.strip(),
        "users": args.users,
        "minutes": args.minutes,
        "think": args.think,
        "requests": total["requests"],
        "failures": total["failures"],
        "error_rate": error_rate,
        "rps": total["rps"],
        "stats": stats,
        "total": total,
        "outcomes": outcomes["outcomes"],
        "failure_kinds": read_failures(OUT / "locust"),
        "restocked_units": restocker.units if restocker else 0,
        "restock_error": restocker.error if restocker else None,
        "peak_rss": peaks,
        "checks": checks.results,
        "notes": notes,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--port", type=int, default=8201, choices=range(8201, 8210), metavar="8201-8209")
    parser.add_argument("--designs", type=int, default=1000, help="synthetic designs to add (0: demo shop only)")
    parser.add_argument("--think", default="1-5", help="seconds a shopper waits between pages, min-max")
    parser.add_argument("--hot-offers", type=int, default=12, help="synthetic offers given only 1-3 units")
    parser.add_argument("--restock-every", type=float, default=60, help="seconds; 0 turns restocking off")
    parser.add_argument("--worker-timeout", type=float, default=900, help="seconds to wait for allocations")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the load_run database of an earlier run (quicker, for development)"
    )
    cluster = parser.add_argument_group(
        "cluster (issue 24)", "--cluster: two gunicorn nodes behind nginx, a streaming replica, two Celery workers; "
        "one node and one worker killed mid-run and restarted (bench/load/cluster.py)"
    )  # fmt: skip
    cluster.add_argument("--cluster", action="store_true", help="the cluster run (database load_cluster, Redis 12)")
    cluster.add_argument("--node-workers", type=int, default=2, help="gunicorn sync workers per web node")
    cluster.add_argument("--replica-port", type=int, default=0, help="0: 5433 if free, else 5434")
    cluster.add_argument("--kill-web-at", type=float, default=0.3, help="fraction of the run (0: no kill)")
    cluster.add_argument("--web-down", type=float, default=30, help="seconds the killed web node stays down")
    cluster.add_argument("--kill-worker-at", type=float, default=0.6, help="fraction of the run (0: no kill)")
    cluster.add_argument("--worker-down", type=float, default=15, help="seconds the killed worker stays down")
    cluster.add_argument("--confirm-every", type=float, default=15, help="seconds between staff's payment rounds")
    args = parser.parse_args(argv)
    if args.cluster:
        from bench.load import cluster as cluster_run

        return cluster_run.main(args, argv if argv is not None else sys.argv[1:])

    OUT.mkdir(parents=True, exist_ok=True)
    for stale in OUT.glob("locust*"):
        stale.unlink()
    for name in ("outcomes.json", "access.log", "web.log", "worker.log", "summary.json", "summary.md"):
        (OUT / name).unlink(missing_ok=True)
    think_min, think_max = (float(part) for part in args.think.split("-"))
    rng = random.Random(args.seed)
    env = shop_env(args.port)
    notes: list[str] = []
    checks = Checks()
    services: list[Service] = []
    peaks: dict = {}
    started = datetime.datetime.now().astimezone()
    command = "python -m bench.load.run " + " ".join(argv if argv is not None else sys.argv[1:])
    web = worker = restocker = None
    try:
        if args.reuse:
            notes.append("reused the database of an earlier run")
            flush_redis()
        else:
            prepare(env, args.designs, notes)
        django_setup(env)
        hot = tune_stock(rng, args.hot_offers)
        (OUT / "targets.json").write_text(json.dumps(targets(hot)))
        allocated_before = stock_snapshot()
        from django.db import connection
        from oscar.core.loading import get_model

        first_order_id = (get_model("order", "Order").objects.order_by("-pk").values_list("pk", flat=True).first()
                          or 0) + 1  # fmt: skip
        connection.close()

        say(f"starting gunicorn (2 sync workers) on 127.0.0.1:{args.port} and a Celery worker")
        web = Service(
            "web",
            [str(BIN / "gunicorn"), "marketplace.wsgi", "-w", "2", "-b", f"127.0.0.1:{args.port}",
             "--access-logfile", str(OUT / "access.log"), "--access-logformat", '%(t)s "%(r)s" %(s)s %(b)s %(M)sms'],
            env, OUT / "web.log",
        )  # fmt: skip
        worker = Service(
            "worker",
            [str(BIN / "celery"), "-A", "marketplace", "worker", "--pool=prefork", "--concurrency=1",
             "-Q", "money,fulfilment,mail", "-n", "load@127.0.0.1", "--loglevel=WARNING"],
            env, OUT / "worker.log",
        )  # fmt: skip
        services += [web, worker]
        wait_for_http(f"http://127.0.0.1:{args.port}/health/live/", 60, web)
        wait_for_worker(env, worker, 90)

        if args.restock_every > 0:
            restocker = Restocker(hot, args.restock_every, random.Random(args.seed + 1))
            restocker.start()
        say(f"locust: {args.users} users for {args.minutes:g} min (think {args.think} s)")
        locust_env = {
            **os.environ,
            "LOAD_TARGETS": str(OUT / "targets.json"),
            "LOAD_OUTCOMES": str(OUT / "outcomes.json"),
            "LOAD_THINK_MIN": str(think_min),
            "LOAD_THINK_MAX": str(think_max),
        }
        run_seconds = round(args.minutes * 60)
        locust = Service(
            "locust",
            [str(BIN / "locust"), "-f", str(BASE_DIR / "bench" / "load" / "locustfile.py"), "--headless",
             "-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{run_seconds}s",
             "--host", f"http://127.0.0.1:{args.port}", "--csv", str(OUT / "locust"), "--html",
             str(OUT / "locust.html"), "--stop-timeout", "60", "--only-summary", "--loglevel", "WARNING",
             "--exit-code-on-error", "0"],
            locust_env, OUT / "locust.log",
        )  # fmt: skip
        services.append(locust)
        deadline = time.monotonic() + run_seconds + 180
        load_before = os.getloadavg()
        while locust.running() and time.monotonic() < deadline:
            peak_rss([web, worker], peaks)
            for service in (web, worker):
                if not service.running():
                    raise RuntimeError(f"{service.name} exited during the run; see {service.log}")
            time.sleep(5)
        if locust.running():
            notes.append("locust did not finish in time and was stopped")
        notes.append(
            "machine load average (1, 5, 15 min): {:.1f} {:.1f} {:.1f} at the start, {:.1f} {:.1f} {:.1f} at the end"
            .format(*load_before, *os.getloadavg())
        )  # fmt: skip
        locust.stop(60)
        if restocker:
            restocker.stopping.set()
            restocker.join(60)
        say("stopping the web; checking the database")
        web.stop()

        outcomes = json.loads((OUT / "outcomes.json").read_text())
        order_ids = check_stock_and_orders(checks, allocated_before, first_order_id, outcomes["order_numbers"])
        say(f"confirming {len(order_ids)} bank transfers as staff; the worker allocates the revenue")
        confirmed, errors = confirm_payments(order_ids)
        checks.add("every bank transfer confirmed", not errors, f"{confirmed} confirmed; {errors[:3]}")
        state = wait_for_allocations(order_ids, worker, args.worker_timeout)
        check_after_payments(checks, order_ids, state, env)
    except Exception as error:
        checks.add("the run completed", False, repr(error))
        outcomes = {"outcomes": {}, "order_numbers": []}
        if (OUT / "outcomes.json").exists():
            outcomes = json.loads((OUT / "outcomes.json").read_text())
    finally:
        if restocker:
            restocker.stopping.set()
        for service in reversed(services):
            service.stop()

    if not (OUT / "locust_stats.csv").exists():
        say("no locust statistics: nothing to summarise")
        return 1
    if outcomes.get("total"):
        stats, total = outcomes["stats"], outcomes["total"]
    else:
        stats, total = read_stats(OUT / "locust")
    error_rate = total["failures"] / total["requests"] if total.get("requests") else 1.0
    checks.add(f"error rate under {ERROR_BUDGET:.1%}", error_rate < ERROR_BUDGET, f"{error_rate:.4%}")
    summary = summary_of(started=started, command=command, args=args, stats=stats, total=total, outcomes=outcomes,
                         restocker=restocker, peaks=peaks, checks=checks, notes=notes)  # fmt: skip
    summary["server_statuses"] = dict(sorted(server_statuses(OUT / "access.log").items()))
    summary["error_log_lines"] = {"web": error_lines(OUT / "web.log"), "worker": error_lines(OUT / "worker.log")}
    (OUT / "summary.json").write_text(json.dumps(summary, indent=1, default=str))
    (OUT / "summary.md").write_text(markdown(summary))
    print()
    print(markdown(summary))
    for kind in summary["failure_kinds"][:10]:
        print(f"failure: {kind}")
    if summary["restock_error"]:
        print(f"restocking stopped: {summary['restock_error']}")
    print(f"Files: {OUT.relative_to(BASE_DIR)}/ (summary.md, locust_stats.csv, locust.html, access.log, web.log, "
          "worker.log)")  # fmt: skip
    if checks.failed:
        print(f"FAILED: {', '.join(checks.failed)}")
        return 1
    print("All checks passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
