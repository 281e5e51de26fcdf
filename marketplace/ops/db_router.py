"""The public pages read from PostgreSQL streaming replicas; everything else, and a client that just wrote, reads
the primary (issue 24).

``DATABASE_REPLICA_URLS`` makes each replica a database alias (``replica1``, ...; ``settings.DATABASE_REPLICAS``).
Query by query, ``ReplicaRouter`` sends:

- every write, ``select_for_update``, ``get_or_create`` and every read inside ``transaction.atomic`` to the primary
  (``default``); so too the reads of every model not in ``REPLICA_READABLE``: orders, baskets, payments, the ledger,
  sessions, users, lockouts, task results, stock alerts;
- the reads of ``REPLICA_READABLE`` models during a web request to that request's replica, chosen once per request
  among the healthy ones, unless the request is pinned to the primary (``ReadYourWritesMiddleware``): the client
  wrote within ``REPLICA_PIN_SECONDS`` (a POST, PUT, PATCH or DELETE, or a GET that wrote, pins it: in its session
  when it has one, else in a signed cookie), or the page is the dashboard's or the admin's (staff edit what
  they read there).

Outside a request (Celery tasks, management commands, the shell) everything reads the primary.

A replica is healthy while it answers and replays within ``REPLICA_MAX_LAG_SECONDS`` of its primary; each process
trusts what it last saw for ``REPLICA_CHECK_SECONDS``, and does not try a replica that refused a connection again
for ``REPLICA_RETRY_SECONDS``. With no healthy replica the reads go to the primary; each change is logged once.
A replica that fails in the middle of a GET has the page rendered again from the primary. ``REPLICA_PIN_SECONDS``
is at least the lag a healthy replica may have (settings refuse less), so a client always reads its own writes.

A page rendered from a replica is kept by the page cache (``marketplace.ops.pagecache``) no longer than that lag:
it may have been rendered before a change reached the replica, after the change had retired the cached pages.
"""

import contextlib
import logging
import random
import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.core.signing import BadSignature
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.utils import timezone

from marketplace.ops import pagecache

logger = logging.getLogger(__name__)

PRIMARY = "default"

# The public pages' models: the only ones a replica may serve (an app label stands for all of its models).
REPLICA_READABLE = frozenset({
    "catalogue",  # designs and their documents, products, categories, images, licences, attributes
    "partner.partner", "partner.stockrecord",  # the storefronts' listings: offers, their prices and stock
    "storefronts.storefront", "tiers.tier",
    "certification.certificate", "certification.markholder", "certification.contribution",
})  # fmt: skip

# Pages that read the primary whoever asks: staff change there what they have just read.
PRIMARY_PATHS = ("/dashboard/", "/admin/")

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
UNREACHABLE = "is unreachable"
PIN_SESSION_KEY = "_read_primary_until"
PIN_COOKIE = "read_primary"
_PIN_SALT = "marketplace.ops.db_router.pin"


def readable_from_replica(model) -> bool:
    meta = model._meta
    return meta.app_label in REPLICA_READABLE or meta.label_lower in REPLICA_READABLE


# --- Which replicas are healthy (per process) -------------------------------------------------------------------

# One query: whether the server replays a primary's WAL, and how far behind it is in seconds. Caught up (all it
# received is replayed, and it is still receiving) is 0 however long ago the primary last wrote; otherwise the age
# of the last transaction it replayed, an upper bound of the lag. pg_stat_wal_receiver shows its row to any role.
LAG_SQL = """
SELECT pg_is_in_recovery(),
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
                 AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver) THEN 0::float8
            ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8, 'Infinity'::float8)
       END
"""


@dataclass
class _Health:
    trouble: str  # "" while usable, else what is wrong: "is unreachable", "lags", "is not a replica"
    detail: str
    next_check: float


_health: dict[str, _Health] = {}
_health_lock = threading.Lock()


def _check(alias: str) -> tuple[str, str]:
    """What is wrong with the replica ``alias`` now ("" when nothing), and the details."""
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            in_recovery, lag = cursor.fetchone()
    except DatabaseError as error:
        with contextlib.suppress(DatabaseError):
            connection.close()
        return UNREACHABLE, (str(error).strip().splitlines() or [repr(error)])[0]
    if not in_recovery:
        return "is not a replica", "it is not in recovery: a primary, or a promoted replica"
    if lag > settings.REPLICA_MAX_LAG_SECONDS:
        return "lags", f"{lag:.1f} s behind the primary; REPLICA_MAX_LAG_SECONDS is {settings.REPLICA_MAX_LAG_SECONDS}"
    return "", ""


def replica_is_usable(alias: str, *, recheck: bool = False) -> bool:
    """Whether reads may go to the replica ``alias``: its last check in this process, or a new one when that is
    older than ``REPLICA_CHECK_SECONDS`` (``REPLICA_RETRY_SECONDS`` after it refused a connection)."""
    with _health_lock:
        known = _health.get(alias)
    if known is not None and not recheck and time.monotonic() < known.next_check:
        return not known.trouble
    trouble, detail = _check(alias)
    wait = settings.REPLICA_RETRY_SECONDS if trouble == UNREACHABLE else settings.REPLICA_CHECK_SECONDS
    with _health_lock:
        previous = _health.get(alias)
        _health[alias] = _Health(trouble, detail, time.monotonic() + wait)
    if trouble and (previous is None or previous.trouble != trouble):
        logger.warning("Replica %s %s (%s): its reads go to the primary until it recovers", alias, trouble, detail)
    elif not trouble and previous is not None and previous.trouble:
        logger.warning("Replica %s is back: public pages read from it again", alias)
    return not trouble


