"""`make bench`: our shop, a stock django-oscar shop and a bare Django view, served alike, measured in one run.

    .venv/bin/python -m bench.run [--designs 10000] [--seconds 10] [--scale 1000,10000,100000] [--rebuild]
    .venv/bin/python -m bench.run --only basket,checkout [--seconds 10]   # our shop's add to basket and checkouts

Both shops get the same generated catalogue (catalog/synthetic_data.py) in their own PostgreSQL database; each is
served by gunicorn with 2 sync workers and driven by wrk on loopback, page by page, ours and stock back to back.
Our shop runs twice: as deployed (pages cached in Redis) and with the page cache off (every page rendered). SQL
queries are counted in-process (bench/probe.py) with the page cache off. Results: a Markdown table on stdout and in
var/bench/results-<time>.md, the raw numbers beside it as JSON.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
BIN = Path(PYTHON).parent
PG = "postgres://postgres@127.0.0.1:5432/"
OUT = ROOT / "var" / "bench"
REDIS_DB = 15
WORKERS = 2
CONNECTIONS = 4

OURS_ENV = {
    "DJANGO_SETTINGS_MODULE": "marketplace.settings",
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGH",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
    "CACHE_KEY_PREFIX": "bench",
    "EMAIL_CHECK_LIMIT": "1000000",  # every shopper checks out as a guest from 127.0.0.1
    "LOG_LEVEL": "WARNING",
}
STOCK_ENV = {"DJANGO_SETTINGS_MODULE": "bench.stock.settings"}
BARE_ENV = {"DJANGO_SETTINGS_MODULE": "bench.bare.settings"}
WSGI = {"ours": "marketplace.wsgi", "ours-uncached": "marketplace.wsgi", "stock": "bench.stock.wsgi",
        "bare": "bench.bare.wsgi"}  # fmt: skip
PAGES = ("home", "catalogue", "category", "design", "product", "storefront", "search")


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run(args: list[str], env: dict, *, show: bool = False) -> str:
    """Run a command; its output is returned, or shown as it goes (``show``: progress bars go to the terminal)."""
    result = subprocess.run(args, env={**os.environ, **env}, cwd=ROOT, check=True, text=True,
                            stdout=sys.stderr if show else subprocess.PIPE)  # fmt: skip
    return result.stdout


def psql(database: str, sql: str) -> str:
    return run(["psql", "-qtA", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-c", sql], {}).strip()


def database_holds(database: str, table: str, rows: int) -> bool:
    exists = psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{database}'")
    if not exists:
        return False
    try:
        return int(psql(database, f"SELECT count(*) FROM {table}") or 0) >= rows
    except subprocess.CalledProcessError:
        return False


def fresh_database(database: str) -> None:
    psql("postgres", f"DROP DATABASE IF EXISTS {database}")
    psql("postgres", f"CREATE DATABASE {database}")


# --- building the shops ------------------------------------------------------------------------------------------


def build_ours(designs: int, *, rebuild: bool) -> dict:
    database = f"bench_ours_{designs}"
    env = {**OURS_ENV, "DATABASE_URL": PG + database}
    if rebuild or not database_holds(database, "catalogue_design", designs):
        say(f"Building our shop with {designs:,} designs in {database} ...")
        fresh_database(database)
        run([PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], env)
        run([PYTHON, "manage.py", "generate_designs", "--count", str(designs)], env, show=True)
        psql(database, "VACUUM ANALYZE")
    return env


def build_stock(designs: int, *, rebuild: bool) -> dict:
    database = f"bench_stock_{designs}"
    env = {**STOCK_ENV, "DATABASE_URL": PG + database}
    if rebuild or not database_holds(database, "catalogue_product", designs * 3):
        say(f"Building the stock Oscar shop with {designs * 3:,} products in {database} (and its Whoosh index) ...")
        fresh_database(database)
        run([PYTHON, "-m", "django", "migrate", "--no-input", "-v", "0"], env)
        run([PYTHON, "-m", "bench.stock.generate", "--count", str(designs)], env, show=True)
        psql(database, "VACUUM ANALYZE")
    return env


def probe(env: dict) -> dict:
    return json.loads(run([PYTHON, "-m", "bench.probe"], {**env, "PAGE_CACHE_SECONDS": "0"}))


def plenty_of_stock(env: dict, offer_id: int) -> None:
    """Checkouts in the run must not sell the benchmark's product out (the same for both shops)."""
    database = env["DATABASE_URL"].rsplit("/", 1)[1]
    psql(database, f"UPDATE partner_stockrecord SET num_in_stock = 100000000, num_allocated = 0 WHERE id = {offer_id}")


