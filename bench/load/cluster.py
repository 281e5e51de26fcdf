"""The cluster load run (issue 24): ``python -m bench.load.run --cluster`` (``make load LOAD_ARGS="--cluster"``).

The load run's shoppers and checks (``bench/load/run.py``) against a small cluster on loopback:

- nginx on 127.0.0.1:8211 in front of two gunicorn nodes (8212, 8213; ``--node-workers`` sync workers each), round
  robin; a node that refuses a connection is left out for 5 s (``max_fails=1 fail_timeout=5s``) and the request
  goes to the other one. Only what is safe to send twice is retried: nginx passes a request to the other node after
  a connection error or a timeout, but never a POST that already reached a node (no ``non_idempotent``): a checkout
  cut off by a killed node answers 502, and the shopper sees it (an error, counted);
- the primary PostgreSQL (database ``load_cluster``) and a streaming hot standby made by ``.ci/replica.sh`` after
  the data is loaded (port 5433 if free, else 5434); the web nodes get ``DATABASE_REPLICA_URLS``, so the public
  pages read from the replica (``marketplace.ops.db_router``);
- two Celery workers, each consuming all three queues (money, fulfilment, mail), so either one alone does all;
- staff confirm the bank transfers of the orders placed every ``--confirm-every`` seconds during the run, so
  allocations and fulfilments run while a worker dies;
- mid-run: one web node is killed with SIGKILL (its whole process group: the master and its workers) and started
  again ``--web-down`` seconds later; then, right after a round of payment confirmations, one worker (its master and
  its pool) likewise, started again ``--worker-down`` seconds later;
- the CPU of every process class (web nodes, workers, PostgreSQL primary and replica, Redis, nginx, locust, the rest
  of the machine) is sampled with psutil every 5 s; requests per node come from nginx's log (which node answered,
  and how long it took), checked against each gunicorn's access log.

Afterwards the load run's checks, plus: the messages the killed worker had taken and not acknowledged (acks_late)
are found in Redis; with the Redis broker they are handed out again only after the visibility timeout (an hour), so
the run hands them back the way kombu does then, and checks they ran harmlessly; the replica served reads; then the
ledger is verified. Everything is written under ``var/bench/load/cluster/``.
"""

import contextlib
import datetime
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections import Counter, defaultdict

from bench.load import run as load

PROXY_PORT = 8211
NODE_PORTS = (8212, 8213)
DB_NAME = "load_cluster"
REDIS_DB = 12
OUT = load.BASE_DIR / "var" / "bench" / "load" / "cluster"
SAMPLE_SECONDS = 5
REPLICA_SLOT = "oss_load_cluster"  # the primary keeps the WAL the replica still needs; dropped by replica.sh stop


# --- the stack ----------------------------------------------------------------------------------------------------


def listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def replica_dir(port: int) -> str:
    return f"/tmp/oss-load-cluster-replica-{port}"  # noqa: S108 - as .ci/replica.sh's own default; postgres owns it


def choose_replica_port(asked: int) -> int:
    if asked:
        return asked
    for port in (5433, 5434):  # a replica of ours left on the port is replaced by replica.sh
        if not listening(port) or os.path.exists(os.path.join(replica_dir(port), "oss-replica")):
            return port
    raise RuntimeError("ports 5433 and 5434 are both taken: pass --replica-port")


def replica(action: str, port: int) -> None:
    env = {**os.environ, "REPLICA_PORT": str(port), "REPLICA_DIR": replica_dir(port), "REPLICA_SLOT": REPLICA_SLOT}
    script = str(load.BASE_DIR / ".ci" / "replica.sh")
    result = subprocess.run(["bash", script, action], env=env, capture_output=True, text=True, check=False)
    with open(OUT / "replica.log", "a") as handle:
        handle.write(f"$ replica.sh {action}\n{result.stdout}{result.stderr}\n")
    if result.returncode and action == "start":
        raise RuntimeError(f"replica.sh start failed: {result.stderr[-2000:]}")


