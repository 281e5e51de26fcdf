"""The shop through a real pgbouncer in transaction mode (issue 24): Debian's pgbouncer, started here on a free
loopback port in front of the PostgreSQL at 127.0.0.1:5432, lends each client a server connection for one
transaction only, as deploy/pgbouncer/pgbouncer.ini does in the compose stack. A database of this module's own
(``helper_pgb_...``) is migrated and given the demo shop through it, by `manage.py` in a subprocess with
DATABASE_POOLER=pgbouncer (marketplace/settings.py), and then:

- the ledger the demo booked through the pool verifies with zero drift;
- a queryset ``.iterator()`` reads every row while another client holds the server connection it started on: the
  settings keep Django from declaring a server-side cursor, which the next transaction's server would not have (the
  same run without DATABASE_POOLER fails, and shows the error);
- eight buyers of the last three units, each locking the offer (``select_for_update``) through a pool of two server
  connections: three get one, five are refused, none is sold twice; a row lock holds for its whole transaction;
- a backup or a restore through the pool is refused (marketplace/ops/backups.py): pg_restore's session settings
  (``search_path`` emptied) would stay on a server connection that pgbouncer then lends to the shop.

The pool has two server connections, so clients do share them. Without pgbouncer (`apt-get install pgbouncer`) or
the PostgreSQL at 127.0.0.1:5432 the tests skip; under CI=true they fail instead.
"""

import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg2
import pytest

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
PGBOUNCER = shutil.which("pgbouncer") or next((p for p in ("/usr/sbin/pgbouncer",) if os.path.exists(p)), None)
PRIMARY = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
POOL_SIZE = 2  # server connections per database: fewer than the clients below, so they take turns


def _unavailable(message: str):
    if IN_CI:
        pytest.fail(f"CI=true but {message}")
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _primary(sql: str) -> None:
    conn = psycopg2.connect(dbname="postgres", connect_timeout=5, **PRIMARY)
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(sql)
    finally:
        conn.close()


def _config(workdir: Path, port: int) -> str:
    """deploy/pgbouncer/pgbouncer.ini's pooling, on loopback, with trust (the PostgreSQL here trusts loopback)."""
    return f"""[databases]
* = host={PRIMARY["host"]} port={PRIMARY["port"]}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir = {workdir}
pidfile = {workdir / "pgbouncer.pid"}
logfile = {workdir / "pgbouncer.log"}
auth_type = trust
auth_file = {workdir / "userlist.txt"}
admin_users = {PRIMARY["user"]}
pool_mode = transaction
default_pool_size = {POOL_SIZE}
max_client_conn = 100
query_wait_timeout = 30
ignore_startup_parameters = extra_float_digits
stats_period = 1
"""