# --- serving and measuring -----------------------------------------------------------------------------------------


@contextmanager
def served(name: str, env: dict, port: int):
    log = open(OUT / f"gunicorn-{name}.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), WSGI[env.get("_WSGI", name)], "-w", str(WORKERS), "-b", f"127.0.0.1:{port}",
         "--timeout", "120"],
        env={**os.environ, **env}, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                requests.get(base + "/", timeout=30, allow_redirects=False)
                break
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)
        else:
            raise RuntimeError(f"{name} did not start: see {log.name}")
        yield base, server
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def worker_memory_mib(server: subprocess.Popen) -> float:
    workers = psutil.Process(server.pid).children()
    return max(worker.memory_info().rss for worker in workers) / 2**20


WRK_POST = """
wrk.method = "POST"
wrk.body = "{body}"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "csrftoken={token}"
"""


def wrk(url: str, seconds: int, *, script: str | None = None) -> dict:
    args = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "30s"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        if script:
            lua.write(script)
            args += ["-s", lua.name]
    output = run([*args, url], {})
    os.unlink(lua.name)

    def latency(percent: str) -> float:
        value, unit = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": latency("50"),
        "p99": latency("99"),
        "errors": (int(errors.group(1)) if errors else 0)
        + (sum(map(int, socket_errors.groups())) if socket_errors else 0),
    }


def drained(base: str) -> None:
    """Wait until the workers have answered what wrk left queued (a slow page's backlog must not slow the next)."""
    deadline = time.monotonic() + 600
    quick = 0
    while quick < 2 and time.monotonic() < deadline:
        started = time.monotonic()
        requests.get(base + "/", timeout=600, allow_redirects=False)
        quick = quick + 1 if time.monotonic() - started < 0.25 else 0


def measured(url: str, seconds: int, base: str, *, script: str | None = None) -> dict:
    """wrk for ``seconds``; a page too slow to answer 20 times in that is measured again for a minute."""
    result = wrk(url, seconds, script=script)
    drained(base)
    if result["requests"] < 20 and seconds < 60:
        result = wrk(url, 60, script=script)
        drained(base)
    return result


def measure_pages(base: str, pages: dict, seconds: int) -> dict:
    results = {}
    for name in PAGES:
        if name in pages:
            wrk(base + pages[name], 2)  # warm (and, for ours, fill the page cache)
            drained(base)
            results[name] = measured(base + pages[name], seconds, base)
            say(f"  {name:<12} {results[name]['rps']:8.1f} req/s  p50 {results[name]['p50']:7.2f} ms  "
                f"p99 {results[name]['p99']:7.2f} ms")  # fmt: skip
    return results


WRK_COOKIE = """
wrk.headers["Cookie"] = "{cookie}"
"""


def sign_in(base: str, shopper: dict) -> str:
    """Sign the benchmark's shopper in through the shop's login form; the Cookie header their browser then sends."""
    session = requests.Session()
    session.get(base + "/accounts/login/", timeout=30)
    response = session.post(
        base + "/accounts/login/",
        data={"login-username": shopper["email"], "login-password": shopper["password"], "login_submit": "Log In",
              "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": base + "/accounts/login/"}, timeout=30, allow_redirects=False,
    )  # fmt: skip
    if response.status_code != 302:
        raise RuntimeError(f"The benchmark's shopper could not sign in to {base}: HTTP {response.status_code}")
    return "; ".join(f"{name}={value}" for name, value in session.cookies.items())