def nginx_config(ports: tuple[int, ...]) -> str:
    root = OUT / "nginx"
    servers = "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in ports)
    return f"""worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    log_format cluster '$msec $status $request_time "$upstream_addr" "$upstream_status" "$request_method $uri"';
    upstream shop {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{PROXY_PORT};
        access_log {OUT}/proxy.log cluster;
        location / {{
            proxy_pass http://shop;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            # Another node only for what is safe twice: a refused connection (nothing was sent), or a GET that
            # failed or timed out. A POST that reached a node is never sent again (no non_idempotent).
            proxy_next_upstream error timeout;
            proxy_next_upstream_tries 2;
            proxy_connect_timeout 2s;
            proxy_read_timeout 120s;
        }}
    }}
}}
"""


def start_node(number: int, env: dict, workers: int) -> load.Service:
    port = NODE_PORTS[number - 1]
    return load.Service(
        f"web{number}",
        [str(load.BIN / "gunicorn"), "marketplace.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--access-logfile", str(OUT / f"web{number}-access.log"),
         "--access-logformat", '%(t)s "%(r)s" %(s)s %(b)s %(M)sms'],
        env, OUT / f"web{number}.log",
    )  # fmt: skip


def worker_node(number: int) -> str:
    return f"cluster{number}@127.0.0.1"


def start_worker(number: int, env: dict) -> load.Service:
    return load.Service(
        f"worker{number}",
        [str(load.BIN / "celery"), "-A", "marketplace", "worker", "--pool=prefork", "--concurrency=1",
         "-Q", "money,fulfilment,mail", "-n", worker_node(number), "--loglevel=WARNING"],
        env, OUT / f"worker{number}.log",
    )  # fmt: skip


def sigkill(service: load.Service) -> float:
    """Kill the service's whole process group (a machine or container dying): nothing is told, nothing cleans up."""
    at = time.time()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(service.process.pid, signal.SIGKILL)
    service.process.wait(10)
    service.handle.close()
    return at


# --- CPU per process class ----------------------------------------------------------------------------------------


class Sampler(threading.Thread):
    """Every SAMPLE_SECONDS, the CPU seconds each process class used since the last sample."""

    def __init__(self, services: dict, replica_port: int):
        super().__init__(name="cpu-sampler", daemon=True)
        self.services = services  # name -> Service, kept current by the run (a restarted node replaces its entry)
        self.replica_pid_file = os.path.join(replica_dir(replica_port), "postmaster.pid")
        self.stopping = threading.Event()
        self.samples: list[tuple[float, float, dict]] = []  # (time, seconds, {class: cpu seconds})
        self.seen: dict[int, float] = {}
        self.error: str | None = None

    def classes(self) -> dict[int, str]:
        import psutil

        owner: dict[int, str] = {}
        for name, service in list(self.services.items()):
            with contextlib.suppress(psutil.Error):
                parent = psutil.Process(service.process.pid)
                label = re.sub(r"\d+$", lambda m: f" {m.group()}", name)  # web1 -> "web 1"
                for process in [parent, *parent.children(recursive=True)]:
                    owner[process.pid] = label
        replica_master = None
        with contextlib.suppress(OSError, ValueError), open(self.replica_pid_file) as pid_file:
            replica_master = int(pid_file.readline())
        for process in psutil.process_iter(["pid", "ppid", "name", "cmdline"]):
            info = process.info
            if info["pid"] in owner:
                continue
            if info["name"] == "postgres":
                line = " ".join(info["cmdline"] or [])
                if replica_master in (info["pid"], info["ppid"]):
                    owner[info["pid"]] = "postgres replica"
                elif f" {DB_NAME} " in line:
                    owner[info["pid"]] = "postgres primary (load_cluster)"
                else:
                    owner[info["pid"]] = "postgres primary (rest)"
            elif info["name"] == "redis-server":
                owner[info["pid"]] = "redis (shared)"
        return owner

    def sample(self) -> dict[str, float]:
        import psutil

        used: dict[str, float] = defaultdict(float)
        first = not self.seen
        current = {}
        for pid, label in self.classes().items():
            with contextlib.suppress(psutil.Error):
                times = psutil.Process(pid).cpu_times()
                total = times.user + times.system
                current[pid] = total
                if not first:
                    used[label] += total - self.seen.get(pid, 0.0)
        self.seen = current
        machine = psutil.cpu_times()
        busy = sum(machine) - machine.idle - getattr(machine, "iowait", 0) - getattr(machine, "steal", 0)
        if not first:
            used["machine (all)"] = busy - self.machine_busy
        self.machine_busy = busy
        return dict(used)

    def run(self) -> None:
        try:
            self.sample()
            last = time.time()
            while not self.stopping.wait(SAMPLE_SECONDS):
                used = self.sample()
                now = time.time()
                self.samples.append((now, now - last, used))
                last = now
        except Exception as error:
            self.error = repr(error)

    def cores(self, start: float, end: float) -> dict[str, float]:
        """Average cores each class used between start and end (the samples that ended in that span)."""
        total: dict[str, float] = defaultdict(float)
        seconds = 0.0
        for at, span, used in self.samples:
            if start < at <= end:
                seconds += span
                for label, cpu in used.items():
                    total[label] += cpu
        if not seconds:
            return {}
        cores = {label: round(cpu / seconds, 2) for label, cpu in total.items()}
        ours = sum(value for label, value in cores.items() if label != "machine (all)")
        cores["rest of the machine"] = round(max(0.0, cores.get("machine (all)", 0) - ours), 2)
        return cores


