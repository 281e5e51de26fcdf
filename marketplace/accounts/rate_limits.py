"""Counters in the shared cache that brake abuse of a form from one client address (or for one e-mail): at most
``limit`` requests in a period of ``minutes`` that starts with the first one. ``cache.add`` and ``cache.incr`` are
atomic, so web processes sharing the cache (Redis) count together. Keys hold hashes, never an address or an e-mail."""

import hashlib
import math
import time

from django.core.cache import cache


def take(scope: str, key: str, *, limit: int, minutes: int) -> int:
    """One more request under ``key``: 0 while at most ``limit`` were asked in the period, else the seconds left of
    the period."""
    period = minutes * 60
    name = _name(scope, key)
    now = time.time()
    cache.add(f"{name}:since", now, period)
    cache.add(name, 0, period)
    try:
        count = cache.incr(name)
    except ValueError:  # the period ended between the add and the incr
        cache.add(f"{name}:since", now, period)
        cache.add(name, 1, period)
        count = 1
    if count <= limit:
        return 0
    since = cache.get(f"{name}:since") or now
    return max(1, math.ceil(since + period - now))


def take_new(scope: str, key: str, item: str, *, limit: int, minutes: int) -> int:
    """As ``take``, counting only the ``item``s not yet let through under ``key`` in the period: the same item again
    is free (a form posted again with the same e-mail), a new one counts (another e-mail tried)."""
    seen = f"{_name(scope, key + chr(0) + item)}:seen"
    if cache.get(seen) is not None:
        return 0
    wait = take(scope, key, limit=limit, minutes=minutes)
    if not wait:
        cache.add(seen, 1, minutes * 60)
    return wait


def forget(scope: str, key: str) -> None:
    """Start ``key``'s count afresh (the next request is the first of a new period)."""
    name = _name(scope, key)
    cache.delete_many([name, f"{name}:since"])


def _name(scope: str, key: str) -> str:
    return f"rate-limit:{scope}:{hashlib.sha256(key.encode()).hexdigest()}"
