"""What one page view and one order cost each part of the stack, measured: the figures behind the capacity plan in
bench/README.md.

    .venv/bin/python -m bench.capacity [--designs 10000] [--seconds 20] [--clients 4]

Our shop (the bench database of ``make bench``, built if missing) is served by gunicorn with 2 sync workers; the
load is driven from this process (several clients in threads), one kind at a time: anonymous pages from the page
cache, signed-in pages (their personal pieces rendered), rendered pages (cache off), whole guest checkouts. While
each runs, the CPU time of every process of each class is read with psutil (gunicorn's workers, PostgreSQL's
backends and its other processes, Redis, the load generator), and the rows each query read are taken from
PostgreSQL's statistics. Output: CPU milliseconds per page view or per order for each class, and what one core of
each class sustains (views or orders per second) when nothing else is the limit; a Markdown table on stdout and in
var/bench/capacity-<time>.md.
"""

import argparse
import json
import threading
import time

import psutil
import requests

from bench.journey import checkout_once
from bench.run import OUT, PYTHON, build_ours, flush_redis, plenty_of_stock, probe, run, say, served, sign_in

CLASSES = ("web", "postgres", "redis", "driver")


def _classes(server) -> dict[str, list[psutil.Process]]:
    web = [psutil.Process(server.pid), *psutil.Process(server.pid).children(recursive=True)]
    found = {"web": web, "postgres": [], "redis": [], "driver": [psutil.Process()]}
    for process in psutil.process_iter(["name", "cmdline"]):
        name = process.info["name"] or ""
        if name.startswith("postgres") or "postgres:" in " ".join(process.info["cmdline"] or []):
            found["postgres"].append(process)
        elif name.startswith("redis-server"):
            found["redis"].append(process)
    return found


def _cpu(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            pass
    return total


def measured(server, make_work, seconds: int, clients: int) -> dict:
    """Run one unit of work (a page view or an order) after another from ``clients`` threads for ``seconds``; each
    thread gets its own ``make_work()`` (its own HTTP session)."""
    classes = _classes(server)
    before = {name: _cpu(processes) for name, processes in classes.items()}
    done, failed, stop = [0], [0], time.monotonic() + seconds
    lock = threading.Lock()

    def client():
        work = make_work()
        while time.monotonic() < stop:
            try:
                work()
                with lock:
                    done[0] += 1
            except Exception:  # noqa: BLE001 - counted and reported
                with lock:
                    failed[0] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    spent = {name: _cpu(processes) - before[name] for name, processes in classes.items()}
    units = max(done[0], 1)
    return {"units": done[0], "failed": failed[0], "rate": done[0] / elapsed,
            "cpu_ms": {name: spent[name] * 1000 / units for name in CLASSES}}  # fmt: skip


def _viewer(base: str, pages: list[str], cookie: str | None):
    """A page viewer of its own: each call opens the next of ``pages``, signed in when given the cookie."""

    def make():
        session, turn = requests.Session(), iter(range(10**9))
        if cookie:
            session.headers["Cookie"] = cookie

        def view():
            session.get(base + pages[next(turn) % len(pages)], timeout=60).raise_for_status()

        return view

    return make


def measure_variant(label: str, env: dict, info: dict, args) -> dict:
    pages = [info["pages"][name] for name in ("catalogue", "category", "product", "design", "search")]
    results = {}
    flush_redis()
    with served(f"capacity-{label}", env | {"_WSGI": "ours"}, 8406) as (base, server):
        cookie = sign_in(base, info["shopper"])
        for make in (_viewer(base, pages, None), _viewer(base, pages, cookie)):
            view = make()
            for _ in pages:  # warm: the pages stored, thumbnails made
                view()
        kinds = [("anonymous page view", _viewer(base, pages, None)),
                 ("signed-in page view", _viewer(base, pages, cookie))]  # fmt: skip
        if label == "cached":
            order = {"product_path": info["pages"]["product"], "product_id": info["basket"]["product_id"],
                     "offer_id": info["basket"]["offer_id"]}  # fmt: skip
            kinds.append(("guest order (5 requests)", lambda: lambda: checkout_once(base, **order)))
        for name, make in kinds:
            key = f"{name}, {label}" if "page" in name else name
            row = results[key] = measured(server, make, args.seconds, args.clients)
            cpu = "  ".join(f"{cls} {row['cpu_ms'][cls]:6.2f} ms" for cls in CLASSES)
            say(f"  {key:<34} {row['rate']:8.1f}/s  {cpu}  ({row['failed']} failed)")
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--designs", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    env = build_ours(args.designs, rebuild=False)
    run([PYTHON, "manage.py", "collectstatic", "--no-input", "-v", "0"], env)
    info = probe(env)
    plenty_of_stock(env, info["basket"]["offer_id"])
    results = {}
    for label, variant in (("cached", env), ("rendered", {**env, "PAGE_CACHE_SECONDS": "0"})):
        results.update(measure_variant(label, variant, info, args))
    lines = [
        f"{args.designs:,} designs; gunicorn 2 sync workers, {args.clients} clients, {args.seconds} s per row. CPU per "
        "unit (ms) by process class, and what one core of that class sustains (units/s) when nothing else limits:",
        "",
        "| unit | rate/s | web ms | PostgreSQL ms | Redis ms | units/s per web core | per PostgreSQL core "
        "| per Redis core |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, row in results.items():
        cpu = row["cpu_ms"]
        per = [f"{1000 / cpu[cls]:,.0f}" if cpu[cls] > 0.01 else "–" for cls in ("web", "postgres", "redis")]
        lines.append(f"| {key} | {row['rate']:,.1f} | {cpu['web']:.2f} | {cpu['postgres']:.2f} | {cpu['redis']:.2f} | "
                     + " | ".join(per) + " |")  # fmt: skip
    table = "\n".join(lines)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (OUT / f"capacity-{stamp}.md").write_text(table + "\n")
    (OUT / f"capacity-{stamp}.json").write_text(json.dumps(results, indent=2))
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