# --- staff confirm payments during the run ---------------------------------------------------------------------


class Confirmer(threading.Thread):
    """Every ``every`` seconds, staff confirm the bank transfers of the orders placed meanwhile (the service behind
    the dashboard's "Confirm payment received"), so allocations and fulfilments run during the kills."""

    def __init__(self, first_order_id: int, every: float):
        super().__init__(name="confirmer", daemon=True)
        self.first_order_id, self.every = first_order_id, every
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.confirmed = 0
        self.errors: list[str] = []

    def round(self) -> int:
        from django.db import connection
        from oscar.core.loading import get_model

        Order = get_model("order", "Order")
        with self.lock:
            pending = list(
                Order.objects.filter(pk__gte=self.first_order_id, status="Pending").values_list("pk", flat=True)
            )
            confirmed, errors = load.confirm_payments(pending)
            self.confirmed += confirmed
            self.errors += errors
            connection.close()
        return confirmed

    def run(self) -> None:
        while not self.stopping.wait(self.every):
            try:
                self.round()
            except Exception as error:
                self.errors.append(repr(error))


# --- the messages a killed worker held --------------------------------------------------------------------------


def held_messages(before: float) -> list[tuple[str, str]]:
    """Messages taken (delivered) before ``before`` and still not acknowledged: (delivery tag, the task's call)."""
    import base64

    import redis

    client = redis.Redis.from_url(load.REDIS_URL)
    held = []
    for tag, _score in client.zrangebyscore("unacked_index", 0, before, withscores=True):
        raw = client.hget("unacked", tag)
        call = "?"
        if raw:
            payload = json.loads(raw)[0]
            call = payload.get("headers", {}).get("task", "?")
            with contextlib.suppress(ValueError, KeyError, TypeError):
                args, kwargs, _embed = json.loads(base64.b64decode(payload["body"]))
                arguments = [*map(repr, args), *(f"{key}={value!r}" for key, value in kwargs.items())]
                call = f"{call.rsplit('.', 1)[-1]}({', '.join(arguments)})"
        held.append((tag.decode(), call))
    return held


def effects(held: list[tuple[str, str]]) -> dict[str, str]:
    """What each held call was to do, as it stands in the database: a line's fulfilment state, or how many times
    an e-mail's key was recorded as sent (once at most: ``notifications.services.send``)."""
    from marketplace.fulfilment.models import LineFulfilment
    from marketplace.notifications.models import OrderEmail

    out = {}
    for _tag, call in held:
        if match := re.search(r"fulfil_line_task\(line_id=(\d+)\)", call):
            line = int(match.group(1))
            state = LineFulfilment.objects.filter(line_id=line).values_list("state", flat=True).first()
            out[f"line {line}"] = state or "no fulfilment yet"
        elif match := re.search(r"send_order_email_task\(.*key='([^']+)'", call):
            out[f"e-mail {match.group(1)}"] = f"sent {OrderEmail.objects.filter(key=match.group(1)).count()}x"
    return out


def hand_back(tags: list[str]) -> None:
    """What kombu's Redis transport does to a message unacknowledged for the visibility timeout: back to its queue."""
    from django.conf import settings
    from kombu import Connection

    with Connection(load.REDIS_URL, transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS) as connection:
        qos = connection.default_channel.qos
        for tag in tags:
            qos.restore_by_tag(tag, leftmost=True)


# --- reading the logs -------------------------------------------------------------------------------------------