def measure_signed_in(base: str, pages: dict, shopper: dict, seconds: int, names=PAGES) -> dict:
    """The same pages for the signed-in shopper (two lines in their basket), as their browser asks for them."""
    script = WRK_COOKIE.format(cookie=sign_in(base, shopper))
    results = {}
    for name in names:
        if name in pages:
            wrk(base + pages[name], 2, script=script)
            drained(base)
            results[name] = measured(base + pages[name], seconds, base, script=script)
            say(f"  {name + ' (in)':<17} {results[name]['rps']:8.1f} req/s  p50 {results[name]['p50']:7.2f} ms  "
                f"p99 {results[name]['p99']:7.2f} ms  ({results[name]['errors']} errors)")  # fmt: skip
    return results


def measure_add_to_basket(base: str, pages: dict, basket: dict, seconds: int) -> dict:
    token = requests.get(base + pages["product"], timeout=30).cookies.get("csrftoken")
    body = "&".join(f"{key}={value}" for key, value in basket["data"].items()) + f"&csrfmiddlewaretoken={token}"
    script = WRK_POST.format(body=body, token=token)
    result = measured(base + basket["path"], seconds, base, script=script)
    say(f"  {'add to basket':<12} {result['rps']:8.1f} req/s  p99 {result['p99']:7.2f} ms  ({result['errors']} errors)")
    return result


def measure_checkouts(base: str, checkout, seconds: int) -> dict:
    """Whole guest checkouts from one client, back to back, for ``seconds``."""
    checkout()  # warm
    done, requests_made, started = 0, 0, time.monotonic()
    while time.monotonic() - started < seconds:
        requests_made = checkout()
        done += 1
    rate = done / (time.monotonic() - started)
    say(f"  {'checkouts':<12} {rate:8.2f} /s  ({requests_made} HTTP requests each)")
    return {"rps": rate, "requests": requests_made}


def ours_checkout(base: str, pages: dict, basket: dict, *, via_basket: bool = False):
    from bench.journey import checkout_once

    return lambda: checkout_once(base, product_path=pages["product"], product_id=basket["product_id"],
                                 offer_id=basket["offer_id"], via_basket=via_basket)  # fmt: skip


def stock_checkout(base: str, pages: dict, basket: dict):
    from bench.stock.journey import checkout_once

    return lambda: checkout_once(base, product_path=pages["product"], product_id=basket["product_id"])


def flush_redis() -> None:
    run(["redis-cli", "-n", str(REDIS_DB), "FLUSHDB"], {})


def measure_shop(name: str, env: dict, port: int, info: dict, seconds: int, *, checkout=None) -> dict:
    say(f"{name}:")
    flush_redis()
    with served(name, env, port) as (base, server):
        result = {"pages": measure_pages(base, info["pages"], seconds)}
        result["signed in"] = measure_signed_in(base, info["pages"], info["shopper"], seconds)
        result["add to basket"] = measure_add_to_basket(base, info["pages"], info["basket"], seconds)
        if checkout is not None:
            result["checkout"] = measure_checkouts(base, checkout(base, info["pages"], info["basket"]), seconds)
        if checkout is ours_checkout:  # the same guest going through the basket page instead of "Add and check out"
            via_basket = checkout(base, info["pages"], info["basket"], via_basket=True)
            result["checkout via basket"] = measure_checkouts(base, via_basket, seconds)
        result["memory_mib"] = worker_memory_mib(server)
    return result


def measure_bare(seconds: int) -> dict:
    say("bare Django view:")
    with served("bare", BARE_ENV, 8409) as (base, server):
        wrk(base + "/", 2)
        result = wrk(base + "/", seconds)
        result["memory_mib"] = worker_memory_mib(server)
    say(f"  {'bare view':<12} {result['rps']:8.1f} req/s  p99 {result['p99']:7.2f} ms")
    return result


ONLY_ROWS = {"basket": "add to basket", "checkout": "both guest checkouts"}


