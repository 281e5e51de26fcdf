"""The public pages read from PostgreSQL streaming replicas; a client that wrote reads the primary; a replica that
lags or is down is left out (marketplace/ops/db_router.py); DATABASE_REPLICA_URLS and DATABASE_POOLER settings.

The tests marked ``services`` run against a real hot standby of the test cluster: `bash .ci/replica.sh start` (CI
runs it) copies the cluster at 127.0.0.1:5432 to 127.0.0.1:5433, and REPLICA_TEST_URL names it. A standby
replicates the whole cluster, so the test database pytest creates on the primary is on it too, and what a
transactional test commits appears there once replayed. Each test adds the standby as a database alias reading the
test database's name on it, a connection made at run time: not a TEST MIRROR, which would be a second connection to
the primary and prove nothing. Without REPLICA_TEST_URL those tests skip, and fail when CI=true. Parallel test
processes share the one standby: each test holds an advisory lock on the primary while it uses it, because some
tests pause its replay.
"""

import json
import os
import re
import socket
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlparse

import psycopg2
import pytest
from django.conf import settings as live_settings
from django.contrib.sessions.models import Session
from django.core.exceptions import MiddlewareNotUsed
from django.db import connections, transaction
from django.db.utils import load_backend
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from catalog.models import Design, Product
from marketplace.ops import db_router
from marketplace.revenue.models import JournalEntry, PendingAllocation, Posting
from tests import factories
from tests.conftest import IN_CI
from tiers.models import Tier

ROOT = Path(__file__).resolve().parents[2]
REPLICA_TEST_URL = os.environ.get("REPLICA_TEST_URL", "")
ROUTER = "marketplace.ops.db_router.ReplicaRouter"
STANDBY_LOCK = 240_024  # pg_advisory_lock key: one test at a time uses the shared standby


# --- The standby and its aliases ------------------------------------------------------------------------------


def _control(host, port, sql, params=()):
    """A statement on the maintenance database of the server at host:port (the test database may not be there yet)."""
    db = connections["default"].settings_dict
    conn = psycopg2.connect(host=host, port=port, user=db["USER"], password=db["PASSWORD"], dbname="postgres")
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
    finally:
        conn.close()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # free again once closed: nothing listens there


@pytest.fixture
def standby():
    """(host, port) of the streaming replica named by REPLICA_TEST_URL; its database name is not used."""
    if not REPLICA_TEST_URL:
        message = (
            "needs a streaming replica: `bash .ci/replica.sh start`, then "
            "REPLICA_TEST_URL=postgres://postgres@127.0.0.1:5433/test"
        )
        if IN_CI:
            pytest.fail(f"CI=true but REPLICA_TEST_URL is not set: this test {message}")
        pytest.skip(message)
    url = urlparse(REPLICA_TEST_URL)
    return url.hostname or "127.0.0.1", url.port or 5432


@pytest.fixture
def replicas(seeded, settings):
    """Router and middleware on, page cache off; ``replicas(name, host, port)`` adds a replica alias reading the
    test database at host:port. It is a connection made at run time (not in DATABASES), so the test framework
    neither creates, flushes nor forbids it."""
    settings.DATABASE_ROUTERS = [ROUTER]
    settings.DATABASE_REPLICAS = []
    settings.REPLICA_PIN_SECONDS = 10
    settings.REPLICA_MAX_LAG_SECONDS = 5
    settings.REPLICA_CHECK_SECONDS = 0  # every request asks its replica afresh
    settings.REPLICA_RETRY_SECONDS = 60
    settings.PAGE_CACHE_SECONDS = 0  # each page is rendered, so its reads show where they went
    db_router.forget_replica_health()
    added = []

    def add(name, host, port):
        primary = connections["default"].settings_dict
        replica = {
            **primary, "HOST": host, "PORT": port, "CONN_MAX_AGE": 0,
            "OPTIONS": {**primary["OPTIONS"], "connect_timeout": 2}, "TEST": {**primary["TEST"], "MIRROR": None},
        }  # fmt: skip
        connections[name] = load_backend(replica["ENGINE"]).DatabaseWrapper(replica, name)
        added.append(name)
        settings.DATABASE_REPLICAS = [*settings.DATABASE_REPLICAS, name]
        return name

    yield add
    for name in added:
        connections[name].close()
        del connections[name]
    db_router.forget_replica_health()