PROXY_LINE = re.compile(r'^(\S+) (\d{3}) (\S+) "([^"]*)" "([^"]*)" "(\S+) ([^"]*)"')


def proxy_requests() -> list[dict]:
    rows = []
    path = OUT / "proxy.log"
    if path.exists():
        for line in path.read_text(errors="replace").splitlines():
            match = PROXY_LINE.match(line)
            if match:
                at, status, seconds, upstreams, upstream_statuses, method, uri = match.groups()
                tried = [part.strip() for part in upstreams.split(",") if part.strip()]
                rows.append({
                    "at": float(at), "status": int(status), "seconds": float(seconds), "tried": tried,
                    "node": tried[-1] if tried else "-", "upstream_statuses": upstream_statuses, "method": method,
                    "uri": uri,
                })  # fmt: skip
    return rows


def upstream_errors() -> dict[str, int]:
    """What nginx met at the nodes (its error log): refused connections (nothing sent: safe to send elsewhere) and
    connections that died with the request on them."""
    kinds: Counter = Counter()
    path = OUT / "nginx" / "error.log"
    if path.exists():
        for line in path.read_text(errors="replace").splitlines():
            if "[error]" not in line:
                continue
            if "Connection refused" in line:
                kinds["connection refused"] += 1
            elif "prematurely closed" in line or "reset by peer" in line:
                kinds["connection closed with the request on it"] += 1
            elif "upstream" in line:
                kinds["other upstream error"] += 1
    return dict(kinds)


def node_name(address: str) -> str:
    for number, port in enumerate(NODE_PORTS, start=1):
        if address.endswith(f":{port}"):
            return f"web {number}"
    return address


def percentile(values: list[float], share: float):
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000)


def per_node(rows: list[dict], start: float, end: float) -> dict:
    """Requests each node answered between start and end: count, req/s, p50 and p95 ms at the proxy."""
    span = max(end - start, 1e-9)
    chosen = [row for row in rows if start <= row["at"] < end]
    out = {}
    for node in sorted({node_name(row["node"]) for row in chosen}):
        times = [row["seconds"] for row in chosen if node_name(row["node"]) == node]
        out[node] = {"requests": len(times), "rps": round(len(times) / span, 2),
                     "p50_ms": percentile(times, 0.5), "p95_ms": percentile(times, 0.95)}  # fmt: skip
    times = [row["seconds"] for row in chosen]
    out["all"] = {"requests": len(times), "rps": round(len(times) / span, 2),
                  "p50_ms": percentile(times, 0.5), "p95_ms": percentile(times, 0.95)}  # fmt: skip
    return out


def access_log_counts() -> dict[str, int]:
    counts = {}
    for number in (1, 2):
        path = OUT / f"web{number}-access.log"
        counts[f"web {number}"] = len(path.read_text(errors="replace").splitlines()) if path.exists() else 0
    return counts


def replica_reads(port: int) -> dict:
    """Transactions in load_cluster so far on the primary and on the replica (each server's own count)."""
    import psycopg2

    out = {}
    for label, server_port in (("primary", 5432), ("replica", port)):
        with contextlib.suppress(psycopg2.Error):
            connection = psycopg2.connect(host="127.0.0.1", port=server_port, user="postgres", dbname="postgres")
            with connection, connection.cursor() as cursor:
                cursor.execute("SELECT xact_commit + xact_rollback, tup_returned FROM pg_stat_database "
                               "WHERE datname = %s", [DB_NAME])  # fmt: skip
                row = cursor.fetchone()
                out[label] = {"transactions": row[0], "rows_read": row[1]} if row else {}
            connection.close()
    return out


# --- the run ------------------------------------------------------------------------------------------------------