def measure_only(rows: set[str], env: dict, info: dict, seconds: int) -> dict:
    """Only the rows asked for, of our shop as deployed (``--only``): a before/after comparison of one change."""
    say("ours:")
    flush_redis()
    result = {}
    with served("ours", env, 8401) as (base, server):
        for path in (info["pages"]["product"], "/"):
            wrk(base + path, 2)  # warm, as the full run's page rows do before these
        drained(base)
        if "basket" in rows:
            result["add to basket"] = measure_add_to_basket(base, info["pages"], info["basket"], seconds)
        if "checkout" in rows:
            result["checkout"] = measure_checkouts(base, ours_checkout(base, info["pages"], info["basket"]), seconds)
            via_basket = ours_checkout(base, info["pages"], info["basket"], via_basket=True)
            result["checkout via basket"] = measure_checkouts(base, via_basket, seconds)
        result["memory_mib"] = worker_memory_mib(server)
    return result


def only_report(results: dict) -> str:
    ours, probed = results["ours"], results["probe"]["ours"]
    lines = ["| row | rate | p50 ms | p99 ms | errors | queries |", "|---|---:|---:|---:|---:|---:|"]
    if "add to basket" in ours:
        row = ours["add to basket"]
        lines.append(f"| add to basket | {row['rps']:,.1f} req/s | {row['p50']:.2f} | {row['p99']:.2f} "
                     f"| {row['errors']} | – |")  # fmt: skip
    for key, name in (("checkout", "guest checkout (one line)"), ("checkout via basket", "via the basket page")):
        if key in ours:
            queries = probed[key]
            lines.append(f"| {name} | {ours[key]['rps']:.2f}/s | | | | {queries['queries']} "
                         f"({queries['requests']} requests) |")  # fmt: skip
    return "\n".join(lines)


# --- the report ----------------------------------------------------------------------------------------------------


def _cell(result: dict | None, key: str, digits: int = 1) -> str:
    if not result:
        return "–"
    return f"{result[key]:,.{digits}f}"


def report(results: dict, designs: int) -> str:
    ours, uncached, stock, bare = results["ours"], results["ours-uncached"], results["stock"], results["bare"]
    q_ours, q_stock = results["probe"]["ours"]["queries"], results["probe"]["stock"]["queries"]
    lines = [
        f"Catalogue: {designs:,} designs, {designs * 3:,} products, 50 storefronts, 50 categories. gunicorn {WORKERS} "
        f"sync workers, wrk 1 thread {CONNECTIONS} connections, {results['seconds']} s per row; bare Django view "
        f"{bare['rps']:,.0f} req/s.",
        "",
        "| page | ours req/s | p50 ms | p99 ms | ours uncached req/s | p99 ms | queries | stock req/s | p50 ms "
        "| p99 ms | queries | ours/stock | ours/bare |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    rows = [(name, ours["pages"].get(name), uncached["pages"].get(name), stock["pages"].get(name), q_ours.get(name),
             q_stock.get(name)) for name in PAGES]  # fmt: skip
    rows.append(("add to basket", ours["add to basket"], uncached["add to basket"], stock["add to basket"], None, None))
    for name, mine, cold, peer, queries, peer_queries in rows:
        ratio = f"{mine['rps'] / peer['rps']:,.1f}x" if mine and peer and peer["rps"] else "–"
        share = f"{mine['rps'] / bare['rps']:.0%}" if mine else "–"
        cells = [name, _cell(mine, "rps"), _cell(mine, "p50", 2), _cell(mine, "p99", 2), _cell(cold, "rps"),
                 _cell(cold, "p99", 2), "–" if queries is None else str(queries), _cell(peer, "rps"),
                 _cell(peer, "p50", 2), _cell(peer, "p99", 2), "–" if peer_queries is None else str(peer_queries),
                 ratio, share]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    mine, peer = ours["checkout"], stock.get("checkout")
    checkout_queries = results["probe"]["ours"]["checkout"]
    peer_checkout = results["probe"]["stock"].get("checkout", {})
    lines.append(
        f"| guest checkout (one line) | {mine['rps']:.2f}/s | | | | | {checkout_queries['queries']} "
        f"({checkout_queries['requests']} requests) | {_cell(peer, 'rps', 2)}/s | | | "
        f"{peer_checkout.get('queries', '–')} ({peer.get('requests', '–') if peer else '–'} requests) "
        f"| {mine['rps'] / peer['rps']:.1f}x |  |"
        if peer
        else "| guest checkout | – |"
    )
    via, via_queries = ours.get("checkout via basket"), results["probe"]["ours"].get("checkout via basket")
    if via and peer and via_queries:
        lines.append(
            f"| guest checkout via the basket page | {via['rps']:.2f}/s | | | | | {via_queries['queries']} "
            f"({via_queries['requests']} requests) | {_cell(peer, 'rps', 2)}/s | | | "
            f"| {via['rps'] / peer['rps']:.1f}x |  |"
        )
    lines += ["", signed_in_report(results), ""]
    lines += [
        f"Memory per worker after the run (RSS, largest worker): ours {ours['memory_mib']:.0f} MiB, "
        f"stock {stock['memory_mib']:.0f} MiB, bare {bare['memory_mib']:.0f} MiB.",
    ]
    return "\n".join(lines)