def forget_replica_health() -> None:
    """Check every replica afresh on its next use (tests; a replica moved to another address)."""
    with _health_lock:
        _health.clear()


# --- One request ------------------------------------------------------------------------------------------------

WRITE_VERBS = frozenset({"INSERT", "UPDATE", "DELETE", "MERGE", "TRUNCATE", "COPY"})
# Written while pages render, read back by no client: sorl-thumbnail's record of the thumbnails it made.
CACHE_TABLES = ('"thumbnail_kvstore"',)


@dataclass
class _Reading:
    """What one request may read from: set by the middleware, asked by the router."""

    request: object
    pinned: bool
    wrote: bool = False
    replica: str | None = None  # the request's replica (or the primary when none is healthy), once chosen

    def database(self) -> str:
        if self.pinned or self.wrote:
            return PRIMARY
        if self.replica is None:
            replicas = list(settings.DATABASE_REPLICAS)
            random.shuffle(replicas)
            self.replica = next((alias for alias in replicas if replica_is_usable(alias)), PRIMARY)
            if self.replica != PRIMARY:
                # A change the replica has not replayed yet may already have retired the cached pages.
                bound = settings.REPLICA_MAX_LAG_SECONDS + settings.REPLICA_CHECK_SECONDS
                pagecache.valid_until(self.request, timezone.now() + timedelta(seconds=bound))
        return self.replica

    def watch_primary(self, execute, sql, params, many, context):
        """Django's execute wrapper on the primary: a statement that writes pins the client (a get_or_create
        that only reads does not)."""
        if (
            not self.wrote
            and (sql.lstrip("( ").split(None, 1) or [""])[0].upper() in WRITE_VERBS
            and not any(table in sql for table in CACHE_TABLES)
        ):
            self.wrote = True
        return execute(sql, params, many, context)


_reading: ContextVar[_Reading | None] = ContextVar("marketplace_replica_reading", default=None)


class ReplicaRouter:
    """Django's database router for ``settings.DATABASE_REPLICAS`` (installed by settings when there are any)."""

    def db_for_read(self, model, **hints):
        reading = _reading.get()
        if reading is None or not readable_from_replica(model) or connections[PRIMARY].in_atomic_block:
            return PRIMARY
        instance = hints.get("instance")
        if instance is not None and instance._state.db == PRIMARY:
            return PRIMARY  # what a row read from the primary relates to, from the primary too
        return reading.database()

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        same_data = {PRIMARY, *settings.DATABASE_REPLICAS}
        if obj1._state.db in same_data and obj2._state.db in same_data:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db in settings.DATABASE_REPLICAS else None


# --- The middleware -----------------------------------------------------------------------------------------------


def _pinned(request) -> bool:
    if request.method not in SAFE_METHODS or request.path_info.startswith(PRIMARY_PATHS):
        return True
    session = getattr(request, "session", None)
    if session is not None and session.session_key and session.get(PIN_SESSION_KEY, 0) > time.time():
        return True
    try:
        request.get_signed_cookie(PIN_COOKIE, salt=_PIN_SALT, max_age=settings.REPLICA_PIN_SECONDS)
    except (KeyError, BadSignature):
        return False
    return True


def reads_primary(request) -> bool:
    """Whether this request reads the primary because its client wrote a moment ago (False without replicas)."""
    reading = _reading.get()
    return reading is not None and reading.pinned


def _pin(request, response) -> None:
    """Read the primary for this client's next ``REPLICA_PIN_SECONDS``."""
    seconds = settings.REPLICA_PIN_SECONDS
    session = getattr(request, "session", None)
    if session is not None and (session.session_key or not session.is_empty()):
        session[PIN_SESSION_KEY] = time.time() + seconds
    else:  # no session to keep it in (and none is made for it: a session turns the page cache off)
        response.set_signed_cookie(
            PIN_COOKIE, "1", salt=_PIN_SALT, max_age=seconds, secure=settings.SESSION_COOKIE_SECURE, httponly=True,
            samesite=settings.SESSION_COOKIE_SAMESITE,
        )  # fmt: skip


class ReadYourWritesMiddleware:
    """Decides, per request, whether the public pages' reads may go to a replica, and pins a client that wrote to
    the primary (placed after the session middleware, which keeps the pin). Not used without replicas."""

    def __init__(self, get_response):
        if not settings.DATABASE_REPLICAS:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        reading = _Reading(request=request, pinned=_pinned(request))
        token = _reading.set(reading)
        try:
            with connections[PRIMARY].execute_wrapper(reading.watch_primary):
                response = self.get_response(request)
        finally:
            _reading.reset(token)
        if (reading.wrote or request.method not in SAFE_METHODS) and response.status_code < 500:
            _pin(request, response)
        return response

    def process_exception(self, request, exception):
        """A replica failed during a GET: the page again, from the primary."""
        reading = _reading.get()
        if (
            reading is None
            or request.method not in SAFE_METHODS
            or not isinstance(exception, OperationalError | InterfaceError)
            or reading.replica in (None, PRIMARY)
            or not connections[reading.replica].errors_occurred
        ):
            return None
        replica = reading.replica
        logger.warning("Replica %s failed during %s: the page is rendered from the primary", replica, request.path)
        with contextlib.suppress(DatabaseError):
            connections[replica].close()
        replica_is_usable(replica, recheck=True)
        reading.pinned = True
        match = request.resolver_match
        response = match.func(request, *match.args, **match.kwargs)
        if callable(getattr(response, "render", None)):
            response = response.render()
        return response