def main(args, argv: list[str]) -> int:  # noqa: C901, PLR0912, PLR0915 - one run, step by step, as run.main
    load.configure(out=OUT, database=DB_NAME, redis_db=REDIS_DB)
    OUT.mkdir(parents=True, exist_ok=True)
    for stale in [*OUT.glob("locust*"), *OUT.glob("*.log"), *OUT.glob("summary.*"), OUT / "outcomes.json"]:
        stale.unlink(missing_ok=True)
    shutil.rmtree(OUT / "nginx", ignore_errors=True)
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (OUT / "nginx" / sub).mkdir(parents=True, exist_ok=True)
    for port in (PROXY_PORT, *NODE_PORTS):
        if listening(port):
            print(f"port {port} is taken: the cluster run needs 8211-8213")
            return 1
    replica_port = choose_replica_port(args.replica_port)
    think_min, think_max = (float(part) for part in args.think.split("-"))
    rng = random.Random(args.seed)
    env = load.shop_env(PROXY_PORT)
    node_env = {**env, "DATABASE_REPLICA_URLS": f"postgres://postgres@127.0.0.1:{replica_port}/{DB_NAME}"}
    notes: list[str] = []
    checks = load.Checks()
    services: dict[str, load.Service] = {}
    stopped: list[load.Service] = []
    peaks: dict = {}
    events: list[tuple[float, str]] = []
    started = datetime.datetime.now().astimezone()
    command = "python -m bench.load.run " + " ".join(argv)
    restocker = confirmer = sampler = None
    replica_started = False
    held: list[tuple[str, str]] = []
    redelivered: dict = {}
    reads_before: dict = {}
    locust_started = locust_ended = time.time()
    run_seconds = round(args.minutes * 60)
    outcomes = {"outcomes": {}, "order_numbers": [], "unanswered_checkouts": []}

    def event(text: str) -> None:
        events.append((time.time(), text))
        load.say(text)

    try:
        if args.reuse:
            notes.append("reused the database of an earlier run")
            load.flush_redis()
        else:
            load.prepare(env, args.designs, notes)
        load.say(f"making a streaming replica on 127.0.0.1:{replica_port} (.ci/replica.sh)")
        replica_started = True
        replica("start", replica_port)
        load.django_setup(env)
        hot = load.tune_stock(rng, args.hot_offers)
        (OUT / "targets.json").write_text(json.dumps(load.targets(hot)))
        allocated_before = load.stock_snapshot()
        from django.db import connection
        from oscar.core.loading import get_model

        first_order_id = (get_model("order", "Order").objects.order_by("-pk").values_list("pk", flat=True).first()
                          or 0) + 1  # fmt: skip
        connection.close()

        load.say(f"starting nginx on :{PROXY_PORT}, two web nodes ({args.node_workers} sync workers each) on "
                 f":{NODE_PORTS[0]} and :{NODE_PORTS[1]}, two Celery workers")  # fmt: skip
        (OUT / "nginx" / "nginx.conf").write_text(nginx_config(NODE_PORTS))
        services["proxy"] = load.Service(
            "proxy", ["nginx", "-p", str(OUT / "nginx"), "-c", str(OUT / "nginx" / "nginx.conf"), "-g", "daemon off;"],
            env, OUT / "nginx.log",
        )  # fmt: skip
        for number in (1, 2):
            services[f"web{number}"] = start_node(number, node_env, args.node_workers)
            services[f"worker{number}"] = start_worker(number, env)
        for number in (1, 2):
            load.wait_for_http(f"http://127.0.0.1:{NODE_PORTS[number - 1]}/health/live/", 90,
                               services[f"web{number}"])  # fmt: skip
        load.wait_for_http(f"http://127.0.0.1:{PROXY_PORT}/health/live/", 30, services["proxy"])
        for number in (1, 2):
            load.wait_for_worker(env, services[f"worker{number}"], 120, node=worker_node(number))
        reads_before = replica_reads(replica_port)

        sampler = Sampler(services, replica_port)
        sampler.start()
        if args.restock_every > 0:
            restocker = load.Restocker(hot, args.restock_every, random.Random(args.seed + 1))
            restocker.start()
        confirmer = Confirmer(first_order_id, args.confirm_every)
        confirmer.start()
        load.say(f"locust: {args.users} users for {args.minutes:g} min (think {args.think} s) through nginx")
        locust_env = {
            **os.environ,
            "LOAD_TARGETS": str(OUT / "targets.json"),
            "LOAD_OUTCOMES": str(OUT / "outcomes.json"),
            "LOAD_THINK_MIN": str(think_min),
            "LOAD_THINK_MAX": str(think_max),
        }
        locust = load.Service(
            "locust",
            [str(load.BIN / "locust"), "-f", str(load.BASE_DIR / "bench" / "load" / "locustfile.py"), "--headless",
             "-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{run_seconds}s",
             "--host", f"http://127.0.0.1:{PROXY_PORT}", "--csv", str(OUT / "locust"), "--html",
             str(OUT / "locust.html"), "--stop-timeout", "60", "--only-summary", "--loglevel", "WARNING",
             "--exit-code-on-error", "0"],
            locust_env, OUT / "locust.log",
        )  # fmt: skip
        services["locust"] = locust
        locust_started = time.time()
        events.append((locust_started, "locust starts"))
        plan = []  # (seconds into the run, action)
        if args.kill_web_at > 0:
            plan += [(args.kill_web_at * run_seconds, "kill web2"),
                     (args.kill_web_at * run_seconds + args.web_down, "start web2")]  # fmt: skip
        if args.kill_worker_at > 0:
            plan += [(args.kill_worker_at * run_seconds, "kill worker2"),
                     (args.kill_worker_at * run_seconds + args.worker_down, "start worker2")]  # fmt: skip
        plan.sort()
        deadline = time.monotonic() + run_seconds + 180
        load_before = os.getloadavg()
        while locust.running() and time.monotonic() < deadline:
            load.peak_rss([service for name, service in services.items() if name != "locust"], peaks)
            while plan and time.time() - locust_started >= plan[0][0]:
                _at, action = plan.pop(0)
                verb, name = action.split()
                if verb == "kill" and name == "web2":
                    stopped.append(services.pop(name))
                    sigkill(stopped[-1])
                    event("SIGKILL web node 2 (gunicorn master and workers)")
                elif verb == "kill":
                    # Tasks in flight when the worker dies: right after a round that confirmed something.
                    confirmed, tries = confirmer.round(), 0
                    while not confirmed and tries < 30:
                        time.sleep(1)
                        confirmed, tries = confirmer.round(), tries + 1
                    time.sleep(0.3)
                    stopped.append(services.pop(name))
                    sigkill(stopped[-1])
                    event(f"SIGKILL worker 2 (master and pool), 0.3 s after staff confirmed {confirmed} transfers")
                elif name == "web2":
                    services[name] = start_node(2, node_env, args.node_workers)
                    event("web node 2 started again")
                    load.wait_for_http(f"http://127.0.0.1:{NODE_PORTS[1]}/health/live/", 90, services[name])
                    event("web node 2 answers again")
                else:
                    services[name] = start_worker(2, env)
                    event("worker 2 started again")
                    load.wait_for_worker(env, services[name], 120, node=worker_node(2))
                    event("worker 2 answers a ping again")
            for name, service in services.items():
                if not service.running() and name != "locust":
                    raise RuntimeError(f"{name} exited during the run; see {service.log}")
            time.sleep(1)
        locust_ended = time.time()
        if locust.running():
            notes.append("locust did not finish in time and was stopped")
        notes.append(
            "machine load average (1, 5, 15 min): {:.1f} {:.1f} {:.1f} at the start, {:.1f} {:.1f} {:.1f} at the end"
            .format(*load_before, *os.getloadavg())
        )  # fmt: skip
        locust.stop(60)
        confirmer.stopping.set()
        confirmer.join(120)
        if restocker:
            restocker.stopping.set()
            restocker.join(60)
        sampler.stopping.set()
        sampler.join(30)
        reads_after = replica_reads(replica_port)
        load.say("stopping the web nodes and the proxy; checking the database")
        for name in ("proxy", "web1", "web2"):
            services[name].stop()

        outcomes = json.loads((OUT / "outcomes.json").read_text())
        order_ids = load.check_stock_and_orders(
            checks, allocated_before, first_order_id, outcomes["order_numbers"], outcomes["unanswered_checkouts"]
        )
        load.say(f"confirming the rest of {len(order_ids)} bank transfers as staff")
        confirmed, errors = load.confirm_payments(order_ids)
        errors = confirmer.errors + errors
        checks.add("every bank transfer confirmed", not errors,
                   f"{confirmer.confirmed} during the run, the rest after; {errors[:3]}")  # fmt: skip
        kill_at = next((at for at, text in events if text.startswith("SIGKILL worker")), None)
        if kill_at is not None:
            # Wait for what the live workers have queued, then take what the killed one held (taken before it died).
            for _ in range(60):
                if not load.queue_length():
                    break
                time.sleep(2)
            held = held_messages(kill_at)
            before = effects(held)
            checks.add("the killed worker's messages are kept for redelivery (acks_late)", True,
                       f"{len(held)} taken and not acknowledged: {[call for _tag, call in held]}; "
                       f"what they were to do, now: {before}")  # fmt: skip
            if held:
                hand_back([tag for tag, _call in held])
                load.say(f"handed {len(held)} held message(s) back to their queues, as kombu does after the "
                         "visibility timeout")  # fmt: skip
                # Done when neither queued nor taken, three times in a row (between the two a message is in neither).
                waited, quiet = time.monotonic(), 0
                while quiet < 3 and time.monotonic() - waited < 120:
                    time.sleep(1)
                    quiet = 0 if held_messages(time.time()) or load.queue_length() else quiet + 1
                redelivered = {
                    "calls": [call for _tag, call in held], "before": before, "after": effects(held),
                    "seconds": round(time.monotonic() - waited, 1),
                }  # fmt: skip
                load.say(f"the handed-back messages ran: {redelivered}")
        state = load.wait_for_allocations(order_ids, services["worker1"], args.worker_timeout)
        load.check_after_payments(checks, order_ids, state, env)
        left = held_messages(time.time())
        checks.add("no message left unacknowledged", not left, f"{left[:5]}")
        replica_tx = reads_after.get("replica", {}).get("transactions", 0) - reads_before.get("replica", {}).get(
            "transactions", 0
        )
        checks.add("the replica served the public pages' reads", replica_tx > 0,
                   f"{replica_tx} transactions on the replica during the run")  # fmt: skip
    except Exception as error:
        checks.add("the run completed", False, repr(error))
        if (OUT / "outcomes.json").exists():
            outcomes = json.loads((OUT / "outcomes.json").read_text())
        reads_after = {}
    finally:
        for thread in (restocker, confirmer, sampler):
            if thread:
                thread.stopping.set()
        for service in reversed(list(services.values())):
            service.stop()
        if replica_started:
            replica("stop", replica_port)

    if not (OUT / "locust_stats.csv").exists():
        load.say("no locust statistics: nothing to summarise")
        return 1
    if outcomes.get("total"):
        stats, total = outcomes["stats"], outcomes["total"]
    else:
        stats, total = load.read_stats(OUT / "locust")
    error_rate = total["failures"] / total["requests"] if total.get("requests") else 1.0
    checks.add(f"error rate under {load.ERROR_BUDGET:.1%}", error_rate < load.ERROR_BUDGET, f"{error_rate:.4%}")

    rows = proxy_requests()
    phases = phase_spans(events, locust_started, locust_ended)
    summary = load.summary_of(started=started, command=command, args=args, stats=stats, total=total,
                              outcomes=outcomes, restocker=restocker, peaks=peaks, checks=checks, notes=notes)
    summary |= {
        "unanswered_checkouts": len(outcomes.get("unanswered_checkouts", [])),
        "server_statuses": dict(sorted(Counter(str(row["status"]) for row in rows).items())),
        "error_log_lines": {
            "web": {
                **load.error_lines(OUT / "web1.log"),
                **{f"node 2 {k}": v for k, v in load.error_lines(OUT / "web2.log").items()},
            },
            "worker": {
                **load.error_lines(OUT / "worker1.log"),
                **{f"worker 2 {k}": v for k, v in load.error_lines(OUT / "worker2.log").items()},
            },
        },  # fmt: skip
        "cluster": {
            "node_workers": args.node_workers,
            "replica_port": replica_port,
            "events": [(round(at - locust_started, 1), text) for at, text in events],
            "phases": {
                label: {
                    "seconds": round(end - start),
                    "nodes": per_node(rows, start, end),
                    "cores": sampler.cores(start, end) if sampler else {},
                }
                for label, (start, end) in phases.items()
            },  # fmt: skip
            "proxy_retried": retried(rows),
            "proxy_errors": [
                f"{row['method']} {row['uri']} {row['status']} at {row['at'] - locust_started:.1f} s "
                f"({', '.join(node_name(a) for a in row['tried'])})"
                for row in rows
                if row["status"] >= 500
            ],  # fmt: skip
            "access_log_counts": access_log_counts(),
            "proxy_upstream_errors": upstream_errors(),
            "replica_reads": {
                label: {
                    key: reads_after.get(label, {}).get(key, 0) - reads_before.get(label, {}).get(key, 0)
                    for key in ("transactions", "rows_read")
                }
                for label in ("primary", "replica")
            },  # fmt: skip
            "held_messages": held,
            "redelivered": redelivered,
            "sampler_error": sampler.error if sampler else None,
        },
    }
    (OUT / "summary.json").write_text(json.dumps(summary, indent=1, default=str))
    text = load.markdown(summary) + cluster_markdown(summary)
    (OUT / "summary.md").write_text(text)
    print()
    print(text)
    for kind in summary["failure_kinds"][:10]:
        print(f"failure: {kind}")
    print(f"Files: {OUT.relative_to(load.BASE_DIR)}/ (summary.md, proxy.log, web*-access.log, web*.log, worker*.log)")
    if checks.failed:
        print(f"FAILED: {', '.join(checks.failed)}")
        return 1
    print("All checks passed.")
    return 0