@pytest.fixture(scope="module")
def pgbouncer():
    """The port of a pgbouncer of this module's own (its config, pid, log and socket in a temporary folder),
    stopped at the end. pgbouncer refuses to run as root: then it runs as the postgres (or nobody) user."""
    if PGBOUNCER is None:
        _unavailable("pgbouncer is not installed (apt-get install -y pgbouncer)")
    try:
        _primary("SELECT 1")
    except psycopg2.OperationalError as exc:
        _unavailable(f"no PostgreSQL at 127.0.0.1:5432 ({str(exc).strip()})")
    workdir = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    port = _free_port()
    (workdir / "userlist.txt").write_text(f'"{PRIMARY["user"]}" ""\n')
    (workdir / "pgbouncer.ini").write_text(_config(workdir, port))
    command = [PGBOUNCER]
    if os.geteuid() == 0:
        user = next((name for name in ("postgres", "nobody") if _user_exists(name)), "nobody")
        entry = pwd.getpwnam(user)
        for path in (workdir, *workdir.iterdir()):
            os.chown(path, entry.pw_uid, entry.pw_gid)
        command += ["-u", user]
    process = subprocess.Popen([*command, str(workdir / "pgbouncer.ini")], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        _wait_for(port, process, workdir)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(workdir, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _wait_for(port: int, process: subprocess.Popen, workdir: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            psycopg2.connect(dbname="postgres", host="127.0.0.1", port=port, user="postgres", connect_timeout=2).close()
            return
        except psycopg2.OperationalError:
            time.sleep(0.1)
    log = workdir / "pgbouncer.log"
    raise AssertionError("pgbouncer did not start: " + (log.read_text(errors="replace") if log.exists() else ""))


def _pool_stats(port: int, database: str) -> dict:
    """pgbouncer's own count of the transactions it passed to ``database`` (its admin console's SHOW STATS)."""
    conn = psycopg2.connect(dbname="pgbouncer", host="127.0.0.1", port=port, user="postgres")
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("SHOW STATS")
            names = [column.name for column in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        conn.close()
    return next(row for row in rows if row["database"] == database)


class Shop:
    """A database of its own, reached through pgbouncer; ``manage(...)`` runs a management command against it."""

    def __init__(self, port: int, name: str, files: Path):
        self.port, self.name, self.files = port, name, files
        self.url = f"postgres://postgres@127.0.0.1:{port}/{name}"
        self.direct_url = f"postgres://postgres@{PRIMARY['host']}:{PRIMARY['port']}/{name}"

    def manage(self, *args: str, pooler: bool = True, direct: bool = False) -> subprocess.CompletedProcess:
        """``pooler=False``: through pgbouncer, Django not told; ``direct=True``: the primary itself, no pooler."""
        env = {
            **os.environ,
            "DEBUG": "true",
            "DATABASE_URL": self.direct_url if direct else self.url,
            "DATABASE_POOLER": "pgbouncer" if pooler and not direct else "",
            "DATABASE_REPLICA_URLS": "",
            "REDIS_URL": "",  # tasks run in-process, as in `make run`
            "CELERY_TASK_ALWAYS_EAGER": "true",
            "MEDIA_ROOT": str(self.files / "media"),
            "PRIVATE_MEDIA_ROOT": str(self.files / "private"),
            "BACKUP_DIR": str(self.files / "backups"),
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
        for name in ("CELERY_BROKER_URL", "PYTEST_XDIST_WORKER"):
            env.pop(name, None)
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=300)  # fmt: skip

    def script(self, code: str, *, pooler: bool = True) -> tuple[subprocess.CompletedProcess, dict | None]:
        """Run ``code`` in `manage.py shell`; what it prints last as JSON comes back as a dict."""
        done = self.manage("shell", "-c", code, pooler=pooler)
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        return done, (json.loads(lines[-1]) if lines else None)


def _ok(done: subprocess.CompletedProcess) -> str:
    command = " ".join(done.args[2:4])
    assert done.returncode == 0, f"{command} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def shop(pgbouncer, tmp_path_factory):
    """A fresh database migrated and given the demo shop through pgbouncer; dropped at the end."""
    name = f"helper_pgb_{uuid.uuid4().hex[:10]}"
    _primary(f"CREATE DATABASE {name}")
    try:
        shop = Shop(pgbouncer, name, tmp_path_factory.mktemp("pgbouncer-shop"))
        _ok(shop.manage("migrate", "--no-input", "-v0"))
        _ok(shop.manage("load_demo"))
        yield shop
    finally:
        _primary(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_the_demo_shop_books_its_ledger_through_pgbouncer_with_zero_drift(shop):
    # when the ledger of the demo shop (migrated, its orders paid, allocated, refunded, paid out: all through the
    # pool) is verified through the pool
    out = _ok(shop.manage("verify_ledger"))

    # then every entry balances, and it was pgbouncer that carried the shop's transactions
    assert "zero drift" in out
    assert "PROBLEM" not in out
    assert int(out.split(" journal entries")[0].split()[-1]) >= 10
    assert _pool_stats(shop.port, shop.name)["total_xact_count"] > 100


# Another client of the pool opens a transaction between two fetches of the iterator: the server connection it
# gets is the one the iterator just used (pgbouncer lends the most recently used first), and it keeps it.
ITERATE = """
import json, psycopg2
from django.conf import settings
from django.contrib.auth.models import Permission
db = settings.DATABASES["default"]
other = psycopg2.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"])
rows = Permission.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=20)
seen = [next(rows)]
with other.cursor() as cursor:
    cursor.execute("SELECT 1")  # psycopg2 opens a transaction: this server connection is the other client's now
try:
    seen += list(rows)
    error = ""
except Exception as exc:
    error = f"{type(exc).__name__}: {exc}"
other.rollback()
print(json.dumps({"seen": len(seen), "total": Permission.objects.count(), "error": error}))
"""


def test_an_iterator_reads_every_row_while_the_pool_lends_its_connection_to_another_client(shop):
    # when an iterator over hundreds of rows is read in chunks while another client holds a transaction
    done, pooled = shop.script(ITERATE)
    _ok(done)

    # then with DATABASE_POOLER=pgbouncer every row arrives: no server-side cursor was left on a server connection
    assert pooled["total"] > 100
    assert pooled == {"seen": pooled["total"], "total": pooled["total"], "error": ""}

    # and without it (Django's default) the next chunk is fetched on another server connection, which has no cursor
    done, direct = shop.script(ITERATE, pooler=False)
    _ok(done)
    assert direct["seen"] < direct["total"]
    assert "cursor" in direct["error"] and "does not exist" in direct["error"], direct["error"]


# Eight buyers of the last three units at once, each through the pool in a transaction of its own that locks the
# offer and allocates one unit; then one transaction holds the offer's lock while others try to take it.
CONCURRENT = """
import json, threading, time
from django.db import DatabaseError, connection, transaction
from marketplace.partner.models import InsufficientStock, StockRecord
offer = StockRecord.objects.filter(num_in_stock__isnull=False, product__product_class__track_stock=True).first()
before = offer.num_allocated or 0
StockRecord.objects.filter(pk=offer.pk).update(num_in_stock=before + 3)
start, results, zones = threading.Barrier(8), [], []

def buy():
    try:
        start.wait()
        with transaction.atomic():
            StockRecord.objects.select_for_update().get(pk=offer.pk).allocate(1)
            time.sleep(0.05)  # the lock is held a while: the others queue behind it
        results.append("sold")
    except InsufficientStock:
        results.append("refused")
    except Exception as exc:
        results.append(f"{type(exc).__name__}: {exc}")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SHOW TIME ZONE")
            zones.append(cursor.fetchone()[0])
        connection.close()

buyers = [threading.Thread(target=buy) for _ in range(8)]
for buyer in buyers: buyer.start()
for buyer in buyers: buyer.join()
after = StockRecord.objects.get(pk=offer.pk).num_allocated

locked, lock = threading.Event(), {}
def holder():
    with transaction.atomic():
        StockRecord.objects.select_for_update().get(pk=offer.pk)
        StockRecord.objects.filter(pk=offer.pk).update(partner_sku="held")
        locked.set()
        time.sleep(1.0)
    connection.close()

def contender():
    locked.wait()
    try:
        with transaction.atomic():
            StockRecord.objects.select_for_update(nowait=True).get(pk=offer.pk)
        lock["nowait"] = "taken"
    except DatabaseError:
        lock["nowait"] = "refused"
    began = time.monotonic()
    with transaction.atomic():
        lock["sku"] = StockRecord.objects.select_for_update().get(pk=offer.pk).partner_sku
    lock["waited"] = round(time.monotonic() - began, 2)
    connection.close()

pair = [threading.Thread(target=holder), threading.Thread(target=contender)]
for one in pair: one.start()
for one in pair: one.join()
print(json.dumps({"results": sorted(results), "allocated": after - before, "zones": sorted(set(zones)), **lock}))
"""


def test_buyers_of_the_last_units_lock_the_offer_through_the_pool_and_none_is_sold_twice(shop):
    # when eight buyers want the last three units at once, through two server connections
    done, seen = shop.script(CONCURRENT)
    _ok(done)

    # then three are sold, five refused, and the offer's allocation rose by three, no more
    assert seen["results"] == ["refused"] * 5 + ["sold"] * 3, seen
    assert seen["allocated"] == 3
    # each connection is on UTC, as Django set it (pgbouncer carries the time zone to every server it lends)
    assert seen["zones"] == ["UTC"]
    # and a row lock lasts its whole transaction: another client is refused it, then waits and sees the write
    assert seen["nowait"] == "refused"
    assert seen["waited"] >= 0.5
    assert seen["sku"] == "held"


def _through_the_pool(shop: Shop, sql: str):
    conn = psycopg2.connect(host="127.0.0.1", port=shop.port, user="postgres", dbname=shop.name)
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone()[0]
    finally:
        conn.close()


def test_backups_and_restores_are_refused_through_the_pool_and_leave_its_connections_as_they_were(shop):
    # given a backup of the shop made on the primary itself
    _ok(shop.manage("backup_db", direct=True))

    # when staff back up or restore with DATABASE_URL naming pgbouncer
    backup = shop.manage("backup_db")
    restore = shop.manage("restore_db", "latest", "--no-input")

    # then both are refused, saying how to run them
    for refused in (backup, restore):
        assert refused.returncode != 0
        assert "DATABASE_POOLER empty" in refused.stderr, refused.stderr[-2000:]
    assert len(list((shop.files / "backups").glob("*database*.psql.bin"))) == 1
    # and the pool's server connections still find the shop's tables (a restore through it empties search_path,
    # which then stays on the server connection the pool lends next)
    for _ in range(POOL_SIZE + 1):
        assert "public" in _through_the_pool(shop, "SHOW search_path")
        assert _through_the_pool(shop, "SELECT count(*) FROM catalogue_product") > 0