def signed_in_report(results: dict) -> str:
    """The signed-in rows: the same pages for a shopper with an account and two lines in the basket, both shops."""
    ours, uncached, stock = (results[name].get("signed in", {}) for name in ("ours", "ours-uncached", "stock"))
    q_ours, q_stock = (results["probe"][name].get("signed-in queries", {}) for name in ("ours", "stock"))
    lines = [
        "Signed in, two lines in the basket (queries as served):",
        "",
        "| page | ours req/s | p50 ms | p99 ms | ours uncached req/s | p99 ms | queries | stock req/s | p50 ms "
        "| p99 ms | queries | ours/stock |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in PAGES:
        mine, cold, peer = ours.get(name), uncached.get(name), stock.get(name)
        ratio = f"{mine['rps'] / peer['rps']:,.1f}x" if mine and peer and peer["rps"] else "–"
        cells = [name, _cell(mine, "rps"), _cell(mine, "p50", 2), _cell(mine, "p99", 2), _cell(cold, "rps"),
                 _cell(cold, "p99", 2), str(q_ours.get(name, "–")), _cell(peer, "rps"), _cell(peer, "p50", 2),
                 _cell(peer, "p99", 2), str(q_stock.get(name, "–")), ratio]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


SCALED_PAGES = ("catalogue", "category", "design", "product", "search")


def scaling_run(sizes: list[int], seconds: int, *, rebuild: bool) -> dict:
    """The same pages at each catalogue size, cached and rendered, with their queries: page cost must not grow."""
    results = {}
    for size in sizes:
        env = build_ours(size, rebuild=rebuild)
        info = probe(env)
        info["pages"] = {name: path for name, path in info["pages"].items() if name in SCALED_PAGES}
        row = {"queries": info["queries"], "signed-in queries": info["signed-in queries"]}
        for name, variant_env, port in (("cached", env, 8404), ("rendered", {**env, "PAGE_CACHE_SECONDS": "0"}, 8405)):
            say(f"{size:,} designs, {name}:")
            flush_redis()
            with served(f"scale-{name}", variant_env | {"_WSGI": "ours"}, port) as (base, _):
                row[name] = measure_pages(base, info["pages"], seconds)
                if name == "cached":
                    row["signed in"] = measure_signed_in(base, info["pages"], info["shopper"], seconds, SCALED_PAGES)
        results[size] = row
    return results


def scaling_report(results: dict) -> str:
    lines = [
        "| designs | page | cached req/s | cached p99 ms | rendered req/s | rendered p50 ms | rendered p99 ms "
        "| queries | signed in req/s | signed in p99 ms | signed in queries |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, row in results.items():
        for name in SCALED_PAGES:
            cached, rendered, signed = row["cached"].get(name), row["rendered"].get(name), row["signed in"].get(name)
            if cached:
                cells = [f"{size:,}", name, f"{cached['rps']:,.1f}", f"{cached['p99']:.2f}", f"{rendered['rps']:,.1f}",
                         f"{rendered['p50']:.2f}", f"{rendered['p99']:.2f}", str(row["queries"][name]),
                         _cell(signed, "rps"), _cell(signed, "p99", 2),
                         str(row["signed-in queries"].get(name, "–"))]  # fmt: skip
                lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--designs", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per row")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the databases even if they exist")
    parser.add_argument("--skip-stock", action="store_true")
    parser.add_argument("--scale", default="1000,10000,100000", help="catalogue sizes of the scaling run ('' skips)")
    parser.add_argument("--skip-compare", action="store_true", help="only the scaling run")
    parser.add_argument("--only", default="", help="only these rows of our shop as deployed, comma-separated: "
                        + ", ".join(f"{key} ({name})" for key, name in ONLY_ROWS.items())
                        + "; no other page, shop or scaling run")  # fmt: skip
    args = parser.parse_args(argv)
    only = {row.strip() for row in args.only.split(",") if row.strip()}
    if only - ONLY_ROWS.keys():
        parser.error(f"--only takes {', '.join(ONLY_ROWS)}; not {', '.join(sorted(only - ONLY_ROWS.keys()))}")
    OUT.mkdir(parents=True, exist_ok=True)

    ours_env = build_ours(args.designs, rebuild=args.rebuild)
    stock_env = build_stock(args.designs, rebuild=args.rebuild) if not (args.skip_stock or only) else None
    run([PYTHON, "manage.py", "collectstatic", "--no-input", "-v", "0"], ours_env)

    stamp = time.strftime("%Y%m%d-%H%M%S")
    if only:
        results = {"seconds": args.seconds, "probe": {"ours": probe(ours_env)}}
        plenty_of_stock(ours_env, results["probe"]["ours"]["basket"]["offer_id"])
        results["ours"] = measure_only(only, ours_env, results["probe"]["ours"], args.seconds)
        (OUT / f"only-{stamp}.json").write_text(json.dumps(results, indent=2))
        (OUT / f"only-{stamp}.md").write_text(only_report(results) + "\n")
        print(only_report(results))
        return 0
    sizes = [int(size) for size in args.scale.split(",") if size.strip()]
    if args.skip_compare:
        scaled = scaling_run(sizes, args.seconds, rebuild=args.rebuild)
        print(scaling_report(scaled))
        (OUT / f"scaling-{stamp}.md").write_text(scaling_report(scaled) + "\n")
        return 0
    results = {"seconds": args.seconds, "probe": {"ours": probe(ours_env)}}
    plenty_of_stock(ours_env, results["probe"]["ours"]["basket"]["offer_id"])
    results["ours"] = measure_shop("ours", ours_env, 8401, results["probe"]["ours"], args.seconds,
                                   checkout=ours_checkout)  # fmt: skip
    results["ours-uncached"] = measure_shop("ours-uncached", {**ours_env, "PAGE_CACHE_SECONDS": "0"}, 8402,
                                            results["probe"]["ours"], args.seconds)  # fmt: skip
    if stock_env:
        results["probe"]["stock"] = probe(stock_env)
        plenty_of_stock(stock_env, results["probe"]["stock"]["basket"]["offer_id"])
        results["stock"] = measure_shop("stock", stock_env, 8403, results["probe"]["stock"], args.seconds,
                                        checkout=stock_checkout)  # fmt: skip
    results["bare"] = measure_bare(args.seconds)
    if sizes:
        results["scaling"] = scaling_run(sizes, args.seconds, rebuild=args.rebuild)

    (OUT / f"results-{stamp}.json").write_text(json.dumps(results, indent=2))
    table = report(results, args.designs) if stock_env else json.dumps(results, indent=2)
    if sizes:
        table += "\n\nScaling (our shop):\n\n" + scaling_report(results["scaling"])
    (OUT / f"results-{stamp}.md").write_text(table + "\n")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