def phase_spans(events: list[tuple[float, str]], start: float, end: float) -> dict[str, tuple[float, float]]:
    """The run cut at the web node's kill and its return: both nodes, one node, both again; and the whole run."""
    down = next((at for at, text in events if text.startswith("SIGKILL web")), None)
    back = next((at for at, text in events if text == "web node 2 answers again"), None)
    spans = {"whole run": (start, end)}
    if down and back:
        spans.update({"both nodes, before the kill": (start, down), "node 2 down": (down, back),
                      "both nodes, after the restart": (back, end)})  # fmt: skip
    return spans


def retried(rows: list[dict]) -> dict:
    """Requests nginx passed to the other node (the first refused or failed), by method and final status."""
    counts = Counter(f"{row['method']} -> {row['status']}" for row in rows if len(row["tried"]) > 1)
    return dict(sorted(counts.items()))


def cluster_markdown(summary: dict) -> str:
    cluster = summary["cluster"]
    out = ["", f"Cluster: nginx -> 2 gunicorn nodes x {cluster['node_workers']} sync workers; PostgreSQL primary + "
           f"streaming replica (:{cluster['replica_port']}); 2 Celery workers (prefork, 1 process, all queues).", "",
           "Events (seconds after locust started): "
           + "; ".join(f"{at:g} s {text}" for at, text in cluster["events"]), ""]  # fmt: skip
    labels = sorted({label for phase in cluster["phases"].values() for label in phase["nodes"]})
    out += ["| phase | seconds | " + " | ".join(f"{label} req/s (p50/p95 ms)" for label in labels) + " |",
            "| --- | ---: | " + " | ".join("---:" for _ in labels) + " |"]  # fmt: skip
    for phase, data in cluster["phases"].items():
        cells = []
        for label in labels:
            node = data["nodes"].get(label)
            cells.append(f"{node['rps']:.2f} ({node['p50_ms']}/{node['p95_ms']})" if node else "-")
        out.append(f"| {phase} | {data['seconds']} | " + " | ".join(cells) + " |")
    classes = sorted({label for phase in cluster["phases"].values() for label in phase["cores"]})
    out += ["", "CPU, in cores (2 on this machine), averaged over each phase (psutil, every 5 s):", "",
            "| process class | " + " | ".join(cluster["phases"]) + " |",
            "| --- | " + " | ".join("---:" for _ in cluster["phases"]) + " |"]  # fmt: skip
    for label in classes:
        out.append(f"| {label} | " + " | ".join(
            f"{data['cores'].get(label, 0):.2f}" for data in cluster["phases"].values()) + " |")  # fmt: skip
    out += ["", f"- nginx passed to the other node: {cluster['proxy_retried'] or 'nothing'}",
            f"- nginx's errors at the nodes: {cluster['proxy_upstream_errors'] or 'none'}",
            f"- 5xx at the proxy: {cluster['proxy_errors'] or 'none'}",
            f"- checkouts whose place-order answer was lost: {summary['unanswered_checkouts']}",
            f"- gunicorn access log lines: {cluster['access_log_counts']}",
            f"- load_cluster on each server during the run: {cluster['replica_reads']}",
            f"- messages the killed worker held: {cluster['held_messages'] or 'none'}; handed back: "
            f"{cluster['redelivered'] or '-'}"]  # fmt: skip
    if cluster["sampler_error"]:
        out.append(f"- CPU sampler stopped: {cluster['sampler_error']}")
    return "\n".join(out) + "\n"