@pytest.fixture
def replica(standby, replicas):
    """The alias ``replica1`` on the real standby, with everything committed so far replayed on it."""
    host, port = standby
    db = connections["default"].settings_dict
    lock = psycopg2.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
                            password=db["PASSWORD"], dbname="postgres")  # fmt: skip
    lock.autocommit = True
    try:
        with lock.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [STANDBY_LOCK])
        _control(host, port, "SELECT pg_wal_replay_resume()")  # a run that died while paused
        alias = replicas("replica1", host, port)
        _wait_for_replay(alias)
        yield alias
    finally:
        _control(host, port, "SELECT pg_wal_replay_resume()")
        lock.close()  # and with it the advisory lock


def _wait_for_replay(alias, timeout=60):
    """Until the standby has replayed everything the primary has written so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        (lsn,) = cursor.fetchone()
    replica = connections[alias].settings_dict
    deadline = time.monotonic() + timeout
    while not _control(replica["HOST"], replica["PORT"], "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])[0]:
        if time.monotonic() > deadline:
            pytest.fail(f"the standby did not replay the primary's WAL up to {lsn} in {timeout} s")
        time.sleep(0.05)


def _pause_replay(alias):
    replica = connections[alias].settings_dict
    _control(replica["HOST"], replica["PORT"], "SELECT pg_wal_replay_pause()")


def _resume_replay(alias):
    replica = connections[alias].settings_dict
    _control(replica["HOST"], replica["PORT"], "SELECT pg_wal_replay_resume()")
    _wait_for_replay(alias)


@contextmanager
def _reads():
    """The SQL each database ran meanwhile, by alias (the replicas' health checks left out). Opens no connection:
    a replica that is down is watched too."""
    seen = {alias: [] for alias in ["default", *live_settings.DATABASE_REPLICAS]}

    def watcher(alias):
        def watch(execute, sql, params, many, context):
            if "pg_is_in_recovery" not in sql:
                seen[alias].append(sql)
            return execute(sql, params, many, context)

        return watch

    with ExitStack() as stack:
        for alias in seen:
            stack.enter_context(connections[alias].execute_wrapper(watcher(alias)))
        yield seen


def _read(seen, alias, table) -> bool:
    return any(f'"{table}"' in sql for sql in seen[alias])


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _warnings(caplog, text) -> int:
    return sum(text in record.getMessage() for record in caplog.records if record.name == "marketplace.ops.db_router")


# --- Reads from the replica, and read-your-writes -------------------------------------------------------------


@pytest.mark.services
def test_a_public_page_with_no_recent_write_is_read_from_the_replica(client, replica, settings):
    design = factories.design(name="Replicated press")
    _wait_for_replay(replica)

    with _reads() as seen:
        response = client.get(reverse("designs:detail", args=[design.slug]))

    assert response.status_code == 200
    assert "Replicated press" in _text(response)
    assert _read(seen, replica, "catalogue_design")
    assert not _read(seen, "default", "catalogue_design")
    with connections[replica].cursor() as cursor:  # the connection the page read through is a hot standby's
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (True,)
    assert db_router.PIN_COOKIE not in response.cookies
    # the page cache keeps a page read from a replica no longer than a change may take to reach it
    bound = settings.REPLICA_MAX_LAG_SECONDS + settings.REPLICA_CHECK_SECONDS
    until = response.wsgi_request._page_valid_until
    assert 0 < (until - timezone.now()).total_seconds() <= bound


@pytest.mark.services
def test_an_operator_who_changed_a_price_reads_it_while_the_replica_has_not_replayed_it(
    client, replica, two_operators, settings
):
    settings.REPLICA_MAX_LAG_SECONDS = 3600  # the paused standby stays healthy: only the pin keeps the operator off it
    offer = two_operators["printer"]
    product_page = offer.product.get_absolute_url()
    client.force_login(two_operators["berlin"].operator)
    shopper = Client()
    _wait_for_replay(replica)
    with _reads() as seen:
        assert "900.00" in _text(shopper.get(product_page))  # its thumbnail is made: a write that pins no one
    assert _read(seen, replica, "partner_stockrecord")

    _pause_replay(replica)
    try:
        # given the operator changes its price (the standby does not replay it)
        prefix = f"offer-{offer.pk}"
        form = {f"{prefix}-price": "875.50", f"{prefix}-num_in_stock": "5", f"{prefix}-sku": "BF-1"}
        response = client.post(reverse("storefronts:offer-update", args=[offer.pk]), form)
        assert response.status_code == 302
        # when the operator and a shopper open the product page
        with _reads() as seen:
            operators_page = _text(client.get(product_page))
        shoppers_page = _text(shopper.get(product_page))
    finally:
        _resume_replay(replica)

    # then the operator reads its write from the primary; the shopper reads the standby, which has not replayed it
    assert "875.50" in operators_page and "900.00" not in operators_page
    assert not _read(seen, replica, "partner_stockrecord") and _read(seen, "default", "partner_stockrecord")
    assert "900.00" in shoppers_page and "875.50" not in shoppers_page
    # and once the standby has it, the shopper reads it there
    with _reads() as seen:
        assert "875.50" in _text(shopper.get(product_page))
    assert _read(seen, replica, "partner_stockrecord")
    session = Session.objects.get(session_key=client.session.session_key).get_decoded()
    assert session[db_router.PIN_SESSION_KEY] > time.time()  # a signed-in client is pinned in its session


@pytest.mark.services
def test_an_anonymous_post_pins_the_browser_to_the_primary_by_a_signed_cookie_for_a_while(client, replica, settings):
    settings.REPLICA_PIN_SECONDS = 2
    design = factories.design(name="Pinned planer")
    page = reverse("designs:detail", args=[design.slug])
    _wait_for_replay(replica)

    response = client.post(reverse("password-reset"), {"email": "nobody@example.com"})

    assert response.status_code in (200, 302)
    cookie = response.cookies[db_router.PIN_COOKIE]
    assert cookie["max-age"] == 2 and cookie["httponly"] and cookie.value != "1"  # signed, and expires
    assert "sessionid" not in response.cookies  # no session was made for it
    with _reads() as seen:
        assert "Pinned planer" in _text(client.get(page))
    assert _read(seen, "default", "catalogue_design") and not _read(seen, replica, "catalogue_design")

    time.sleep(2.2)  # the signature says when: the browser keeping the cookie longer changes nothing
    with _reads() as seen:
        client.get(page)
    assert _read(seen, replica, "catalogue_design")

    forged = Client()
    forged.cookies[db_router.PIN_COOKIE] = "1"  # unsigned: pins nothing
    with _reads() as seen:
        forged.get(page)
    assert _read(seen, replica, "catalogue_design")


# --- A replica that lags, or is down --------------------------------------------------------------------------


@pytest.mark.services
def test_a_replica_that_lags_is_left_out_until_it_catches_up(client, replica, settings, caplog):
    settings.REPLICA_MAX_LAG_SECONDS = 1
    caplog.set_level("INFO", logger="marketplace.ops.db_router")
    _pause_replay(replica)
    try:
        # given a design the primary has and the paused standby has not replayed, past the allowed lag
        design = factories.design(name="Lagging lathe")
        page = reverse("designs:detail", args=[design.slug])
        time.sleep(1.5)
        # when shoppers open its page
        with _reads() as seen:
            first = client.get(page)
            second = Client().get(page)
    finally:
        _resume_replay(replica)

    # then they read it from the primary (the standby would answer 404), and the fallback is logged once
    assert first.status_code == second.status_code == 200
    assert "Lagging lathe" in _text(first)
    assert not _read(seen, replica, "catalogue_design")
    assert _warnings(caplog, "Replica replica1 lags") == 1
    # and once it has caught up, the standby serves again (it replayed the design; other databases' writes on the
    # same cluster may keep it a moment behind the 1 s allowed, so the next pages ask again for a few seconds)
    deadline = time.monotonic() + 10
    while True:
        with _reads() as seen:
            assert "Lagging lathe" in _text(client.get(page))
        if _read(seen, replica, "catalogue_design") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert _read(seen, replica, "catalogue_design")
    assert _warnings(caplog, "Replica replica1 is back") == 1


@pytest.mark.services
def test_a_replica_that_is_down_is_left_out_and_pages_still_answer(client, replicas, caplog):
    down = replicas("replica_down", "127.0.0.1", _closed_port())
    design = factories.design(name="Offline oven")
    page = reverse("designs:detail", args=[design.slug])

    with _reads() as seen:
        responses = [client.get(page), Client().get(page)]

    assert [response.status_code for response in responses] == [200, 200]
    assert all("Offline oven" in _text(response) for response in responses)
    assert _read(seen, "default", "catalogue_design")
    assert _warnings(caplog, f"Replica {down} is unreachable") == 1  # logged once; not tried again meanwhile


@pytest.mark.services
def test_a_replica_that_fails_during_a_page_has_the_page_read_from_the_primary(client, replica, settings, caplog):
    settings.REPLICA_CHECK_SECONDS = 60  # the check before the failure said healthy, and is trusted
    design = factories.design(name="Falling forge")
    page = reverse("designs:detail", args=[design.slug])
    _wait_for_replay(replica)
    with _reads() as seen:
        assert client.get(page).status_code == 200
    assert _read(seen, replica, "catalogue_design")

    # the standby goes away: its address now refuses connections
    connections[replica].close()
    connections[replica].settings_dict["PORT"] = _closed_port()
    response = client.get(page)

    assert response.status_code == 200
    assert "Falling forge" in _text(response)
    assert _warnings(caplog, "Replica replica1 failed during") == 1
    assert _warnings(caplog, "Replica replica1 is unreachable") == 1
    assert not db_router.replica_is_usable(replica)  # left out from now on


# --- What never reads a replica -------------------------------------------------------------------------------

Order = get_model("order", "Order")
Basket = get_model("basket", "Basket")
AccessAttempt = get_model("axes", "AccessAttempt")
StripeIntent = get_model("marketplace_payments", "StripeIntent")
Payout = get_model("revenue", "Payout")
User = get_model("auth", "User")


def _routed(request, view_reads):
    """What each read of ``view_reads(seen)`` went to, through the middleware, as a view would."""
    seen = {}

    def view(request):
        view_reads(seen)
        return HttpResponse()

    response = db_router.ReadYourWritesMiddleware(view)(request)
    return seen, response


@pytest.mark.services
def test_locks_transactions_and_everything_but_the_public_pages_read_the_primary(rf, replica):
    def reads(seen):
        seen["product"] = Product.objects.all().db
        seen["design"] = Design.objects.all().db
        seen["product, locked"] = Product.objects.select_for_update().db
        with transaction.atomic():
            seen["product, in a transaction"] = Product.objects.all().db
        for model in (JournalEntry, Posting, PendingAllocation, Payout, Order, Basket, StripeIntent, Session,
                      AccessAttempt, User):  # fmt: skip
            seen[model._meta.label] = model.objects.all().db

    seen, _ = _routed(rf.get("/designs/"), reads)

    assert seen.pop("product") == seen.pop("design") == replica
    assert set(seen.values()) == {"default"}, seen
    assert Product.objects.all().db == "default"  # outside a request (tasks, commands)
    for request in (rf.post("/designs/"), rf.get("/dashboard/"), rf.get("/admin/")):
        seen, _ = _routed(request, lambda seen: seen.update(product=Product.objects.all().db))
        assert seen == {"product": "default"}


@pytest.mark.services
def test_a_get_that_writes_reads_the_primary_after_the_write_and_pins_the_client(rf, replica):
    design = factories.design(name="Writing winch")

    def reads(seen):
        seen["before"] = Design.objects.all().db
        Design.objects.filter(pk=design.pk).update(summary="Changed during a GET")
        seen["after"] = Design.objects.all().db

    seen, response = _routed(rf.get("/designs/"), reads)
    assert seen == {"before": replica, "after": "default"}
    assert db_router.PIN_COOKIE in response.cookies

    def only_reads(seen):  # get_or_create asks the primary, but finding the row writes nothing
        Tier.objects.get_or_create(code="campus")
        seen["design"] = Design.objects.all().db

    seen, response = _routed(rf.get("/designs/"), only_reads)
    assert db_router.PIN_COOKIE not in response.cookies


# --- Settings -------------------------------------------------------------------------------------------------


def _settings(**env):
    """DATABASES, DATABASE_ROUTERS and DATABASE_REPLICAS as settings make them from ``env``, or the error."""
    code = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps({'databases': s.DATABASES, 'routers': s.DATABASE_ROUTERS, 'replicas': s.DATABASE_REPLICAS},"
        " default=str))"
    )
    unwanted = ("DATABASE_REPLICA_URLS", "DATABASE_POOLER", "REPLICA_PIN_SECONDS", "REPLICA_MAX_LAG_SECONDS")
    clean = {key: value for key, value in os.environ.items() if key not in unwanted}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**clean, "DJANGO_SETTINGS_MODULE": "marketplace.settings", "DEBUG": "true", **env},
    )  # fmt: skip
    return json.loads(result.stdout) if result.returncode == 0 else result.stderr


PRIMARY_URL = "postgres://shop@db.internal:5432/shop"


def test_without_replica_urls_there_is_one_database_and_no_router(settings):
    made = _settings(DATABASE_URL=PRIMARY_URL)
    assert list(made["databases"]) == ["default"]
    assert made["routers"] == [] and made["replicas"] == []
    settings.DATABASE_REPLICAS = []
    with pytest.raises(MiddlewareNotUsed):
        db_router.ReadYourWritesMiddleware(lambda request: HttpResponse())


def test_each_replica_url_is_a_database_alias_mirroring_the_test_database():
    made = _settings(
        DATABASE_URL=PRIMARY_URL,
        DATABASE_REPLICA_URLS="postgres://shop@replica-a.internal:5432/shop,postgres://shop@replica-b.internal/shop",
    )
    assert made["replicas"] == ["replica1", "replica2"]
    assert made["routers"] == [ROUTER]
    assert [made["databases"][alias]["HOST"] for alias in made["replicas"]] == ["replica-a.internal",
                                                                               "replica-b.internal"]  # fmt: skip
    for alias in made["replicas"]:
        assert made["databases"][alias]["TEST"] == {"MIRROR": "default"}
        assert made["databases"][alias]["NAME"] == "shop"
    assert not made["databases"]["default"].get("DISABLE_SERVER_SIDE_CURSORS")
    assert made["databases"]["default"]["CONN_MAX_AGE"] == 60


def test_pgbouncer_in_front_of_the_primary_turns_off_server_side_cursors_and_kept_connections_there():
    made = _settings(
        DATABASE_URL=PRIMARY_URL, DATABASE_POOLER="pgbouncer", DATABASE_REPLICA_URLS="postgres://shop@replica/shop"
    )
    primary, replica = made["databases"]["default"], made["databases"]["replica1"]
    assert primary["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert primary["CONN_MAX_AGE"] == 0
    # the replicas are reached directly: they keep their connections and cursors
    assert not replica.get("DISABLE_SERVER_SIDE_CURSORS") and replica["CONN_MAX_AGE"] == 60


@pytest.mark.parametrize(
    "env, message",
    [
        ({"DATABASE_URL": "sqlite:////tmp/shop.sqlite3", "DATABASE_REPLICA_URLS": "postgres://shop@replica/shop"},
         "DATABASE_REPLICA_URLS lists PostgreSQL streaming replicas"),
        ({"DATABASE_URL": PRIMARY_URL, "DATABASE_POOLER": "pgpool"}, "DATABASE_POOLER is 'pgpool'"),
        ({"DATABASE_URL": "sqlite:////tmp/shop.sqlite3", "DATABASE_POOLER": "pgbouncer"},
         "DATABASE_POOLER=pgbouncer needs a PostgreSQL DATABASE_URL"),
        ({"DATABASE_URL": PRIMARY_URL, "REPLICA_PIN_SECONDS": "3", "REPLICA_MAX_LAG_SECONDS": "5"},
         "REPLICA_PIN_SECONDS (3) must be at least REPLICA_MAX_LAG_SECONDS + REPLICA_CHECK_SECONDS (7)"),
    ],
)  # fmt: skip
def test_unsafe_replica_and_pooler_settings_are_refused_with_a_clear_message(env, message):
    assert message in _settings(**env)
